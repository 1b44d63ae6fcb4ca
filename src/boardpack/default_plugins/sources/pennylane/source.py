"""The ``pennylane`` source: the ledger and the invoices from Pennylane's Company API v2.

The API, its traps and the mapping onto the datasets live in
:mod:`.client` and :mod:`.mapping`; this module reads the options, decides the span of
dates (up to the end of the pack's month, or today; from the start of the fiscal year three
years earlier, so the banker pack has its three years), and coerces the frames through the
dataset schemas.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar


from boardpack.api.errors import ConfigError
from boardpack.api import DataSource, Loaded, LoadRequest, hookimpl
from boardpack.api.periods import Month

if TYPE_CHECKING:  # the connector (httpx) is imported when the source is used, not at registration
    import datetime as dt

    from boardpack.api.remote import Options
    from .client import PennylaneClient

__all__ = ["PennylaneSource"]

log = logging.getLogger("boardpack.sources.pennylane")
_PROVIDED = ("entries", "invoices")
#: :data:`.client.PRODUCTION` (a test keeps them equal)
PRODUCTION = "https://app.pennylane.com"


class PennylaneSource(DataSource):
    """Pennylane (Company API v2): ``entries`` and ``invoices``, fiscal years, opening journals."""

    name = "pennylane"
    remote = True
    description = "Pennylane (API Company v2) : écritures, factures clients et fournisseurs, exercices."
    options: ClassVar[Mapping[str, str]] = {
        "token": "jeton d'accès de l'API Company v2 (Paramètres → Connectivité → Développeurs) : "
                 "{ env = \"PENNYLANE_TOKEN\" } ou { file = \"chemin\" }, jamais en clair",
        "base_url": f"adresse de l'API (défaut {PRODUCTION} ; un émulateur local : http://127.0.0.1:PORT)",
        "timeout": "délai maximal de chaque appel, en secondes (défaut 30)",
        "since": "premier mois lu, AAAA-MM (défaut : début de l'exercice trois ans avant celui de la période)",
        "until": "dernier mois lu, AAAA-MM (défaut : le mois du dossier, sinon aujourd'hui)",
        "include_drafts": "true : garder les écritures en brouillon (défaut false : elles sont écartées)",
        "datasets": "jeux à fournir parmi entries et invoices (défaut : les deux)",
        "segment_group": "groupe de catégories Pennylane donnant le segment des factures (défaut « Segment »)",
        "product_group": "groupe de catégories Pennylane donnant l'offre des factures (défaut « Produit »)",
        "deal_reference": "true : la référence externe (external_reference) des factures clients est l'identifiant "
                          "de l'affaire du CRM qu'elles facturent (deal_id) ; défaut false",
        "trial_balance": "false : ne pas comparer les lignes lues à la balance de Pennylane (défaut true)",
    }
    required_options = ("token",)

    # -- options -----------------------------------------------------------------------------
    @property
    def opts(self) -> Options:
        """The options, read with the rules every remote source shares."""
        from boardpack.api.remote import Options

        return Options(self.key, self.settings)

    def span(self, asked: Month | None = None) -> tuple[dt.date | None, dt.date]:
        """(first day or None for the default, last day) of the dates to read: the ``until``
        option, else the month ``asked`` (the request's), else the current month."""
        from boardpack.api.remote import this_month

        opts = self.opts
        since, until = opts.month("since"), opts.month("until")
        last = (until or asked or this_month()).last_day
        if since is not None and since.first_day > last:
            raise ConfigError(
                f"{opts.where('since')} : le mois {since} est postérieur à la fin de la lecture ({last:%m/%Y})")
        return (since.first_day if since else None), last

    def client(self) -> PennylaneClient:
        """A client on ``base_url`` with the resolved token."""
        from .client import PennylaneClient

        opts = self.opts
        return PennylaneClient(opts.secret("token", '{ env = "PENNYLANE_TOKEN" }'), opts.text("base_url", PRODUCTION),
                               opts.timeout())

    # -- the source ----------------------------------------------------------------------------
    def check(self) -> str:
        """``GET /me``: the company the token opens and its scopes."""
        with self.client() as client:
            me = client.me()
        company = me["company"]
        siren = f", SIREN {company['reg_no']}" if company.get("reg_no") else ""
        scopes = me.get("scopes") or []
        return (f"Pennylane : société « {company.get('name', '?')} »{siren}, "
                f"jeton valide ({len(scopes)} droit(s) d'accès)")

    def load(self, request: LoadRequest) -> Loaded:
        """Read the span's entries and invoices and coerce them by their schemas; the trial-balance
        gaps are the findings, with Pennylane's fiscal years and opening journals."""
        from .client import fetch

        opts = self.opts
        schemas = request.schemas
        since, until = self.span(request.until)
        datasets = opts.datasets(_PROVIDED)
        include_drafts, trial_balance = opts.flag("include_drafts", False), opts.flag("trial_balance", True)
        deal_reference = opts.flag("deal_reference", False)
        segment = opts.text("segment_group", "Segment", empty_ok=True)
        product = opts.text("product_group", "Produit", empty_ok=True)
        with self.client() as client:
            data = fetch(client, until, since, datasets=datasets, include_drafts=include_drafts,
                         segment_group=segment, product_group=product, trial_balance=trial_balance,
                         deal_reference=deal_reference)
        log.info("Pennylane : lecture du %s au %s, %d écriture(s) en brouillon écartée(s)",
                 data.since, data.until, data.drafts_excluded)
        frames = {name: schemas[name].coerce(frame, f"Pennylane ({name})")
                  for name, frame in data.frames.items() if name in schemas}
        return Loaded(frames, tuple(data.findings),
                      tuple((Month.of(start), Month.of(end)) for start, end in data.fiscal_years),
                      dict(data.opening_journals))


@hookimpl
def register_sources() -> list[type[DataSource]]:
    """Register the Pennylane source."""
    return [PennylaneSource]
