"""The demo company: a fictional French industrial SME, shipped as CSV files."""
