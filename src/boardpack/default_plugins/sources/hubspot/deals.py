"""HubSpot deals mapped onto the canonical ``deals`` dataset: pipelines and stages, statuses,
dates in the portal's time zone, amounts to exact cents, sources in French."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from boardpack.api.errors import SourceError

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")


__all__ = ["COLUMNS", "SOURCES_FR", "Pipeline", "Stage", "date_of", "deals_frame"]

#: the columns of the ``deals`` frame of strings handed to the schema
COLUMNS = ("deal_id", "name", "customer", "pipeline", "stage", "stage_probability", "amount", "created_date",
           "quote_date", "close_date", "status", "owner", "segment", "channel")


#: French labels of HubSpot's original-source codes (``hs_analytics_source``)
SOURCES_FR = {
    "ORGANIC_SEARCH": "Recherche naturelle", "PAID_SEARCH": "Recherche payante", "EMAIL_MARKETING": "E-mailing",
    "SOCIAL_MEDIA": "Réseaux sociaux", "PAID_SOCIAL": "Réseaux sociaux payants", "REFERRALS": "Sites référents",
    "OTHER_CAMPAIGNS": "Autres campagnes", "DIRECT_TRAFFIC": "Accès direct", "OFFLINE": "Hors ligne",
    "AI_REFERRALS": "Assistants IA",
}


@dataclass(frozen=True)
class Stage:
    """A pipeline stage: its label, probability (0 to 1) and whether it closes the deal."""

    id: str
    label: str
    probability: Decimal
    closed: bool


@dataclass(frozen=True)
class Pipeline:
    """A deal pipeline and its stages by id."""

    id: str
    label: str
    stages: Mapping[str, Stage] = field(default_factory=dict)


def date_of(value: Any, zone: ZoneInfo) -> str:
    """A HubSpot date/datetime value as ``AAAA-MM-JJ`` in ``zone`` (``""`` when empty).

    Accepts ISO timestamps (``2026-03-10T09:00:00.000Z``), dates (``2026-03-10``) and epoch
    milliseconds (``"1767225600000"``, older date properties).

    :raises ValueError: on anything else.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if text.isdigit():
        moment = dt.datetime.fromtimestamp(int(text) / 1000, tz=dt.UTC)
    elif len(text) == 10:
        return dt.date.fromisoformat(text).isoformat()
    else:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).date().isoformat()


def _status(deal: Mapping[str, Any], stage: Stage) -> str:
    if not stage.closed:
        return "open"
    if stage.probability == 1:
        return "won"
    if stage.probability == 0:
        return "lost"
    won = str((deal.get("properties") or {}).get("hs_is_closed_won") or "").lower() == "true"
    return "won" if won else "lost"


def _amount(text: Any, deal_id: str) -> str:
    try:
        return str(Decimal(str(text).strip()).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise SourceError(f"HubSpot : l'affaire {deal_id} a un montant illisible « {text} » ; corrigez-le dans "
                          "HubSpot") from None


def deals_frame(deals: Iterable[Mapping[str, Any]], pipelines: Mapping[str, Pipeline], owners: Mapping[str, str],
                customers: Mapping[str, str], fields: Mapping[str, str],
                zone: ZoneInfo) -> tuple[pd.DataFrame, list[str]]:
    """HubSpot deals as a frame of strings with the ``deals`` columns, and the warnings found.

    :param customers: deal id → customer name (from its primary company).
    :param fields: our field → HubSpot property (see :data:`DEFAULT_FIELDS`); empty = not read.
    :raises SourceError: on a deal whose pipeline or stage is unknown, or whose amount is unreadable.
    """
    rows, warnings = [], []
    no_amount, no_owner = [], set()
    for deal in deals:
        hubspot_id = str(deal["id"])
        props = deal.get("properties") or {}

        def value(name: str, props: Mapping[str, Any] = props) -> str:
            prop = fields.get(name) or ""
            found = props.get(prop) if prop else None
            return "" if found is None else str(found).strip()

        pipeline = pipelines.get(str(props.get("pipeline")))
        if pipeline is None:
            raise SourceError(f"HubSpot : l'affaire {hubspot_id} est dans un pipeline inconnu « {props.get('pipeline')} » "
                              "(supprimé ?) ; vérifiez les pipelines de transactions")
        stage = pipeline.stages.get(str(props.get("dealstage")))
        if stage is None:
            raise SourceError(f"HubSpot : l'affaire {hubspot_id} est à l'étape « {props.get('dealstage')} », absente du "
                              f"pipeline « {pipeline.label} » ; replacez-la à une étape existante")
        status = _status(deal, stage)
        amount = value("amount")
        if not amount:
            no_amount.append(hubspot_id)
        owner_id = value("owner")
        if owner_id and owner_id not in owners:
            no_owner.add(owner_id)
        channel = value("channel")
        if fields.get("channel") == "hs_analytics_source":
            channel = SOURCES_FR.get(channel, channel)
        try:
            dates = {name: date_of(value(name), zone) for name in ("created_date", "quote_date", "close_date")}
        except ValueError as exc:
            raise SourceError(f"HubSpot : l'affaire {hubspot_id} a une date illisible ({exc}) ; vérifiez le "
                              "type de la propriété dans l'option properties") from None
        rows.append({
            "deal_id": value("deal_id") or hubspot_id,
            "name": value("name"),
            "customer": customers.get(hubspot_id, ""),
            "pipeline": pipeline.label,
            "stage": stage.label,
            "stage_probability": str(stage.probability),
            "amount": _amount(amount, hubspot_id) if amount else "0",
            "created_date": dates["created_date"],
            "quote_date": dates["quote_date"],
            # an open deal's closedate is the *expected* close: not a signature or a loss
            "close_date": dates["close_date"] if status != "open" else "",
            "status": status,
            "owner": owners.get(owner_id, ""),
            "segment": value("segment"),
            "channel": channel,
        })
    if no_amount:
        warnings.append(f"HubSpot : {len(no_amount)} affaire(s) sans montant comptée(s) pour 0 € "
                        f"(par ex. {', '.join(no_amount[:3])}) ; renseignez le montant dans HubSpot")
    if no_owner:
        warnings.append(f"HubSpot : propriétaire(s) inconnu(s) {', '.join(sorted(no_owner)[:3])} ; le commercial "
                        "de ces affaires est laissé vide")
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    if len(frame):
        frame = frame.sort_values(["created_date", "deal_id"], kind="stable").reset_index(drop=True)
    return frame, warnings
