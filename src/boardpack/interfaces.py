"""One small interface per kind of plugin.

A plugin returns subclasses (sources, channels) or instances (KPIs, charts, sections) of
these from the hooks in :mod:`boardpack.hookspecs`. Each names itself with a unique
``name`` (``id`` for a KPI); the registry refuses two plugins claiming the same name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .errors import DeliveryError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .kpi_context import KPIContext
    from .kpi_engine import KPIEngine
    from .pack import PackContext
    from .periods import Month, Window
    from .schema import DatasetSchema
    from .theme import ChartStyle

__all__ = [
    "Alert",
    "AlertRule",
    "Channel",
    "Chart",
    "Configurable",
    "Issue",
    "QualityCheck",
    "DataSource",
    "Delivery",
    "DeliveryFailure",
    "KPI",
    "Notice",
    "Section",
    "Thresholds",
    "Unavailable",
]


class Unavailable(Exception):
    """Raised by a KPI (or anything that computes a figure) that cannot be computed.

    The message is the reason shown to the reader beside « non disponible ».
    """


class Configurable(ABC):
    """A plugin type the config instantiates from a table: a source or a channel.

    ``options`` lists the keys it accepts with their meaning; the host refuses any other
    key, naming its path in the config, and checks ``required_options`` are present.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    options: ClassVar[Mapping[str, str]] = {}
    required_options: ClassVar[tuple[str, ...]] = ()

    def __init__(self, key: str, options: Mapping[str, Any], base_dir: Path) -> None:
        self.key = key
        self.settings = dict(options)
        self.base_dir = base_dir


class DataSource(Configurable):
    """Reads data from somewhere and returns canonical datasets.

    The host builds one instance per ``[sources.<id>]`` table of the config, passing the
    table's options (every key but ``type``). After :meth:`load`, a source may leave what
    it learnt for the host: ``findings`` (warnings shown by ``boardpack check``, errors with
    ``--strict``), ``fiscal_years`` (explicit fiscal-year spans, e.g. a FEC's own year) and
    ``opening_journals`` (journal codes holding à-nouveaux, with their labels).
    """

    findings: Sequence[Any] = ()
    fiscal_years: Sequence[tuple[Month, Month]] = ()
    opening_journals: Mapping[str, str] = {}
    #: the pack's month when the host knows it (``--period``); a remote source fetches up
    #: to the end of that month, and from far enough back for three fiscal years.
    period: Month | None = None
    #: ``True`` for a source that reads a remote API (Pennylane, QuickBooks, HubSpot…):
    #: ``boardpack fetch`` copies what it returns into a local snapshot and ``build`` reads
    #: that snapshot (offline, reproducible) unless ``--refresh``. Local file sources (csv,
    #: fec, demo) stay ``False``: their files are already local and are read as they are.
    remote: ClassVar[bool] = False

    def check(self) -> str:
        """Test the connection (or that the file is there) and say what was found, in one line.

        Used by ``boardpack sources check``. The default reads nothing and says so; remote
        sources make one cheap authenticated call.

        :raises boardpack.errors.SourceError: with one sentence saying what is wrong.
        """
        return "aucun contrôle de connexion pour ce type de source"

    @abstractmethod
    def load(self, schemas: Mapping[str, DatasetSchema]) -> dict[str, pd.DataFrame]:
        """Return the datasets this source holds, each coerced by its schema.

        :param schemas: every registered dataset schema, by name; use
            ``schemas[name].coerce(raw, origin)`` so errors name the file, line and column.
        :raises boardpack.errors.SourceError: when the data cannot be read at all.
        :raises boardpack.errors.DataError: when a value breaks its schema.
        """


@dataclass(frozen=True)
class Thresholds:
    """Where a KPI turns from ok to « à surveiller » (``warn``) and to « alerte » (``alert``).

    For a KPI where higher is better, a value below ``alert`` is an alert and one below
    ``warn`` is to be watched; for lower-is-better, above. Either bound may be ``None``.
    """

    warn: Decimal | None = None
    alert: Decimal | None = None


class KPI(ABC):
    """A key figure: what it is, how it is computed, for whom, and when to worry.

    ``unit`` is one of ``money`` (euros), ``percent``, ``days``, ``ratio``, ``count`` or a
    free unit label (``"pièces"``). ``direction`` is ``"up"`` when higher is better,
    ``"down"`` when lower is better, ``None`` when neither. ``needs`` lists the datasets
    the KPI reads; if one is missing the KPI is « non disponible » with that reason.
    ``budget_line`` names the ``budget`` line to compare with, if any.
    """

    id: ClassVar[str]
    label: ClassVar[Mapping[str, str]]
    formula: ClassVar[Mapping[str, str]]
    unit: ClassVar[str]
    needs: ClassVar[tuple[str, ...]] = ()
    direction: ClassVar[Literal["up", "down"] | None] = "up"
    thresholds: ClassVar[Thresholds | None] = None
    audiences: ClassVar[tuple[str, ...]] = ()
    budget_line: ClassVar[str | None] = None
    #: ``flow`` figures add up over a window (CA); ``stock`` figures are read at its end
    #: (trésorerie). A stock's budget is the budget of its last month.
    nature: ClassVar[Literal["flow", "stock"]] = "flow"
    #: The window shown on tiles and in alerts (``month``, ``ytd``, ``ltm`` or ``fy``).
    headline: ClassVar[str] = "month"

    @abstractmethod
    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Return the value over ``window``; raise :class:`Unavailable` with a reason if not computable."""

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Return the budgeted value over ``window`` (by default from ``budget_line``)."""
        if self.budget_line is None:
            raise Unavailable("pas de ligne budgétaire pour cet indicateur")
        return ctx.budget(self.budget_line, window, stock=self.nature == "stock")

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Return the value split by segment, customer, product or project, largest first.

        Only KPIs that can be split implement it; the others are « pas de ventilation ».
        """
        raise Unavailable("pas de ventilation pour cet indicateur")


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


class QualityCheck(ABC):
    """A data-quality gate run before any build (duplicates, missing months, suspense…)."""

    name: ClassVar[str]
    description: ClassVar[Mapping[str, str]]
    needs: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """Return the issues found; ``settings`` is the config's ``[quality]`` table."""


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


