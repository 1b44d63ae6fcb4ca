"""The plugin object of the ``saas_kpis`` entry point: the dataset and KPI hooks."""

from .datasets import register_datasets
from .kpis import register_kpis

__all__ = ["register_datasets", "register_kpis"]
