"""Building the packs a delivery run sends, with what their messages quote.

:func:`build_packs` loads and checks the data once, and stops before any layout when the
data-quality gates find a blocking issue (the packs are held, nothing is laid out).
Otherwise it lays out one PDF per audience with :func:`boardpack.build.build`, and keeps
each audience's headline KPIs and alerts formatted in its language for the email.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..api.messages import status_label
from ..api.sections import PackContext
from ..build import BuildResult, build, select_audiences
from ..config import Config
from ..periods import Month

__all__ = ["Builder", "Built", "Pack", "build_packs", "built_from", "headlines"]

#: How many headline KPIs an email quotes.
HEADLINE_COUNT = 6


@dataclass(frozen=True)
class Pack:
    """One audience's pack: its PDF (``None`` when held) and what its message quotes."""

    audience: str
    title: str
    language: str
    period_label: str
    path: Path | None = None
    kpis: tuple[Mapping[str, str], ...] = ()
    alerts: tuple[Mapping[str, str], ...] = ()


@dataclass
class Built:
    """What a delivery run built: the period, the packs by audience, the blocking issues."""

    period: Month
    packs: dict[str, Pack] = field(default_factory=dict)
    #: the blocking data-quality issues (non-empty: hold), each one sentence by language
    #: (``{"fr": …, "en": …}``, as :attr:`boardpack.api.Issue.message`)
    blocking: list[Mapping[str, str]] = field(default_factory=list)


#: ``builder(config, period or None for the latest month, audience ids, out dir) -> Built``
Builder = Callable[[Config, Month | None, Sequence[str], Path], Built]


def headlines(pack: PackContext) -> tuple[tuple[Mapping[str, str], ...], tuple[Mapping[str, str], ...]]:
    """The audience's first KPIs and its alerts, in its language.

    Each KPI has ``label``, ``value``, ``window``, ``status`` (``ok``, ``warn``, ``alert``
    or empty) and ``status_label`` (« alerte », « à surveiller »; empty when ``ok`` or
    without thresholds).
    """
    kpis = []
    for kpi in pack.kpis_for_audience()[:HEADLINE_COUNT]:
        result = pack.result(kpi.id)
        status = result.status or ""
        # a stock (cash, BFR) is read at the month's end, not over the month
        window = pack.t("fin de mois", "month end") if kpi.nature == "stock" else pack.fmt.window_kind(result.window)
        kpis.append({"label": pack.label(kpi.label), "value": pack.value(result), "window": window, "status": status,
                     "status_label": status_label(status, pack.language)})
    alerts = [{"severity": a.severity, "title": pack.label(a.title), "message": pack.label(a.message)}
              for a in pack.alerts_for_audience()]
    return tuple(kpis), tuple(alerts)


def build_packs(config: Config, period: Month | None, audiences: Sequence[str], out: Path, *,
                refresh: bool = False) -> Built:
    """Check the data, then (unless held) write ``<audience>_<period>.pdf`` into ``out``.

    The packs are built by :func:`boardpack.build.build` (PDFs laid out in parallel, all
    laid out before any is written), which stops before any layout on blocking issues.

    :param refresh: remote sources are fetched live (a new snapshot) instead of read from
        the latest snapshot, as ``build --refresh``.
    :raises BoardpackError: on bad config or data, before any PDF is written.
    """
    result = build(config, period, audiences, out, refresh=refresh, hold=True)
    return built_from(config, result, audiences)


def built_from(config: Config, result: BuildResult, audiences: Sequence[str] = ()) -> Built:
    """What a delivery run needs of a finished build: each pack's PDF, headline KPIs and alerts."""
    built = Built(result.period, blocking=[issue.message for issue in result.held])
    for audience in select_audiences(config, audiences):
        pack = result.packs.get(audience.key)
        if pack is None:  # held: nothing was laid out
            built.packs[audience.key] = Pack(audience.key, audience.title, audience.language, str(result.period))
            continue
        kpis, alerts = headlines(pack)
        built.packs[audience.key] = Pack(audience.key, audience.title, audience.language,
                                         pack.fmt.month(result.period), result.paths[audience.key], kpis, alerts)
    return built
