"""The QuickBooks Online source: the plugin (:mod:`.source`), its client (:mod:`.client`),
the report reader (:mod:`.reports`) and the mapping to the canonical datasets (:mod:`.mapping`).



* :class:`QuickBooksClient` calls ``/v3/company/{realmId}/…`` through the shared HTTP layer,
  always with ``Accept: application/json`` and ``minorversion``; a ``Fault`` in a 200 answer
  is an error; the query endpoint is paged with ``STARTPOSITION``/``MAXRESULTS`` (≤ 1000)
  until a short or empty page (``{"QueryResponse":{}}``).
* :class:`Report` reads any report (``Header``/``Columns``/``Rows``): sections nested at any
  depth, string amounts, empty cells, ``NoReportData``, one column per month (found by its
  metadata, else by its title, English or French: « Jan 2026 », « janv. 2026 »); a monthly
  report over more than six months is asked six months at a time and stitched.
* :func:`ledger_entries` turns the monthly ProfitAndLoss and BalanceSheet into the
  ``entries`` dataset: an opening entry (journal ``AN``) from the balance sheet before the
  first month, then one balanced entry per month (journal ``QBO``) holding each account's
  P&L amount and balance-sheet movement. Accounts are the PCG digits ``Account.AcctNum``
  starts with (``512BNP`` → ``512``), else taken from :data:`FALLBACK` by account type, else
  the suspense account (a finding names the account, the source goes on).
* :func:`invoice_rows` turns invoices, credit memos, bills and vendor credits, with the
  payments that settle them, into the ``invoices`` dataset.

Amounts are :class:`~decimal.Decimal` from the JSON on (``parse_float=Decimal``), cents once
mapped; never floats.

Nothing is imported here: registering the plugin must not import the HTTP client.
"""
