"""The public surface of boardpack: everything a plugin may rely on, and nothing else.

A plugin (built-in or third-party) imports from ``boardpack.api`` and its submodules only;
the rest of ``boardpack`` is private and may change in any release. ``boardpack.testing``
is public too, for a plugin's tests.

Stability promise: a change that breaks a plugin written against this surface — a name
removed or renamed, an argument added without a default, a return value or a documented
behaviour changed — is a new major version. Additions (a name, an optional argument, a new
hook) come in minor versions.

One module per plugin kind, and the helpers built-in plugins share:

* :mod:`~boardpack.api.sources` — :class:`DataSource`, :class:`LoadRequest`, :class:`Loaded`
* :mod:`~boardpack.api.datasets` — :class:`DatasetSchema`, :class:`Column`
* :mod:`~boardpack.api.kpis` — :class:`KPI` and what it reads (:class:`KPIContext`,
  :class:`Ledger`, :class:`Statements`), the results (:class:`KPIResult`, :class:`Figures`)
* :mod:`~boardpack.api.sections` — :class:`Section`, :class:`PackContext`
* :mod:`~boardpack.api.facts` — :class:`Fact`, :class:`Facts`: the figures a pack quotes
* :mod:`~boardpack.api.charts` — :class:`Chart`, :class:`ChartStyle`
* :mod:`~boardpack.api.themes` — the theme folder contract
* :mod:`~boardpack.api.channels` — :class:`Channel`, :class:`Delivery`, :class:`Notice`,
  :class:`DeliveryFailure`; :mod:`~boardpack.api.messages` — message templates
* :mod:`~boardpack.api.checks` — :class:`QualityCheck`, :class:`Issue`
* :mod:`~boardpack.api.alerts` — :class:`AlertRule`, :class:`Alert`
* :mod:`~boardpack.api.settings` — config tables a plugin owns (:class:`Setting`,
  :class:`SettingsTable`) and :class:`Configurable`
* :mod:`~boardpack.api.periods` — :class:`Month`, :class:`Window`, :class:`FiscalCalendar`
* :mod:`~boardpack.api.errors` — the errors, and :class:`Unavailable`
* :mod:`~boardpack.api.formatting` — :class:`Formatter`, :func:`euros`
* :mod:`~boardpack.api.accounts` — PCG statement lines and account classes
* :mod:`~boardpack.api.accounting` — CAF, tableau de flux, net cash
* :mod:`~boardpack.api.forecast` — :class:`ForecastDriver` and the cash plan, loans, functional
  balance sheet and backtest the forecast sections read
* :mod:`~boardpack.api.commercial` — the invoice and deal rules (sale invoices, customer of
  an invoice, issued in a window, open invoices, payment delays)
* :mod:`~boardpack.api.lazy` — :func:`lazy_module`: a heavy library (pandas, matplotlib…)
  imported on first use, so that loading plugins stays cheap (the rule every plugin module and
  ``boardpack.cli`` follow)

The names below are importable from ``boardpack.api`` directly; they load their module on
first use, so ``import boardpack.api`` costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from .alerts import Alert, AlertRule
    from .channels import Channel, Delivery, DeliveryFailure, Notice
    from .charts import Chart, ChartStyle, describe_series
    from .checks import CheckRun, Issue, QualityCheck
    from .datasets import Column, DatasetSchema, LineNumbers
    from .errors import (
        BoardpackError,
        ConfigError,
        DataError,
        DeliveryError,
        PluginError,
        RenderError,
        SourceError,
        Unavailable,
    )
    from .facts import Fact, Facts
    from .forecast import ForecastDriver
    from .formatting import Formatter, euros
    from .kpis import (
        KPI,
        STATUS_LABELS,
        Comparison,
        Estimated,
        Figures,
        KPIContext,
        KPIResult,
        Ledger,
        Statements,
    )
    from .messages import TextTemplates, status_label
    from .periods import WINDOW_KINDS, FiscalCalendar, Month, Window, WindowKind
    from .records import Audience, Company, Thresholds
    from .sections import HumanCommentary, PackContext, Section
    from .tables import TABLE_UNITS, Table, TableColumn
    from .settings import REQUIRED, Configurable, Setting, SettingsTable
    from .sources import DataSource, LoadRequest, Loaded

#: Public name → the submodule of ``boardpack.api`` defining it.
_HOME = {
    "Alert": "alerts", "AlertRule": "alerts",
    "Channel": "channels", "Delivery": "channels", "DeliveryFailure": "channels", "Notice": "channels",
    "Chart": "charts", "ChartStyle": "charts", "describe_series": "charts",
    "CheckRun": "checks", "Issue": "checks", "QualityCheck": "checks",
    "Column": "datasets", "DatasetSchema": "datasets", "LineNumbers": "datasets",
    "BoardpackError": "errors", "ConfigError": "errors", "DataError": "errors", "DeliveryError": "errors",
    "PluginError": "errors", "RenderError": "errors", "SourceError": "errors", "Unavailable": "errors",
    "Fact": "facts", "Facts": "facts",
    "Formatter": "formatting", "euros": "formatting", "ForecastDriver": "forecast",
    "KPI": "kpis", "STATUS_LABELS": "kpis", "Comparison": "kpis", "Estimated": "kpis", "Figures": "kpis",
    "KPIContext": "kpis",
    "KPIResult": "kpis", "Ledger": "kpis", "Statements": "kpis",
    "TextTemplates": "messages", "status_label": "messages",
    "WINDOW_KINDS": "periods", "FiscalCalendar": "periods", "Month": "periods", "Window": "periods",
    "WindowKind": "periods",
    "Audience": "records", "Company": "records", "Thresholds": "records",
    "HumanCommentary": "sections", "PackContext": "sections", "Section": "sections",
    "TABLE_UNITS": "tables", "Table": "tables", "TableColumn": "tables",
    "REQUIRED": "settings", "Configurable": "settings", "Setting": "settings", "SettingsTable": "settings",
    "DataSource": "sources", "LoadRequest": "sources", "Loaded": "sources",
}

__all__ = [
    "Alert",
    "AlertRule",
    "Audience",
    "BoardpackError",
    "Channel",
    "Chart",
    "ChartStyle",
    "CheckRun",
    "Column",
    "Company",
    "Comparison",
    "ConfigError",
    "Configurable",
    "DataError",
    "DataSource",
    "DatasetSchema",
    "Delivery",
    "DeliveryError",
    "DeliveryFailure",
    "Estimated",
    "Fact",
    "Facts",
    "Figures",
    "FiscalCalendar",
    "ForecastDriver",
    "Formatter",
    "HumanCommentary",
    "Issue",
    "KPI",
    "KPIContext",
    "KPIResult",
    "Ledger",
    "LineNumbers",
    "LoadRequest",
    "Loaded",
    "Month",
    "Notice",
    "PackContext",
    "PluginError",
    "QualityCheck",
    "REQUIRED",
    "RenderError",
    "STATUS_LABELS",
    "Section",
    "Setting",
    "SettingsTable",
    "SourceError",
    "Statements",
    "TextTemplates",
    "Thresholds",
    "Unavailable",
    "WINDOW_KINDS",
    "Window",
    "WindowKind",
    "euros",
    "hookimpl",
    "status_label",
    "describe_series",
    "TABLE_UNITS",
    "Table",
    "TableColumn",
]


def __getattr__(name: str) -> Any:
    """Load the submodule defining ``name`` on first use (PEP 562)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
