"""Delivery-channel plugins: the :class:`Channel` interface and what it is handed.

A channel plugin returns :class:`Channel` subclasses from ``register_channels``; the config
builds one per ``[channels.<id>]`` table with ``type = "<name>"``. Only a channel moves bytes
out of the machine. The host keeps the delivery log (one line per pack, channel and recipient,
so nothing is sent twice), builds each :class:`Delivery` and calls :meth:`Channel.deliver`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from ..errors import DeliveryError
from .settings import Configurable

__all__ = ["Channel", "Delivery", "DeliveryFailure", "Notice"]


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
