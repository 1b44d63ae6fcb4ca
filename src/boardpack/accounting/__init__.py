"""Accounting derived from the ``entries`` dataset: trial balance and statements."""

from .ledger import Ledger
from .pcg import PcgMapping, mapping_for
from .statements import Statements

__all__ = ["Ledger", "PcgMapping", "Statements", "mapping_for"]
