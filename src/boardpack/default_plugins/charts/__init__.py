"""Built-in charts plugins."""
