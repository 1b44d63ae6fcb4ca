"""VAN, TRI and payback against textbook values worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boardpack.default_plugins.kpis.appraisal import NoIRR, irr, npv, payback

CENT = Decimal("0.01")
BP = Decimal("0.0001")
THREE_500 = [Decimal(500)] * 3


def test_npv_textbook() -> None:
    """−1 000 then 500 × 3 at 10 %: 500/1,1 + 500/1,21 + 500/1,331 − 1 000 = 243,43."""
    # 454,545 + 413,223 + 375,657 − 1 000 = 243,426
    assert npv(Decimal("0.10"), Decimal(1000), THREE_500).quantize(CENT) == Decimal("243.43")


def test_npv_at_zero_rate_is_the_plain_sum() -> None:
    """At 0 % the VAN is Σ flows − outlay: 1 500 − 1 000 = 500."""
    assert npv(Decimal(0), Decimal(1000), THREE_500) == Decimal(500)


def test_npv_refuses_rates_at_or_below_minus_100_percent() -> None:
    """(1 + rate) must stay positive."""
    with pytest.raises(ValueError, match="−100 %"):
        npv(Decimal(-1), Decimal(1000), THREE_500)


def test_irr_textbook() -> None:
    """−1 000 then 500 × 3: the TRI is 23,38 % and the VAN at that rate is zero."""
    rate = irr(Decimal(1000), THREE_500)
    assert rate.quantize(BP) == Decimal("0.2338")
    assert abs(npv(rate, Decimal(1000), THREE_500)) < Decimal("0.000001")


def test_irr_one_year() -> None:
    """−100 then 110: the TRI is exactly 10 %."""
    assert irr(Decimal(100), [Decimal(110)]) == Decimal("0.1")


def test_irr_two_years_quadratic() -> None:
    """−1 000 then 600, 600: 600x² + 600x = 1 000 with x = 1/(1+r) → x = 0,884437, r = 13,07 %."""
    assert irr(Decimal(1000), [Decimal(600)] * 2).quantize(BP) == Decimal("0.1307")


def test_irr_negative_when_the_flows_do_not_repay() -> None:
    """−1 000 then 100, 100: x² + x = 10 → x = 2,701562, r = 1/x − 1 = −62,98 %."""
    assert irr(Decimal(1000), [Decimal(100)] * 2).quantize(BP) == Decimal("-0.6298")


def test_no_irr_when_nothing_comes_back() -> None:
    """−1 000 then 0 and −100: the VAN is negative at every rate."""
    with pytest.raises(NoIRR, match="aucun taux"):
        irr(Decimal(1000), [Decimal(0), Decimal(-100)])


def test_no_irr_when_several_rates_zero_the_npv() -> None:
    """−100, +230, −132 has two TRI (10 % and 20 %): none is returned."""
    # −100 + 230x − 132x² = 0 → x = (230 ± 10) / 264 → x = 10/11 (10 %) or 5/6 (20 %)
    with pytest.raises(NoIRR, match="plusieurs taux"):
        irr(Decimal(100), [Decimal(230), Decimal(-132)])


def test_payback_textbook() -> None:
    """−1 000 then 500 × 3: repaid at the end of year 2."""
    assert payback(Decimal(1000), THREE_500) == Decimal(2)


def test_payback_is_interpolated_within_the_year() -> None:
    """−1 000 then 400 × 3: 800 after two years, the last 200 take half of the third: 2,5 years."""
    assert payback(Decimal(1000), [Decimal(400)] * 3) == Decimal("2.5")


def test_payback_after_a_negative_year() -> None:
    """−1 000 then −200, 700, 700: −200, 500, then (1 000 − 500) / 700 of year 3 → 2,714 years."""
    years = payback(Decimal(1000), [Decimal(-200), Decimal(700), Decimal(700)])
    assert years is not None and years.quantize(BP) == Decimal("2.7143")


def test_payback_never() -> None:
    """−1 000 then 100, 100: never repaid → None; no outlay → 0."""
    assert payback(Decimal(1000), [Decimal(100)] * 2) is None
    assert payback(Decimal(0), [Decimal(100)]) == 0
