"""Built-in forecast drivers: the lines of the 12-month cash plan (see :mod:`boardpack.api.forecast`)."""