class AlertRule(ABC):
    """Turns figures into alerts (threshold crossed, budget overrun, late payers…)."""

    name: ClassVar[str]
    description: ClassVar[Mapping[str, str]]

    @abstractmethod
    def evaluate(self, engine: KPIEngine, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """Return the alerts for ``period``; ``settings`` is the config's ``[alerts]`` table."""


class Chart(ABC):
    """Draws one kind of chart on a matplotlib ``Figure`` that the host created and styled."""

    name: ClassVar[str]
    description: ClassVar[str] = ""

    @abstractmethod
    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """Draw ``data`` on ``figure`` (never through pyplot); ``style`` gives palette and formatters."""


class Section(ABC):
    """A part of a pack: a title, a Jinja template and the context to render it with.

    ``template`` is a path such as ``"sections/kpi_tiles.html"``, looked up through the
    theme chain; ``templates_dir`` lets a plugin ship its own templates folder.
    """

    name: ClassVar[str]
    title: ClassVar[Mapping[str, str]]
    template: ClassVar[str]
    templates_dir: ClassVar[Path | None] = None
    #: ``"landscape"`` puts the section on landscape pages (wide tables).
    page: ClassVar[str] = "portrait"

    @abstractmethod
    def context(self, pack: PackContext) -> dict[str, Any]:
        """Return the template context; raise :class:`Unavailable` to show the section as unavailable."""


@dataclass(frozen=True)
class Delivery:
    """A finished pack handed to a channel: where the PDF is and what it is.

    The fields after ``company`` are optional: ``boardpack deliver`` fills them, a channel
    may ignore them. ``recipient`` is one of :meth:`Channel.recipients` (the host always
    sets it; ``None`` only from a caller that does not log per recipient, which a channel
    with real recipients may refuse); ``schedule`` names the ``[[schedules]]`` entry (for a
    deterministic message id); ``kpis`` are the audience's headline figures already
    formatted in ``language`` (``label``, ``value``, ``window``, ``status``,
    ``status_label``); ``alerts`` its alerts
    (``severity``, ``title``, ``message``); ``link``, when set, is where the PDF was
    published because it was too big to attach: link to it instead of attaching it.
    """

    path: Path
    audience: str
    title: str
    period: str
    company: str
    recipient: str | None = None
    schedule: str = ""
    language: str = "fr"
    period_label: str = ""
    kpis: tuple[Mapping[str, str], ...] = ()
    alerts: tuple[Mapping[str, str], ...] = ()
    link: str | None = None


@dataclass(frozen=True)
class Notice:
    """A short text message to the config's owner (a pack held back, and why), already written."""

    recipient: str
    subject: str
    body: str
    schedule: str
    period: str
    company: str


class DeliveryFailure(DeliveryError):
    """A delivery that failed, saying whether trying again may help.

    ``outcome`` is ``"transient"`` (try again later: 4xx reply, connection refused),
    ``"permanent"`` (trying again will not help: 5xx reply, bad credentials) or
    ``"unknown"`` (the connection was lost after the message was handed over: it may have
    arrived, so the host will not send it again without ``--force``).
    """

    def __init__(self, message: str, outcome: Literal["transient", "permanent", "unknown"]) -> None:
        super().__init__(message)
        self.outcome = outcome


class Channel(Configurable):
    """Moves finished packs somewhere (a folder, an email, a webhook).

    Built once per ``[channels.<id>]`` table. Only :meth:`deliver` is required; the host
    logs one delivery per recipient of :meth:`recipients` (by default one pseudo-recipient,
    the channel's id) and calls :meth:`deliver` once per recipient.
    """

    #: the channel sends the PDF as an attachment: the host applies ``[delivery]
    #: max_attachment_mb`` and publishes a too-big PDF instead (``Delivery.link``)
    attaches: ClassVar[bool] = False
    #: the channel can send a :class:`Notice` (:meth:`notify`)
    notifies: ClassVar[bool] = False

    @abstractmethod
    def deliver(self, delivery: Delivery) -> str:
        """Deliver one pack; return a short receipt (where it went).

        :raises DeliveryFailure: saying whether the failure is transient, permanent or
            unknown; a plain :class:`~boardpack.errors.DeliveryError` counts as permanent.
        """

    def recipients(self, audience: str) -> list[str]:
        """Who receives ``audience``'s pack through this channel, one log entry each.

        An empty list means this channel does not deliver that audience (e.g. an ``email``
        channel without a ``[channels.<id>.audiences.<audience>]`` table).
        """
        return [self.key]

    def check_audiences(self, known: Sequence[str]) -> None:
        """Refuse the config's mistakes about audiences (a table for an unknown audience).

        Called by the host once the channel is built, with the config's audience ids.
        :raises boardpack.errors.ConfigError: naming the key path.
        """

    def notify(self, notice: Notice) -> str:
        """Send a :class:`Notice` (only when :attr:`notifies`); return a short receipt."""
        raise DeliveryError(f"canal « {self.key} » : ce type de canal ne sait pas envoyer d'avis")
