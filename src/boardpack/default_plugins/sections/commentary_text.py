"""Sentences generated from the figures for the commentary section.

Every generated :class:`Sentence` keeps the figures it quotes (``sources``: a KPI id or a
statement line, with its exact value), so a reader or a test can trace each number back.
The DAF's own commentary is read by the host (``pack.commentary``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from boardpack.api import Formatter, KPIContext, Unavailable
from boardpack.api.accounting import cash_flow, cents_to_euros
from boardpack.api.formatting import translate
from boardpack.api.periods import Month

__all__ = ["Sentence", "generate"]


@dataclass(frozen=True)
class Sentence:
    """One generated sentence and the figures it quotes (id → exact value)."""

    text: str
    topic: str
    sources: dict[str, Decimal] = field(default_factory=dict)



class _Writer:
    """Builds the sentences of one pack language."""

    def __init__(self, ctx: KPIContext, period: Month, fmt: Formatter) -> None:
        self.ctx, self.period, self.fmt = ctx, period, fmt

    def t(self, fr: str, en: str) -> str:
        return fr if self.fmt.language == "fr" else en

    def change(self, current: Decimal, reference: Decimal) -> str:
        return self.fmt.change(current, reference, "money")

    def revenue(self) -> Sentence:
        """CA of the month and the year to date against N-1 and the budget."""
        month = self.ctx.window("month", self.period)
        ytd = self.ctx.window("ytd", self.period)
        sources = {}
        parts = []
        for window, name in ((month, self.fmt.month(self.period)), (ytd, self.t("le cumul de l'exercice", "the year to date"))):
            value = self.ctx.pl("chiffre_affaires", window)
            sources[f"chiffre_affaires[{window}]"] = value
            text = f"{name} : {self.fmt.money_short(value)}" if self.fmt.language == "fr" else f"{name}: {self.fmt.money_short(value)}"
            try:
                n1 = self.ctx.pl("chiffre_affaires", window.shift_years(1))
                sources[f"chiffre_affaires[{window.shift_years(1)}]"] = n1
                text += self.t(f", {self.change(value, n1)} sur un an", f", {self.change(value, n1)} year on year")
            except Unavailable:
                pass
            try:
                budget = self.ctx.budget("chiffre_affaires", window)
                sources[f"budget.chiffre_affaires[{window}]"] = budget
                text += self.t(f", {self.change(value, budget)} par rapport au budget",
                               f", {self.change(value, budget)} against budget")
            except Unavailable:
                pass
            parts.append(text)
        lead = self.t("Chiffre d'affaires — ", "Revenue — ")
        return Sentence(lead + self.t(" ; ", "; ").join(parts) + ".", "chiffre_affaires", sources)

    def margin_driver(self) -> Sentence:
        """The charge whose weight in revenue moved most over a year, and the margin it explains."""
        ytd = self.ctx.window("ytd", self.period)
        n1 = ytd.shift_years(1)
        lines = {
            "achats_consommes": ("achats consommés", "materials consumed"),
            "autres_achats_charges_externes": ("charges externes", "external charges"),
            "charges_personnel": ("charges de personnel", "staff costs"),
            "impots_taxes": ("impôts et taxes", "taxes"),
        }
        revenue, revenue_n1 = self.ctx.pl("chiffre_affaires", ytd), self.ctx.pl("chiffre_affaires", n1)
        if not revenue or not revenue_n1:
            raise Unavailable("CA nul sur une des deux périodes")
        shares = {}
        for line in lines:
            now, before = self.ctx.pl(line, ytd), self.ctx.pl(line, n1)
            shares[line] = (now / revenue * 100, before / revenue_n1 * 100, now, before)
        driver = max(shares, key=lambda k: abs(shares[k][0] - shares[k][1]))
        now_pct, before_pct, now, before = shares[driver]
        ebe, ebe_n1 = self.ctx.pl("ebe", ytd), self.ctx.pl("ebe", n1)
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
        sources = {f"ebe[{ytd}]": ebe, f"ebe[{n1}]": ebe_n1, f"chiffre_affaires[{ytd}]": revenue,
                   f"chiffre_affaires[{n1}]": revenue_n1, f"{driver}[{ytd}]": now, f"{driver}[{n1}]": before}
        return Sentence(text, "marge", sources)

    def cash_bridge(self) -> Sentence:
        """Net cash from the start of the fiscal year to the period, by flow."""
        ytd = self.ctx.window("ytd", self.period)
        flows = cash_flow(self.ctx.statements, ytd)
        euros = {k: cents_to_euros(v) for k, v in flows.as_dict().items()}
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
        return Sentence(text, "tresorerie", {f"flux.{k}[{ytd}]": v for k, v in euros.items()})


def generate(ctx: KPIContext, period: Month, fmt: Formatter) -> tuple[list[Sentence], list[str]]:
    """The generated sentences for ``period``, and the reasons of those that could not be written."""
    writer = _Writer(ctx, period, fmt)
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
            reason = str(exc) if fmt.language == "fr" else translate(str(exc), "en")
            missing.append(f"{writer.t(fr, en)} : {reason}" if fmt.language == "fr" else f"{en}: {reason}")
    return sentences, missing
