"""Accounting figures derived from the statements: CAF, tableau de flux, net cash, the debt
service the entries show.

Each takes the :class:`~boardpack.api.kpis.Statements` a KPI context gives
(``ctx.statements``) and returns integer cents; :func:`cents_to_euros` turns them into euros.
"""

from __future__ import annotations

from ..accounting.cashflow import (
    LOAN_ACCOUNTS,
    LOAN_INTEREST,
    CashFlow,
    LoanService,
    caf_additive,
    caf_subtractive,
    cash_flow,
    loan_service,
    net_cash,
)
from ..accounting.statements import cents_to_euros

__all__ = ["LOAN_ACCOUNTS", "LOAN_INTEREST", "CashFlow", "LoanService", "caf_additive", "caf_subtractive", "cash_flow",
           "cents_to_euros", "loan_service", "net_cash"]
