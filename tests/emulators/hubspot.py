"""A HubSpot CRM emulator serving the demo company's deals (connectors.md §3 and §4).

Start-up turns the demo ``deals`` rows into HubSpot objects: deals whose property values are
all strings (amounts, booleans, ISO timestamps with milliseconds in UTC), the companies they
are associated with (v4 associations, a primary label), owners (one archived: he left the
company), and the pipeline with its stages, whose ``probability``/``isClosed`` are strings.
Extra objects make the traps visible: a second pipeline « Partenariats » with three deals
(one without company), two archived deals (never served by search), open deals carrying an
*expected* ``closedate`` in the future, a deal with two companies (the primary one counts)
and timestamps that fall on the previous day in UTC.

Served under both ``/crm/v3/...`` (``/crm/v4/associations``) and the dated
``/crm/objects/2026-03/...`` forms, with the contract's limits: list ``limit`` ≤ 100,
search ``limit`` ≤ 200 with a result cap (``search_cap``, 10 000 by default, lowered by
tests) past which paging is a 400, search bodies ≤ 3 000 characters and ≤ 5 filter groups
of ≤ 6 filters (18 in all), the ``X-HubSpot-RateLimit-*`` headers on every non-search
answer, 429 JSON bodies with ``policyName`` and errors ``{status, message, correlationId,
category}``. ``enforce_limits`` turns the rate limits on (10 s rolling window and 5 search
requests per second, measured on ``clock``, which tests may share with the client's).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from .base import Emulator, Request, Response, demo_datasets

__all__ = ["TOKEN", "HubSpotEmulator", "deal_properties"]

#: the private-app token the emulator accepts unless told otherwise (fake, test only)
TOKEN = "pat-eu1-00000000-emul-ator0-0000-000000000000"
PARIS = ZoneInfo("Europe/Paris")
#: custom deal properties the emulated portal uses for what our ``deals`` dataset needs
CUSTOM = {"deal_id": "reference_affaire", "segment": "secteur", "channel": "canal_acquisition",
          "quote_date": "date_envoi_devis"}
ALL_SCOPES = frozenset({"crm.objects.deals.read", "crm.objects.companies.read", "crm.objects.owners.read"})
_DEFAULT_DEAL_PROPERTIES = ("dealname", "amount", "closedate", "pipeline", "dealstage", "createdate",
                            "hs_lastmodifieddate", "hs_object_id")
_DATETIMES = {"createdate", "closedate", "hs_lastmodifieddate"}
_DATES = {CUSTOM["quote_date"]}
_VERSION = r"(?:v3|\d{4}-\d{2})"
_ROUTES: list[tuple[str, str, str, str]] = [
    # method, regex, handler, required scope
    ("GET", rf"^/crm/(?:v3/objects|objects/{_VERSION})/deals/?$", "_list_deals", "crm.objects.deals.read"),
    ("POST", rf"^/crm/(?:v3/objects|objects/{_VERSION})/deals/search/?$", "_search", "crm.objects.deals.read"),
    ("GET", rf"^/crm/(?:v3/pipelines|pipelines/{_VERSION})/deals/?$", "_pipelines", "crm.objects.deals.read"),
    ("GET", rf"^/crm/(?:v3/owners|owners/{_VERSION})/?$", "_owners", "crm.objects.owners.read"),
    ("POST", rf"^/crm/(?:v4/associations|associations/{_VERSION})/deals/companies/batch/read/?$",
     "_associations", "crm.objects.deals.read"),
    ("POST", rf"^/crm/(?:v3/objects|objects/{_VERSION})/companies/batch/read/?$", "_companies",
     "crm.objects.companies.read"),
]


def _iso(moment: dt.datetime) -> str:
    """HubSpot's timestamp form: UTC with milliseconds and a Z."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _local(day: pd.Timestamp, minutes: int) -> dt.datetime:
    """``minutes`` after midnight of ``day`` in Paris, as an aware datetime."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=PARIS) + dt.timedelta(minutes=minutes)


def _amount(cents: int) -> str:
    """An amount as HubSpot returns it: a string, no trailing zeros (``"41000"``, ``"1234.5"``)."""
    text = str(Decimal(cents).scaleb(-2).normalize())
    return f"{Decimal(text):f}"


def _probability(value: float) -> str:
    """A stage probability as HubSpot writes it (``"0.1"``, ``"1.0"``, ``"0.0"``)."""
    return str(round(float(value), 4))


def deal_properties(row: Any, index: int, stage_id: str, owner_id: str, closed: bool) -> dict[str, str | None]:
    """The HubSpot properties of one demo deal (every value a string, or None)."""
    hubspot_id = str(9_000_000_000 + index)
    # created between 00:10 and 01:50 Paris time: in UTC that is often the day before
    created = _local(row.created_date, 10 + (index * 37) % 100)
    properties: dict[str, str | None] = {
        "hs_object_id": hubspot_id,
        "dealname": row.name,
        "amount": _amount(int(row.amount)),
        "createdate": _iso(created),
        "pipeline": "default",
        "dealstage": stage_id,
        "hubspot_owner_id": owner_id,
        "hs_is_closed": "true" if closed else "false",
        "hs_is_closed_won": "true" if row.status == "won" else "false",
        CUSTOM["deal_id"]: row.deal_id,
        CUSTOM["segment"]: row.segment or None,
        CUSTOM["channel"]: row.channel or None,
        CUSTOM["quote_date"]: row.quote_date.strftime("%Y-%m-%d") if pd.notna(row.quote_date) else None,
    }
    if closed:
        properties["closedate"] = _iso(_local(row.close_date, 5 + (index * 53) % 90))
    elif index % 2 == 0:  # an open deal's closedate is the *expected* one, not a close
        properties["closedate"] = _iso(_local(pd.Timestamp(2027, 1, 1) + pd.Timedelta(days=index % 200), 600))
    else:
        properties["closedate"] = None
    last = properties["closedate"] if closed else properties["createdate"]
    properties["hs_lastmodifieddate"] = last
    return properties


class HubSpotEmulator(Emulator):
    """The HubSpot CRM API (deals, pipelines, owners, companies, associations) on 127.0.0.1."""

    def __init__(self, token: str = TOKEN, *, search_cap: int = 10_000, scopes: Iterable[str] = ALL_SCOPES,
                 enforce_limits: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.token = token
        self.scopes = set(scopes)
        self.search_cap = search_cap
        self.body_limit = 3000
        self.enforce_limits = enforce_limits
        self.clock = clock
        self.burst = (100, 10.0)
        self.search_rate = (5, 1.0)
        self._recent: deque[float] = deque()
        self._recent_search: deque[float] = deque()
        #: how many requests the enforced rate limits refused (``enforce_limits``)
        self.throttled = 0
        self._limits_lock = threading.Lock()
        self._valid_for: int | None = None
        self._build()

    # -- switches for the tests ------------------------------------------------------
    def revoke(self) -> None:
        """The token stops working now (deleted or rotated in HubSpot)."""
        self._valid_for = 0

    def revoke_after(self, requests: int) -> None:
        """The token works for ``requests`` more authenticated requests, then is refused."""
        self._valid_for = requests

    def throttle(self, times: int = 1, *, policy: str = "TEN_SECONDLY_ROLLING", retry_after: str | None = None,
                 when: Callable[[Request], bool] = lambda r: True) -> None:
        """Answer the next ``times`` matching requests with HubSpot's 429."""
        self.inject(self.rate_limited(policy, retry_after), times, when)

    def fail(self, status: int = 503, times: int = 1, when: Callable[[Request], bool] = lambda r: True) -> None:
        """Answer the next ``times`` matching requests with a server error."""
        body = _error("An internal error occurred.", "INTERNAL_ERROR") if status == 500 else (
            _error("The service is temporarily unavailable.", "SERVICE_UNAVAILABLE"))
        self.inject(Response(status, body), times, when)

    @staticmethod
    def rate_limited(policy: str = "TEN_SECONDLY_ROLLING", retry_after: str | None = None) -> Response:
        """HubSpot's 429 (official body shape), with ``Retry-After`` when given."""
        messages = {"DAILY": "You have reached your daily limit.",
                    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
                    "SECONDLY": "You have reached your secondly limit."}
        body = {"status": "error", "message": messages[policy], "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()), "policyName": policy, "requestId": str(uuid.uuid4())}
        return Response(429, body, {"Retry-After": retry_after} if retry_after is not None else {})

    def searches(self) -> list[Request]:
        """The search requests received so far."""
        return [r for r in self.requests if r.path.endswith("/search")]

    # -- the data --------------------------------------------------------------------
    def _build(self) -> None:
        demo = demo_datasets()["deals"].reset_index(drop=True)
        stage_order = (("Qualification", "qualifiedtobuy"), ("Devis envoyé", "presentationscheduled"),
                       ("Négociation", "decisionmakerboughtin"), ("Gagné", "closedwon"), ("Perdu", "closedlost"))
        probabilities = demo.groupby("stage")["stage_probability"].first()
        closed_stages = set(demo.loc[demo["status"] != "open", "stage"])
        stages = []
        for order, (label, stage_id) in enumerate(stage_order):
            stages.append(_stage(stage_id, label, order, _probability(probabilities[label]), label in closed_stages))
        stage_ids = dict(stage_order)
        self.pipelines = [
            _pipeline("default", str(demo["pipeline"].iloc[0]), 0, stages),
            _pipeline("8451237", "Partenariats", 1, [
                _stage("8451238", "Prise de contact", 0, "0.2", False),
                _stage("8451239", "Accord signé", 1, "1.0", True),
                _stage("8451240", "Abandon", 2, "0.0", True),
            ]),
        ]
        names = sorted(set(demo["customer"]))
        self.companies = {str(4_000_000_000 + i): name for i, name in enumerate(names)}
        company_id = {name: cid for cid, name in self.companies.items()}
        people = sorted(set(demo["owner"]))
        self.owners = [
            {"id": str(71_000_000 + i), "email": _email(name), "type": "PERSON", "firstName": name.split()[0],
             "lastName": " ".join(name.split()[1:]), "userId": 5_000_000 + i, "userIdIncludingInactive": 5_000_000 + i,
             "createdAt": "2022-09-01T08:00:00.000Z", "updatedAt": "2026-06-30T16:00:00.000Z",
             "archived": name == "Marc Lefèvre", "teams": []}
            for i, name in enumerate(people)
        ]
        owner_id = {f"{o['firstName']} {o['lastName']}": o["id"] for o in self.owners}
        self.deals: list[dict[str, Any]] = []
        self.associations: dict[str, list[dict[str, Any]]] = {}
        for index, row in enumerate(demo.itertuples(index=False)):
            properties = deal_properties(row, index, stage_ids[row.stage], owner_id[row.owner], row.status != "open")
            self._add(properties, [(company_id[row.customer], True)])
        # the deal with two companies: its primary one is its customer
        first = self.deals[0]["id"]
        self.associations[first].append(_association(company_id[names[-1]], primary=False))
        self.associations[first].reverse()
        self._extras(company_id[names[0]], self.owners[0]["id"])

    def _extras(self, company: str, owner: str) -> None:
        """Deals outside the demo: another pipeline, one with no company, archived ones."""
        base = {"hubspot_owner_id": owner, "hs_is_closed_won": "false", CUSTOM["segment"]: "Énergie",
                CUSTOM["channel"]: "Recommandation", CUSTOM["quote_date"]: None}
        specs = [
            ("Partenariat distribution Bénélux", "12000", "8451237", "8451238", "2026-05-04T10:00:00.000Z", None, True),
            ("Accord cadre maintenance", "8000.5", "8451237", "8451239", "2026-02-02T10:00:00.000Z",
             "2026-06-30T15:00:00.000Z", True),
            ("Partenariat sans société", "3000", "8451237", "8451240", "2026-03-03T10:00:00.000Z",
             "2026-07-01T09:00:00.000Z", False),
        ]
        for number, (name, amount, pipeline, stage, created, closed, linked) in enumerate(specs):
            hubspot_id = str(9_100_000_000 + number)
            properties = {**base, "hs_object_id": hubspot_id, "dealname": name, "amount": amount,
                          "pipeline": pipeline, "dealstage": stage, "createdate": created, "closedate": closed,
                          "hs_lastmodifieddate": closed or created, "hs_is_closed": "true" if closed else "false",
                          "hs_is_closed_won": "true" if stage == "8451239" else "false",
                          CUSTOM["deal_id"]: f"PART-{number + 1}"}
            self._add(properties, [(company, True)] if linked else [])
        for number in range(2):  # deleted deals: only ``archived=true`` shows them
            properties = {**self.deals[number]["properties"], "hs_object_id": str(9_200_000_000 + number),
                          "dealname": f"Affaire supprimée {number + 1}"}
            self._add(properties, [], archived=True)

    def _add(self, properties: dict[str, Any], companies: list[tuple[str, bool]], archived: bool = False) -> None:
        hubspot_id = str(properties["hs_object_id"])
        self.deals.append({"id": hubspot_id, "properties": properties, "createdAt": properties["createdate"],
                           "updatedAt": properties["hs_lastmodifieddate"], "archived": archived})
        self.associations[hubspot_id] = [_association(cid, primary) for cid, primary in companies]

    # -- the server ------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Route a request: auth, scopes, rate limits, then the endpoint."""
        for method, pattern, handler, scope in _ROUTES:
            if re.match(pattern, request.path):
                if request.method != method:
                    return Response(405, _error(f"Method {request.method} not allowed", "VALIDATION_ERROR"))
                refused = self._authenticate(request, scope)
                if refused is not None:
                    return refused
                search = handler == "_search"
                limited = self._rate_limit(search)
                if limited is not None:
                    return limited
                response: Response = getattr(self, handler)(request)
                if not search:
                    response.headers.update(self._rate_headers())
                return response
        return Response(404, _error(f"Unable to route {request.method} request {request.path}", "OBJECT_NOT_FOUND"))

    def _authenticate(self, request: Request, scope: str) -> Response | None:
        header = request.header("authorization") or ""
        if not header.startswith("Bearer "):
            return Response(401, _error(
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
                "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION"))
        with self._limits_lock:
            valid = header[len("Bearer "):] == self.token and self._valid_for != 0
            if valid and self._valid_for is not None:
                self._valid_for -= 1
        if not valid:
            return Response(401, _error(
                "Authentication credentials not found. The private app access token is invalid or was "
                "revoked.", "INVALID_AUTHENTICATION"))
        if scope not in self.scopes:
            body = _error("This app hasn't been granted all required scopes to make this call. Read more about "
                          "required scopes here: https://developers.hubspot.com/scopes.", "MISSING_SCOPES")
            body["errors"] = [{"message": "One or more of the following scopes are required.",
                               "context": {"requiredGranularScopes": [scope]}}]
            return Response(403, body)
        return None

    def _rate_limit(self, search: bool) -> Response | None:
        if not self.enforce_limits:
            return None
        with self._limits_lock:
            now = self.clock()
            window, (rate, per) = (self._recent_search, self.search_rate) if search else (self._recent, self.burst)
            while window and now - window[0] >= per:
                window.popleft()
            if len(window) >= rate:
                self.throttled += 1
                return self.rate_limited("SECONDLY" if search else "TEN_SECONDLY_ROLLING")
            window.append(now)
        return None

    def _rate_headers(self) -> dict[str, str]:
        rate, per = self.burst
        with self._limits_lock:
            used = len(self._recent) if self.enforce_limits else 1
        return {"X-HubSpot-RateLimit-Daily": "250000", "X-HubSpot-RateLimit-Daily-Remaining": "249000",
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(per * 1000)),
                "X-HubSpot-RateLimit-Max": str(rate), "X-HubSpot-RateLimit-Remaining": str(max(0, rate - used))}

    # -- endpoints -------------------------------------------------------------------
    def _list_deals(self, request: Request) -> Response:
        limit = _int(request.arg("limit", "10"))
        if limit is None or not 1 <= limit <= 100:
            return Response(400, _error(f"limit must be between 1 and 100, got {request.arg('limit')}",
                                        "VALIDATION_ERROR"))
        archived = (request.arg("archived", "false") or "false").lower() == "true"
        deals = [d for d in self.deals if d["archived"] == archived]
        offset = _decode_after(request.arg("after"))
        if offset is None:
            return Response(400, _error("Invalid input: after is not a valid paging cursor", "VALIDATION_ERROR"))
        requested = _split(request.query.get("properties", []))
        page = [self._object(d, requested) for d in deals[offset:offset + limit]]
        if "companies" in _split(request.query.get("associations", [])):
            for item in page:
                links = [{"id": a["toObjectId"], "type": "deal_to_company"} for a in self.associations[item["id"]]]
                if links:
                    item["associations"] = {"companies": {"results": links}}
        body: dict[str, Any] = {"results": page}
        if offset + limit < len(deals):
            after = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
            body["paging"] = {"next": {"after": after, "link": f"{self.base_url}{request.path}?after={after}"}}
        return Response(200, body)

    def _search(self, request: Request) -> Response:
        if len(request.body.decode("utf-8")) > self.body_limit:
            return Response(400, _error(f"The request body exceeds the limit of {self.body_limit} characters",
                                        "VALIDATION_ERROR"))
        query = request.json()
        groups = query.get("filterGroups") or []
        counts = [len(g.get("filters") or []) for g in groups]
        if len(groups) > 5 or any(c > 6 for c in counts) or sum(counts) > 18:
            return Response(400, _error("Too many filters: at most 5 filterGroups of 6 filters, 18 filters in all",
                                        "VALIDATION_ERROR"))
        limit = _int(str(query.get("limit", 10)))
        if limit is None or not 1 <= limit <= 200:
            return Response(400, _error("limit must be between 1 and 200", "VALIDATION_ERROR"))
        offset = _int(str(query.get("after", "0") or "0"))
        if offset is None:
            return Response(400, _error("after must be an integer offset", "VALIDATION_ERROR"))
        if offset >= self.search_cap:
            return Response(400, _error(
                f"Search results are limited to {self.search_cap} records; narrow the search with filters",
                "VALIDATION_ERROR"))
        try:
            found = [d for d in self.deals if not d["archived"] and _matches(d["properties"], groups)]
        except (KeyError, ValueError) as exc:
            return Response(400, _error(f"Invalid filter: {exc}", "VALIDATION_ERROR"))
        sorts = query.get("sorts") or [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
        if len(sorts) > 1:
            return Response(400, _error("Only one sort is allowed", "VALIDATION_ERROR"))
        key, descending = sorts[0]["propertyName"], sorts[0].get("direction") == "DESCENDING"
        found.sort(key=lambda d: _sort_key(d["properties"].get(key), key), reverse=descending)
        requested = list(query.get("properties") or []) + ["hs_object_id", "createdate", "hs_lastmodifieddate"]
        end = min(offset + limit, self.search_cap)
        body: dict[str, Any] = {"total": len(found), "results": [self._object(d, requested) for d in found[offset:end]]}
        if offset + limit < len(found):
            body["paging"] = {"next": {"after": str(offset + limit)}}
        return Response(200, body)

    def _pipelines(self, request: Request) -> Response:
        return Response(200, {"results": self.pipelines})

    def _owners(self, request: Request) -> Response:
        limit = _int(request.arg("limit", "100"))
        if limit is None or not 1 <= limit <= 500:
            return Response(400, _error("limit must be between 1 and 500", "VALIDATION_ERROR"))
        archived = (request.arg("archived", "false") or "false").lower() == "true"
        owners = [o for o in self.owners if o["archived"] == archived]
        offset = _decode_after(request.arg("after")) or 0
        body: dict[str, Any] = {"results": owners[offset:offset + limit]}
        if offset + limit < len(owners):
            after = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
            body["paging"] = {"next": {"after": after, "link": f"{self.base_url}{request.path}?after={after}"}}
        return Response(200, body)

    def _associations(self, request: Request) -> Response:
        inputs = request.json().get("inputs") or []
        if len(inputs) > 1000:
            return Response(400, _error("Batch size must be at most 1000", "VALIDATION_ERROR"))
        results, errors = [], []
        for item in inputs:
            links = self.associations.get(str(item["id"]))
            if links:
                results.append({"from": {"id": str(item["id"])}, "to": links})
            else:
                errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                               "message": f"No company is associated with deal {item['id']}.",
                               "context": {"fromObjectId": [str(item["id"])]}})
        body: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": _iso(_now()),
                                "completedAt": _iso(_now())}
        if errors:
            body.update(errors=errors, numErrors=len(errors))
        return Response(207 if errors else 200, body)

    def _companies(self, request: Request) -> Response:
        query = request.json()
        inputs = query.get("inputs") or []
        if len(inputs) > 100:
            return Response(400, _error("Batch size must be at most 100", "VALIDATION_ERROR"))
        results = []
        for item in inputs:
            cid = str(item["id"])
            if cid in self.companies:
                properties = {"hs_object_id": cid, "name": self.companies[cid]}
                wanted = query.get("properties") or ["name"]
                results.append({"id": cid, "properties": {k: properties.get(k) for k in wanted},
                                "createdAt": "2022-09-01T08:00:00.000Z", "updatedAt": "2026-01-01T08:00:00.000Z",
                                "archived": False})
        return Response(200, {"status": "COMPLETE", "results": results, "startedAt": _iso(_now()),
                              "completedAt": _iso(_now())})

    def _object(self, deal: dict[str, Any], requested: Iterable[str]) -> dict[str, Any]:
        names = list(requested) or list(_DEFAULT_DEAL_PROPERTIES)
        properties = deal["properties"]
        return {"id": deal["id"], "properties": {n: properties.get(n) for n in names if n in properties},
                "createdAt": deal["createdAt"], "updatedAt": deal["updatedAt"], "archived": deal["archived"]}


