"""Months, fiscal years and the windows figures are computed over.

A :class:`Month` is the unit of every series; a :class:`Window` a run of whole months of a
kind (``month``, ``ytd``, ``ltm``, ``fy``) ending at the reporting month.
"""

from __future__ import annotations

from ..periods import WINDOW_KINDS, FiscalCalendar, Month, Window, WindowKind, fiscal_year_start

__all__ = ["WINDOW_KINDS", "FiscalCalendar", "Month", "Window", "WindowKind", "fiscal_year_start"]
