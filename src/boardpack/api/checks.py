"""Data-quality checks: the :class:`QualityCheck` interface and the :class:`Issue` it reports.

A check plugin returns :class:`QualityCheck` instances from ``register_quality_checks``. The
host runs each whose ``needs`` datasets are loaded, after the sources are read and before any
figure is computed, passing the config's ``[quality]`` table checked and completed with the
defaults the registered checks declare. A ``blocking`` issue stops ``build --strict`` and holds
scheduled deliveries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from .kpis import KPIContext
from .records import CheckRun, Issue
from .settings import SettingsTable

__all__ = ["CheckRun", "Issue", "QualityCheck"]


class QualityCheck(ABC):
    """A data-quality gate run before any build (duplicates, missing months, suspense…).

    ``settings`` declares the keys of ``[quality]`` the check reads (one
    :class:`~boardpack.api.settings.SettingsTable` named ``quality``), with their defaults.
    """

    name: ClassVar[str]
    description: ClassVar[Mapping[str, str]]
    needs: ClassVar[tuple[str, ...]] = ()
    settings: ClassVar[tuple[SettingsTable, ...]] = ()

    @abstractmethod
    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """Return the issues found; ``settings`` is the checked ``[quality]`` table with its defaults."""
