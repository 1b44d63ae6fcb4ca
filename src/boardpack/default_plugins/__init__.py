"""The built-in plugins, registered through the same hooks as third-party ones."""

__all__ = ["DEFAULT_PLUGINS"]

#: Modules registered as plugins before any third-party plugin, in this order.
DEFAULT_PLUGINS = (
    "boardpack.default_plugins.datasets",
    "boardpack.default_plugins.csv_source",
    "boardpack.default_plugins.fec_source",
    "boardpack.default_plugins.kpis_finance",
    "boardpack.default_plugins.kpis_sales",
    "boardpack.default_plugins.kpis_ops",
    "boardpack.default_plugins.kpis_profitability",
    "boardpack.default_plugins.kpis_balance",
    "boardpack.default_plugins.kpis_cash",
    "boardpack.default_plugins.kpis_revenue",
    "boardpack.default_plugins.kpis_deals",
    "boardpack.default_plugins.kpis_receivables",
    "boardpack.default_plugins.kpis_realisation",
    "boardpack.default_plugins.kpis_marketing",
    "boardpack.default_plugins.kpis_investment",
    "boardpack.default_plugins.quality_invoices",
    "boardpack.default_plugins.quality_ledger",
    "boardpack.default_plugins.alerts",
    "boardpack.default_plugins.charts",
    "boardpack.default_plugins.charts_extra",
    "boardpack.default_plugins.sections_summary",
    "boardpack.default_plugins.sections_finance",
    "boardpack.default_plugins.sections_banker",
    "boardpack.default_plugins.sections_ops",
    "boardpack.default_plugins.sections_detail",
    "boardpack.default_plugins.sections_more",
    "boardpack.default_plugins.sections_commentary",
    "boardpack.default_plugins.sections_quality",
    "boardpack.default_plugins.themes",
    "boardpack.default_plugins.folder_channel",
)
