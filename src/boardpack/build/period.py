"""The reporting month, resolved once per run and passed forward as an immutable value.

Two questions, each answered in one place:

* before any data is read, what was *asked*: ``--period``, else ``[build] period``, else
  nothing (« the latest month the data has ») — :func:`load_request`, which also says up to
  which month remote sources read (the asked month, else the current one);
* once the data is read, which month the packs are *for*: the asked month, else the last
  month of the ledger — :func:`resolve_period`.

Nothing else in boardpack decides a period: sources read it from their
:class:`~boardpack.api.sources.LoadRequest`, sections and rules receive the resolved month.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..api.sources import LoadRequest
from ..errors import DataError, Unavailable
from ..periods import Month

if TYPE_CHECKING:
    from ..api.kpis import KPIContext
    from ..config import Config
    from ..schema import DatasetSchema

__all__ = ["load_request", "resolve_period"]


def load_request(config: Config, schemas: Mapping[str, DatasetSchema], period: Month | None = None) -> LoadRequest:
    """What the sources are asked for: ``period`` (else ``[build] period``), and the month remote
    sources read up to (that period, else the current month in local time)."""
    from ..connectors.common import this_month

    asked = period or config.period
    return LoadRequest(schemas, asked, asked or this_month())


def resolve_period(request: LoadRequest, ctx: KPIContext) -> Month:
    """The month the packs are for: the one asked, else the ledger's last month.

    :raises DataError: when nothing was asked and there is no ledger to read it from.
    """
    if request.period is not None:
        return request.period
    try:
        return ctx.ledger.last
    except Unavailable as exc:
        raise DataError(f"impossible de choisir la période par défaut : {exc} ; indiquez --period") from None
