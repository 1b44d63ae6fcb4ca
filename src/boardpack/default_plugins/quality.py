"""Built-in data-quality gates: duplicates, missing months, unbalanced entries, suspense, bank lines.

Each check reads the canonical datasets through the :class:`~boardpack.kpi_context.KPIContext`
with vectorised pandas (a one-million-line FEC checks in seconds) and returns
:class:`~boardpack.interfaces.Issue` objects whose messages name the dataset and the source
lines (``frame.attrs["line_numbers"]``, see :func:`boardpack.schema.line_of`). ``settings`` is
the config's ``[quality]`` table (keys and defaults in :data:`boardpack.config.QUALITY_DEFAULTS`).

A check reports at most :data:`MAX_ISSUES` findings one by one; the rest are summed up in one
more issue of the same severity, so a badly broken file still gives a readable report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..formatting import Formatter
from ..hookspecs import hookimpl
from ..interfaces import Issue, QualityCheck
from ..kpi_context import KPIContext
from ..periods import Month
from ..schema import line_of

__all__ = [
    "MAX_ISSUES",
    "DuplicateEntry",
    "DuplicateInvoice",
    "InvoiceWithoutCounterparty",
    "MissingMonths",
    "SuspenseBalance",
    "UnbalancedEntry",
    "UncategorisedBankLines",
]

#: Findings reported one by one per check; the others are summed up in one more issue.
MAX_ISSUES = 20
#: Source lines quoted in a message (``Issue.lines`` keeps up to :data:`MAX_KEPT_LINES`).
MAX_QUOTED_LINES = 10
MAX_KEPT_LINES = 200

Severity = Literal["blocking", "warning"]
_FMT = {"fr": Formatter("fr"), "en": Formatter("en")}
_KIND = {"sale": ("de vente", "sale"), "purchase": ("d'achat", "purchase")}


# ---------------------------------------------------------------- helpers


def _euros(cents: Any) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _money(cents: Any) -> dict[str, str]:
    return {lang: fmt.money(_euros(cents)) for lang, fmt in _FMT.items()}


def _day(value: Any, lang: str) -> str:
    return _FMT[lang].date(pd.Timestamp(value).date())


def _lines(frame: pd.DataFrame, positions: Sequence[int] | np.ndarray) -> tuple[int, ...]:
    """Source lines of rows ``positions`` (the first :data:`MAX_KEPT_LINES`), in file order."""
    return tuple(sorted(line_of(frame, int(p)) for p in list(positions)[:MAX_KEPT_LINES]))


def _quoted(text: str, lang: str) -> str:
    return f"« {text} »" if lang == "fr" else f"“{text}”"


def _where(dataset: str, frame: pd.DataFrame, positions: Sequence[int] | np.ndarray) -> dict[str, str]:
    """``« entries », lignes 4, 9 et 12`` in French and English, naming the FEC file when known."""
    positions = list(positions)
    shown = positions[:MAX_QUOTED_LINES]
    by_file: dict[str, list[int]] = {}
    files = frame["source_file"] if "source_file" in frame.columns else None
    for position in shown:
        name = "" if files is None else str(files.iloc[int(position)])
        by_file.setdefault(name, []).append(line_of(frame, int(position)))
    more = len(positions) - len(shown)
    out = {}
    for lang, (line, lines, and_, file_, others, sep) in {
        "fr": ("ligne", "lignes", "et", "fichier", "autres", " ; "),
        "en": ("line", "lines", "and", "file", "more", "; "),
    }.items():
        parts = []
        for name, numbers in by_file.items():
            numbers = sorted(numbers)
            text = str(numbers[-1])
            if len(numbers) > 1:
                text = ", ".join(str(n) for n in numbers[:-1]) + f" {and_} {text}"
            word = line if len(numbers) == 1 and not more else lines
            parts.append((f"{file_} {name}, " if name else "") + f"{word} {text}")
        tail = f" (+ {more} {others})" if more else ""
        out[lang] = _quoted(dataset, lang) + (", " + sep.join(parts) + tail if parts else "")
    return out


def _issue(check: QualityCheck, severity: Severity, dataset: str, frame: pd.DataFrame | None,
           positions: Sequence[int] | np.ndarray, fr: str, en: str, figures: Mapping[str, Any]) -> Issue:
    """An issue whose message ends with where the rows are: ``… (« entries », lignes 4 et 9)``."""
    if frame is not None and len(positions):
        where = _where(dataset, frame, positions)
        lines = _lines(frame, positions)
    else:
        where, lines = {lang: _quoted(dataset, lang) for lang in _FMT}, ()
    return Issue(
        check=check.name,
        severity=severity,
        message={"fr": f"{fr} ({where['fr']})", "en": f"{en} ({where['en']})"},
        dataset=dataset,
        lines=lines,
        figures=dict(figures),
    )


def _capped(check: QualityCheck, severity: Severity, dataset: str, frame: pd.DataFrame,
            groups: list[np.ndarray], build: Callable[[np.ndarray], Issue]) -> list[Issue]:
    """``build(group)`` for the first :data:`MAX_ISSUES` groups, then one issue for the rest."""
    issues = [build(group) for group in groups[:MAX_ISSUES]]
    rest = groups[MAX_ISSUES:]
    if rest:
        positions = np.concatenate(rest)
        issues.append(_issue(
            check, severity, dataset, frame, positions,
            f"… et {len(rest)} autre(s) cas du contrôle {_quoted(check.name, 'fr')} ({check.description['fr']})",
            f"… and {len(rest)} more case(s) of check {_quoted(check.name, 'en')} ({check.description['en']})",
            {"count": len(rest)},
        ))
    return issues


def _groups(frame: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> list[np.ndarray]:
    """Positions of the rows selected by ``mask``, grouped by equal ``columns``, oldest line first."""
    positions = np.flatnonzero(mask)
    if not len(positions):
        return []
    codes = frame.iloc[positions].groupby(columns, sort=False, dropna=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    split = np.flatnonzero(np.diff(codes[order])) + 1
    groups = np.split(positions[order], split)
    return sorted(groups, key=lambda g: int(g[0]))


def _moving(ctx: KPIContext, frame: pd.DataFrame) -> np.ndarray:
    """Mask of the entries outside the opening journals (à-nouveaux)."""
    journals = {j.upper() for j in ctx.opening_journals}
    return ~frame["journal"].astype(str).str.upper().isin(journals).to_numpy()


def _month_numbers(dates: pd.Series) -> np.ndarray:
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy()


def _period_numbers(periods: pd.Series) -> np.ndarray:
    text = periods.astype(str)
    return (text.str[:4].astype(int) * 12 + text.str[5:7].astype(int) - 1).to_numpy()


def _month_list(numbers: Sequence[int], lang: str) -> str:
    names = [_FMT[lang].month(Month(n // 12, n % 12 + 1)) for n in numbers]
    if len(names) > 12:
        names = names[:12] + [f"+ {len(numbers) - 12}"]
    return ", ".join(names)


def _missing(present: np.ndarray) -> list[int]:
    """Month numbers absent between the first and last of ``present``."""
    if not len(present):
        return []
    return sorted(set(range(int(present.min()), int(present.max()) + 1)) - set(np.unique(present).tolist()))


# ---------------------------------------------------------------- checks


class DuplicateInvoice(QualityCheck):
    """Invoices entered twice: same kind and number, or same kind, counterparty, date and amount."""

    name = "duplicate_invoice"
    description = {
        "fr": "factures en double (même type et numéro, ou même type, tiers, date et montant TTC)",
        "en": "duplicate invoices (same kind and number, or same kind, counterparty, date and amount)",
    }
    needs = ("invoices",)

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One blocking issue per set of duplicates."""
        frame = ctx.datasets["invoices"]
        by_number = _groups(frame, frame.duplicated(["kind", "number"], keep=False).to_numpy(), ["kind", "number"])
        content = ["kind", "counterparty", "issue_date", "amount_incl_tax"]
        live = np.flatnonzero((frame["status"] != "cancelled").to_numpy())
        same = np.zeros(len(frame), dtype=bool)
        same[live] = frame.iloc[live].duplicated(content, keep=False).to_numpy()
        numbered = {tuple(g.tolist()) for g in by_number}
        by_content = [g for g in _groups(frame, same, content) if tuple(g.tolist()) not in numbered]
        groups = sorted(by_number + by_content, key=lambda g: int(g[0]))
        return _capped(self, "blocking", "invoices", frame, groups,
                       lambda g: self._issue(frame, g, tuple(g.tolist()) in numbered))

    def _issue(self, frame: pd.DataFrame, group: np.ndarray, by_number: bool) -> Issue:
        first = frame.iloc[int(group[0])]
        kind_fr, kind_en = _KIND.get(first["kind"], (first["kind"], first["kind"]))
        amount = _money(first["amount_incl_tax"])
        figures = {"number": first["number"], "count": len(group), "kind": first["kind"],
                   "counterparty": first["counterparty"], "amount_incl_tax": _euros(first["amount_incl_tax"])}
        if by_number:
            fr = f"Facture {kind_fr} n° {first['number']} présente {len(group)} fois"
            en = f"{kind_en.capitalize()} invoice no. {first['number']} appears {len(group)} times"
        else:
            numbers = ", ".join(frame["number"].iloc[group].astype(str))
            fr = (f"{len(group)} factures {kind_fr} identiques ({first['counterparty'] or 'tiers vide'}, "
                  f"{_day(first['issue_date'], 'fr')}, {amount['fr']} TTC) : n° {numbers}")
            en = (f"{len(group)} identical {kind_en} invoices ({first['counterparty'] or 'no counterparty'}, "
                  f"{_day(first['issue_date'], 'en')}, {amount['en']} incl. VAT): nos. {numbers}")
        return _issue(self, "blocking", "invoices", frame, group, fr, en, figures)


