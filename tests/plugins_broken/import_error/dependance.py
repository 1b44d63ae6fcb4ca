"""A plugin needing a package that is not installed."""

import boardpack_module_absent_pour_test  # noqa: F401

from boardpack import hookimpl


@hookimpl
def register_kpis():
    return []
