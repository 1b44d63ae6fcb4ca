"""The ``pennylane`` source: the ledger and the invoices from Pennylane's Company API v2.

The API, its traps and the mapping onto the datasets live in
:mod:`boardpack.connectors.pennylane`; this module reads the options, decides the span of
dates (up to the end of the pack's month, or today; from the start of the fiscal year three
years earlier, so the banker pack has its three years), and coerces the frames through the
dataset schemas.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ..connectors.pennylane import PRODUCTION, PennylaneClient, fetch
from ..errors import ConfigError
from ..hookspecs import hookimpl
from ..interfaces import DataSource
from ..periods import Month
from ..schema import DatasetSchema

__all__ = ["PennylaneSource"]

log = logging.getLogger("boardpack.sources.pennylane")
_PROVIDED = ("entries", "invoices")
_TRUE = {"true", "oui", "yes", "1"}
_FALSE = {"false", "non", "no", "0", ""}


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

    def __init__(self, key: str, options: Mapping[str, Any], base_dir: Path) -> None:
        super().__init__(key, options, base_dir)
        #: the trial-balance gaps found by the last :meth:`load` (one sentence each)
        self.findings: list[str] = []
        self.fiscal_years: list[tuple[Month, Month]] = []
        self.opening_journals: dict[str, str] = {}

    # -- options -----------------------------------------------------------------------------
    def _where(self, option: str) -> str:
        return f"clé « sources.{self.key}.{option} »"

    def _flag(self, option: str, default: bool) -> bool:
        value = self.settings.get(option, default)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ConfigError(f"{self._where(option)} : true ou false attendu, pas « {value} »")

    def _month(self, option: str) -> Month | None:
        value = self.settings.get(option)
        if value in (None, ""):
            return None
        try:
            return Month.parse(str(value))
        except ValueError:
            raise ConfigError(f"{self._where(option)} : un mois AAAA-MM est attendu, pas « {value} »") from None

    def _text(self, option: str, default: str) -> str:
        value = self.settings.get(option, default)
        if not isinstance(value, str):
            raise ConfigError(f"{self._where(option)} : un texte est attendu")
        return value

    def _timeout(self) -> float:
        value = self.settings.get("timeout", 30)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(
                f"{self._where('timeout')} : un nombre de secondes positif est attendu, pas « {value} »")
        return float(value)

    def _datasets(self) -> tuple[str, ...]:
        names = self.settings.get("datasets", list(_PROVIDED))
        if not isinstance(names, list) or not names or any(n not in _PROVIDED for n in names):
            raise ConfigError(f"{self._where('datasets')} : une liste parmi {', '.join(_PROVIDED)} est attendue")
        return tuple(names)

    def span(self) -> tuple[dt.date | None, dt.date]:
        """(first day or None for the default, last day) of the dates to read."""
        since, until = self._month("since"), self._month("until")
        last = until.last_day if until else self.period.last_day if self.period else dt.date.today()
        if since is not None and since.first_day > last:
            raise ConfigError(
                f"{self._where('since')} : le mois {since} est postérieur à la fin de la lecture ({last:%m/%Y})")
        return (since.first_day if since else None), last

    def client(self) -> PennylaneClient:
        """A client on ``base_url`` with the resolved token."""
        token = self.settings.get("token")
        if not isinstance(token, str) or not token.strip():
            raise ConfigError(
                f"{self._where('token')} : jeton absent ou vide ; indiquez {{ env = \"PENNYLANE_TOKEN\" }}")
        return PennylaneClient(token.strip(), self._text("base_url", PRODUCTION), self._timeout())

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

    def load(self, schemas: Mapping[str, DatasetSchema]) -> dict[str, pd.DataFrame]:
        """Read the span's entries and invoices and coerce them by their schemas."""
        since, until = self.span()
        datasets = self._datasets()
        include_drafts, trial_balance = self._flag("include_drafts", False), self._flag("trial_balance", True)
        deal_reference = self._flag("deal_reference", False)
        segment, product = self._text("segment_group", "Segment"), self._text("product_group", "Produit")
        with self.client() as client:
            data = fetch(client, until, since, datasets=datasets, include_drafts=include_drafts,
                         segment_group=segment, product_group=product, trial_balance=trial_balance,
                         deal_reference=deal_reference)
        log.info("Pennylane : lecture du %s au %s, %d écriture(s) en brouillon écartée(s)",
                 data.since, data.until, data.drafts_excluded)
        self.findings = list(data.findings)
        self.fiscal_years = [(Month.of(start), Month.of(end)) for start, end in data.fiscal_years]
        self.opening_journals = dict(data.opening_journals)
        return {name: schemas[name].coerce(frame, f"Pennylane ({name})")
                for name, frame in data.frames.items() if name in schemas}


@hookimpl
def register_sources() -> list[type[DataSource]]:
    """Register the Pennylane source."""
    return [PennylaneSource]
