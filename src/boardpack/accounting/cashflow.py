"""CAF (both methods), cash-flow table (FTE, FTI, FTF) and its reconciliation with cash.

All amounts are integer cents computed from the ledger's account movements over a window
and its balances at the month before the window and at its last month.

CAF, additive method (from the net result)::

    CAF = résultat net + dotations (68) − reprises (78) + VNC des actifs cédés (675)
          − produits de cession (775) − quote-part des subventions virée au résultat (777)

CAF, subtractive method (from EBE, cash items only)::

    CAF = EBE + transferts de charges (791) + autres produits (75) − autres charges (65)
          + produits financiers (76) + transferts financiers (796) − charges financières (66)
          + produits exceptionnels (77 − 775 − 777) + transferts exceptionnels (797)
          − charges exceptionnelles (67 − 675) − participation (691) − impôt (69 hors 691)

The two agree whenever every class 6 and 7 account is mapped (they are, by class).

Tableau de flux (indirect method)::

    FTE = CAF − Δ BFR (gross: before the write-downs 39x and 49x, which the CAF adds back;
          without 455, 457 and fixed-asset suppliers, which are financing and investing)
    FTI = − acquisitions + produits de cession (775) − Δ placements (50)
          + Δ dettes sur immobilisations (404, 405, 4084, 269, 279)
          acquisitions = Δ valeurs brutes (20–27) + amortissements repris (débits 28)
                         + VNC des actifs cédés (675), i.e. purchases net of cancellations
    FTF = opérations sur fonds propres (Δ capitaux propres hors résultat + quote-part
          des subventions 777 + dividendes décidés 457: capital increases, grants received,
          profit moved to shareholders' accounts) + Δ emprunts (16, 17)
          + Δ comptes courants d'associés (455) − dividendes versés (débits 457)
    écart = Δ trésorerie nette − (FTE + FTI + FTF)

Every balance-sheet movement falls in one of these categories, so the gap is zero on a
consistent ledger; it is shown, never hidden, and points at what the method cannot place
(a depreciation not booked through 68, a fixed asset leaving without 675…).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass

from ..periods import Month, Window
from .statements import Statements

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["LOAN_ACCOUNTS", "LOAN_INTEREST", "CashFlow", "LoanService", "caf_additive", "caf_subtractive", "cash_flow",
           "loan_service", "net_cash"]

#: Borrowings whose debits are principal repaid: 164 (établissements de crédit), 167, 168 — less
#: the accrued interest 1688, which is interest, not principal.
LOAN_ACCOUNTS = ("164", "167", "168")
ACCRUED_INTEREST = ("1688",)
#: Interest on borrowings (intérêts des emprunts et dettes), net of its credits.
LOAN_INTEREST = ("6611",)


def _movement(statements: Statements, prefixes: tuple[str, ...], window: Window) -> int:
    """Net debit-positive movement of accounts starting with ``prefixes`` (cents)."""
    moves = statements.ledger.movements(window)
    return int(moves.to_numpy()[statements.ledger.prefixed(moves.index, prefixes)].sum())


def _credit(statements: Statements, prefixes: tuple[str, ...], window: Window) -> int:
    """Net credit-positive movement (products)."""
    return -_movement(statements, prefixes, window)


def _balance(statements: Statements, prefixes: tuple[str, ...], month: Month) -> int:
    """Debit-positive balance of accounts starting with ``prefixes`` at ``month`` end (cents)."""
    balances = statements.ledger.balances(month)
    return int(balances.to_numpy()[statements.ledger.prefixed(balances.index, prefixes)].sum())


@dataclass(frozen=True)
class LoanService:
    """The debt service the ledger shows over a window, in integer cents: what was repaid of the
    borrowings and the interest paid on them (read where no loan schedule says what was due)."""

    window: Window
    #: debits of 164, 167 and 168, less those of the accrued interest 1688
    principal: int
    #: net charge on 6611
    interest: int

    @property
    def total(self) -> int:
        """Principal and interest (cents)."""
        return self.principal + self.interest


def loan_service(statements: Statements, window: Window) -> LoanService:
    """Principal repaid and interest paid over ``window`` as the entries show them (its ledger
    coverage is checked): the one reading of the debt service without a schedule, shared by the
    DSCR KPIs, the loan request's pro-forma and the cash plan."""
    ledger = statements.ledger
    ledger.require(window)
    principal = ledger.flows(LOAN_ACCOUNTS, window, "debit") - ledger.flows(ACCRUED_INTEREST, window, "debit")
    interest = ledger.flows(LOAN_INTEREST, window, "debit") - ledger.flows(LOAN_INTEREST, window, "credit")
    return LoanService(window, int(principal), int(interest))


def net_cash(statements: Statements, month: Month) -> int:
    """Trésorerie nette at ``month`` end: debit balances of 51, 53, 54, 58 − credit balances of 51."""
    balances = statements.ledger.balances(month)
    cents = balances.to_numpy()  # the series' int64 cents: masks on the array, not the MultiIndex
    cash = cents[statements.ledger.prefixed(balances.index, ("51", "53", "54", "58"))]
    overdrafts = cents[statements.ledger.prefixed(balances.index, ("51",))]
    return int(cash[cash > 0].sum()) + int(overdrafts[overdrafts < 0].sum())


def caf_additive(statements: Statements, window: Window) -> dict[str, int]:
    """Components and total of the CAF from the net result."""
    pl = statements.pl_window(window)
    parts = {
        "resultat_net": int(pl["resultat_net"]),
        "dotations": _movement(statements, ("68",), window),
        "reprises": -_credit(statements, ("78",), window),
        "vnc_cessions": _movement(statements, ("675",), window),
        "produits_cessions": -_credit(statements, ("775",), window),
        "quote_part_subventions": -_credit(statements, ("777",), window),
    }
    parts["caf"] = sum(parts.values())
    return parts


