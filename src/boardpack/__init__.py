"""boardpack: branded PDF board packs for French SMEs from accounting, CRM and operations data."""

from .errors import BoardpackError, ConfigError, DataError, DeliveryError, PluginError, RenderError, SourceError
from .hookspecs import hookimpl
from .interfaces import KPI, Channel, Chart, DataSource, Delivery, Section, Thresholds, Unavailable

__version__ = "0.1.0"

__all__ = [
    "KPI",
    "BoardpackError",
    "Channel",
    "Chart",
    "ConfigError",
    "DataError",
    "DataSource",
    "Delivery",
    "DeliveryError",
    "PluginError",
    "RenderError",
    "Section",
    "SourceError",
    "Thresholds",
    "Unavailable",
    "__version__",
    "hookimpl",
]
