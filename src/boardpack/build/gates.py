"""Host side of the data-quality gates and alert rules: which run, with what, in what order.

:func:`run_quality` runs every registered :class:`~boardpack.api.checks.QualityCheck` whose
datasets are loaded (``boardpack check``, before a build); :func:`blocking` keeps the issues
that stop ``build --strict``; :func:`run_alerts` evaluates every
:class:`~boardpack.api.alerts.AlertRule` for the reporting month, critical alerts first.
Names listed in ``[quality] ignore`` / ``[alerts] ignore`` are skipped. Each check and rule
receives its table completed with the defaults the registered plugins declare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..api.kpis import Figures, KPIContext
from ..api.records import Alert, CheckRun, Issue
from ..errors import Unavailable

if TYPE_CHECKING:
    from ..periods import Month
    from ..plugins import Registry

__all__ = ["SOURCE_CHECK", "blocking", "check_runs", "run_alerts", "run_quality", "source_issues", "with_defaults"]

#: The check name of the warnings a source reports while reading (a FEC's own checks).
SOURCE_CHECK = "controles_source"

_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def with_defaults(registry: Registry, table: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` completed with the defaults the registered plugins declare for ``table``."""
    declared = registry.settings_tables.get(table)
    return {**(declared.defaults() if declared else {}), **settings}


def run_quality(ctx: KPIContext, registry: Registry, settings: Mapping[str, Any]) -> list[Issue]:
    """Run the checks whose ``needs`` are loaded and not ignored; return their issues in check order.

    :param settings: the config's ``[quality]`` table (missing keys take their defaults).
    A check that raises :class:`~boardpack.errors.Unavailable` (a ledger of à-nouveaux
    only) reports nothing.
    """
    merged = with_defaults(registry, "quality", settings)
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


def source_issues(findings: Iterable[Any]) -> list[Issue]:
    """The sources' warnings (the FEC checks: numbering gaps, dates outside the year…) as
    data-quality issues, so the build prints them and the data-quality section lists them."""
    issues = []
    for finding in findings:
        line = getattr(finding, "line", None)
        text = str(finding)
        issues.append(Issue(SOURCE_CHECK, "warning", {"fr": text, "en": text}, "entries",
                            (int(line),) if line else (), {"code": str(getattr(finding, "code", ""))}))
    return issues


def check_runs(ctx: KPIContext, registry: Registry, settings: Mapping[str, Any]) -> tuple[CheckRun, ...]:
    """Every registered check, with whether it ran on this data (for the data-quality section)."""
    ignored = set(with_defaults(registry, "quality", settings)["ignore"])
    return tuple(
        CheckRun(name, check.description, name not in ignored and all(n in ctx.datasets for n in check.needs))
        for name, check in registry.quality_checks.items()
    )


def blocking(issues: Iterable[Issue]) -> list[Issue]:
    """The issues that stop ``build --strict`` and hold deliveries."""
    return [issue for issue in issues if issue.severity == "blocking"]


def run_alerts(figures: Figures, registry: Registry, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
    """Evaluate the rules not ignored for ``period``; return the alerts, critical first.

    :param figures: the computed figures; their ``issues`` are the data-quality findings the
        ``data_gaps`` rule reports.
    :param settings: the config's ``[alerts]`` table (missing keys take their defaults).
    A rule that raises :class:`~boardpack.errors.Unavailable` reports nothing.
    """
    merged = with_defaults(registry, "alerts", settings)
    ignored = set(merged["ignore"])
    alerts: list[Alert] = []
    for name, rule in registry.alert_rules.items():
        if name in ignored:
            continue
        try:
            alerts.extend(rule.evaluate(figures, period, merged))
        except Unavailable:
            continue
    return sorted(alerts, key=lambda alert: _SEVERITY_RANK.get(alert.severity, len(_SEVERITY_RANK)))
