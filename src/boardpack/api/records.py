"""Small frozen records the host and the plugins hand each other.

They hold data only, no behaviour that reads files or computes figures: the company and the
audience a pack is for, a KPI's thresholds, a data-quality finding, an alert, and the
data-quality checks that ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

__all__ = ["Alert", "Audience", "CheckRun", "Company", "Issue", "Thresholds"]


@dataclass(frozen=True)
class Company:
    """The company a pack is about: the config's ``[company]`` table.

    ``fiscal_year_start`` is the month (1–12) fiscal years start in when the data does not say;
    ``opening_journals`` are the journal codes holding the à-nouveaux.
    """

    name: str
    siren: str = ""
    currency: str = "EUR"
    fiscal_year_start: int = 1
    locale: str = "fr_FR"
    opening_journals: tuple[str, ...] = ("AN", "ANO", "RAN")
    city: str = ""
    activity: str = ""
    headcount: int | None = None


@dataclass(frozen=True)
class Audience:
    """One ``[audiences.<id>]`` table: who reads the pack, which sections, theme and language."""

    key: str
    title: str
    sections: tuple[str, ...]
    theme: str = "default"
    language: str = "fr"
    subtitle: str = ""
    #: the KPIs of this audience's tiles and tables, in order (empty: those whose
    #: ``audiences`` name this audience)
    kpis: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """Where a KPI turns from ok to « à surveiller » (``warn``) and to « alerte » (``alert``).

    For a KPI where higher is better, a value below ``alert`` is an alert and one below
    ``warn`` is to be watched; for lower-is-better, above. Either bound may be ``None``.
    """

    warn: Decimal | None = None
    alert: Decimal | None = None


@dataclass(frozen=True)
class Issue:
    """A data-quality finding: ``blocking`` ones stop ``build --strict`` and hold deliveries.

    ``lines`` points at the source lines when known; ``figures`` holds the amounts or
    counts the finding rests on (shown to the reader).
    """

    check: str
    severity: Literal["blocking", "warning"]
    message: Mapping[str, str]
    dataset: str = ""
    lines: tuple[int, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckRun:
    """A registered data-quality check as the quality section lists it: did it run, and what it checks."""

    name: str
    description: Mapping[str, str]
    ran: bool


@dataclass(frozen=True)
class Alert:
    """Something a reader must look at: its severity, the figures it rests on, its readers."""

    rule: str
    severity: Literal["info", "warning", "critical"]
    title: Mapping[str, str]
    message: Mapping[str, str]
    figures: Mapping[str, str] = field(default_factory=dict)
    audiences: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
