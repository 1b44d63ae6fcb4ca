"""The DAF's own commentary: a Markdown file per period, read by the host for each pack.

``<dir>/AAAA-MM.md`` holds the period's commentary; ``<dir>/AAAA-MM-<audience>.md``, when it
exists, wins for that audience. Raw HTML in it is not rendered. Sections receive it ready
(:attr:`boardpack.api.sections.PackContext.commentary`): they never read files.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from ..api.sections import HumanCommentary
from ..errors import ConfigError
from ..periods import Month

__all__ = ["human_commentary"]

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False})


def human_commentary(folder: Path | None, period: Month, audience: str) -> HumanCommentary | None:
    """The DAF's commentary for ``period`` as HTML, with its file name, or ``None`` when there is none.

    The audience's own file (``AAAA-MM-<audience>.md``) wins over the period's (``AAAA-MM.md``).
    """
    if folder is None:
        return None
    for name in (f"{period}-{audience}.md", f"{period}.md"):
        path = folder / name
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path} : commentaire illisible ({exc.__class__.__name__})") from None
            return HumanCommentary(_MARKDOWN.render(text), path.name)
    return None

