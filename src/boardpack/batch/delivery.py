"""``boardpack deliver PORTFOLIO``: each company's packs delivered through one exactly-once log.

Every company is delivered by the same :class:`~boardpack.delivery.Runner` as ``boardpack
deliver CONFIG``, with its config keyed by company: its schedules are renamed
``<company id>/<schedule id>`` (a company with no ``[[schedules]]`` delivering by hand uses
``<company id>/manuel``) and its log is the portfolio's (``[portfolio] log``, default
``deliveries.sqlite3`` beside the portfolio). One SQLite log thus holds every company's
deliveries, each row keyed by company, schedule, period, audience, channel and recipient: a pack
goes once to each recipient even when two companies share a recipient (the firm's partner), and
a rerun sends nothing twice. The packs are built into ``<out>/<company id>/``.

A company given by its data uses the template's channels, schedules and recipients (the firm's
own addresses, typically); a company that must reach its own recipients has its own config.
One company's failure (its data, a channel refusing) never stops the others.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..errors import BoardpackError
from ..periods import Month
from .company import company_config, template_data
from .portfolio import CompanyEntry, Portfolio

__all__ = ["CompanyDelivery", "deliver_portfolio", "keyed_config"]


def keyed_config(config: Config, entry: CompanyEntry, portfolio: Portfolio, manual: bool) -> Config:
    """``config`` with its schedules keyed by company, the portfolio's log and the company's output folder.

    :param manual: give a config without schedules the company's ``<id>/manuel`` one (``--period``).
    """
    from ..delivery.runner import MANUAL

    schedules = tuple(dataclasses.replace(s, id=f"{entry.id}/{s.id}") for s in config.schedules)
    if not schedules and manual:
        schedules = (dataclasses.replace(MANUAL, id=f"{entry.id}/{MANUAL.id}"),)
    return dataclasses.replace(config, schedules=schedules, out=portfolio.out / entry.id,
                               delivery=dataclasses.replace(config.delivery, log=portfolio.log))


@dataclass
class CompanyDelivery:
    """What delivering one company did: the runner's reports and notes, or the error that stopped it."""

    id: str
    reports: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: BoardpackError | None = None


def deliver_portfolio(portfolio: Portfolio, due: bool, period: Month | None = None, only: tuple[str, ...] = (),
                      force: bool = False, now: dt.datetime | None = None,
                      check: Callable[[Config], None] | None = None) -> list[CompanyDelivery]:
    """Deliver each company (those in ``only``): what is due now (``due``), else ``period`` by hand.

    :param check: called with each keyed config before its log is opened (the command line checks
        its channels and secrets there); an error fails that company only.
    """
    from ..delivery import DeliveryLog, Runner

    template = template_data(portfolio.template) if portfolio.template is not None else None
    results = []
    for entry in portfolio.select(list(only)):
        result = CompanyDelivery(entry.id)
        results.append(result)
        try:
            config = keyed_config(company_config(entry, portfolio.template, template_text=template), entry,
                                  portfolio, manual=not due)
            if due and not config.schedules:
                result.notes.append(f"société « {entry.id} » : aucun planning [[schedules]], rien n'est dû")
                continue
            if check is not None:
                check(config)
            with DeliveryLog(portfolio.log) as log:
                runner = Runner(config, log, refresh=due, **({"clock": lambda: now} if now else {}))
                if due:
                    result.reports, result.notes = runner.run_due()
                else:
                    result.reports = runner.deliver(period, (), (), force)
        except BoardpackError as exc:
            result.error = exc
    return results
