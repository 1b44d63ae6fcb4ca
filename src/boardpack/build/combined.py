"""The combined PDF's HTML: every selected pack in one document, one cover, one table of contents.

The packs' sections, already rendered (:class:`~.render.RenderedPack`), are placed one pack
after the other in a single HTML document laid out by WeasyPrint in one go, so that the page
numbers run on through the whole document and the table of contents gives the pages of every
pack's sections (``target-counter``). The cover is the first pack's theme's cover, titled
« Dossier complet »; each pack opens with its title (a top-level bookmark, the running footer's
document title) and keeps its sections' numbering, bookmarks (one level down), language,
colours, fonts and theme CSS (confined to its part, :mod:`boardpack.render.scoped_css`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..render.scoped_css import scoped_stylesheet
from ..render.templates import make_environment
from .render import RenderedPack, _render

__all__ = ["combined_html", "combined_title"]


def combined_title(first: RenderedPack) -> str:
    """« Dossier complet » / « Complete pack », in the first pack's language."""
    return first.pack.t("Dossier complet", "Complete pack")


def combined_html(packs: Sequence[RenderedPack]) -> tuple[str, list[Path]]:
    """The combined document's HTML and the folders its layout may read, packs in the given order."""
    first = packs[0]
    titles = [p.pack.audience.title for p in packs]
    cover_audience = dataclasses.replace(first.pack.audience, title=combined_title(first),
                                         subtitle=" · ".join(titles))
    cover_pack = dataclasses.replace(first.pack, audience=cover_audience)
    parts = []
    for number, rendered in enumerate(packs, start=1):
        scope = f".part-{number}"
        css = "" if rendered.stylesheets == first.stylesheets else scoped_stylesheet(rendered.stylesheets, scope)
        css = css.replace("</", "<\\/")  # inside <style>: no end tag (a valid escape within CSS strings)
        parts.append({
            "number": number,
            "title": rendered.pack.audience.title,
            "language": rendered.pack.language,
            "sections": rendered.sections,
            "variables": _variables(rendered),
            "css": css,
        })
    env = make_environment(first.search, first.pack.fmt)
    html = _render(
        env, "combined.html", "le dossier complet",
        pack=cover_pack,
        parts=parts,
        sections=[],
        colours=first.colours,
        fonts=first.fonts,
        stylesheets=[path.as_uri() for path in first.stylesheets],
        logo=first.logo,
    )
    allowed = list(dict.fromkeys(folder for p in packs for folder in p.allowed))
    return html, allowed


def _variables(rendered: RenderedPack) -> dict[str, Any]:
    """The pack's CSS variables, as pack.html sets them on ``:root``."""
    values = {key: value for key, value in rendered.colours.items() if isinstance(value, str)}
    body = rendered.fonts.get("body", "DejaVu Sans")
    return {"colours": values, "body": body, "heading": rendered.fonts.get("heading", body)}
