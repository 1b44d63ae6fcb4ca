"""A plugin that does not parse (missing parenthesis)."""

from boardpack import hookimpl


@hookimpl
def register_kpis(:
    return []
