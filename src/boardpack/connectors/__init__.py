"""Remote data sources' shared plumbing: the HTTP layer (:mod:`boardpack.connectors.http`)."""

from .http import ApiClient, ApiError, Provider

__all__ = ["ApiClient", "ApiError", "Provider"]
