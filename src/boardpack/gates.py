"""Host side of the data-quality gates and alert rules: which run, with what, in what order.

:func:`run_quality` runs every registered :class:`~boardpack.interfaces.QualityCheck` whose
datasets are loaded (``boardpack check``, before a build); :func:`blocking` keeps the issues
that stop ``build --strict``; :func:`run_alerts` evaluates every
:class:`~boardpack.interfaces.AlertRule` for the reporting month, critical alerts first.
Names listed in ``[quality] ignore`` / ``[alerts] ignore`` are skipped; :func:`check_ignored`
tells the user when such a name matches nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .config import ALERT_DEFAULTS, QUALITY_DEFAULTS, Config
from .errors import ConfigError
from .interfaces import Alert, Issue, Unavailable
from .kpi_context import KPIContext

if TYPE_CHECKING:
    from .build import Session
    from .kpi_engine import KPIEngine
    from .periods import Month
    from .plugins import Registry

__all__ = ["QUALITY_ISSUES", "blocking", "check_ignored", "run_alerts", "run_quality"]

#: Key under which :func:`run_alerts` hands the quality issues to the rules (``data_gaps``).
QUALITY_ISSUES = "quality_issues"
_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def _context(source: Session | KPIContext) -> KPIContext:
    if isinstance(source, KPIContext):
        return source
    return KPIContext(source.datasets, source.config.company, source.fiscal_years,
                      source.opening_journals, source.config.investments)


def run_quality(source: Session | KPIContext, registry: Registry, settings: Mapping[str, Any]) -> list[Issue]:
    """Run the checks whose ``needs`` are loaded and not ignored; return their issues in check order.

    :param source: a loaded :class:`~boardpack.build.Session`, or a KPI context.
    :param settings: the config's ``[quality]`` table (missing keys take their defaults).
    A check that raises :class:`~boardpack.interfaces.Unavailable` (a ledger of à-nouveaux
    only) reports nothing.
    """
    ctx = _context(source)
    merged = {**QUALITY_DEFAULTS, **settings}
    ignored = set(merged["ignore"])
    issues: list[Issue] = []
    for name, check in registry.quality_checks.items():
        if name in ignored or any(need not in ctx.datasets for need in check.needs):
            continue
        try:
            issues.extend(check.run(ctx, merged))
        except Unavailable:
            continue
    return issues


def blocking(issues: Iterable[Issue]) -> list[Issue]:
    """The issues that stop ``build --strict`` and hold deliveries."""
    return [issue for issue in issues if issue.severity == "blocking"]


def run_alerts(
    engine: KPIEngine,
    registry: Registry,
    period: Month,
    settings: Mapping[str, Any],
    issues: Sequence[Issue] | None = None,
) -> list[Alert]:
    """Evaluate the rules not ignored for ``period``; return the alerts, critical first.

    :param settings: the config's ``[alerts]`` table (missing keys take their defaults).
    :param issues: the quality issues already found by :func:`run_quality`, handed to the
        rules under :data:`QUALITY_ISSUES`; when ``None``, ``data_gaps`` runs the checks
        itself with the default ``[quality]`` settings.
    A rule that raises :class:`~boardpack.interfaces.Unavailable` reports nothing.
    """
    merged: dict[str, Any] = {**ALERT_DEFAULTS, **settings}
    if issues is not None:
        merged[QUALITY_ISSUES] = tuple(issues)
    ignored = set(merged["ignore"])
    alerts: list[Alert] = []
    for name, rule in registry.alert_rules.items():
        if name in ignored:
            continue
        try:
            alerts.extend(rule.evaluate(engine, period, merged))
        except Unavailable:
            continue
    return sorted(alerts, key=lambda alert: _SEVERITY_RANK.get(alert.severity, len(_SEVERITY_RANK)))


def check_ignored(config: Config, registry: Registry) -> None:
    """Refuse a name in ``[quality] ignore`` or ``[alerts] ignore`` that no plugin registers.

    :raises ConfigError: naming the key (``quality.ignore[1]``) and the closest known name.
    """
    for table, settings, known in (
        ("quality", config.quality, registry.quality_checks),
        ("alerts", config.alerts, registry.alert_rules),
    ):
        for index, name in enumerate(settings.get("ignore", ())):
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                raise ConfigError(
                    f"{config.path.name}, clé « {table}.ignore[{index}] » : « {name} » n'est pas "
                    f"connu (noms : {', '.join(sorted(known))}){hint}"
                )