# ---------------------------------------------------------------- helpers


def _error(message: str, category: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}


def _stage(stage_id: str, label: str, order: int, probability: str, closed: bool) -> dict[str, Any]:
    return {"id": stage_id, "label": label, "displayOrder": order,
            "metadata": {"isClosed": "true" if closed else "false", "probability": probability},
            "createdAt": "2022-09-01T08:00:00.000Z", "updatedAt": "2022-09-01T08:00:00.000Z", "archived": False,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}


def _pipeline(pipeline_id: str, label: str, order: int, stages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": pipeline_id, "label": label, "displayOrder": order, "archived": False,
            "createdAt": "2022-09-01T08:00:00.000Z", "updatedAt": "2022-09-01T08:00:00.000Z", "stages": stages}


def _association(company_id: str, primary: bool) -> dict[str, Any]:
    types = [{"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None}]
    if primary:
        types.insert(0, {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"})
    return {"toObjectId": int(company_id), "associationTypes": types}


def _email(name: str) -> str:
    plain = name.lower().replace("è", "e").replace("é", "e").replace(" ", ".")
    return f"{plain}@mpr-demo.fr"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _split(values: list[str]) -> list[str]:
    return [name for value in values for name in value.split(",") if name]


def _decode_after(after: str | None) -> int | None:
    if not after:
        return 0
    try:
        return int(base64.urlsafe_b64decode(after.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None


def _millis(name: str, value: str) -> int:
    """A datetime/date property (ISO) or a filter value (epoch ms or ISO) as epoch milliseconds."""
    if value.isdigit():
        return int(value)
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)
    return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def _comparable(name: str, value: Any) -> Any:
    if name in _DATETIMES or name in _DATES:
        return _millis(name, str(value))
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return str(value).lower()


def _sort_key(value: Any, name: str) -> Any:
    if value is None:
        return (1, 0)
    return (0, _comparable(name, value))


def _matches(properties: dict[str, Any], groups: list[dict[str, Any]]) -> bool:
    """OR across groups, AND within one (no group: everything)."""
    if not groups:
        return True
    return any(all(_test(properties, f) for f in group.get("filters") or []) for group in groups)


def _test(properties: dict[str, Any], rule: dict[str, Any]) -> bool:
    name, operator = rule["propertyName"], rule["operator"]
    value = properties.get(name)
    if operator == "HAS_PROPERTY":
        return value not in (None, "")
    if operator == "NOT_HAS_PROPERTY":
        return value in (None, "")
    if value in (None, ""):
        return operator in ("NEQ", "NOT_IN")
    if operator in ("IN", "NOT_IN"):
        inside = str(value).lower() in {str(v).lower() for v in rule["values"]}
        return inside if operator == "IN" else not inside
    left = _comparable(name, value)
    right = _comparable(name, rule["value"])
    if operator == "BETWEEN":
        return right <= left <= _comparable(name, rule["highValue"])
    tests = {"EQ": left == right, "NEQ": left != right, "LT": left < right, "LTE": left <= right,
             "GT": left > right, "GTE": left >= right}
    if operator not in tests:
        raise ValueError(f"unsupported operator {operator}")
    return tests[operator]
