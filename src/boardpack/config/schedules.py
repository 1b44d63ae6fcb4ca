"""The ``[[schedules]]`` array and the ``[delivery]`` table: when packs go out, and how."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..api.records import Audience
from .checker import Checker
from .model import DeliveryConfig, PluginConfig, ScheduleConfig

__all__ = ["check_delivery", "check_schedules"]

_SCHEDULE = {"id", "cron", "timezone", "period", "audiences", "channels"}
_SCHEDULE_PERIODS = ("previous", "current", "latest")
_DELIVERY = {"owner", "log", "publish_dir", "publish_url", "max_attachment_mb", "retries", "backoff"}


def check_schedules(check: Checker, value: Any, audiences: tuple[Audience, ...],
               channels: tuple[PluginConfig, ...]) -> tuple[ScheduleConfig, ...]:
    """The ``[[schedules]]`` array: ids unique, cron and time zone valid, names known."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from croniter import croniter

    if not isinstance(value, list):
        raise check.fail("schedules", "un tableau de tables est attendu ([[schedules]])")
    known_audiences = [a.key for a in audiences]
    known_channels = [c.key for c in channels]
    out: list[ScheduleConfig] = []
    for index, raw in enumerate(value):
        key = f"schedules[{index}]"
        table = check.table(raw, key)
        check.keys(table, _SCHEDULE, key)
        ident = check.slug(check.string(table, "id", key), f"{key}.id")
        if any(s.id == ident for s in out):
            raise check.fail(f"{key}.id", f"identifiant « {ident} » déjà utilisé par un autre planning")
        cron = check.string(table, "cron", key)
        if len(cron.split()) != 5 or not croniter.is_valid(cron):
            raise check.fail(f"{key}.cron", f"expression cron invalide « {cron} » (5 champs : minute heure "
                                            "jour mois jour-de-semaine, par exemple « 0 7 5 * * »)")
        zone = check.string(table, "timezone", key, "Europe/Paris")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise check.fail(f"{key}.timezone", f"fuseau horaire IANA inconnu « {zone} » "
                                                "(par exemple « Europe/Paris »)") from None
        period = check.string(table, "period", key, "previous")
        if period not in _SCHEDULE_PERIODS:
            raise check.fail(f"{key}.period", f"« {period} » : previous, current ou latest attendu")
        names = {"audiences": (check.strings(table, "audiences", key), known_audiences),
                 "channels": (check.strings(table, "channels", key), known_channels)}
        for name, (given, known) in names.items():
            for position, item in enumerate(given):
                if item not in known:
                    raise check.fail(f"{key}.{name}[{position}]", f"« {item} » inconnu (définis : "
                                                                  f"{', '.join(known) or 'aucun'})")
        if not known_channels:
            raise check.fail(f"{key}.channels", "aucun canal de livraison défini ([channels.<id>] type = …)")
        out.append(ScheduleConfig(ident, cron, zone, period, names["audiences"][0], names["channels"][0]))
    return tuple(out)


def check_delivery(check: Checker, value: Any, base: Path) -> DeliveryConfig:
    """The ``[delivery]`` table, paths resolved from the config's folder."""
    table = check.table(value, "delivery")
    check.keys(table, _DELIVERY, "delivery")
    owner = check.string(table, "owner", "delivery", "") if "owner" in table else ""
    if owner and "@" not in owner:
        raise check.fail("delivery.owner", f"adresse électronique attendue, pas « {owner} »")
    numbers: dict[str, Decimal] = {}
    for name, default, integer in (("max_attachment_mb", 10, False), ("retries", 3, True), ("backoff", 30, False)):
        given = table.get(name, default)
        if (not isinstance(given, (int, float)) or isinstance(given, bool) or not math.isfinite(given) or given < 0
                or (integer and not isinstance(given, int)) or (name == "max_attachment_mb" and given <= 0)):
            raise check.fail(f"delivery.{name}", "un nombre entier positif est attendu" if integer
                             else "un nombre positif est attendu")
        numbers[name] = Decimal(str(given))
    publish_dir = table.get("publish_dir")
    return DeliveryConfig(
        owner=owner,
        log=base / check.string(table, "log", "delivery", "deliveries.sqlite3"),
        publish_dir=base / check.string(table, "publish_dir", "delivery") if publish_dir is not None else None,
        publish_url=check.string(table, "publish_url", "delivery", "") if "publish_url" in table else "",
        max_attachment_mb=numbers["max_attachment_mb"],
        retries=int(numbers["retries"]),
        backoff=numbers["backoff"],
    )
