"""Canonical datasets: the schema a source coerces its data with and a KPI relies on.

A :class:`DatasetSchema` documents a dataset (columns, types, units, sign conventions) and
coerces raw tables into typed frames, raising :class:`~boardpack.api.DataError` naming the
file, line and column of the first bad value. Money is integer cents from the boundary on.
"""

from __future__ import annotations

from ..lines import LineNumbers
from ..schema import COLUMN_TYPES, Column, DatasetSchema, line_of, parse_date, parse_money

__all__ = ["COLUMN_TYPES", "Column", "DatasetSchema", "LineNumbers", "line_of", "parse_date", "parse_money"]