def caf_subtractive(statements: Statements, window: Window) -> dict[str, int]:
    """Components and total of the CAF from the EBE (cash products and charges only)."""
    pl = statements.pl_window(window)
    parts = {
        "ebe": int(pl["ebe"]),
        "transferts_charges": _credit(statements, ("791",), window),
        "autres_produits": _credit(statements, ("75",), window),
        "autres_charges": -_movement(statements, ("65",), window),
        "produits_financiers": _credit(statements, ("76", "796"), window),
        "charges_financieres": -_movement(statements, ("66",), window),
        "produits_exceptionnels": _credit(statements, ("77", "797"), window)
        - _credit(statements, ("775", "777"), window),
        "charges_exceptionnelles": -_movement(statements, ("67",), window)
        + _movement(statements, ("675",), window),
        "participation": -_movement(statements, ("691",), window),
        "impot": -_movement(statements, ("69",), window) + _movement(statements, ("691",), window),
    }
    parts["caf"] = sum(parts.values())
    return parts


_BFR_ACTIF = ("stocks", "creances_clients", "autres_creances", "charges_constatees_avance")
_BFR_PASSIF = ("avances_clients", "dettes_fournisseurs", "dettes_fiscales_sociales", "autres_dettes",
               "produits_constates_avance")


def _gross_bfr(statements: Statements, month: Month) -> int:
    """BFR before write-downs (39x, 49x), without the financing and investing accounts the bilan
    puts on BFR lines (455, 457, 404, 405, 4084)."""
    row = statements.bilan.loc[month]
    net = sum(int(row[line]) for line in _BFR_ACTIF) - sum(int(row[line]) for line in _BFR_PASSIF)
    write_downs = _balance(statements, ("39", "49"), month)  # credit balances: negative
    balances = statements.ledger.balances(month)
    prefixed = statements.ledger.prefixed
    # 455, 404, 405, 4084: only their debit balances sit on a BFR line (autres_creances); their
    # credit balances are on financial debts or fixed-asset payables. 457: both sides are.
    cents = balances.to_numpy()
    debit_side = cents[prefixed(balances.index, ("455", "404", "405", "4084"))]
    on_bfr = int(debit_side[debit_side > 0].sum()) + int(cents[prefixed(balances.index, ("457",))].sum())
    return net - write_downs - on_bfr


@dataclass(frozen=True)
class CashFlow:
    """The tableau de flux over a window, in cents, with its reconciliation."""

    window: Window
    caf: int
    delta_bfr: int
    fte: int
    acquisitions: int
    cessions: int
    placements: int
    delta_dettes_immobilisations: int
    fti: int
    fonds_propres: int
    emprunts: int
    associes: int
    dividendes: int
    ftf: int
    tresorerie_debut: int
    tresorerie_fin: int

    @property
    def variation(self) -> int:
        """Change in net cash over the window."""
        return self.tresorerie_fin - self.tresorerie_debut

    @property
    def ecart(self) -> int:
        """Reconciliation gap: variation − (FTE + FTI + FTF); zero when fully explained."""
        return self.variation - (self.fte + self.fti + self.ftf)

    def as_dict(self) -> dict[str, int]:
        """Every figure by its stable key, plus variation and écart."""
        data = {k: v for k, v in self.__dict__.items() if k != "window"}
        data.update(variation=self.variation, ecart=self.ecart)
        return data


_GROSS_ASSETS = ("20", "21", "22", "23", "25", "26", "27")
_EQUITY = ("10", "11", "12", "13", "6", "7")


def cash_flow(statements: Statements, window: Window) -> CashFlow:
    """The tableau de flux of ``window`` (its ledger coverage is checked)."""
    statements.ledger.require(window)
    before, end = window.start.shift(-1), window.end

    def delta(prefixes: tuple[str, ...]) -> int:
        """Change of the debit-positive balance over the window."""
        return _balance(statements, prefixes, end) - _balance(statements, prefixes, before)

    caf = caf_additive(statements, window)["caf"]
    delta_bfr = _gross_bfr(statements, end) - _gross_bfr(statements, before)
    fte = caf - delta_bfr
    acquisitions = (
        delta(_GROSS_ASSETS)
        + statements.ledger.flows(("28",), window, "debit")
        + _movement(statements, ("675",), window)
    )
    cessions = _credit(statements, ("775",), window)
    placements = -delta(("50",))
    delta_debts = -delta(("404", "405", "4084", "269", "279"))
    fti = -acquisitions + cessions + placements + delta_debts
    result = int(statements.pl_window(window)["resultat_net"])
    fonds_propres = (
        -delta(_EQUITY) - result
        + _credit(statements, ("777",), window)
        + statements.ledger.flows(("457",), window, "credit")
    )
    emprunts = -delta(("16", "17"))
    associes = -delta(("455",))
    dividendes = statements.ledger.flows(("457",), window, "debit")
    ftf = fonds_propres + emprunts + associes - dividendes
    return CashFlow(
        window=window, caf=caf, delta_bfr=delta_bfr, fte=fte, acquisitions=acquisitions,
        cessions=cessions, placements=placements, delta_dettes_immobilisations=delta_debts, fti=fti,
        fonds_propres=fonds_propres, emprunts=emprunts, associes=associes, dividendes=dividendes,
        ftf=ftf, tresorerie_debut=net_cash(statements, before), tresorerie_fin=net_cash(statements, end),
    )
