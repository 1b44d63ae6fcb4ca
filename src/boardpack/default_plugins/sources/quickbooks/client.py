"""The QuickBooks Online client: ``/v3/company/{realmId}/…`` through the shared HTTP layer.

Always ``Accept: application/json`` and ``minorversion``; a ``Fault`` in a 200 answer is an
error; the query endpoint is paged with ``STARTPOSITION``/``MAXRESULTS`` (≤ 1000) until a
short or empty page (``{"QueryResponse":{}}``); a monthly report is asked at most six months
at a time (:data:`REPORT_MONTHS`) and the parts stitched.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boardpack.api.errors import ConfigError
from boardpack.api.periods import Month
from boardpack.api.remote import MARGIN, ApiClient, ApiError, Provider, describe_body

from .reports import Report

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import httpx
else:
    httpx = lazy_module("httpx")

__all__ = ["AUTH_HINT", "MAX_RESULTS", "MINOR_VERSION", "PRODUCTION_URL", "REPORT_MONTHS", "SANDBOX_URL", "Finding",
           "QuickBooksClient", "describe_fault", "report_spans"]

PRODUCTION_URL = "https://quickbooks.api.intuit.com"
SANDBOX_URL = "https://sandbox-quickbooks.api.intuit.com"
#: Intuit ignores minor versions below 75 since August 2025; sent explicitly anyway.
MINOR_VERSION = 75
#: The query endpoint's largest page.
MAX_RESULTS = 1000
#: The longest span (months) of one monthly report request: Intuit advises at most six
#: months per report call; a longer span is asked in parts and stitched (:meth:`Report.stitch`).
REPORT_MONTHS = 6
AUTH_HINT = ("vérifiez realm_id et le fichier de jetons, ou reconnectez l'application à la société "
             "(voir docs/sources/quickbooks.md)")
#: what looks like a token (20+ characters mixing letters and digits) is masked in messages
_TOKENISH = re.compile(r"(?=[\w\-.]*\d)(?=[\w\-.]*[A-Za-z])[\w\-.]{20,}")


@dataclass(frozen=True)
class Finding:
    """A disagreement found while cross-checking QuickBooks' reports (shown by ``boardpack check``)."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message





def describe_fault(response: httpx.Response) -> str:
    """The first error of a ``Fault`` (``Fault.Error`` or the 401's lowercase ``fault.error``).

    Authentication faults keep their code and message only: their detail may quote a token.
    """
    try:
        body = json.loads(response.text)
    except ValueError:
        return _TOKENISH.sub("<masqué>", describe_body(response))  # a proxy's plain-text 5xx
    fault = body.get("Fault") or body.get("fault") if isinstance(body, dict) else None
    if not isinstance(fault, dict):
        return str(body.get("error", "")) if isinstance(body, dict) else ""
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    kind = str(fault.get("type") or "")
    message = str(first.get("Message") or first.get("message") or "")
    found = re.search(r"message=([^;]+)", message)
    message = found.group(1).strip() if found else message
    code = str(first.get("code") or "")
    detail = "" if "AUTH" in kind.upper() else str(first.get("Detail") or first.get("detail") or "")
    text = " ".join(p for p in (kind, code) if p)
    text = f"{text} : {message}" if text and message else text or message
    if detail and detail != message:
        text = f"{text} — {detail}"
    return _TOKENISH.sub("<masqué>", text)


