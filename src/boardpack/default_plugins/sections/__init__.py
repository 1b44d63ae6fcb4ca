"""Built-in sections plugins."""
