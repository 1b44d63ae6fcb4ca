"""Data, configs and KPIs for tests: the demo company, configs built in memory, sources and contexts."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import plugins
from ..api.datasets import DatasetSchema
from ..api.kpis import KPI, KPIContext
from ..api.sources import Loaded, LoadRequest
from ..build.context import CompanyData
from ..build.engine import KPIEngine
from ..config import Config, parse_config
from ..errors import ConfigError, PluginError, Unavailable
from ..periods import Month

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = [
    "CONFIG_PATH", "as_month", "compute_kpi", "configured", "dataset_schema", "demo_datasets", "kpi_context",
    "load_source", "make_config",
]

#: Where an in-memory config pretends to live (never written; relative paths start here).
CONFIG_PATH = Path(tempfile.gettempdir()) / "boardpack-testing" / "boardpack.toml"
#: The demo datasets, read once per process.
DEMO_CACHE: dict[str, pd.DataFrame] = {}


def demo_datasets() -> dict[str, pd.DataFrame]:
    """The demo company's canonical datasets (fresh copies; read once per process)."""
    if not DEMO_CACHE:
        registry = plugins.get_registry()
        demo = registry.sources["demo"]("demo", {}, CONFIG_PATH.parent)
        DEMO_CACHE.update(demo.load(LoadRequest(registry.datasets)))
    return {name: frame.copy() for name, frame in DEMO_CACHE.items()}


def make_config(path: Path | None = None, **overrides: Any) -> Config:
    """A checked configuration built in memory, as if read from a TOML file.

    By default: the demo company, the ``demo`` source and one audience ``test`` showing
    ``kpi_tiles``. Each keyword replaces one top-level table of the TOML (``company``,
    ``sources``, ``audiences``, ``kpis``, ``channels``, ``build``, ``quality``…), written as
    the dicts ``tomllib`` would return::

        make_config(audiences={"banque": {"title": "Banque", "sections": ["ratios_bancaires"]}})

    :param path: where the config pretends to live (relative paths start from its folder);
        it is never read or written.
    :raises ConfigError: as :func:`boardpack.config.load_config` would.
    """
    data: dict[str, Any] = {
        "company": {"name": "Mécanique de Précision du Rhône", "siren": "812345674", "fiscal_year_start": 1},
        "sources": {"demo": {"type": "demo"}},
        "audiences": {"test": {"title": "Test", "sections": ["kpi_tiles"]}},
    }
    data.update(overrides)
    return parse_config(data, Path(path) if path is not None else CONFIG_PATH)


def configured(config: Config, path: str) -> Any:
    """The source or channel a config table describes, built as the host builds it.

    :param path: the table's key path, ``sources.<id>`` or ``channels.<id>``.
    :raises ConfigError: as a build would (unknown type or option, a secret not set…).
    """
    from ..build.configured import instantiate

    kind, _, key = path.partition(".")
    tables = {"sources": config.sources, "channels": config.channels}.get(kind, ())
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise ConfigError(f"{path} : table absente de la configuration")
    return instantiate(config, plugins.get_registry(), table, "source" if kind == "sources" else "canal")


def load_source(config: Config, path: str, period: str | Month | None = None) -> Loaded:
    """What the source at ``path`` (``sources.<id>``) returns when the host reads it, with the
    registered schemas (and ``period`` as the month asked, if given)."""
    month = as_month(period) if period is not None else None
    loaded = configured(config, path).load(LoadRequest(plugins.get_registry().datasets, month, month))
    return Loaded.of(loaded)


def dataset_schema(name: str) -> DatasetSchema:
    """The registered schema of dataset ``name`` (``KeyError`` if no plugin registers it)."""
    return plugins.get_registry().datasets[name]


def kpi_context(datasets: Mapping[str, pd.DataFrame] | None = None, *, config: Config | None = None) -> KPIContext:
    """The context a KPI, check or section reads, over ``datasets`` (default: the demo company's),
    for ``config``'s company and plugin-owned tables (default: :func:`make_config`)."""
    config = config or make_config()
    return CompanyData(dict(demo_datasets() if datasets is None else datasets), config.company,
                       tables=config.tables)


def as_month(period: str | Month) -> Month:
    if isinstance(period, Month):
        return period
    try:
        return Month.parse(period)
    except ValueError as exc:
        raise ConfigError(f"période « {period} » : {exc}") from None


def compute_kpi(
    kpi: str | KPI,
    datasets: Mapping[str, pd.DataFrame] | None = None,
    *,
    period: str | Month = "2026-10",
    window: str = "month",
    config: Config | None = None,
) -> Decimal | Unavailable:
    """The value of one KPI over one window, or the :class:`Unavailable` saying why not.

    :param kpi: a registered KPI id, or a KPI instance (it need not be registered).
    :param datasets: default: the demo company's.
    :param window: ``month``, ``ytd``, ``ltm`` or ``fy``, ending at ``period``.
    :return: the value (rounded as the engine rounds it), or an ``Unavailable`` instance
        whose ``str()`` is the reason shown to readers — returned, not raised.
    """
    if isinstance(kpi, str):
        kpis = plugins.get_registry().kpis
        if kpi not in kpis:
            raise PluginError(f"indicateur inconnu « {kpi} » : enregistrez son plugin avec registered()")
        kpi = kpis[kpi]
    ctx = kpi_context(datasets, config=config)
    config = config or make_config()
    engine = KPIEngine({kpi.id: kpi}, ctx, config.thresholds)
    value, reason = engine.value(kpi, ctx.window(window, as_month(period)))
    return value if value is not None else Unavailable(reason)
