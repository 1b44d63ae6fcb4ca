"""The built-in plugins, registered through the same hooks as third-party ones.

One folder per kind of plugin; each module listed in :data:`DEFAULT_PLUGINS` is one plugin.
They import only :mod:`boardpack.api` (and modules of their own folder), as a third-party
plugin would.
"""

__all__ = ["DEFAULT_PLUGINS"]

#: Modules registered as plugins before any third-party plugin, in this order.
DEFAULT_PLUGINS = (
    "boardpack.default_plugins.sources.datasets",
    "boardpack.default_plugins.sources.csv",
    "boardpack.default_plugins.sources.fec",
    "boardpack.default_plugins.sources.hubspot.source",
    "boardpack.default_plugins.sources.pennylane.source",
    "boardpack.default_plugins.sources.quickbooks.source",
    "boardpack.default_plugins.kpis.finance",
    "boardpack.default_plugins.kpis.debt_service",
    "boardpack.default_plugins.kpis.tax",
    "boardpack.default_plugins.kpis.sales",
    "boardpack.default_plugins.kpis.ops",
    "boardpack.default_plugins.kpis.profitability",
    "boardpack.default_plugins.kpis.balance",
    "boardpack.default_plugins.kpis.cash",
    "boardpack.default_plugins.kpis.working_capital",
    "boardpack.default_plugins.kpis.revenue",
    "boardpack.default_plugins.kpis.deals",
    "boardpack.default_plugins.kpis.receivables",
    "boardpack.default_plugins.kpis.realisation",
    "boardpack.default_plugins.kpis.marketing",
    "boardpack.default_plugins.kpis.investment",
    "boardpack.default_plugins.checks.invoices",
    "boardpack.default_plugins.checks.ledger",
    "boardpack.default_plugins.alerts.rules",
    "boardpack.default_plugins.forecast.sales",
    "boardpack.default_plugins.forecast.costs",
    "boardpack.default_plugins.forecast.taxes",
    "boardpack.default_plugins.forecast.financing",
    "boardpack.default_plugins.charts.trends",
    "boardpack.default_plugins.charts.waterfall",
    "boardpack.default_plugins.sections.summary",
    "boardpack.default_plugins.sections.statements",
    "boardpack.default_plugins.sections.banker",
    "boardpack.default_plugins.sections.forecast",
    "boardpack.default_plugins.sections.financing",
    "boardpack.default_plugins.sections.synthesis",
    "boardpack.default_plugins.sections.ops",
    "boardpack.default_plugins.sections.commercial",
    "boardpack.default_plugins.sections.commentary",
    "boardpack.default_plugins.sections.quality",
    "boardpack.default_plugins.themes.builtin",
    "boardpack.default_plugins.channels.folder",
    "boardpack.default_plugins.channels.email",
)
