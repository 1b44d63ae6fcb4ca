"""The credit analyst's ratios (Banque de France style) over the last twelve months, each with
its formula, its inputs and its usual thresholds.

Thresholds are the usual reading grid of a French credit analyst, not covenants: a ratio past
its ``warn`` threshold deserves a sentence in the dossier, past its ``alert`` one an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from ..errors import Unavailable
from ..periods import Month
from .functional import FunctionalBalance, Ratio, functional_balance

if TYPE_CHECKING:
    from ..api.kpis import KPIContext

__all__ = ["banker_ratios", "customer_concentration"]

_L = Mapping[str, str]


def _e(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _label(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


def _divide(top: Decimal, bottom: Decimal, scale: int = 1) -> Decimal | None:
    return None if bottom == 0 else top / bottom * scale


def _ratio(key: str, label: _L, formula: _L, unit: str, inputs: list[tuple[_L, Decimal]],
           compute: Callable[[], Decimal | None], direction: str | None = None, warn: str | None = None,
           alert: str | None = None, when_none: str = "dénominateur nul") -> Ratio:
    value = compute()
    return Ratio(key, label, formula, unit, value, tuple(inputs), direction,
                 None if warn is None else Decimal(warn), None if alert is None else Decimal(alert),
                 None if value is not None else when_none)


def customer_concentration(data: KPIContext, period: Month) -> tuple[Decimal, Decimal, str, Decimal]:
    """Share (%) of the first and of the five first customers in the sales invoiced over the 12
    months to ``period``, the first one's name, and the total (euros)."""
    from ..api.commercial import customer_of, issued_in

    if "invoices" not in data.datasets:
        raise Unavailable("pas de factures (jeu « invoices ») : concentration clients non calculable", needs="invoices")
    frame = issued_in(data, data.window("ltm", period))
    totals = frame.groupby(customer_of(frame))["amount_excl_tax"].sum().sort_values(ascending=False)
    total = int(totals.sum())
    if total <= 0:
        raise Unavailable("aucune vente facturée sur 12 mois")
    return (_e(int(totals.iloc[0])) / _e(total) * 100, _e(int(totals.iloc[:5].sum())) / _e(total) * 100,
            str(totals.index[0]), _e(total))


