"""PDFs read back with pypdf: text per page, bookmarks, metadata."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import plugins
from ..errors import PluginError

__all__ = ["PdfDocument", "render_pdf"]


class PdfDocument:
    """A PDF read back with pypdf: text per page, bookmarks, metadata.

    :param source: the PDF's bytes or its path.
    """

    def __init__(self, source: bytes | str | Path) -> None:
        try:
            from pypdf import PdfReader
        except ImportError:  # pragma: no cover - depends on the environment
            raise PluginError(
                "boardpack.testing.PdfDocument a besoin de pypdf : installez les extras de test "
                "(pip install boardpack[test])"
            ) from None
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        self.data = data
        self._reader = PdfReader(io.BytesIO(data))
        self._pages: list[str] | None = None

    @property
    def pages(self) -> list[str]:
        """The extracted text of each page, in order."""
        if self._pages is None:
            self._pages = [page.extract_text() for page in self._reader.pages]
        return self._pages

    @property
    def page_count(self) -> int:
        """How many pages."""
        return len(self._reader.pages)

    @property
    def text(self) -> str:
        """Every page's text, one page after another."""
        return "\n".join(self.pages)

    @property
    def bookmarks(self) -> list[tuple[str, int, list[Any]]]:
        """The outline: ``(title, page number from 1, children)`` for each top-level bookmark."""
        return self._outline(self._reader.outline)

    def _outline(self, items: Sequence[Any]) -> list[tuple[str, int, list[Any]]]:
        out: list[tuple[str, int, list[Any]]] = []
        for item in items:
            if isinstance(item, list):  # the children of the bookmark before
                title, page, _ = out[-1]
                out[-1] = (title, page, self._outline(item))
            else:
                out.append((item.title, self._reader.get_destination_page_number(item) + 1, []))
        return out

    @property
    def metadata(self) -> dict[str, str]:
        """The document information, keys without their slash, lower case (``title``, ``author``…)."""
        info = self._reader.metadata or {}
        return {key.lstrip("/").lower(): str(value) for key, value in info.items()}


def render_pdf(html: str) -> PdfDocument:
    """Lay ``html`` out as the build would and read the PDF back.

    Files may be read from the built-in templates and the registered themes only.
    """
    from ..render.pdf import html_to_pdf
    from ..render.templates import BUILTIN_TEMPLATES

    allowed = [BUILTIN_TEMPLATES] + [theme.path for theme in plugins.get_registry().themes.values()]
    return PdfDocument(html_to_pdf(html, BUILTIN_TEMPLATES, allowed))
