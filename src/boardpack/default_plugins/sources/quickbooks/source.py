"""The ``quickbooks`` source: QuickBooks Online's Accounting API → ``entries`` and ``invoices``.

The ledger is rebuilt from the monthly ProfitAndLoss and BalanceSheet reports (one
balanced entry per month, an opening entry from the balance sheet before the first
month; see :func:`.mapping.ledger_entries`), each account's movement split into the
debits and credits the journal entries and invoices show; invoices and bills
come from the query endpoint with the payments that settle them. CashFlow and the aged
receivables/payables reports are fetched to cross-check: a disagreement is a finding
(``boardpack check``; an error with ``--strict``). OAuth tokens live in ``token_file``
(:class:`boardpack.api.remote.TokenStore`). Full documentation: docs/sources/quickbooks.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boardpack.api.errors import ConfigError, DataError
from boardpack.api import DataSource, Loaded, LoadRequest, hookimpl
from boardpack.api.periods import Month, fiscal_year_start

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:  # the connector (httpx) is imported when the source is used, not at registration
    import httpx

    from boardpack.api.remote import TokenStore
    from boardpack.api.remote import Options
    from .client import Finding, QuickBooksClient
    from .mapping import Account
    from .reports import Report
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["QuickBooksSource"]

#: defaults shown in the options' help, equal to the connector's (a test keeps them equal):
#: :data:`boardpack.api.remote.INTUIT_TOKEN_URL`, :data:`.client.PRODUCTION_URL`,
#: :data:`.client.MINOR_VERSION`, :data:`.client.MAX_RESULTS`
INTUIT_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
PRODUCTION_URL = "https://quickbooks.api.intuit.com"
MINOR_VERSION = 75
MAX_RESULTS = 1000
_SECRET = " (secret : { env = \"VAR\" } ou { file = \"chemin\" })"
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
         "novembre", "décembre")
_DATASETS = ("entries", "invoices")
_ENTRY_COLUMNS = ["date", "journal", "journal_label", "entry_id", "account", "account_label", "label", "debit", "credit"]
_INVOICE_COLUMNS = ["kind", "number", "counterparty", "counterparty_id", "segment", "product", "issue_date", "due_date",
                    "paid_date", "amount_excl_tax", "amount_incl_tax", "discount", "quantity", "unit_price", "deal_id",
                    "status"]


def _chunks(first: Month, last: Month, size: int = 12) -> list[tuple[Month, Month]]:
    spans = []
    while first <= last:
        end = min(first.shift(size - 1), last)
        spans.append((first, end))
        first = end.shift(1)
    return spans


class QuickBooksSource(DataSource):
    """QuickBooks Online: monthly ledger rebuilt from the reports, invoices and bills with their payments."""

    name = "quickbooks"
    description = "QuickBooks Online (API comptable) : écritures mensuelles tirées des rapports, factures et achats."
    remote = True
    options = {
        "realm_id": "identifiant de la société QuickBooks (realmId, donné à la connexion de l'application)",
        "client_id": "identifiant (Client ID) de l'application Intuit" + _SECRET,
        "client_secret": "secret (Client Secret) de l'application Intuit" + _SECRET,
        "token_file": "fichier JSON des jetons OAuth, hors du dépôt (ex. ~/.config/boardpack/quickbooks.json), "
                      "réécrit à chaque renouvellement",
        "token": "jeton d'accès fixe (valable 1 h) à la place de token_file, pour un essai" + _SECRET,
        "token_url": f"point de jetons OAuth (défaut : {INTUIT_TOKEN_URL})",
        "base_url": f"adresse de l'API (défaut : {PRODUCTION_URL} ; bac à sable : "
                    "https://sandbox-quickbooks.api.intuit.com)",
        "minorversion": f"version mineure de l'API envoyée à chaque appel (défaut : {MINOR_VERSION}, minimum 75)",
        "timeout": "délai maximal de chaque appel, en secondes (défaut : 30)",
        "since": "premier mois lu AAAA-MM (défaut : début de l'exercice d'il y a trois ans)",
        "until": "dernier mois lu AAAA-MM (défaut : mois du dossier, sinon mois en cours)",
        "datasets": "jeux à fournir parmi entries et invoices (défaut : les deux)",
        "accounting_method": "Accrual (engagements, défaut) ou Cash (encaissements)",
        "account_numbers": "true (défaut) : comptes PCG lus dans le numéro de compte (AcctNum) ; false : "
                           "correspondance par type de compte",
        "deal_field": "champ personnalisé des factures portant l'affaire du CRM (défaut : Affaire)",
        "page_size": f"lignes par page de requête (défaut et maximum : {MAX_RESULTS})",
    }
    required_options = ("realm_id",)

    def __init__(self, key: str, options: Mapping[str, Any], base_dir: Path, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(key, options, base_dir)
        self.transport = transport
        self.store: TokenStore | None = None

    # -- options ------------------------------------------------------------------------------
    @property
    def opts(self) -> Options:
        """The options, read with the rules every remote source shares."""
        from boardpack.api.remote import Options

        return Options(self.key, self.settings)

    def _option(self, name: str, default: Any = None) -> Any:
        return self.opts.get(name, default)

    def _where(self, name: str) -> str:
        return self.opts.where(name)

    def wanted(self) -> tuple[str, ...]:
        """The datasets to provide (option ``datasets``)."""
        return self.opts.datasets(_DATASETS)

    def token_path(self) -> Path:
        """The token file, refused inside a Git working tree (it holds rotating secrets)."""
        path = Path(str(self._option("token_file"))).expanduser()
        path = path if path.is_absolute() else self.base_dir / path
        for folder in path.resolve().parents:
            if (folder / ".git").exists():
                raise ConfigError(f"{self._where('token_file')} : {path} est dans le dépôt {folder} ; placez le "
                                  "fichier de jetons hors de tout dépôt (ex. ~/.config/boardpack/)")
        return path

    def client(self) -> QuickBooksClient:
        """The API client, authenticated by the token file (or a fixed ``token``)."""
        from boardpack.api.remote import TokenStore
        from .client import QuickBooksClient

        timeout = self.opts.timeout()
        if self._option("token") is not None:
            token = str(self._option("token"))
            auth: Callable[[], Mapping[str, str]] = lambda: {"Authorization": f"Bearer {token}"}
            refresh = None
        else:
            for name in ("token_file", "client_id", "client_secret"):
                if self._option(name) in (None, ""):
                    raise ConfigError(f"{self._where(name)} : option obligatoire absente (ou donnez un jeton fixe "
                                      "avec token)")
            self.store = TokenStore(self.token_path(), str(self._option("client_id")),
                                    str(self._option("client_secret")),
                                    token_url=str(self._option("token_url", INTUIT_TOKEN_URL)), timeout=timeout,
                                    transport=self.transport)
            auth, refresh = self.store.headers, self.store.refresh  # refresh(headers of the refused call)
        return QuickBooksClient(str(self._option("base_url", PRODUCTION_URL)), str(self._option("realm_id")),
                                auth=auth, refresh=refresh, timeout=timeout, transport=self.transport,
                                minorversion=self.opts.integer("minorversion", MINOR_VERSION, 75, 999))

    def _close(self, client: QuickBooksClient) -> None:
        client.close()
        if self.store is not None:
            self.store.close()
            self.store = None

    def span(self, fy_month: int, asked: Month | None = None) -> tuple[Month, Month]:
        """First and last month to read: options, else three fiscal years back to the month
        ``asked`` (the request's), else to this month."""
        from boardpack.api.remote import default_since, this_month

        until = self.opts.month("until") or asked or this_month()
        since = self.opts.month("since") or default_since(until, fy_month)
        if since > until:
            raise ConfigError(f"{self._where('since')} : {since} est après le dernier mois lu ({until})")
        return since, until

    # -- DataSource ---------------------------------------------------------------------------
    def check(self) -> str:
        """One call (CompanyInfo): the company's name and fiscal year."""
        client = self.client()
        try:
            info = client.company_info()
        finally:
            self._close(client)
        month = _fy_month(info)
        return (f"QuickBooks : société « {info.get('CompanyName', '?')} » (realm {self._option('realm_id')}), "
                f"exercice ouvert en {_MOIS[month - 1]}")

    def load(self, request: LoadRequest) -> Loaded:
        """Fetch and map ``entries`` and/or ``invoices``; cross-checks become findings."""
        schemas = request.schemas
        wanted = self.wanted()
        method = str(self._option("accounting_method", "Accrual"))
        if method not in ("Accrual", "Cash"):
            raise ConfigError(f"{self._where('accounting_method')} : Accrual ou Cash, pas « {method} »")
        from .mapping import accounts_by_id, gross_flows, invoice_rows, journal_flows

        page = self.opts.integer("page_size", MAX_RESULTS, 1, MAX_RESULTS)
        numbers = self.opts.flag("account_numbers", True)
        findings: list[Finding] = []
        origin = f"QuickBooks (source « {self.key} », realm {self._option('realm_id')})"
        client = self.client()
        try:
            fy_month = _fy_month(client.company_info())
            since, until = self.span(fy_month, request.until)
            accounts = accounts_by_id(client.query("Account", "Active IN (true, false)", page), numbers, findings)
            datasets: dict[str, pd.DataFrame] = {}
            balances: dict[Month, dict[str, int]] = {}
            entities = self._documents(client, since, until, page) if "invoices" in wanted else {}
            if "entries" in wanted:
                where = f"TxnDate >= '{since.first_day.isoformat()}' AND TxnDate <= '{until.last_day.isoformat()}'"
                journals = journal_flows(client.query("JournalEntry", where, page), accounts)
                rows, balances = self._entries(client, accounts, since, until, method, gross_flows(entities, accounts),
                                              journals, findings)
                raw = pd.DataFrame(rows, columns=_ENTRY_COLUMNS, dtype=object)
                datasets["entries"] = schemas["entries"].coerce(raw, f"{origin}, écritures")
            if "invoices" in wanted:
                rows = invoice_rows(entities, str(self._option("deal_field", "Affaire")), findings)
                raw = pd.DataFrame(rows, columns=_INVOICE_COLUMNS, dtype=object)
                datasets["invoices"] = schemas["invoices"].coerce(raw, f"{origin}, factures")
            self._aged(client, accounts, balances, datasets.get("invoices"), until, findings)
        finally:
            self._close(client)
        start = fiscal_year_start(since, fy_month)
        return Loaded(datasets, tuple(findings), tuple((s, s.shift(11)) for s, _ in _chunks(start, until)),
                      {"AN": "À-nouveaux (bilan d'ouverture QuickBooks)"})

    # -- entries ------------------------------------------------------------------------------
    def _monthly(self, client: QuickBooksClient, name: str, first: Month, last: Month, method: str) -> list[Report]:
        reports = []
        for start, end in _chunks(first, last):
            report = client.report(name, start_date=start.first_day.isoformat(), end_date=end.last_day.isoformat(),
                                   summarize_column_by="Month", accounting_method=method)
            expected = [start.shift(i) for i in range(end - start + 1)]
            if [m for m in report.months if m is not None] != expected:
                raise DataError(f"QuickBooks, rapport {name} du {start.first_day:%d/%m/%Y} au {end.last_day:%d/%m/%Y} : "
                                "les colonnes ne sont pas les mois demandés (summarize_column_by=Month ignoré ?)")
            reports.append(report)
        return reports

    def _entries(self, client: QuickBooksClient, accounts: Mapping[str, Account], since: Month, until: Month,
                 method: str, gross: Mapping[Month, Mapping[str, int]],
                 journals: Mapping[Month, Mapping[str, tuple[int, int]]],
                 findings: list[Finding]) -> tuple[list[dict[str, str]], dict[Month, dict[str, int]]]:
        from boardpack.api.remote import amount_text as euros
        from boardpack.api.remote import cents
        from .client import Finding
        from .mapping import account_amounts, ledger_entries

        pl: dict[Month, dict[str, int]] = {}
        for report in self._monthly(client, "ProfitAndLoss", since, until, method):
            pl.update(account_amounts(report, accounts)[0])
        balances: dict[Month, dict[str, int]] = {}
        net_income: dict[Month, int] = {}
        for report in self._monthly(client, "BalanceSheet", since.shift(-1), until, method):
            amounts, income = account_amounts(report, accounts)
            balances.update(amounts)
            net_income.update(income)
        months = [since.shift(i) for i in range(until - since + 1)]
        rows = ledger_entries(pl, balances, net_income, accounts, months, gross, journals)
        banks = [a.id for a in accounts.values() if a.account_type == "Bank"]
        for report in self._monthly(client, "CashFlow", since, until, method):
            ending = report.find("EndingCash")
            for month in (m for m in report.months if m is not None):
                theirs = cents(report.value(ending, month), "QuickBooks")
                ours = sum(balances.get(month, {}).get(a, 0) for a in banks)
                if theirs != ours:
                    findings.append(Finding("quickbooks_cash", (
                        f"QuickBooks : le tableau de flux (CashFlow) donne une trésorerie de fin {month} de "
                        f"{euros(theirs)}, les comptes bancaires du bilan {euros(ours)} "
                        f"(écart {euros(theirs - ours)})")))
        return rows, balances

    # -- invoices -----------------------------------------------------------------------------
    def _documents(self, client: QuickBooksClient, since: Month, until: Month, page: int) -> dict[str, list[dict[str, Any]]]:
        """Invoices, credit memos, bills and vendor credits issued from a year before ``since``
        (receivables open at the start) to ``until``, and the payments since then."""
        first = since.shift(-12).first_day.isoformat()
        where = f"TxnDate >= '{first}' AND TxnDate <= '{until.last_day.isoformat()}'"
        entities = {name: client.query(name, where, page) for name in ("Invoice", "CreditMemo", "Bill", "VendorCredit")}
        for name in ("Payment", "BillPayment"):
            entities[name] = client.query(name, f"TxnDate >= '{first}'", page)
        return entities

    def _aged(self, client: QuickBooksClient, accounts: Mapping[str, Account], balances: Mapping[Month, dict[str, int]],
              invoices: pd.DataFrame | None, until: Month, findings: list[Finding]) -> None:
        """Cross-check the aged receivables/payables totals with the ledger and the open invoices
        (a gap is added to ``findings``)."""
        from boardpack.api.remote import amount_text as euros
        from boardpack.api.remote import cents
        from .client import Finding

        if not balances and invoices is None:
            return
        day = pd.Timestamp(until.last_day)
        for name, kind, account_type in (("AgedReceivables", "sale", "AccountsReceivable"),
                                         ("AgedPayables", "purchase", "AccountsPayable")):
            report = client.report(name, report_date=until.last_day.isoformat())
            grand = report.find("GrandTotal")
            theirs = cents(grand.values[-1], "QuickBooks") if grand is not None and grand.values else 0
            checks = []
            if balances:
                sign = 1 if kind == "sale" else -1
                ledger = sign * sum(balances.get(until, {}).get(a.id, 0) for a in accounts.values()
                                    if a.account_type == account_type)
                checks.append(("le solde des comptes du bilan", ledger))
            if invoices is not None:
                frame = invoices[(invoices["kind"] == kind) & (invoices["issue_date"] <= day)]
                # open at ``day``: still open now, or settled by a payment after it; a credit memo
                # applied or an invoice settled without a payment (no paid_date) is not open
                frame = frame[(frame["status"] == "issued") | (frame["paid_date"] > day)]
                checks.append(("les factures non réglées", int(frame["amount_incl_tax"].sum())))
            for what, ours in checks:
                if ours != theirs:
                    findings.append(Finding(f"quickbooks_{name}", (
                        f"QuickBooks : le rapport {name} au {until.last_day:%d/%m/%Y} totalise {euros(theirs)}, "
                        f"{what} {euros(ours)} (écart {euros(theirs - ours)})")))


def _fy_month(info: Mapping[str, Any]) -> int:
    name = str(info.get("FiscalYearStartMonth") or "January").strip().lower()
    return _MONTHS.index(name) + 1 if name in _MONTHS else 1


@hookimpl
def register_sources() -> list[type[DataSource]]:
    """Register the QuickBooks Online source."""
    return [QuickBooksSource]