def banker_ratios(data: KPIContext, period: Month) -> tuple[FunctionalBalance, list[Ratio]]:
    """The functional balance sheet at ``period`` and the ratios over the 12 months to it."""
    from ..accounting.cashflow import caf_additive, cash_flow

    statements = data.statements
    ltm = data.window("ltm", period)
    data.ledger.require(ltm)
    fb = functional_balance(statements, period)
    pl = {line: data.pl(line, ltm) for line in ("chiffre_affaires", "valeur_ajoutee", "ebe", "charges_personnel",
                                                "charges_financieres", "impot_benefices")}
    flows = cash_flow(statements, ltm)
    caf = _e(caf_additive(statements, ltm)["caf"])
    balances = statements.ledger.balances(period).groupby(level=0).sum()

    def balance(prefixes: tuple[str, ...]) -> Decimal:
        return _e(int(balances[balances.index.astype(str).str.startswith(prefixes)].sum()))

    frng, bfre, bfr, treso = _e(fb.frng), _e(fb.bfre), _e(fb.bfr), _e(fb.tresorerie)
    debt = _e(-fb.groups.get("dettes_financieres", 0))
    equity = _e(-fb.groups.get("capitaux_propres", 0))
    gross_tangible = balance(("21",))
    depreciation = -balance(("281",))
    acquisitions, dividends = _e(flows.acquisitions), _e(flows.dividendes)
    L = _label
    ratios = [
        _ratio("frng_bfr", L("Couverture du BFR par le FRNG", "Working capital cover"),
               L("FRNG / (BFRE + BFRHE) ; trésorerie nette = FRNG − BFR", "FRNG / working capital need"),
               "ratio", [(L("FRNG", "FRNG"), frng), (L("BFR", "WCR"), bfr), (L("Trésorerie nette", "Net cash"), treso)],
               lambda: frng / bfr if bfr > 0 else None, "up", "1", "0.8",
               "BFR négatif ou nul : le cycle d'exploitation dégage des ressources"),
        _ratio("bfre_jours", L("BFR d'exploitation en jours de CA", "Operating WCR in days of revenue"),
               L("BFRE / CA HT des 12 derniers mois × 360", "operating WCR / LTM revenue × 360"), "days",
               [(L("BFRE", "Operating WCR"), bfre), (L("CA HT 12 mois", "LTM revenue"), pl["chiffre_affaires"])],
               lambda: _divide(bfre, pl["chiffre_affaires"], 360), "down", "60", "90"),
        _ratio("ebe_va", L("EBE / valeur ajoutée (taux de marge)", "EBITDA / value added"),
               L("EBE / VA des 12 derniers mois", "LTM EBITDA / value added"), "percent",
               [(L("EBE", "EBITDA"), pl["ebe"]), (L("Valeur ajoutée", "Value added"), pl["valeur_ajoutee"])],
               lambda: _divide(pl["ebe"], pl["valeur_ajoutee"], 100), "up", "20", "10"),
        _ratio("personnel_va", L("Frais de personnel / valeur ajoutée", "Staff costs / value added"),
               L("(salaires + charges sociales) / VA", "staff costs / value added"), "percent",
               [(L("Frais de personnel", "Staff costs"), pl["charges_personnel"]),
                (L("Valeur ajoutée", "Value added"), pl["valeur_ajoutee"])],
               lambda: _divide(pl["charges_personnel"], pl["valeur_ajoutee"], 100), "down", "75", "85"),
        _ratio("frais_financiers_ebe", L("Frais financiers / EBE", "Financial charges / EBITDA"),
               L("charges financières (66) / EBE", "financial charges / EBITDA"), "percent",
               [(L("Charges financières", "Financial charges"), pl["charges_financieres"]), (L("EBE", "EBITDA"), pl["ebe"])],
               lambda: _divide(pl["charges_financieres"], pl["ebe"], 100) if pl["ebe"] > 0 else None, "down", "20", "30",
               "EBE négatif ou nul"),
        _ratio("taux_investissement", L("Taux d'investissement", "Investment rate"),
               L("acquisitions d'immobilisations des 12 derniers mois / VA", "LTM capital expenditure / value added"),
               "percent", [(L("Acquisitions", "Capital expenditure"), acquisitions),
                           (L("Valeur ajoutée", "Value added"), pl["valeur_ajoutee"])],
               lambda: _divide(acquisitions, pl["valeur_ajoutee"], 100)),
        _ratio("taux_vetuste", L("Taux de vétusté des immobilisations corporelles", "Age of tangible assets"),
               L("amortissements cumulés (281) / immobilisations corporelles brutes (21)",
                 "accumulated depreciation / gross tangible assets"), "percent",
               [(L("Amortissements cumulés", "Accumulated depreciation"), depreciation),
                (L("Immobilisations corporelles brutes", "Gross tangible assets"), gross_tangible)],
               lambda: _divide(depreciation, gross_tangible, 100), "down", "70", "85"),
        _ratio("autofinancement", L("Autofinancement", "Self-financing"),
               L("CAF − dividendes versés (débits 457) des 12 derniers mois", "LTM cash flow − dividends paid"),
               "money", [(L("CAF", "Cash flow"), caf), (L("Dividendes versés", "Dividends paid"), dividends)],
               lambda: caf - dividends, "up", "0", "0"),
        _ratio("capacite_remboursement", L("Capacité de remboursement", "Repayment capacity"),
               L("dettes financières / CAF des 12 derniers mois, en années", "financial debt / LTM cash flow, in years"),
               "years", [(L("Dettes financières", "Financial debt"), debt), (L("CAF", "Cash flow"), caf)],
               lambda: debt / caf if caf > 0 else None, "down", "3", "4", "CAF négative ou nulle"),
        _ratio("gearing", L("Endettement / fonds propres (gearing)", "Gearing"),
               L("dettes financières / capitaux propres", "financial debt / equity"), "ratio",
               [(L("Dettes financières", "Financial debt"), debt), (L("Capitaux propres", "Equity"), equity)],
               lambda: debt / equity if equity > 0 else None, "down", "1", "1.5", "capitaux propres négatifs ou nuls"),
        _ratio("levier", L("Levier (dette nette / EBE)", "Leverage (net debt / EBITDA)"),
               L("(dettes financières − trésorerie nette) / EBE des 12 derniers mois", "net debt / LTM EBITDA"),
               "ratio", [(L("Dettes financières", "Financial debt"), debt), (L("Trésorerie nette", "Net cash"), treso),
                         (L("EBE", "EBITDA"), pl["ebe"])],
               lambda: (debt - treso) / pl["ebe"] if pl["ebe"] > 0 else None, "down", "3", "3.5", "EBE négatif ou nul"),
    ]
    try:
        first, five, name, total = customer_concentration(data, period)
        ratios.append(_ratio("concentration_client", L("Concentration clients (premier client)", "Largest customer share"),
                             L(f"CA HT du premier client ({name}) / CA HT facturé des 12 derniers mois ; 5 premiers : "
                               f"{five:.1f} %".replace(".", ","),
                               f"largest customer's ({name}) LTM sales / LTM sales; top five: {five:.1f} %"),
                             "percent", [(L("CA facturé 12 mois", "LTM invoiced sales"), total)],
                             lambda: first, "down", "20", "30"))
    except Unavailable as exc:
        ratios.append(Ratio("concentration_client", L("Concentration clients (premier client)", "Largest customer share"),
                            L("CA HT du premier client / CA HT facturé des 12 derniers mois",
                              "largest customer's LTM sales / LTM sales"), "percent", None, reason=str(exc)))
    return fb, ratios
