"""Built-in checks plugins."""
