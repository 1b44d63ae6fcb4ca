"""Turning computed figures into documents: templates, charts and PDF."""