class QuickBooksClient:
    """One company (``realm_id``) of the Accounting API.

    :param auth: the ``Authorization`` header of each call (the token store's).
    :param refresh: called once on a 401 with the refused call's headers (the token store's
        :meth:`~boardpack.connectors.oauth.TokenStore.refresh`), then the call is retried once.
    :param margin: the share of Intuit's published rate limits used (:data:`~boardpack.connectors.http.MARGIN`).
    """

    def __init__(self, base_url: str, realm_id: str, *, auth: Callable[[], Mapping[str, str]],
                 refresh: Callable[[Mapping[str, str]], None] | None = None, minorversion: int = MINOR_VERSION,
                 timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
                 margin: float = MARGIN) -> None:
        if not re.fullmatch(r"[0-9A-Za-z]+", realm_id):
            raise ConfigError(f"realm_id « {realm_id} » invalide (l'identifiant de la société, des chiffres)")
        # Intuit: 10 requests/second and 500/minute per realm; the client keeps 80 % of each
        # (8 per second, 400 per minute: http.MARGIN).
        provider = Provider("QuickBooks", base_url.rstrip("/"), rate=10, per=1.0, more_limits=((500, 60.0),),
                            timeout=timeout, retries=5, backoff=4.0, max_wait=120.0, auth_hint=AUTH_HINT,
                            margin=margin)
        self.realm_id = realm_id
        self.minorversion = minorversion
        self._client = ApiClient(provider, auth=auth, refresh=refresh, describe=describe_fault,
                                 headers={"Accept": "application/json"}, transport=transport)

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> QuickBooksClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``GET /v3/company/{realm}/{path}``: the JSON body (floats as Decimal); a Fault is an ApiError."""
        query = {**dict(params or {}), "minorversion": str(self.minorversion)}
        response = self._client.request("GET", f"/v3/company/{self.realm_id}/{path}", params=query)
        try:
            body = json.loads(response.text, parse_float=Decimal)
        except ValueError:
            raise ApiError.from_response(
                "QuickBooks", response, what=f"a répondu {response.status_code} avec un contenu qui n'est pas du JSON",
                hint="vérifiez base_url (elle doit désigner l'API comptable elle-même)") from None
        if not isinstance(body, dict):
            raise ApiError.from_response("QuickBooks", response, what="a renvoyé une réponse inattendue",
                                         hint="vérifiez base_url")
        if "Fault" in body or "fault" in body:
            raise ApiError.from_response(
                "QuickBooks", response, describe_fault(response), what="a renvoyé une erreur dans une réponse 200",
                hint="vérifiez les options de la source ; si cela persiste, signalez-le avec l'heure de l'appel")
        return body

    def company_info(self) -> dict[str, Any]:
        """The company's ``CompanyInfo`` (name, country, fiscal year start month)."""
        info = self.get(f"companyinfo/{self.realm_id}").get("CompanyInfo")
        return info if isinstance(info, dict) else {}

    def query(self, entity: str, where: str = "", page_size: int = MAX_RESULTS) -> list[dict[str, Any]]:
        """Every ``entity`` matching ``where``, page by page (``STARTPOSITION`` from 1).

        :raises ApiError: when a page repeats the previous one (paging ignored by the server).
        """
        if not 1 <= page_size <= MAX_RESULTS:
            raise ConfigError(f"taille de page QuickBooks {page_size} : de 1 à {MAX_RESULTS}")
        rows: list[dict[str, Any]] = []
        start, previous_first = 1, None
        base = f"SELECT * FROM {entity}" + (f" WHERE {where}" if where else "") + " ORDERBY Id"
        while True:
            body = self.get("query", {"query": f"{base} STARTPOSITION {start} MAXRESULTS {page_size}"})
            page = (body.get("QueryResponse") or {}).get(entity) or []
            if page and previous_first is not None and page[0].get("Id") == previous_first:
                raise ApiError("QuickBooks", "GET", f"/v3/company/{self.realm_id}/query", 200,
                               what=f"renvoie la même page de {entity} pour STARTPOSITION {start}",
                               hint="la pagination est ignorée par le serveur ; vérifiez base_url")
            rows.extend(page)
            if len(page) < page_size:
                return rows
            previous_first = page[0].get("Id")
            start += page_size

    def report(self, name: str, **params: str) -> Report:
        """One report, parsed (``start_date``, ``end_date``, ``summarize_column_by``…).

        A report by month (``summarize_column_by=Month``) over more than :data:`REPORT_MONTHS`
        months is asked in consecutive parts of at most that many months, then stitched into
        one report of month columns (the parts' total columns are left out).
        """
        spans = report_spans(params.get("start_date"), params.get("end_date")) \
            if params.get("summarize_column_by") == "Month" else []
        if len(spans) <= 1:
            return Report.parse(name, self.get(f"reports/{name}", params))
        return Report.stitch([Report.parse(name, self.get(f"reports/{name}", {**params, "start_date": start,
                                                                                "end_date": end}))
                              for start, end in spans])


def report_spans(start: str | None, end: str | None, months: int = REPORT_MONTHS) -> list[tuple[str, str]]:
    """``[start, end]`` cut into consecutive spans of at most ``months`` calendar months
    (ISO dates); ``[]`` when either date is missing or unreadable (the request goes as asked)."""
    try:
        first, last = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
    except ValueError:
        return []
    spans = []
    while first <= last:
        month = Month.of(first).shift(months - 1)
        stop = min(month.last_day, last)
        spans.append((first.isoformat(), stop.isoformat()))
        first = stop + dt.timedelta(days=1)
    return spans