class DuplicateEntry(QualityCheck):
    """The same journal line (date, journal, account, tiers, label, amounts, piece) in several entries."""

    name = "duplicate_entry"
    description = {
        "fr": "lignes d'écriture identiques dans des écritures différentes",
        "en": "identical journal lines in different entries",
    }
    needs = ("entries",)
    #: what makes two lines « the same »
    key = ("date", "journal", "account", "aux_account", "label", "debit", "credit", "piece_ref")

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One warning per repeated line; a hash finds the candidates, then they are compared."""
        frame = ctx.datasets["entries"]
        if frame.empty:
            return []
        hashed = pd.Series(pd.util.hash_pandas_object(frame[list(self.key)], index=False).to_numpy())
        positions = np.flatnonzero(hashed.duplicated(keep=False).to_numpy())
        if not len(positions):
            return []
        candidates = frame.iloc[positions]
        codes = candidates.groupby(list(self.key), sort=False, dropna=False).ngroup().to_numpy()
        distinct = pd.Series(candidates["entry_id"].to_numpy()).groupby(codes).nunique()
        repeated = np.zeros(len(frame), dtype=bool)
        repeated[positions[np.isin(codes, distinct.index[distinct.to_numpy() > 1])]] = True
        groups = _groups(frame, repeated, list(self.key))
        return _capped(self, "warning", "entries", frame, groups, lambda g: self._issue(frame, g))

    def _issue(self, frame: pd.DataFrame, group: np.ndarray) -> Issue:
        first = frame.iloc[int(group[0])]
        entries = list(dict.fromkeys(frame["entry_id"].iloc[group].astype(str)))
        amount = first["debit"] if first["debit"] else first["credit"]
        side = ("débit", "debit") if first["debit"] else ("crédit", "credit")
        money = _money(amount)
        label = {lang: f" {_quoted(first['label'], lang)}" if first["label"] else "" for lang in _FMT}
        fr = (f"Ligne répétée dans {len(entries)} écritures du journal {first['journal']} "
              f"({', '.join(entries)}) : {_day(first['date'], 'fr')}, compte {first['account']}{label['fr']}, "
              f"{side[0]} {money['fr']}")
        en = (f"Line repeated in {len(entries)} entries of journal {first['journal']} "
              f"({', '.join(entries)}): {_day(first['date'], 'en')}, account {first['account']}{label['en']}, "
              f"{side[1]} {money['en']}")
        figures = {"entries": tuple(entries), "account": first["account"], "amount": _euros(amount),
                   "count": len(group)}
        return _issue(self, "warning", "entries", frame, group, fr, en, figures)


class MissingMonths(QualityCheck):
    """Months without data inside a dataset's span: entries (blocking), budget and each ops metric."""

    name = "missing_months"
    description = {
        "fr": "mois sans données entre le premier et le dernier mois d'un jeu",
        "en": "months without data between a dataset's first and last month",
    }

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """Entries, budget and ops metrics, whichever are loaded."""
        issues = []
        entries = ctx.datasets.get("entries")
        if entries is not None and not entries.empty:
            moving = _moving(ctx, entries)
            gaps = _missing(_month_numbers(entries["date"])[moving])
            if gaps:
                issues.append(self._issue("blocking", "entries", gaps, "aucune écriture", "no entry"))
        budget = ctx.datasets.get("budget")
        if budget is not None and not budget.empty:
            gaps = _missing(_period_numbers(budget["period"]))
            if gaps:
                issues.append(self._issue("warning", "budget", gaps, "aucune ligne de budget",
                                          "no budget line"))
        ops = ctx.datasets.get("ops_metrics")
        if ops is not None and not ops.empty:
            numbers = pd.Series(_period_numbers(ops["period"]), index=ops.index)
            for metric, months in numbers.groupby(ops["metric"], sort=True):
                gaps = _missing(months.to_numpy())
                if gaps:
                    issues.append(self._issue("warning", "ops_metrics", gaps,
                                              f"aucune valeur de {_quoted(metric, 'fr')}",
                                              f"no value of {_quoted(metric, 'en')}",
                                              metric=str(metric)))
        return issues

    def _issue(self, severity: Severity, dataset: str, gaps: list[int], fr: str, en: str,
               metric: str = "") -> Issue:
        fr_months, en_months = _month_list(gaps, "fr"), _month_list(gaps, "en")
        figures: dict[str, Any] = {"months": tuple(str(Month(n // 12, n % 12 + 1)) for n in gaps),
                                   "count": len(gaps)}
        if metric:
            figures["metric"] = metric
        return _issue(self, severity, dataset, None, [], f"{fr[0].upper()}{fr[1:]} pour {len(gaps)} mois : {fr_months}",
                      f"{en[0].upper()}{en[1:]} for {len(gaps)} month(s): {en_months}", figures)


class UnbalancedEntry(QualityCheck):
    """Entries whose debits and credits differ (the CSV source refuses them; others may not)."""

    name = "unbalanced_entry"
    description = {"fr": "écritures non équilibrées (débit ≠ crédit)", "en": "unbalanced entries (debit ≠ credit)"}
    needs = ("entries",)

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One blocking issue per unbalanced entry."""
        frame = ctx.datasets["entries"]
        if frame.empty:
            return []
        codes = frame.groupby(["journal", "entry_id"], sort=False).ngroup().to_numpy()
        net = pd.Series((frame["debit"] - frame["credit"]).to_numpy(dtype=np.int64))
        gap = net.groupby(codes).sum()
        bad = gap.index[gap.to_numpy() != 0]
        groups = _groups(frame, np.isin(codes, bad), ["journal", "entry_id"])
        return _capped(self, "blocking", "entries", frame, groups, lambda g: self._issue(frame, g))

    def _issue(self, frame: pd.DataFrame, group: np.ndarray) -> Issue:
        first = frame.iloc[int(group[0])]
        debit, credit = int(frame["debit"].iloc[group].sum()), int(frame["credit"].iloc[group].sum())
        d, c, g = _money(debit), _money(credit), _money(debit - credit)
        fr = (f"Écriture {first['journal']} {first['entry_id']} non équilibrée : débit {d['fr']}, "
              f"crédit {c['fr']}, écart {g['fr']}")
        en = (f"Entry {first['journal']} {first['entry_id']} does not balance: debit {d['en']}, "
              f"credit {c['en']}, gap {g['en']}")
        figures = {"journal": first["journal"], "entry_id": first["entry_id"], "debit": _euros(debit),
                   "credit": _euros(credit), "gap": _euros(debit - credit)}
        return _issue(self, "blocking", "entries", frame, group, fr, en, figures)


def _prefixes(settings: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(p) for p in settings.get(key, ()))


class SuspenseBalance(QualityCheck):
    """Suspense accounts (471, 472…) holding more than the threshold at the ledger's last month end."""

    name = "suspense_balance"
    description = {
        "fr": "comptes d'attente non soldés en fin de période",
        "en": "suspense accounts not cleared at period end",
    }
    needs = ("entries",)

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One warning per suspense account whose balance exceeds ``suspense_threshold`` euros."""
        prefixes = _prefixes(settings, "suspense_accounts")
        if not prefixes:
            return []
        ledger = ctx.ledger
        month = ledger.last
        balances = ledger.balances(month).groupby(level=0).sum()
        accounts = balances.index.astype(str)
        limit = int(Decimal(str(settings.get("suspense_threshold", 0))) * 100)
        chosen = balances[accounts.str.startswith(prefixes) & (balances.abs().to_numpy() > limit)]
        frame = ctx.datasets["entries"]
        issues = []
        for account, cents in chosen.items():
            on_account = (frame["account"] == account).to_numpy()
            open_lines = on_account & (frame["lettering"] == "").to_numpy()
            positions = np.flatnonzero(open_lines if open_lines.any() else on_account)
            side = ("débiteur", "debit") if cents > 0 else ("créditeur", "credit")
            amount, threshold = _money(abs(int(cents))), _money(limit)
            label = ledger.labels.get(account) or ""
            named = f"{account} ({label})" if label else str(account)
            fr = (f"Compte d'attente {named} : solde {side[0]} de {amount['fr']} fin "
                  f"{_FMT['fr'].month(month)} (seuil {threshold['fr']})")
            en = (f"Suspense account {named}: {side[1]} balance of {amount['en']} at the end of "
                  f"{_FMT['en'].month(month)} (threshold {threshold['en']})")
            figures = {"account": account, "balance": _euros(cents), "month": str(month)}
            issues.append(_issue(self, "warning", "entries", frame, positions, fr, en, figures))
        return issues


class UncategorisedBankLines(QualityCheck):
    """Bank movements booked against a suspense account, or without a label."""

    name = "uncategorised_bank_lines"
    description = {
        "fr": "mouvements bancaires non catégorisés (contrepartie en compte d'attente ou libellé vide)",
        "en": "uncategorised bank movements (suspense counterpart or empty label)",
    }
    needs = ("entries",)

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One warning with the count and amount of such bank lines."""
        frame = ctx.datasets["entries"]
        banks, suspense = _prefixes(settings, "bank_accounts"), _prefixes(settings, "suspense_accounts")
        if frame.empty or not banks:
            return []
        accounts = frame["account"].astype(str)
        moving = _moving(ctx, frame)
        is_bank = accounts.str.startswith(banks).to_numpy() & moving
        if not is_bank.any():
            return []
        codes = frame.groupby(["journal", "entry_id"], sort=False).ngroup().to_numpy()
        against_suspense = np.zeros(len(frame), dtype=bool)
        if suspense:
            is_suspense = accounts.str.startswith(suspense).to_numpy()
            against_suspense = np.isin(codes, np.unique(codes[is_suspense]))
        labels = frame["label"].astype(str).str.strip() == ""
        # a source without any label (a bare export) is not a bank line left uncategorised
        unlabelled = labels.to_numpy() if not labels.all() else np.zeros(len(frame), dtype=bool)
        flagged = is_bank & (against_suspense | unlabelled)
        positions = np.flatnonzero(flagged)
        if not len(positions):
            return []
        amount = int(frame["debit"].iloc[positions].sum() + frame["credit"].iloc[positions].sum())
        money = _money(amount)
        n_suspense = int((is_bank & against_suspense).sum())
        n_empty = int((is_bank & unlabelled).sum())
        fr = (f"{len(positions)} mouvement(s) bancaire(s) non catégorisé(s) pour {money['fr']} "
              f"({n_suspense} en contrepartie d'un compte d'attente, {n_empty} sans libellé)")
        en = (f"{len(positions)} uncategorised bank movement(s) totalling {money['en']} "
              f"({n_suspense} against a suspense account, {n_empty} without a label)")
        figures = {"count": len(positions), "amount": _euros(amount), "against_suspense": n_suspense,
                   "without_label": n_empty}
        return [_issue(self, "warning", "entries", frame, positions, fr, en, figures)]


class InvoiceWithoutCounterparty(QualityCheck):
    """Invoices with neither a counterparty name nor an id."""

    name = "invoice_without_counterparty"
    description = {"fr": "factures sans client ni fournisseur", "en": "invoices without a counterparty"}
    needs = ("invoices",)

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One warning with the count, amount and lines of such invoices."""
        frame = ctx.datasets["invoices"]
        empty = frame["counterparty"].astype(str).str.strip() == ""
        empty &= frame["counterparty_id"].astype(str).str.strip() == ""
        positions = np.flatnonzero(empty.to_numpy())
        if not len(positions):
            return []
        amount = int(frame["amount_incl_tax"].iloc[positions].sum())
        money = _money(amount)
        numbers = frame["number"].iloc[positions[:MAX_QUOTED_LINES]].astype(str).tolist()
        shown = ", ".join(numbers) + (", …" if len(positions) > len(numbers) else "")
        fr = f"{len(positions)} facture(s) sans client ni fournisseur pour {money['fr']} TTC : n° {shown}"
        en = f"{len(positions)} invoice(s) without a counterparty totalling {money['en']} incl. VAT: nos. {shown}"
        figures = {"count": len(positions), "amount_incl_tax": _euros(amount),
                   "numbers": tuple(frame["number"].iloc[positions].astype(str))}
        return [_issue(self, "warning", "invoices", frame, positions, fr, en, figures)]


@hookimpl
def register_quality_checks() -> list[QualityCheck]:
    """Register the built-in data-quality gates."""
    return [
        DuplicateInvoice(), DuplicateEntry(), MissingMonths(), UnbalancedEntry(),
        SuspenseBalance(), UncategorisedBankLines(), InvoiceWithoutCounterparty(),
    ]
