"""HTML to PDF with WeasyPrint, written atomically and fetching only what it may.

WeasyPrint may read ``data:`` URIs and files inside the allowed folders (the theme chain);
anything else is refused, so a template cannot pull a remote resource into a board pack.
The PDF is written to a temporary file beside the target and renamed when complete, so an
interrupted build never leaves a half-written pack that looks finished.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..errors import RenderError

__all__ = ["html_to_pdf", "restricted_fetcher", "write_atomically"]


def restricted_fetcher(allowed: Iterable[Path]) -> Any:
    """A WeasyPrint URL fetcher allowing ``data:`` URIs and files under ``allowed`` folders.

    Anything else stops the rendering (it never falls back to fetching from the network),
    and so does a missing allowed file, so a pack never silently lacks its logo.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [Path(p).resolve() for p in allowed]

    class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                parsed = urlparse(url)
                path = Path(unquote(parsed.path)).resolve()
                if parsed.scheme != "file" or not any(path == r or r in path.parents for r in roots):
                    raise FatalURLFetchingError(f"ressource refusée dans le document : {url}")
            return super().fetch(url, headers)

    return RestrictedFetcher(allowed_protocols=("data", "file"), fail_on_errors=True)


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """Pin the timestamps fontTools writes into embedded font subsets (reproducible builds)."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def html_to_pdf(html: str, base_url: Path, allowed: Iterable[Path], created: dt.date | None = None) -> bytes:
    """Lay out ``html`` and return the PDF bytes.

    :param created: the document's date; the embedded fonts are stamped with it so that
        the same inputs give the same bytes.
    """
    from weasyprint import HTML

    epoch = int(dt.datetime.combine(created or dt.date(2000, 1, 1), dt.time(), dt.timezone.utc).timestamp())
    try:
        document = HTML(string=html, base_url=str(base_url), url_fetcher=restricted_fetcher(allowed))
        with _source_date(epoch):
            return document.write_pdf(uncompressed_pdf=False)
    except BaseException as exc:  # FatalURLFetchingError is a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        cause = exc.__cause__ or exc  # WeasyPrint raises many types; the user needs one sentence
        raise RenderError(f"mise en page PDF impossible : {exc} ({cause.__class__.__name__})") from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
