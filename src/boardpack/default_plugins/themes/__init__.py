"""Built-in themes plugins."""
