"""boardpack-saas-kpis: the ``subscriptions`` dataset and SaaS KPIs (MRR, ARR, NRR, churn, CAC payback)."""

from .datasets import SUBSCRIPTIONS
from .kpis import Arr, AttritionClients, AttritionRevenu, Mrr, RecuperationCac, RetentionNette

__version__ = "0.1.0"

__all__ = [
    "SUBSCRIPTIONS",
    "Arr",
    "AttritionClients",
    "AttritionRevenu",
    "Mrr",
    "RecuperationCac",
    "RetentionNette",
    "__version__",
]
