"""Computes every KPI over every window, with comparisons, status and history.

For a reporting month the engine computes each KPI over the month, the fiscal year to
date, the last twelve months and the whole fiscal year; compares it with the previous
period, the same period a year earlier (N-1) and the budget; gives it a status from its
thresholds (possibly overridden in the config); and keeps 24 months of monthly history for
trend charts. A figure that cannot be computed carries the reason instead of a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .interfaces import KPI, Thresholds, Unavailable
from .kpi_context import KPIContext
from .periods import WINDOW_KINDS, Month, Window, WindowKind

__all__ = ["Comparison", "KPIEngine", "KPIResult", "STATUS_LABELS"]

#: Status id -> (French, English) label.
STATUS_LABELS = {
    "ok": ("ok", "ok"),
    "warn": ("à surveiller", "watch"),
    "alert": ("alerte", "alert"),
}

COMPARISONS = ("previous", "n1", "budget")


@dataclass(frozen=True)
class Comparison:
    """A KPI compared with a reference: previous period, N-1 or budget."""

    kind: str
    window: Window
    value: Decimal | None
    reason: str | None = None

    def delta(self, current: Decimal | None) -> Decimal | None:
        """``current − reference`` (for a percent KPI, in points), or ``None``."""
        if current is None or self.value is None:
            return None
        return current - self.value

    def delta_pct(self, current: Decimal | None) -> Decimal | None:
        """Relative change in %, ``None`` when undefined (reference 0 or missing)."""
        if current is None or self.value is None or self.value == 0:
            return None
        return (current - self.value) / abs(self.value) * 100


@dataclass(frozen=True)
class KPIResult:
    """One KPI over one window."""

    kpi: KPI
    window: Window
    value: Decimal | None
    reason: str | None
    status: str | None
    thresholds: Thresholds | None
    comparisons: Mapping[str, Comparison] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        """Whether the value could be computed."""
        return self.value is not None

    def headroom(self) -> Decimal | None:
        """Distance to the alert threshold, positive when on the safe side."""
        if self.value is None or self.thresholds is None or self.thresholds.alert is None:
            return None
        gap = self.value - self.thresholds.alert
        return -gap if self.kpi.direction == "down" else gap

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description (numbers as strings to keep their exactness)."""
        return {
            "id": self.kpi.id,
            "label": self.kpi.label["fr"],
            "label_en": self.kpi.label.get("en", ""),
            "window": self.window.kind,
            "period": str(self.window),
            "value": None if self.value is None else str(self.value),
            "unit": self.kpi.unit,
            "status": self.status,
            "reason": self.reason,
            "comparisons": {
                kind: {
                    "period": str(c.window),
                    "value": None if c.value is None else str(c.value),
                    "delta": None if c.delta(self.value) is None else str(c.delta(self.value)),
                    "reason": c.reason,
                }
                for kind, c in self.comparisons.items()
            },
        }


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001")) if value.as_tuple().exponent < -4 else value  # type: ignore[operator]


class KPIEngine:
    """Computes the registered KPIs against one company's data (results are cached)."""

    def __init__(
        self,
        kpis: Mapping[str, KPI],
        ctx: KPIContext,
        thresholds: Mapping[str, Thresholds] | None = None,
    ) -> None:
        self.kpis = dict(kpis)
        self.ctx = ctx
        self.overrides = dict(thresholds or {})
        self._cache: dict[tuple[str, str, Window], tuple[Decimal | None, str | None]] = {}

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
                    raise Unavailable(f"aucune source ne fournit le jeu de données « {missing[0]} »")
                raw = kpi.compute_budget(self.ctx, window) if budget else kpi.compute(self.ctx, window)
                self._cache[key] = (_rounded(Decimal(raw)), None)
            except Unavailable as exc:
                self._cache[key] = (None, str(exc))
        return self._cache[key]

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
