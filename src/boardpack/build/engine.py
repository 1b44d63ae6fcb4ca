"""Computes every KPI over every window, with comparisons, status and history.

For a reporting month the engine computes each KPI over the month, the fiscal year to
date, the last twelve months and the whole fiscal year; compares it with the previous
period, the same period a year earlier (N-1) and the budget; gives it a status from its
thresholds (possibly overridden in the config); and keeps 24 months of monthly history for
trend charts. A figure that cannot be computed carries the reason instead of a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from ..api.kpis import KPI, STATUS_LABELS, Comparison, Estimated, KPIContext, KPIResult
from ..api.records import Issue, Thresholds
from ..errors import Unavailable
from ..periods import WINDOW_KINDS, Month, Window, WindowKind

__all__ = ["COMPARISONS", "Comparison", "KPIEngine", "KPIResult", "STATUS_LABELS"]

COMPARISONS = ("previous", "n1", "budget")


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001")) if value.as_tuple().exponent < -4 else value  # type: ignore[operator]


class KPIEngine:
    """Computes the registered KPIs against one company's data (results are cached).

    The host's implementation of :class:`boardpack.api.kpis.Figures`.

    :param issues: the data-quality issues found on ``ctx`` before the build, handed to the
        alert rules and sections with the figures.
    """

    def __init__(
        self,
        kpis: Mapping[str, KPI],
        ctx: KPIContext,
        thresholds: Mapping[str, Thresholds] | None = None,
        issues: Sequence[Issue] = (),
    ) -> None:
        self.kpis = dict(kpis)
        self.ctx = ctx
        self.overrides = dict(thresholds or {})
        self.issues = tuple(issues)
        self._cache: dict[tuple[str, str, Window], tuple[Decimal | None, str | None]] = {}
        #: what is absent when that is why a figure is unavailable (``Unavailable.needs``)
        self._needs: dict[tuple[str, str, Window], str] = {}
        #: the basis of the figures a KPI could only estimate (:class:`Estimated`)
        self._estimates: dict[tuple[str, str, Window], Mapping[str, str]] = {}

    def thresholds(self, kpi: KPI) -> Thresholds | None:
        """The thresholds in force: the config's override, else the KPI's defaults."""
        return self.overrides.get(kpi.id, kpi.thresholds)

    def value(self, kpi: KPI, window: Window, budget: bool = False) -> tuple[Decimal | None, str | None]:
        """``(value, None)`` or ``(None, reason)`` for ``kpi`` over ``window``."""
        key = (kpi.id, "budget" if budget else "actual", window)
        if key not in self._cache:
            missing = [name for name in kpi.needs if name not in self.ctx.datasets]
            try:
                if missing:
                    raise Unavailable(f"aucune source ne fournit le jeu de données « {missing[0]} »",
                                      needs=missing[0])
                raw = kpi.compute_budget(self.ctx, window) if budget else kpi.compute(self.ctx, window)
                if isinstance(raw, Estimated):
                    self._estimates[key] = raw.basis
                    raw = raw.value
                self._cache[key] = (_rounded(Decimal(raw)), None)
            except Unavailable as exc:
                self._cache[key] = (None, str(exc))
                if exc.needs:
                    self._needs[key] = exc.needs
        return self._cache[key]

    def needs(self, kpi: KPI, window: Window) -> str | None:
        """The dataset or config table whose absence makes ``kpi`` unavailable over ``window``, if that is why."""
        self.value(kpi, window)
        return self._needs.get((kpi.id, "actual", window))

    def estimate(self, kpi: KPI, window: Window) -> Mapping[str, str] | None:
        """What ``kpi``'s value over ``window`` rests on when it could only be estimated (:class:`Estimated`)."""
        self.value(kpi, window)
        return self._estimates.get((kpi.id, "actual", window))

    def status(self, kpi: KPI, value: Decimal | None) -> str | None:
        """``ok``, ``warn`` or ``alert`` from the thresholds; ``None`` without thresholds or value."""
        limits = self.thresholds(kpi)
        if value is None or limits is None or kpi.direction is None:
            return None
        worse = (lambda v, t: v < t) if kpi.direction == "up" else (lambda v, t: v > t)
        if limits.alert is not None and worse(value, limits.alert):
            return "alert"
        if limits.warn is not None and worse(value, limits.warn):
            return "warn"
        return "ok"

    def result(self, kpi: KPI, end: Month, kind: WindowKind) -> KPIResult:
        """``kpi`` over the ``kind`` window ending at ``end``, with its comparisons."""
        window = self.ctx.window(kind, end)
        value, reason = self.value(kpi, window)
        references = {"previous": window.previous(), "n1": window.shift_years(1), "budget": window}
        comparisons = {}
        for name, ref in references.items():
            ref_value, ref_reason = self.value(kpi, ref, budget=name == "budget")
            comparisons[name] = Comparison(name, ref, ref_value, ref_reason)
        return KPIResult(
            kpi=kpi,
            window=window,
            value=value,
            reason=reason,
            status=self.status(kpi, value),
            thresholds=self.thresholds(kpi),
            comparisons=comparisons,
            needs=self.needs(kpi, window),
            estimate=self._estimates.get((kpi.id, "actual", window)),
        )

    def results(self, end: Month, kinds: tuple[WindowKind, ...] = WINDOW_KINDS) -> dict[str, dict[str, KPIResult]]:
        """Every KPI over every window kind: ``{kpi_id: {kind: result}}``."""
        return {kpi_id: {kind: self.result(kpi, end, kind) for kind in kinds} for kpi_id, kpi in self.kpis.items()}

    def history(self, kpi: KPI, end: Month, months: int = 24, kind: WindowKind = "month") -> list[tuple[Month, Decimal | None]]:
        """Values of the ``kind`` window ending at each of the ``months`` months up to ``end``."""
        out = []
        for offset in range(months - 1, -1, -1):
            month = end.shift(-offset)
            out.append((month, self.value(kpi, self.ctx.window(kind, month))[0]))
        return out
