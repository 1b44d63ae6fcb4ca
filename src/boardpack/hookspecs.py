"""The whole plugin contract of boardpack, in one place.

Every hook is *collective*: the host calls it on every registered plugin (built-in and
third-party alike) and gathers what each returns. Plugins describe; the host does the IO.
A plugin implements a hook by defining a function of the same name decorated with
:data:`boardpack.hookimpl`. A decorated function whose name is not listed here stops the
program at start-up, so a misspelling never goes unnoticed.

The host calls the hooks once per process, when it first needs the registry
(:func:`boardpack.plugins.get_registry`), in this order: ``register_datasets``,
``register_sources``, ``register_kpis``, ``register_charts``, ``register_sections``,
``register_themes``, ``register_channels``, ``register_quality_checks``,
``register_alert_rules``, ``register_forecast_drivers``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .api.alerts import AlertRule
    from .api.channels import Channel
    from .api.charts import Chart
    from .api.checks import QualityCheck
    from .api.datasets import DatasetSchema
    from .api.forecast import ForecastDriver
    from .api.kpis import KPI
    from .api.sections import Section
    from .api.sources import DataSource

__all__ = ["hookimpl", "hookspec", "PROJECT"]

PROJECT = "boardpack"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_datasets() -> list[DatasetSchema]:
    """Declare canonical datasets (the contract between sources and KPIs).

    Called once when the registry is built, before any source is read.

    :return: a list of :class:`boardpack.schema.DatasetSchema`, each with a unique ``name``.
        The built-in ones are ``entries``, ``invoices``, ``deals``, ``ops_metrics``, ``budget``,
        ``loans`` and ``marketing``. A plugin may add its own for its own KPIs.
    """


@hookspec
def register_sources() -> list[type[DataSource]]:
    """Declare data-source types, selected in the config by ``[sources.<id>] type = "<name>"``.

    Called once when the registry is built.

    :return: a list of :class:`boardpack.api.DataSource` subclasses, each with a unique
        ``name``. The host instantiates one per ``[sources.<id>]`` table, passing that table
        (without ``type``) and the config folder, then calls ``load()``.
    """


@hookspec
def register_kpis() -> list[KPI]:
    """Declare KPIs.

    Called once when the registry is built.

    :return: a list of :class:`boardpack.api.KPI` instances, each with a unique ``id``.
        The KPI engine computes each for every window (month, YTD, LTM, fiscal year) and its
        comparisons; a KPI whose datasets are missing is reported "non disponible".
    """


@hookspec
def register_charts() -> list[Chart]:
    """Declare chart types that sections can ask the host to draw.

    Called once when the registry is built.

    :return: a list of :class:`boardpack.api.Chart` instances, each with a unique ``name``.
        The host creates the matplotlib ``Figure`` in the theme's style, calls ``draw`` and
        embeds the result as SVG.
    """


@hookspec
def register_sections() -> list[Section]:
    """Declare report sections, selected per audience by ``[audiences.<id>] sections``.

    Called once when the registry is built.

    :return: a list of :class:`boardpack.api.Section` instances, each with a unique
        ``name``. The host calls ``context(pack)`` and renders ``template`` with it.
    """


@hookspec
def register_themes() -> list[Path]:
    """Declare theme folders (each holding a ``theme.toml``).

    Called once when the registry is built. Themes found in the config's ``[themes] dirs``
    are added to these.

    :return: a list of folder paths; each folder's ``theme.toml`` gives the theme's ``name``.
    """


@hookspec
def register_channels() -> list[type[Channel]]:
    """Declare delivery-channel types, selected by ``[channels.<id>] type = "<name>"``.

    Called once when the registry is built.

    :return: a list of :class:`boardpack.api.Channel` subclasses, each with a unique
        ``name``. The host instantiates one per ``[channels.<id>]`` table and calls
        ``deliver()`` with each finished PDF.
    """


@hookspec
def register_quality_checks() -> list[QualityCheck]:
    """Declare data-quality gates, run by ``boardpack check`` and before every build.

    Called once when the registry is built.

    :return: a list of :class:`boardpack.api.QualityCheck` instances, each with a
        unique ``name``. The host runs each whose ``needs`` datasets are loaded, passing the
        config's ``[quality]`` table; a ``blocking`` issue stops ``build --strict``.
    """


@hookspec
def register_alert_rules() -> list[AlertRule]:
    """Declare alert rules, evaluated after the KPIs for the reporting month.

    Called once when the registry is built.

    :return: a list of :class:`boardpack.api.AlertRule` instances, each with a
        unique ``name``. The host passes the KPI engine, the period and the config's
        ``[alerts]`` table, and routes each alert to its ``audiences``.
    """


@hookspec
def register_forecast_drivers() -> list[ForecastDriver]:
    """Declare forecast drivers: the lines of the 12-month cash plan.

    Called once when the registry is built, after ``register_alert_rules``.

    :return: a list of :class:`boardpack.api.forecast.ForecastDriver` instances, each with a
        unique ``name``. For each scenario the host runs them in ``order`` from the opening
        cash, each seeing the lines of those before it; a driver without data raises
        ``Unavailable`` and the plan says so.
    """
