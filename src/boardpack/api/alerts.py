"""Alert rules: the :class:`AlertRule` interface and the :class:`Alert` it raises.

A rule plugin returns :class:`AlertRule` instances from ``register_alert_rules``. The host
evaluates each after the KPIs are computed for the reporting month, passing the figures
(:class:`~boardpack.api.kpis.Figures`, whose ``issues`` are the data-quality findings), the
month and the config's ``[alerts]`` table checked and completed with the declared defaults.
Alerts reach the audiences they name, critical ones first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from ..periods import Month
from .kpis import Figures
from .records import Alert
from .settings import SettingsTable

__all__ = ["Alert", "AlertRule"]


class AlertRule(ABC):
    """Turns figures into alerts (threshold crossed, budget overrun, late payers…).

    ``settings`` declares the keys of ``[alerts]`` the rule reads (one
    :class:`~boardpack.api.settings.SettingsTable` named ``alerts``), with their defaults.
    """

    name: ClassVar[str]
    description: ClassVar[Mapping[str, str]]
    settings: ClassVar[tuple[SettingsTable, ...]] = ()

    @abstractmethod
    def evaluate(self, figures: Figures, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """Return the alerts for ``period``; ``settings`` is the checked ``[alerts]`` table."""
