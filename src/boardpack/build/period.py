"""The reporting month, resolved once per run and passed forward as an immutable value.

Two questions, each answered in one place:

* before any data is read, what was *asked*: ``--period``, else ``[build] period``, else
  nothing (« the latest month the data has ») — :func:`load_request`, which also says up to
  which month remote sources read (the asked month, else the current one);
* once the data is read, which month the packs are *for*: the asked month, else the last
  month of the ledger — :func:`resolve_period`.

Nothing else in boardpack decides a period: sources read it from their
:class:`~boardpack.api.sources.LoadRequest`, sections and rules receive the resolved month.

The fiscal years are resolved here too, once the data is read (:func:`resolve_calendar`):
the spans the sources report (a FEC's own year), else the years the à-nouveaux open, else
``[company] fiscal_year_start``. The resulting :class:`~boardpack.periods.FiscalCalendar` is
what every window is made from, so ``statements`` and the packs always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..api.sources import LoadRequest
from ..errors import ConfigError, DataError, Unavailable
from ..formatting import Formatter
from ..periods import FiscalCalendar, Month

if TYPE_CHECKING:
    import pandas as pd

    from ..api.kpis import KPIContext
    from ..config import Config
    from ..schema import DatasetSchema

__all__ = ["check_period", "load_request", "resolve_calendar", "resolve_period"]

#: A span the data defines, and the ``[sources.<id>]`` that reported it.
SourcedSpan = tuple[str, tuple[Month, Month]]


def load_request(config: Config, schemas: Mapping[str, DatasetSchema], period: Month | None = None) -> LoadRequest:
    """What the sources are asked for: ``period`` (else ``[build] period``), and the month remote
    sources read up to (that period, else the current month in local time)."""
    from ..connectors.common import this_month

    asked = period or config.period
    return LoadRequest(schemas, asked, asked or this_month())


def resolve_period(request: LoadRequest, ctx: KPIContext) -> Month:
    """The month the packs are for: the one asked, else the ledger's last month.

    :raises DataError: when nothing was asked and there is no ledger to read it from, or when
        the month asked lies outside the entries (naming the months they cover).
    """
    if request.period is not None:
        check_period(request.period, ctx)
        return request.period
    try:
        return ctx.ledger.last
    except Unavailable as exc:
        raise DataError(f"impossible de choisir la période par défaut : {exc} ; indiquez --period") from None


def _closing_month(start_month: int) -> int:
    return (start_month + 10) % 12 + 1


def _span_text(span: tuple[Month, Month]) -> str:
    fmt = Formatter("fr")
    return f"{fmt.month(span[0])} – {fmt.month(span[1])}"


def _opening_months(entries: pd.DataFrame, journals: Iterable[str]) -> list[Month]:
    """The months holding à-nouveaux lines, oldest first."""
    codes = {j.upper() for j in journals}
    dates = entries.loc[entries["journal"].astype(str).str.upper().isin(codes), "date"].dropna()
    return sorted({Month(int(y), int(m)) for y, m in zip(dates.dt.year, dates.dt.month)})


def resolve_calendar(config: Config, spans: Sequence[SourcedSpan], entries: pd.DataFrame | None,
                     opening_journals: Iterable[str] = ()) -> FiscalCalendar:
    """The fiscal years of one build, decided once from the data and the config.

    1. the spans the sources report (a FEC's year: 12 or 13 months, a short first year);
    2. else the months holding à-nouveaux in ``entries``: each opens a fiscal year;
    3. else twelve-month years opening in ``[company] fiscal_year_start``.

    ``fiscal_year_start`` written in the config must agree with what the data defines (its
    closing month); ``opened`` is set when the ledger's first fiscal year has no à-nouveaux
    (the company's first months).

    :raises ConfigError: naming both when the config's ``fiscal_year_start`` contradicts the data.
    :raises DataError: when two sources' fiscal years overlap.
    """
    given = config.fiscal_year_given
    start_month = config.company.fiscal_year_start
    journals = tuple(config.company.opening_journals) + tuple(opening_journals)
    openings = _opening_months(entries, journals) if entries is not None and len(entries) else []
    years: tuple[tuple[Month, Month], ...] = ()
    if spans:
        ordered = sorted(set(spans), key=lambda item: item[1])
        for (key_a, a), (key_b, b) in zip(ordered, ordered[1:]):
            if b[0] <= a[1]:
                raise DataError(
                    f"les exercices {_span_text(a)} ([sources.{key_a}]) et {_span_text(b)} "
                    f"([sources.{key_b}]) se chevauchent"
                )
        if given:
            for key, span in ordered:
                if span[1].month != _closing_month(start_month):
                    raise ConfigError(
                        f"{config.path.name} : [company] fiscal_year_start = {start_month} (exercices "
                        f"ouverts en {Formatter('fr').month(Month(2000, start_month)).split()[0]}) contredit "
                        f"l'exercice {_span_text(span)} défini par les données de [sources.{key}] ; "
                        "retirez fiscal_year_start (les exercices des données font foi) ou corrigez-le"
                    )
        years = tuple(span for _, span in ordered)
        start_month = years[-1][1].shift(1).month
    elif openings:
        months = sorted({m.month for m in openings})
        if given and months != [start_month]:
            raise ConfigError(
                f"{config.path.name} : [company] fiscal_year_start = {start_month} contredit les "
                f"à-nouveaux des écritures, datés de {', '.join(Formatter('fr').month(m) for m in openings)} ; "
                "retirez fiscal_year_start ou corrigez-le"
            )
        if len(months) == 1:
            start_month = months[0]
        else:  # a changed closing date: each à-nouveaux opens a year, up to the next one
            years = tuple((a, b.shift(-1)) for a, b in zip(openings, openings[1:]))
            start_month = openings[-1].month
    calendar = FiscalCalendar(start_month, years)
    return FiscalCalendar(start_month, years, _opened(calendar, entries, openings, journals))


def _opened(calendar: FiscalCalendar, entries: pd.DataFrame | None, openings: Sequence[Month],
            journals: Iterable[str]) -> Month | None:
    """The ledger's first month when its first fiscal year has no à-nouveaux (a young company),
    or when it holds under twelve months (a first FEC, a year in progress): twelve-month windows
    then start there, labelled with their length, rather than being unavailable."""
    if entries is None or not len(entries):
        return None
    codes = {j.upper() for j in journals}
    moving = entries.loc[~entries["journal"].astype(str).str.upper().isin(codes), "date"].dropna()
    if moving.empty:
        return None
    first, last = Month.of(moving.min().date()), Month.of(moving.max().date())
    if last - first + 1 < 12:
        return first
    year = calendar.year_of(first)
    if any(calendar.year_of(month) == year for month in openings):
        return None
    return first


def check_period(period: Month | None, ctx: KPIContext) -> None:
    """Refuse a month asked for (``--period``) that the ledger does not reach.

    :raises DataError: naming the month and the months the entries cover.
    """
    if period is None or "entries" not in ctx.datasets:
        return
    try:
        ledger = ctx.ledger
    except Unavailable:
        return
    if not ledger.first <= period <= ledger.last:
        fmt = Formatter("fr")
        raise DataError(
            f"période {period} ({fmt.month(period)}) hors des données : les écritures couvrent "
            f"{fmt.month(ledger.first)} à {fmt.month(ledger.last)} ({ledger.first} à {ledger.last}) ; "
            f"choisissez --period entre {ledger.first} et {ledger.last}"
        )
