"""HubSpot CRM: the API client for deals, and their mapping onto the ``deals`` dataset.

The contract is ``connectors.md`` §3. Paths carry a version segment: ``v3`` (legacy,
``/crm/v3/objects/deals``) or a dated version (``2026-03``: ``/crm/objects/2026-03/deals``).
Deals come from the search endpoint, by windows of creation date (``createdate``); a window
whose ``total`` exceeds the search cap (10 000, past which HubSpot answers 400) is cut in
two, recursively. Pipelines (stage labels, probabilities and ``isClosed``, all strings),
owners (active and archived) and the deals' primary companies (v4 associations, then
companies in batches of 100) name what the deals only reference by id.

Every property value is a string: amounts are parsed with :class:`~decimal.Decimal`,
timestamps (UTC, milliseconds) become local calendar dates in the portal's time zone.
The search endpoint is limited to 5 requests per second, every call to HubSpot's burst limit
(100 per 10 s); the client keeps 80 % of each (4 searches per second, 80 calls per 10 s,
searches included) and pauses when ``X-HubSpot-RateLimit-Remaining`` reaches 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from boardpack.api import remote as http
from boardpack.api.errors import SourceError
from boardpack.api.remote import ApiClient, Provider

from .deals import COLUMNS, Pipeline, Stage

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import httpx
else:
    httpx = lazy_module("httpx")

__all__ = [
    "AUTH_HINT",
    "COLUMNS",
    "DEFAULT_FIELDS",
    "PRODUCTION_URL",
    "HubSpotClient",
    "Pipeline",
    "Routes",
    "Stage",
    "describe_error",
]

PRODUCTION_URL = "https://api.hubapi.com"


#: the most results one search query may page through (HubSpot: 10 000; the 10 001st is a 400)
SEARCH_CAP = 10_000


SEARCH_PAGE = 200


LIST_PAGE = 100


BATCH = 100


AUTH_HINT = ("vérifiez le jeton d'application privée HubSpot (option token) et ses portées "
             "crm.objects.deals.read, crm.objects.companies.read et crm.objects.owners.read")


#: our field → the HubSpot property holding it (``customer``: a property of the company)
DEFAULT_FIELDS: Mapping[str, str] = {
    "deal_id": "hs_object_id",
    "name": "dealname",
    "amount": "amount",
    "created_date": "createdate",
    "quote_date": "",
    "close_date": "closedate",
    "owner": "hubspot_owner_id",
    "segment": "segment",
    "channel": "hs_analytics_source",
    "customer": "name",
}


_DATED = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Routes:
    """The endpoints of one API version (``v3`` or a dated ``AAAA-MM`` version)."""

    version: str

    def __post_init__(self) -> None:
        if self.version != "v3" and not _DATED.match(self.version):
            raise ValueError(f"version d'API inconnue « {self.version} » (v3 ou une version datée comme 2026-03)")

    def _objects(self, kind: str) -> str:
        return f"/crm/v3/objects/{kind}" if self.version == "v3" else f"/crm/objects/{self.version}/{kind}"

    @property
    def deals(self) -> str:
        """List deals (``GET``, ``after`` paging)."""
        return self._objects("deals")

    @property
    def search(self) -> str:
        """Search deals (``POST``)."""
        return self._objects("deals") + "/search"

    @property
    def companies(self) -> str:
        """Read companies by id, 100 at a time (``POST``)."""
        return self._objects("companies") + "/batch/read"

    @property
    def pipelines(self) -> str:
        """Deal pipelines with their stages (``GET``, no paging)."""
        return "/crm/v3/pipelines/deals" if self.version == "v3" else f"/crm/pipelines/{self.version}/deals"

    @property
    def owners(self) -> str:
        """Owners (``GET``, ``after`` paging)."""
        return "/crm/v3/owners" if self.version == "v3" else f"/crm/owners/{self.version}"

    @property
    def associations(self) -> str:
        """Deal → company associations in batches (``POST``; v4 shape, also for dated versions)."""
        prefix = "/crm/v4/associations" if self.version == "v3" else f"/crm/associations/{self.version}"
        return f"{prefix}/deals/companies/batch/read"


def describe_error(response: httpx.Response) -> str:
    """HubSpot's message with its category and correlationId (what support asks for), never a token."""
    try:
        body = response.json()
    except ValueError:
        return re.sub(r"\s+", " ", response.text).strip()[:200]
    if not isinstance(body, dict):
        return ""
    parts = [str(body.get("message") or "").strip().rstrip(".")]
    scopes = [s for e in body.get("errors") or [] if isinstance(e, dict)
              for s in (e.get("context") or {}).get("requiredGranularScopes") or []]
    if scopes:
        parts.append("portée(s) requise(s) : " + ", ".join(scopes))
    for key, label in (("policyName", "limite"), ("category", "catégorie"), ("correlationId", "correlationId")):
        if body.get(key):
            parts.append(f"{label} {body[key]}")
    return ", ".join(p for p in parts if p)


