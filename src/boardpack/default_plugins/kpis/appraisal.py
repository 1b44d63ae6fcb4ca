"""Investment appraisal: net present value (VAN), internal rate of return (TRI), payback.

Pure functions on :class:`~decimal.Decimal` amounts. A project is an ``outlay`` paid now
(year 0) followed by yearly cash ``flows`` received at the end of years 1, 2, 3…; a
``rate`` is a fraction (``Decimal("0.10")`` for 10 %).

Textbook check: −1 000 then 500, 500, 500 gives a VAN of 243,43 at 10 %, a TRI of
23,38 % and a payback of 2 years.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

__all__ = ["NoIRR", "irr", "npv", "payback"]

#: Rates tried when looking for the TRI: −99 % to 100 % by 1 point, then up to 1 000 % by 10.
_GRID = tuple(Decimal(points) / 100 for points in range(-99, 101)) + tuple(
    Decimal(points) / 100 for points in range(110, 1001, 10)
)
_TOLERANCE = Decimal("1e-12")
_IRR_PLACES = Decimal("1e-10")


class NoIRR(ValueError):
    """No single rate makes the VAN zero; the message says why, in French."""


def npv(rate: Decimal, outlay: Decimal, flows: Sequence[Decimal]) -> Decimal:
    """VAN = −outlay + Σ flow_t / (1 + rate)^t for t = 1…n.

    :raises ValueError: when ``rate`` is −100 % or below (the discount factor is undefined).
    """
    if rate <= -1:
        raise ValueError("le taux d'actualisation doit être supérieur à −100 %")
    factor = 1 + Decimal(rate)
    return -Decimal(outlay) + sum(
        (Decimal(flow) / factor**year for year, flow in enumerate(flows, start=1)), Decimal(0)
    )


def irr(outlay: Decimal, flows: Sequence[Decimal]) -> Decimal:
    """The TRI: the rate (a fraction) at which the VAN is zero, found by bisection.

    The VAN is evaluated from −99 % to 1 000 % (every point up to 100 %, then every ten);
    the interval where it changes sign is halved until it is narrower than 10⁻¹² and the
    middle is returned, to 10 decimals.

    :raises NoIRR: when the VAN never changes sign there (e.g. the flows never repay
        anything), or changes sign more than once (flows changing sign several times give
        several TRI, none of which means anything alone).
    """
    return _irr(Decimal(outlay), tuple(Decimal(flow) for flow in flows))


@lru_cache(maxsize=256)
def _irr(outlay: Decimal, flows: tuple[Decimal, ...]) -> Decimal:
    values = [(rate, npv(rate, outlay, flows)) for rate in _GRID]
    roots = [rate for rate, value in values if value == 0]
    brackets = [
        (low, high)
        for (low, at_low), (high, at_high) in pairwise(values)
        if at_low != 0 and at_high != 0 and (at_low < 0) != (at_high < 0)
    ]
    found = len(roots) + len(brackets)
    if found == 0:
        raise NoIRR("aucun taux entre −99 % et 1 000 % n'annule la VAN : pas de TRI")
    if found > 1:
        raise NoIRR(
            "plusieurs taux annulent la VAN (flux changeant plusieurs fois de signe) : TRI non défini"
        )
    if roots:
        return roots[0]
    low, high = brackets[0]
    low_negative = npv(low, outlay, flows) < 0
    while high - low > _TOLERANCE:
        middle = (low + high) / 2
        value = npv(middle, outlay, flows)
        if value == 0:
            return middle.quantize(_IRR_PLACES)
        if (value < 0) == low_negative:
            low = middle
        else:
            high = middle
    return ((low + high) / 2).quantize(_IRR_PLACES)


def payback(outlay: Decimal, flows: Sequence[Decimal]) -> Decimal | None:
    """Years until the cumulated flows first cover ``outlay``, interpolated within the year.

    Flows are assumed to come in evenly during their year: 1 000 repaid by 400 a year takes
    2,5 years. ``None`` when the flows never cover the outlay; 0 when there is no outlay.
    """
    outlay = Decimal(outlay)
    if outlay <= 0:
        return Decimal(0)
    cumulated = Decimal(0)
    for year, flow in enumerate(flows, start=1):
        flow = Decimal(flow)
        if flow > 0 and cumulated + flow >= outlay:
            return Decimal(year - 1) + (outlay - cumulated) / flow
        cumulated += flow
    return None
