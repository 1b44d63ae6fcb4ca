"""Loan schedules to the cent against the annuity formula, deferrals, maturities, the debt ahead."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from boardpack.errors import ConfigError, Unavailable
from boardpack.forecast.debt import debt_position
from boardpack.forecast.loans import LoanTerms, annuity_payment, maturities, schedule
from boardpack.forecast.settings import check_tables, financing_of
from boardpack.periods import Month


def _round_cents(value: Fraction) -> int:
    """Half-up rounding of an exact amount in euros to cents (independent of the code's Decimal)."""
    cents = value * 100
    return int(cents + Fraction(1, 2)) if cents >= 0 else -int(-cents + Fraction(1, 2))


def _formula(amount: int, annual_rate: Fraction, months: int) -> int:
    """C × t / (1 − (1 + t)^−n), exact, then rounded to the cent."""
    t = annual_rate / 12
    return _round_cents(amount * t / (1 - (1 + t) ** -months))


def test_annuity_matches_the_formula_to_the_cent() -> None:
    """100 000 € at 3,6 % over 12 months: 8 496,73 € a month (hand: 100 000 × 0,003 / (1 − 1,003^−12))."""
    assert annuity_payment(Decimal(100000), Decimal("0.036") / 12, 12) == 849673
    assert _formula(100000, Fraction(36, 1000), 12) == 849673
    for amount, rate, months in ((780000, "0.021", 120), (500000, "0.042", 84), (250000, "0.055", 60)):
        assert annuity_payment(Decimal(amount), Decimal(rate) / 12, months) == _formula(amount, Fraction(rate), months)


def test_constant_annuity_schedule() -> None:
    """Every instalment but the last is the annuity; interest = capital due × t, rounded; the principal sums to the amount."""
    terms = LoanTerms("A", "Banque", Decimal(100000), Decimal("0.036"), 12, Month(2027, 1))
    steps = schedule(terms)
    assert [s.month for s in steps][:2] == [Month(2027, 1), Month(2027, 2)]
    assert steps[0].interest == 30000  # 100 000 × 0,3 %
    assert steps[0].principal == 849673 - 30000
    assert all(s.payment == 849673 for s in steps[:-1])
    assert abs(steps[-1].payment - 849673) <= len(steps)  # the roundings of the interest, at most a cent each
    assert sum(s.principal for s in steps) == 10000000
    assert steps[-1].outstanding == 0
    due = 10000000
    for step in steps:
        assert step.interest == _round_cents(Fraction(due, 100) * Fraction(3, 1000))
        due -= step.principal


def test_demo_schedule_agrees_with_the_formula() -> None:
    """The demo's 780 000 € at 2,1 % over 120 months: the first instalment is 1 365,00 € of interest, the annuity 7 212,03 € (as loans.csv)."""
    steps = schedule(LoanTerms("EMP-IMMO", "B", Decimal(780000), Decimal("0.021"), 120, Month(2023, 1)))
    assert steps[0].interest == 136500
    assert steps[0].payment == _formula(780000, Fraction(21, 1000), 120) == 721203


def test_constant_principal_with_deferral() -> None:
    """120 000 € at 6 % over 15 months, 3 of deferral: 600 € of interest only, then 10 000 € of capital a month, interest falling by 50 €."""
    steps = schedule(LoanTerms("B", "", Decimal(120000), Decimal("0.06"), 15, Month(2027, 1),
                               "amortissement_constant", 3))
    assert [(s.principal, s.interest) for s in steps[:4]] == [(0, 60000)] * 3 + [(1000000, 60000)]
    assert steps[4].interest == 55000
    assert sum(s.interest for s in steps) == 3 * 60000 + 5000 * 78  # 3 × 600 € + 50 € × (12 + 11 + … + 1)
    assert steps[-1].outstanding == 0 and len(steps) == 15


def test_annuity_with_deferral_amortises_over_the_rest() -> None:
    """A 24-month loan with 6 months of deferral repays by the annuity over 18 months."""
    steps = schedule(LoanTerms("C", "", Decimal(50000), Decimal("0.048"), 24, Month(2027, 1), deferral=6))
    assert all(s.principal == 0 and s.interest == 20000 for s in steps[:6])
    assert steps[6].payment == _formula(50000, Fraction(48, 1000), 18)


def test_maturities_split() -> None:
    """Principal due within 12 months, 13–60 months and beyond, from the month after the date."""
    steps = schedule(LoanTerms("D", "", Decimal(84000), Decimal(0), 84, Month(2027, 1), "amortissement_constant"))
    split = maturities(steps, Month(2026, 12))
    assert (split.under_1, split.one_to_5, split.over_5) == (1200000, 4800000, 2400000)
    assert maturities(steps, Month(2026, 12), 9000000).unplaced == 600000


def _loans_frame(rows: list[tuple[str, str, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["loan", "period", "principal_due", "interest_due", "outstanding"]).assign(
        lender="Banque")


def test_debt_position_from_the_dataset_and_from_terms() -> None:
    """The dataset's rows after the month are the debt ahead; a loan given by its terms is scheduled."""
    frame = _loans_frame([("L1", "2026-10", 1000, 100, 2000), ("L1", "2026-11", 1000, 50, 1000),
                          ("L1", "2026-12", 1000, 10, 0)])
    terms = [LoanTerms("T1", "Autre", Decimal(1200), Decimal(0), 12, Month(2026, 11), "amortissement_constant")]
    position = debt_position({"loans": frame}, terms, Month(2026, 10))
    assert position.outstanding == 2000 + 120000
    assert position.service([Month(2026, 11)]) == (1000 + 10000, 50)
    assert position.maturities.under_1 == 122000
    with pytest.raises(Unavailable):
        debt_position({}, [], Month(2026, 10))


def test_schedule_stopping_early_is_said() -> None:
    """A schedule ending with capital still due leaves it unplaced, and says so."""
    frame = _loans_frame([("L1", "2026-10", 1000, 100, 5000), ("L1", "2026-11", 1000, 50, 4000)])
    position = debt_position({"loans": frame}, [], Month(2026, 10))
    assert position.maturities.unplaced == 4000
    assert "L1" in position.notes[0]


def test_demo_debt_ahead_is_in_the_data() -> None:
    """The demo's loans run past the reporting month: 12 instalments of each loan after 2026-10."""
    from boardpack.demo.generate import DATA_DIR

    frame = pd.read_csv(DATA_DIR / "loans.csv", sep=";", dtype=str)
    future = frame[frame["period"] > "2026-10"]
    assert set(future["loan"]) == {"EMP-IMMO", "EMP-MACHINE"}
    assert (future[future["period"] <= "2027-10"].groupby("loan").size() == 12).all()


@pytest.mark.parametrize(("table", "key"), [
    ({"amount": Decimal(1000), "rate": Decimal("0.04")}, "financing.duration"),
    ({"amount": Decimal(1000), "rate": Decimal("0.04"), "duration": 12, "deferral": 12}, "financing.deferral"),
    ({"amount": Decimal(1000), "rate": Decimal("4.2"), "duration": 12}, "financing.rate"),
    ({"amount": Decimal(1000), "rate": Decimal("0.04"), "duration": 12, "amortisation": "in_fine"},
     "financing.amortisation"),
    ({"amount": Decimal(1000), "rate": Decimal("0.04"), "duration": 12, "start": "2027-13"}, "financing.start"),
])
def test_financing_errors_name_the_key(table: dict, key: str) -> None:
    """Each inconsistent [financing] key is refused in one sentence naming it."""
    with pytest.raises(ConfigError, match=f"boardpack.toml, clé « {key} »"):
        check_tables({"financing": table}, "boardpack.toml")


def test_financing_defaults() -> None:
    """Without start, the first instalment is two months after the period, paid out the month before."""
    financing = financing_of({"financing": {"amount": Decimal(300000), "rate": Decimal("0.039"), "duration": 60,
                                            "purpose": "Robot"}}, Month(2026, 10))
    assert financing is not None
    assert (financing.terms.first, financing.disbursement) == (Month(2026, 12), Month(2026, 11))
    assert financing_of({"financing": {"in_plan": True, "deferral": 0}}, Month(2026, 10)) is None


def test_pro_forma_dscr_by_hand() -> None:
    """Existing service 120 000 € over the next 12 months, a new 100 000 € loan at 0 % repaid over
    10 months (10 000 € a month): service 220 000 €; EBE 440 000 € → DSCR 2,00; operating cash flow
    330 000 € → 1,50. Over a 6-month period the numerators are halved."""
    from boardpack.forecast.proforma import pro_forma, repayment_capacity

    steps = schedule(LoanTerms("N", "", Decimal(100000), Decimal(0), 10, Month(2027, 1), "amortissement_constant"))
    months = [Month(2026, 11).shift(i) for i in range(12)]
    year = pro_forma(months, 12000000, steps, Decimal(440000), Decimal(330000))
    assert (year.existing, year.new, year.service) == (12000000, 10000000, 22000000)
    assert (year.dscr_ebe, year.dscr_fte) == (Decimal(2), Decimal("1.5"))
    half = pro_forma(months[:6], 6000000, steps, Decimal(440000), Decimal(330000))
    assert half.new == 4 * 1000000 and half.ebe == Decimal(220000)
    assert half.dscr_ebe == Decimal(220000) / Decimal(100000)
    assert pro_forma(months, 0, [], Decimal(1), Decimal(1)).dscr_ebe is None
    assert repayment_capacity(Decimal(900000) + Decimal(300000), Decimal(400000)) == Decimal(3)
    assert repayment_capacity(Decimal(1), Decimal(0)) is None
