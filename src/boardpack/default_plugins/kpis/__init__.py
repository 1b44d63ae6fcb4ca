"""Built-in kpis plugins."""
