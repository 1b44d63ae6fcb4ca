"""The ``hubspot`` source: the CRM's deals, read from HubSpot's API, as the ``deals`` dataset.

Options are checked when the source is built (a bad ``api_version`` or an unknown
``properties`` key stops before any call). :meth:`HubSpotSource.load` reads the pipelines,
the owners, the deals a report needs (see :meth:`~.client.HubSpotClient.deals_between`),
their primary companies, and hands the mapped frame of strings to the ``deals`` schema.
The window runs from ``since`` (default: far enough back for three fiscal years, whatever
month the fiscal year opens) to the end of ``until`` (default: the pack's month, else this month).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


from boardpack.api.errors import ConfigError, SourceError
from boardpack.api import DataSource, Loaded, LoadRequest, hookimpl
from boardpack.api.periods import Month

if TYPE_CHECKING:  # the connector (httpx) is imported when the source is built, not at registration
    from .client import HubSpotClient, Pipeline
    from boardpack.api.remote import Options

__all__ = ["HubSpotSource"]

#: :data:`.client.PRODUCTION_URL` (a test keeps them equal)
PRODUCTION_URL = "https://api.hubapi.com"
_ORIGIN = "HubSpot (affaires)"


class HubSpotSource(DataSource):
    """HubSpot CRM deals (with pipelines, owners and companies) as the ``deals`` dataset."""

    name = "hubspot"
    remote: ClassVar[bool] = True
    description = "CRM HubSpot (API v3 ou versions datées) : les affaires, avec pipelines, étapes, propriétaires et sociétés."
    options = {
        "token": "jeton d'application privée (ou clé de service) : { env = \"VAR\" } ou { file = \"chemin\" }",
        "base_url": f"adresse de l'API (défaut : {PRODUCTION_URL} ; un émulateur local pour les essais)",
        "api_version": "version de l'API : « v3 » (défaut) ou une version datée comme « 2026-03 »",
        "pipelines": "pipelines à garder, par identifiant ou libellé (défaut : tous)",
        "properties": "propriétés HubSpot de nos champs (deal_id, name, amount, created_date, quote_date, "
                      "close_date, owner, segment, channel ; customer = propriété de la société) ; "
                      "« » pour ne pas lire un champ",
        "method": "« search » (défaut : recherche par fenêtres de dates) ou « list » (toutes les affaires)",
        "timezone": "fuseau horaire du portail, pour les dates (défaut : Europe/Paris)",
        "since": "premier mois lu AAAA-MM (défaut : trois exercices avant le mois du dossier)",
        "until": "dernier mois lu AAAA-MM (défaut : le mois du dossier, sinon le mois en cours)",
        "timeout": "délai maximal de chaque appel, en secondes (défaut : 30)",
    }
    required_options = ("token",)

    def __init__(self, key: str, options: Mapping[str, Any], base_dir: Path) -> None:
        from .client import Routes
        from boardpack.api.remote import Options

        super().__init__(key, options, base_dir)
        self.opts: Options = Options(key, self.settings)
        self.fields = self._fields()
        self.zone = self._zone()
        self.version = self.opts.text("api_version", "v3")
        try:
            Routes(self.version)
        except ValueError as exc:
            raise ConfigError(f"{self._key('api_version')} : {exc}") from None
        self.method = self.opts.text("method", "search")
        if self.method not in ("search", "list"):
            raise ConfigError(f"{self._key('method')} : « {self.method} » inconnu (search ou list)")
        self.wanted_pipelines = self._pipelines()
        self.since = self.opts.month("since")
        self.until = self.opts.month("until")
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"{self._key('since')} : {self.since} est après until ({self.until})")
        self.timeout = self.opts.timeout()
        self.opts.secret("token", '{ env = "HUBSPOT_TOKEN" }')

    # -- options ---------------------------------------------------------------------
    def _key(self, option: str) -> str:
        return self.opts.where(option)

    def _zone(self) -> ZoneInfo:
        name = self.opts.text("timezone", "Europe/Paris")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{self._key('timezone')} : fuseau horaire inconnu « {name} » (ex. Europe/Paris)") from None

    def _pipelines(self) -> list[str]:
        value = self.settings.get("pipelines", [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{self._key('pipelines')} : une liste d'identifiants ou de libellés est attendue")
        return list(value)

    def _fields(self) -> dict[str, str]:
        from .client import DEFAULT_FIELDS

        value = self.settings.get("properties", {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self._key('properties')} : une table champ = \"propriété\" est attendue")
        fields = dict(DEFAULT_FIELDS)
        for name, prop in value.items():
            if name not in DEFAULT_FIELDS:
                close = difflib.get_close_matches(name, list(DEFAULT_FIELDS), n=1)
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                raise ConfigError(f"{self._key('properties.' + name)} : champ inconnu (champs : "
                                  f"{', '.join(DEFAULT_FIELDS)}){hint}")
            if not isinstance(prop, str):
                raise ConfigError(f"{self._key('properties.' + name)} : le nom d'une propriété HubSpot est attendu")
            fields[name] = prop.strip()
        for name in ("deal_id", "amount", "created_date"):
            if not fields[name]:
                raise ConfigError(f"{self._key('properties.' + name)} : ce champ est obligatoire, il ne peut pas être vide")
        return fields

    # -- the API ---------------------------------------------------------------------
    def client(self) -> HubSpotClient:
        """A client for this source's portal (close it after use)."""
        from .client import HubSpotClient

        base_url = self.opts.text("base_url", PRODUCTION_URL).rstrip("/")
        return HubSpotClient(self.opts.secret("token", '{ env = "HUBSPOT_TOKEN" }'), base_url=base_url,
                             api_version=self.version, timeout=self.timeout)

    def window(self, asked: Month | None = None, today: dt.date | None = None) -> tuple[Month, Month]:
        """The first and last months read: ``until``, else the month ``asked`` (the request's),
        else this month; from ``since``, else :func:`~boardpack.api.remote.default_since`
        without the fiscal year's first month (a CRM does not know it: the conservative 47
        months back)."""
        from boardpack.api.remote import default_since, this_month

        last = self.until or asked or (Month.of(today) if today else this_month())
        return self.since or default_since(last), last

    def check(self) -> str:
        """Read one deal: proves the address, the token and the deals scope."""
        with self.client() as client:
            found = client.first_deals(1)
        what = "au moins une affaire lisible" if found else "aucune affaire dans le portail"
        return f"HubSpot (API {self.version}) : connexion établie, {what}"

    def load(self, request: LoadRequest) -> Loaded:
        """Fetch the deals of the window: the ``deals`` dataset, and what could not be mapped as findings."""
        from .deals import deals_frame

        first, last = self.window(request.until)
        low, high = self._millis(first.first_day), self._millis(last.last_day + dt.timedelta(days=1))
        properties = sorted({p for name, p in self.fields.items() if p and name != "customer"}
                            | {"pipeline", "dealstage", "hs_is_closed", "hs_is_closed_won", "createdate", "closedate"})
        with self.client() as client:
            pipelines = client.pipelines()
            keep = self._keep(pipelines)
            if self.method == "search":
                deals = client.deals_between(low, high, properties, [p.id for p in keep] if self.wanted_pipelines else ())
            else:
                deals = [d for d in client.list_deals(properties) if self._relevant(d, low, high, keep)]
            owners = client.owners() if self.fields["owner"] else {}
            companies = client.primary_companies([str(d["id"]) for d in deals]) if self.fields["customer"] else {}
            names = client.company_names(companies.values(), self.fields["customer"]) if companies else {}
        customers = {deal: names.get(company, "") for deal, company in companies.items()}
        frame, findings = deals_frame(deals, pipelines, owners, customers, self.fields, self.zone)
        return Loaded({"deals": request.schemas["deals"].coerce(frame, _ORIGIN)}, tuple(findings))

    def _millis(self, day: dt.date) -> int:
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=self.zone).timestamp() * 1000)

    def _keep(self, pipelines: Mapping[str, Pipeline]) -> list[Pipeline]:
        """The pipelines named by the ``pipelines`` option (all when it is empty)."""
        if not self.wanted_pipelines:
            return list(pipelines.values())
        keep = []
        for wanted in self.wanted_pipelines:
            match = [p for p in pipelines.values() if wanted in (p.id, p.label)]
            if not match:
                known = ", ".join(f"{p.label} ({p.id})" for p in pipelines.values())
                raise SourceError(f"source « {self.key} » : pipeline HubSpot « {wanted} » introuvable (pipelines : "
                                  f"{known}) ; corrigez l'option pipelines")
            keep.extend(match)
        return keep

    def _relevant(self, deal: Mapping[str, Any], low: int, high: int, keep: list[Pipeline]) -> bool:
        """The search's rule applied to a listed deal: its pipeline kept, created before the end,
        and created in the window, closed in it or later, or still open."""
        props = deal.get("properties") or {}
        if self.wanted_pipelines and str(props.get("pipeline")) not in {p.id for p in keep}:
            return False
        created = _epoch(props.get("createdate"))
        if created is None or created >= high:
            return False
        if created >= low or str(props.get("hs_is_closed", "")).lower() == "false":
            return True
        closed = _epoch(props.get("closedate"))
        return closed is not None and closed >= low


def _epoch(value: Any) -> int | None:
    """An ISO timestamp (or epoch ms) as epoch milliseconds; None when empty."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


@hookimpl
def register_sources() -> list[type[DataSource]]:
    """Register the HubSpot source."""
    return [HubSpotSource]
