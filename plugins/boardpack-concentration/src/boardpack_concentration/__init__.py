"""boardpack-concentration: the ``concentration_clients`` section and its ``pareto`` chart."""

from .shares import Concentration, concentration
from .chart import ParetoChart
from .section import ConcentrationSection, revenue_by_customer

__version__ = "0.1.0"

__all__ = ["Concentration", "ConcentrationSection", "ParetoChart", "__version__", "concentration", "revenue_by_customer"]
