"""Accounting figures derived from the statements: CAF, tableau de flux, net cash.

Each takes the :class:`~boardpack.api.kpis.Statements` a KPI context gives
(``ctx.statements``) and returns integer cents; :func:`cents_to_euros` turns them into euros.
"""

from __future__ import annotations

from ..accounting.cashflow import CashFlow, caf_additive, caf_subtractive, cash_flow, net_cash
from ..accounting.statements import cents_to_euros

__all__ = ["CashFlow", "caf_additive", "caf_subtractive", "cash_flow", "cents_to_euros", "net_cash"]
