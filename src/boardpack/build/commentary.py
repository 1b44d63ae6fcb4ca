"""The DAF's own commentary: a Markdown file per period, read by the host for each pack.

``<dir>/AAAA-MM.md`` holds the period's commentary; ``<dir>/AAAA-MM-<audience>.md``, when it
exists, wins for that audience. Raw HTML in it is not rendered, images only as ``data:`` URIs
(the PDF fetches nothing else), and a file that resolves outside the folder (a symbolic link
to a secret) is refused. Sections receive it ready
(:attr:`boardpack.api.sections.PackContext.commentary`): they never read files.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ..api.sections import HumanCommentary
from ..errors import ConfigError
from ..paths import inside
from ..periods import Month

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["human_commentary"]

@functools.cache
def _markdown() -> MarkdownIt:
    """The commentary's Markdown parser (CommonMark, no raw HTML), made on first use."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def human_commentary(folder: Path | None, period: Month, audience: str) -> HumanCommentary | None:
    """The DAF's commentary for ``period`` as HTML, with its file name, or ``None`` when there is none.

    The audience's own file (``AAAA-MM-<audience>.md``) wins over the period's (``AAAA-MM.md``).
    """
    if folder is None:
        return None
    for name in (f"{period}-{audience}.md", f"{period}.md"):
        path = folder / name
        if path.is_file() or path.is_symlink():
            inside(path, folder, "commentaire")
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path} : commentaire illisible ({exc.__class__.__name__})") from None
            markdown = _markdown()
            tokens = markdown.parse(text)
            _refuse_images(tokens, path)
            return HumanCommentary(markdown.renderer.render(tokens, markdown.options, {}), path.name)
    return None


def _refuse_images(tokens: list[Token], path: Path) -> None:
    """An image that is not a ``data:`` URI would be refused when the PDF is laid out: say so now,
    naming the file and line."""
    for token in tokens:
        for child in token.children or ():
            source = str(child.attrs.get("src", "")) if child.type == "image" else ""
            if child.type == "image" and not source.startswith("data:"):
                line = token.map[0] + 1 if token.map else 1
                raise ConfigError(f"{path}, ligne {line} : image « {source} » refusée : un commentaire n'affiche que "
                                  "des images intégrées (data:…), le PDF ne lit rien d'autre")

