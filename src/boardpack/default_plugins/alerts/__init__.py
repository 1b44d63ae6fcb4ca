"""Built-in alerts plugins."""
