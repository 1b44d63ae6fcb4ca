"""Sentences generated from the figures for the commentary section.

Every generated :class:`Sentence` quotes facts of the build (``pack.facts``) and keeps them
(``sources``: fact id → exact value), so a reader or a test can trace each number back to the
pack's fact table; a sentence never reads the ledger itself. The DAF's own commentary is read
by the host (``pack.commentary``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from boardpack.api import Fact, Facts, Formatter, Unavailable
from boardpack.api.formatting import translate

__all__ = ["Sentence", "generate"]


@dataclass(frozen=True)
class Sentence:
    """One generated sentence and the facts it quotes (fact id → exact value)."""

    text: str
    topic: str
    sources: dict[str, Decimal | None] = field(default_factory=dict)




class _Writer:
    """Builds the sentences of one pack language."""

    def __init__(self, facts: Facts, fmt: Formatter) -> None:
        self.facts, self.fmt = facts, fmt
        self.period = facts.window("month").end
        self.sources: dict[str, Decimal | None] = {}

    def quote(self, fact: Fact) -> Decimal:
        """The value of a fact the sentence quotes (kept in its sources); unavailable without one."""
        value = fact.require()
        self.sources[fact.id] = value
        return value

    def quoted(self) -> dict[str, Decimal | None]:
        """The sources of the sentence just written (and a fresh record for the next)."""
        sources, self.sources = self.sources, {}
        return sources

    def t(self, fr: str, en: str) -> str:
        return fr if self.fmt.language == "fr" else en

    def change(self, current: Decimal, reference: Decimal) -> str:
        return self.fmt.change(current, reference, "money")

    def revenue(self) -> Sentence:
        """CA of the month and the year to date against N-1 and the budget."""
        month = self.facts.window("month")
        ytd = self.facts.window("ytd")
        parts = []
        for window, name in ((month, self.fmt.month(self.period)), (ytd, self.t("le cumul de l'exercice", "the year to date"))):
            value = self.quote(self.facts.line("chiffre_affaires", window))
            text = f"{name} : {self.fmt.money_short(value)}" if self.fmt.language == "fr" else f"{name}: {self.fmt.money_short(value)}"
            n1 = self.facts.line("chiffre_affaires", window, "n1")
            if n1.value is not None:
                self.quote(n1)
                text += self.t(f", {self.change(value, n1.value)} sur un an", f", {self.change(value, n1.value)} year on year")
            budget = self.facts.line("chiffre_affaires", window, "budget")
            if budget.value is not None:
                self.quote(budget)
                text += self.t(f", {self.change(value, budget.value)} par rapport au budget",
                               f", {self.change(value, budget.value)} against budget")
            parts.append(text)
        lead = self.t("Chiffre d'affaires — ", "Revenue — ")
        return Sentence(lead + self.t(" ; ", "; ").join(parts) + ".", "chiffre_affaires", self.quoted())

    def margin_driver(self) -> Sentence:
        """The charge whose weight in revenue moved most over a year, and the margin it explains:
        each weight is the ratio of two quoted facts (the charge and the CA over the same window)."""
        ytd = self.facts.window("ytd")
        lines = {
            "achats_consommes": ("achats consommés", "materials consumed"),
            "autres_achats_charges_externes": ("charges externes", "external charges"),
            "charges_personnel": ("charges de personnel", "staff costs"),
            "impots_taxes": ("impôts et taxes", "taxes"),
        }
        pair = {name: (self.facts.line(name, ytd), self.facts.line(name, ytd, "n1"))
                for name in ("chiffre_affaires", "ebe", *lines)}
        values = {name: (now.require(), before.require()) for name, (now, before) in pair.items()}
        revenue, revenue_n1 = values["chiffre_affaires"]
        if not revenue or not revenue_n1:
            raise Unavailable("CA nul sur une des deux périodes")
        shares = {}
        for line in lines:
            now, before = values[line]
            shares[line] = (now / revenue * 100, before / revenue_n1 * 100, now, before)
        driver = max(shares, key=lambda k: abs(shares[k][0] - shares[k][1]))
        now_pct, before_pct, now, before = shares[driver]
        ebe, ebe_n1 = values["ebe"]
        for name in ("ebe", "chiffre_affaires", driver):
            for fact in pair[name]:
                self.quote(fact)
        ebe_rate, ebe_rate_n1 = ebe / revenue * 100, ebe_n1 / revenue_n1 * 100
        label = lines[driver][0 if self.fmt.language == "fr" else 1]
        moved = self.fmt.delta(now_pct - before_pct, "percent")
        text = self.t(
            f"Marge — l'EBE représente {self.fmt.percent(ebe_rate)} du CA depuis le début de l'exercice, "
            f"contre {self.fmt.percent(ebe_rate_n1)} un an plus tôt ({self.fmt.delta(ebe_rate - ebe_rate_n1, 'percent')}) ; "
            f"le principal facteur est le poids des {label} : {self.fmt.percent(now_pct)} du CA contre "
            f"{self.fmt.percent(before_pct)} ({moved}).",
            f"Margin — EBITDA is {self.fmt.percent(ebe_rate)} of revenue year to date against "
            f"{self.fmt.percent(ebe_rate_n1)} a year earlier ({self.fmt.delta(ebe_rate - ebe_rate_n1, 'percent')}); "
            f"the main driver is {label}: {self.fmt.percent(now_pct)} of revenue against "
            f"{self.fmt.percent(before_pct)} ({moved}).",
        )
        return Sentence(text, "marge", self.quoted())

    def cash_bridge(self) -> Sentence:
        """Net cash from the start of the fiscal year to the period, by flow."""
        ytd = self.facts.window("ytd")
        shown = ("tresorerie_debut", "tresorerie_fin", "variation", "fte", "delta_bfr", "fti", "ftf")
        euros = {key: self.quote(self.facts.flow(key, ytd)) for key in shown}
        for key in ("dividendes", "ecart"):  # said only when not zero
            fact = self.facts.flow(key, ytd)
            euros[key] = self.quote(fact) if fact.value else Decimal(0)
        m = self.fmt.money_short
        signed = lambda v: self.fmt.signed(m(v), v)  # noqa: E731
        text = self.t(
            f"Trésorerie — la trésorerie nette passe de {m(euros['tresorerie_debut'])} à "
            f"{m(euros['tresorerie_fin'])} depuis le début de l'exercice ({signed(euros['variation'])}) : "
            f"exploitation {signed(euros['fte'])} (dont variation du BFR {signed(-euros['delta_bfr'])}), "
            f"investissement {signed(euros['fti'])}, financement {signed(euros['ftf'])}"
            + (f" (dont dividendes {signed(-euros['dividendes'])})" if euros["dividendes"] else "") + ".",
            f"Cash — net cash went from {m(euros['tresorerie_debut'])} to {m(euros['tresorerie_fin'])} "
            f"since the start of the year ({signed(euros['variation'])}): operations {signed(euros['fte'])} "
            f"(working capital {signed(-euros['delta_bfr'])}), investing {signed(euros['fti'])}, "
            f"financing {signed(euros['ftf'])}"
            + (f" (dividends {signed(-euros['dividendes'])})" if euros["dividendes"] else "") + ".",
        )
        if euros["ecart"]:
            text += self.t(f" Écart de rapprochement : {m(euros['ecart'])}.", f" Reconciliation gap: {m(euros['ecart'])}.")
        return Sentence(text, "tresorerie", self.quoted())


def generate(facts: Facts, fmt: Formatter) -> tuple[list[Sentence], list[str]]:
    """The generated sentences for the pack's period (``facts``' windows end there), and the
    reasons of those that could not be written."""
    writer = _Writer(facts, fmt)
    sentences: list[Sentence] = []
    missing: list[str] = []
    # what each sentence would have said, in the reader's words (never the code's docstring)
    steps: tuple[tuple[Callable[[], Sentence], str, str], ...] = (
        (writer.revenue, "Chiffre d'affaires", "Revenue"),
        (writer.margin_driver, "Marge", "Margin"),
        (writer.cash_bridge, "Trésorerie", "Cash"),
    )
    for step, fr, en in steps:
        try:
            sentences.append(step())
        except Unavailable as exc:
            writer.quoted()  # a sentence not written quotes nothing
            reason = str(exc) if fmt.language == "fr" else translate(str(exc), "en")
            missing.append(f"{writer.t(fr, en)} : {reason}" if fmt.language == "fr" else f"{en}: {reason}")
    return sentences, missing
