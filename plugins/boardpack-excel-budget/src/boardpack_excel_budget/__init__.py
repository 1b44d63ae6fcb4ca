"""boardpack-excel-budget: the ``budget`` dataset from an Excel workbook (``type = "excel_budget"``)."""

from .source import ExcelBudgetSource

__version__ = "0.1.0"

__all__ = ["ExcelBudgetSource", "__version__"]
