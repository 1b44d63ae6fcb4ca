"""Data-quality gates on the ledger entries: duplicates, gaps, balance, suspense, bank lines.

``missing_months`` also looks for months missing in the budget and in each operational metric.
Messages, source lines, ``settings`` and the cap of findings per check follow
:mod:`boardpack.default_plugins._quality_common`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boardpack.api import Issue, KPIContext, QualityCheck, hookimpl
from boardpack.api.periods import Month
from boardpack.api.settings import Setting, SettingsTable
from .common import (
    FORMATTERS,
    Severity,
    capped_issues,
    euros,
    formatted_day,
    formatted_money,
    make_issue,
    quoted,
    row_groups,
)

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "DuplicateEntry", "MissingMonths", "UnbalancedEntry", "SuspenseBalance", "UncategorisedBankLines",
]


# ---------------------------------------------------------------- helpers


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
    names = [FORMATTERS[lang].month(Month(n // 12, n % 12 + 1)) for n in numbers]
    if len(names) > 12:
        names = names[:12] + [f"+ {len(numbers) - 12}"]
    return ", ".join(names)


def _missing(present: np.ndarray) -> list[int]:
    """Month numbers absent between the first and last of ``present``."""
    if not len(present):
        return []
    return sorted(set(range(int(present.min()), int(present.max()) + 1)) - set(np.unique(present).tolist()))


#: The keys of ``[quality]`` the ledger checks read.
SUSPENSE_ACCOUNTS = Setting("suspense_accounts", "texts", ["471", "472"], "préfixes des comptes d'attente")
SUSPENSE_THRESHOLD = Setting("suspense_threshold", "number", 1000,
                             "solde d'attente toléré en fin de mois, en euros", minimum=0)
BANK_ACCOUNTS = Setting("bank_accounts", "texts", ["512"], "préfixes des comptes de banque")


def _exact_money(cents: int) -> dict[str, str]:
    """An amount to the cent when it has cents (« 0,37 € »), else to the euro."""
    if not cents % 100:
        return formatted_money(cents)
    return {"fr": f"{FORMATTERS['fr'].number(euros(cents), 2)}\u00a0€",
            "en": f"€{FORMATTERS['en'].number(euros(cents), 2)}"}


def _prefixes(settings: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(p) for p in settings.get(key, ()))


# ---------------------------------------------------------------- checks


#: Identical entries of at most this many euros, all on bank and bank-charge accounts, are
#: distinct bank charges (two 0,37 € transfer fees the same day), not a duplicate.
SMALL_BANK_CHARGE = Setting("small_bank_charge", "number", 20,
                            "montant (euros) jusqu'auquel des frais bancaires identiques ne sont pas des doublons",
                            minimum=0)
BANK_CHARGE_ACCOUNTS = ("627", "6616")


class DuplicateEntry(QualityCheck):
    """The same entry booked twice: entries whose lines are identical one for one (date, journal,
    account, tiers, label, amounts, piece), except small bank charges."""

    name = "duplicate_entry"
    description = {
        "fr": "écritures identiques ligne à ligne (saisies deux fois), hors petits frais bancaires",
        "en": "entries identical line for line (booked twice), small bank charges aside",
    }
    needs = ("entries",)
    settings = (SettingsTable("quality", (SMALL_BANK_CHARGE, BANK_ACCOUNTS)),)
    #: what makes two lines « the same »
    key = ("date", "journal", "account", "aux_account", "label", "debit", "credit", "piece_ref")

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One warning per set of identical entries.

        Each entry gets a signature from its lines' hashes (two sums of 30-bit slices, and its
        line count: the order of lines does not matter); entries sharing one are then compared
        line for line. Identical entries of at most ``small_bank_charge`` euros whose lines are
        all on bank (``bank_accounts``) or bank-charge accounts (627, 6616) are left alone: the
        bank charged twice.
        """
        frame = ctx.datasets["entries"]
        if frame.empty:
            return []
        hashes = pd.util.hash_pandas_object(frame[list(self.key)], index=False).to_numpy()
        codes = frame.groupby(["journal", "entry_id"], sort=False).ngroup().to_numpy()
        parts = pd.DataFrame({"code": codes, "high": (hashes >> np.uint64(34)).astype(np.int64),
                              "low": (hashes & np.uint64(0x3FFFFFFF)).astype(np.int64)})
        signature = parts.groupby("code").agg(n=("high", "size"), high=("high", "sum"), low=("low", "sum"))
        shared = signature[signature.duplicated(keep=False)]
        if shared.empty:
            return []
        small = int(Decimal(str(settings.get("small_bank_charge", 20))) * 100)
        exempt = _prefixes(settings, "bank_accounts") + BANK_CHARGE_ACCOUNTS
        order = np.argsort(codes, kind="stable")  # the rows of entry c: order[bounds[c]:bounds[c + 1]]
        bounds = np.searchsorted(codes[order], np.arange(codes.max() + 2))
        rows_of = {int(code): order[bounds[code]:bounds[code + 1]] for code in shared.index}
        chosen = np.concatenate(list(rows_of.values()))
        keyed = dict(zip(chosen.tolist(), map(tuple, frame.iloc[chosen][list(self.key)].astype(str).to_numpy())))
        groups = []
        for _, candidates in shared.groupby(["n", "high", "low"]):
            by_content: dict[tuple[Any, ...], list[np.ndarray]] = {}
            for code in candidates.index:
                rows = rows_of[int(code)]
                content = tuple(sorted(keyed[int(row)] for row in rows))
                by_content.setdefault(content, []).append(rows)
            for same in by_content.values():
                if len(same) > 1 and not self._bank_charge(frame, same[0], exempt, small):
                    groups.append(same)
        groups.sort(key=lambda same: int(same[0][0]))
        by_first = {int(same[0][0]): same for same in groups}
        return capped_issues(self, "warning", "entries", frame, [np.concatenate(same) for same in groups],
                             lambda rows: self._issue(frame, by_first[int(rows[0])]))

    @staticmethod
    def _bank_charge(frame: pd.DataFrame, rows: np.ndarray, accounts: tuple[str, ...], small: int) -> bool:
        lines = frame.iloc[rows]
        return bool(lines["account"].astype(str).str.startswith(accounts).all()) and int(lines["debit"].sum()) <= small

    def _issue(self, frame: pd.DataFrame, same: list[np.ndarray]) -> Issue:
        first = frame.iloc[int(same[0][0])]
        entries = [str(frame["entry_id"].iloc[int(rows[0])]) for rows in same]
        amount = int(frame["debit"].iloc[same[0]].sum())
        money = _exact_money(amount)
        label = {lang: f" {quoted(first['label'], lang)}" if first["label"] else "" for lang in FORMATTERS}
        lines = len(same[0])
        fr = (f"Écriture saisie {len(same)} fois dans le journal {first['journal']} ({', '.join(entries)}) : "
              f"{formatted_day(first['date'], 'fr')}{label['fr']}, {lines} ligne(s) identiques, {money['fr']}")
        en = (f"Entry booked {len(same)} times in journal {first['journal']} ({', '.join(entries)}): "
              f"{formatted_day(first['date'], 'en')}{label['en']}, {lines} identical line(s), {money['en']}")
        figures = {"entries": tuple(entries), "account": first["account"], "amount": euros(amount),
                   "count": len(same)}
        return make_issue(self, "warning", "entries", frame, np.concatenate(same), fr, en, figures)


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
                                              f"aucune valeur de {quoted(metric, 'fr')}",
                                              f"no value of {quoted(metric, 'en')}",
                                              metric=str(metric)))
        return issues

    def _issue(self, severity: Severity, dataset: str, gaps: list[int], fr: str, en: str,
               metric: str = "") -> Issue:
        fr_months, en_months = _month_list(gaps, "fr"), _month_list(gaps, "en")
        figures: dict[str, Any] = {"months": tuple(str(Month(n // 12, n % 12 + 1)) for n in gaps),
                                   "count": len(gaps)}
        if metric:
            figures["metric"] = metric
        return make_issue(self, severity, dataset, None, [], f"{fr[0].upper()}{fr[1:]} pour {len(gaps)} mois : {fr_months}",
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
        groups = row_groups(frame, np.isin(codes, bad), ["journal", "entry_id"])
        return capped_issues(self, "blocking", "entries", frame, groups, lambda g: self._issue(frame, g))

    def _issue(self, frame: pd.DataFrame, group: np.ndarray) -> Issue:
        first = frame.iloc[int(group[0])]
        debit, credit = int(frame["debit"].iloc[group].sum()), int(frame["credit"].iloc[group].sum())
        d, c, g = formatted_money(debit), formatted_money(credit), formatted_money(debit - credit)
        fr = (f"Écriture {first['journal']} {first['entry_id']} non équilibrée : débit {d['fr']}, "
              f"crédit {c['fr']}, écart {g['fr']}")
        en = (f"Entry {first['journal']} {first['entry_id']} does not balance: debit {d['en']}, "
              f"credit {c['en']}, gap {g['en']}")
        figures = {"journal": first["journal"], "entry_id": first["entry_id"], "debit": euros(debit),
                   "credit": euros(credit), "gap": euros(debit - credit)}
        return make_issue(self, "blocking", "entries", frame, group, fr, en, figures)


class SuspenseBalance(QualityCheck):
    """Suspense accounts (471, 472…) holding more than the threshold at the ledger's last month end."""

    name = "suspense_balance"
    description = {
        "fr": "comptes d'attente non soldés en fin de période",
        "en": "suspense accounts not cleared at period end",
    }
    needs = ("entries",)
    settings = (SettingsTable("quality", (SUSPENSE_ACCOUNTS, SUSPENSE_THRESHOLD)),)

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
            amount, threshold = formatted_money(abs(int(cents))), formatted_money(limit)
            label = ledger.labels.get(account) or ""
            named = f"{account} ({label})" if label else str(account)
            fr = (f"Compte d'attente {named} : solde {side[0]} de {amount['fr']} fin "
                  f"{FORMATTERS['fr'].month(month)} (seuil {threshold['fr']})")
            en = (f"Suspense account {named}: {side[1]} balance of {amount['en']} at the end of "
                  f"{FORMATTERS['en'].month(month)} (threshold {threshold['en']})")
            figures = {"account": account, "balance": euros(cents), "month": str(month)}
            issues.append(make_issue(self, "warning", "entries", frame, positions, fr, en, figures))
        return issues


class UncategorisedBankLines(QualityCheck):
    """Bank movements booked against a suspense account, or without a label."""

    name = "uncategorised_bank_lines"
    description = {
        "fr": "mouvements bancaires non catégorisés (contrepartie en compte d'attente ou libellé vide)",
        "en": "uncategorised bank movements (suspense counterpart or empty label)",
    }
    needs = ("entries",)
    settings = (SettingsTable("quality", (BANK_ACCOUNTS, SUSPENSE_ACCOUNTS)),)

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
        money = formatted_money(amount)
        n_suspense = int((is_bank & against_suspense).sum())
        n_empty = int((is_bank & unlabelled).sum())
        fr = (f"{len(positions)} mouvement(s) bancaire(s) non catégorisé(s) pour {money['fr']} "
              f"({n_suspense} en contrepartie d'un compte d'attente, {n_empty} sans libellé)")
        en = (f"{len(positions)} uncategorised bank movement(s) totalling {money['en']} "
              f"({n_suspense} against a suspense account, {n_empty} without a label)")
        figures = {"count": len(positions), "amount": euros(amount), "against_suspense": n_suspense,
                   "without_label": n_empty}
        return [make_issue(self, "warning", "entries", frame, positions, fr, en, figures)]


@hookimpl
def register_quality_checks() -> list[QualityCheck]:
    """Register the ledger data-quality gates."""
    return [
        DuplicateEntry(), MissingMonths(), UnbalancedEntry(),
        SuspenseBalance(), UncategorisedBankLines(),
    ]
