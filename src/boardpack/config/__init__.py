"""The TOML configuration: reading and checking it (:func:`load_config`), and what it holds.

Modules by role: :mod:`.model` (the checked :class:`Config`), :mod:`.reader` (the host's
tables), :mod:`.tables` (the tables plugins declare), :mod:`.schedules` (``[[schedules]]`` and
``[delivery]``), :mod:`.secrets` (``{ env }`` / ``{ file }`` references), :mod:`.checker`.
"""

from .model import AudienceConfig, CompanyConfig, Config, DeliveryConfig, PluginConfig, ScheduleConfig
from .reader import HOST_TABLES, load_config, parse_config
from .secrets import is_secret_reference, resolve_secrets

__all__ = [
    "HOST_TABLES",
    "AudienceConfig",
    "CompanyConfig",
    "Config",
    "DeliveryConfig",
    "PluginConfig",
    "ScheduleConfig",
    "is_secret_reference",
    "load_config",
    "parse_config",
    "resolve_secrets",
]