class HubSpotClient:
    """HubSpot's CRM API for deals, through two rate-limited :class:`ApiClient` (search apart).

    :param token: the private-app (or service-key / OAuth) bearer token; sent in a header only.
    :param transport: an httpx transport (tests).
    :param margin: the share of HubSpot's published rate limits used (:data:`~boardpack.connectors.http.MARGIN`).
    """

    def __init__(self, token: str, *, base_url: str = PRODUCTION_URL, api_version: str = "v3",
                 timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
                 margin: float = http.MARGIN) -> None:
        self.routes = Routes(api_version)
        self.base_url = base_url

        def auth() -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        common: dict[str, Any] = {"auth": auth, "describe": describe_error, "transport": transport,
                                  "headers": {"Accept": "application/json"}}
        # Published: 100 requests per 10 s (Free/Starter burst), 5 searches per second; the
        # client keeps 80 % of each (http.MARGIN), and counts its searches in the 10-second
        # window too (whether HubSpot does is not documented: the safe side).
        self.api = ApiClient(Provider("HubSpot", base_url, rate=100, per=10.0, timeout=timeout,
                                      auth_hint=AUTH_HINT, margin=margin), **common)
        self.search_api = ApiClient(Provider("HubSpot", base_url, rate=5, per=1.0, timeout=timeout,
                                             auth_hint=AUTH_HINT, margin=margin), shared=self.api.limiter.windows, **common)

    def close(self) -> None:
        """Close both connection pools."""
        self.api.close()
        self.search_api.close()

    def __enter__(self) -> HubSpotClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plain calls -------------------------------------------------------------------
    def _get(self, path: str, params: Any = None) -> Any:
        return self.api.get_json(path, params, validate=_pace)

    def _post(self, path: str, body: Any) -> Any:
        """A read-only POST (batch read): retried like a GET."""
        return self.api.post_json(path, body, validate=_pace, idempotent=True)

    def _pages(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every result of a list endpoint, following ``paging.next.after`` to the last page."""
        results: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            page = self._get(path, {**params, **({"after": after} if after else {})})
            results.extend(page.get("results") or [])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return results

    def first_deals(self, limit: int = 1) -> list[dict[str, Any]]:
        """One page of the deal list (the connection test)."""
        return list(self._get(self.routes.deals, {"limit": limit, "archived": "false"}).get("results") or [])

    def list_deals(self, properties: Sequence[str]) -> list[dict[str, Any]]:
        """Every (non-archived) deal through the list endpoint, 100 per page."""
        return self._pages(self.routes.deals, {"limit": LIST_PAGE, "archived": "false",
                                               "properties": ",".join(properties)})

    def pipelines(self) -> dict[str, Pipeline]:
        """Deal pipelines by id, with their stages (probability and isClosed parsed from strings)."""
        found = {}
        for item in self._get(self.routes.pipelines).get("results") or []:
            stages = {}
            for stage in item.get("stages") or []:
                meta = stage.get("metadata") or {}
                try:
                    probability = Decimal(str(meta.get("probability")))
                except InvalidOperation:
                    raise SourceError(
                        f"HubSpot : l'étape « {stage.get('label')} » du pipeline « {item.get('label')} » n'a pas de "
                        f"probabilité lisible ({meta.get('probability')!r}) ; renseignez-la dans les paramètres "
                        "du pipeline") from None
                closed = str(meta.get("isClosed", "false")).lower() == "true"
                stages[str(stage["id"])] = Stage(str(stage["id"]), str(stage.get("label") or stage["id"]),
                                                 probability, closed)
            found[str(item["id"])] = Pipeline(str(item["id"]), str(item.get("label") or item["id"]), stages)
        return found

    def owners(self) -> dict[str, str]:
        """Owner id → « Prénom Nom », archived owners (people who left) included."""
        names = {}
        for archived in ("false", "true"):
            for owner in self._pages(self.routes.owners, {"limit": LIST_PAGE, "archived": archived}):
                name = " ".join(p for p in (owner.get("firstName"), owner.get("lastName")) if p).strip()
                names[str(owner["id"])] = name or str(owner.get("email") or owner["id"])
        return names

    def primary_companies(self, deal_ids: Sequence[str]) -> dict[str, str]:
        """Deal id → the id of its primary company (else its first one); deals without any are left out."""
        found = {}
        for start in range(0, len(deal_ids), BATCH):
            inputs = [{"id": i} for i in deal_ids[start:start + BATCH]]
            answer = self._post(self.routes.associations, {"inputs": inputs})
            for result in answer.get("results") or []:
                links = result.get("to") or []
                primary = [link for link in links
                           if any(t.get("typeId") == 5 or t.get("label") == "Primary"
                                  for t in link.get("associationTypes") or [])]
                chosen = (primary or links)[:1]
                if chosen:
                    found[str(result["from"]["id"])] = str(chosen[0]["toObjectId"])
        return found

    def company_names(self, company_ids: Iterable[str], prop: str = "name") -> dict[str, str]:
        """Company id → the value of ``prop`` (its name by default), 100 companies per call."""
        ids = sorted(set(company_ids))
        names = {}
        for start in range(0, len(ids), BATCH):
            body = {"properties": [prop], "inputs": [{"id": i} for i in ids[start:start + BATCH]]}
            for company in self._post(self.routes.companies, body).get("results") or []:
                names[str(company["id"])] = str((company.get("properties") or {}).get(prop) or "")
        return names

    # -- search ------------------------------------------------------------------------
    def search_created(self, low: int, high: int, groups: Sequence[Sequence[Mapping[str, Any]]],
                       properties: Sequence[str]) -> list[dict[str, Any]]:
        """Deals created in ``[low, high)`` (epoch ms) matching any of ``groups`` (filters AND-ed).

        Sends the same body (filters, sort) with every page's ``after``. When the first page's
        ``total`` is above the search cap, the window is cut in two and each half searched.
        """
        span = [{"propertyName": "createdate", "operator": "GTE", "value": str(low)},
                {"propertyName": "createdate", "operator": "LT", "value": str(high)}]
        body: dict[str, Any] = {
            "filterGroups": [{"filters": [*span, *group]} for group in groups],
            "properties": list(properties),
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "limit": SEARCH_PAGE,
        }
        page = self.search_api.post_json(self.routes.search, body, idempotent=True)  # a read
        total = int(page.get("total") or 0)
        if total > SEARCH_CAP:
            if high - low <= 1:
                raise SourceError(
                    f"HubSpot : plus de {SEARCH_CAP} affaires créées à la même milliseconde ({low}) ; la recherche "
                    "ne peut pas les parcourir, restreignez l'option pipelines")
            middle = (low + high) // 2
            return (self.search_created(low, middle, groups, properties)
                    + self.search_created(middle, high, groups, properties))
        results = list(page.get("results") or [])
        while after := ((page.get("paging") or {}).get("next") or {}).get("after"):
            page = self.search_api.post_json(self.routes.search, {**body, "after": str(after)}, idempotent=True)
            results.extend(page.get("results") or [])
        return results

    def deals_between(self, low: int, high: int, properties: Sequence[str],
                      pipeline_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
        """The deals a report over ``[low, high)`` needs, each once.

        Those created in the window, plus those created before it that closed in it or
        later, or are still open (``hs_is_closed`` false).
        """
        keep = [{"propertyName": "pipeline", "operator": "IN", "values": list(pipeline_ids)}] if pipeline_ids else []
        created = self.search_created(low, high, [keep], properties)
        older = self.search_created(0, low, [
            [{"propertyName": "closedate", "operator": "GTE", "value": str(low)}, *keep],
            [{"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"}, *keep],
        ], properties)
        unique = {str(d["id"]): d for d in [*older, *created]}
        return list(unique.values())


def _pace(response: httpx.Response) -> None:
    """Pause for the rest of HubSpot's interval when ``X-HubSpot-RateLimit-Remaining`` is 0."""
    remaining = response.headers.get("x-hubspot-ratelimit-remaining")
    interval = response.headers.get("x-hubspot-ratelimit-interval-milliseconds")
    if remaining is not None and remaining.strip() == "0" and interval and interval.strip().isdigit():
        http.log.info("HubSpot : limite de l'intervalle atteinte, pause de %s ms", interval)
        http.pause(int(interval) / 1000)
