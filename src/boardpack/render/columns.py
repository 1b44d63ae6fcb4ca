"""Where a short two-column list of terms and definitions (``dl.formulas``) turns to its second column.

WeasyPrint balances CSS columns by laying their content out again and again, a pixel taller
each time, until it fits: on the demo packs that was a quarter of the layout time of a pack
with one short list. The templates instead ask :func:`second_column_start` where the second
column should start and mark that entry with a forced column break (``column-fill: auto``,
see the theme's style.css): one layout, and the same split as the balanced columns as long
as the estimate of each entry's height picks the same entry.

The estimate wraps each term and definition into lines with the pack's body font metrics
(through matplotlib, which has already found the font for the charts) at the sizes and
widths of style.css, copied below. Lists estimated taller than :data:`MAX_SPLIT_HEIGHT_MM`
get no split: such a list may run over a page, and there WeasyPrint's own balancing of the
last page is kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

__all__ = ["MAX_SPLIT_HEIGHT_MM", "entry_lines", "second_column_start", "split_index"]

_PT_PER_MM = 72 / 25.4
# From style.css (dl.formulas and the @page margins); tests/test_render_columns.py checks them.
_PAGE_WIDTH_MM = 210 - 16 - 16
_COLUMN_GAP_MM = 8
_FONT_SIZE_PT = 7.5
_LINE_HEIGHT = 1.4
_DEFINITION_INDENT_MM = 3
#: below each entry (``dl.formulas .formula { padding-bottom }``)
ENTRY_GAP_MM = 2.0
#: the tallest list (estimated, balanced) split by the template: about half the body of a
#: portrait page and two thirds of a landscape one, so that the list fits on a page
MAX_SPLIT_HEIGHT_MM = 120.0

# A line may break after a space, or after a hyphen, slash or dash inside a word.
_BREAKS = re.compile(r"(?<=[ ])|(?<=[-/–—])(?=[^\s\d])")
# Collapsible white space (CSS): not the no-break spaces, which join what they separate.
_SPACES = re.compile(r"[ \t\n\r\f]+")


@functools.lru_cache(maxsize=8)
def _font_file(font: str, bold: bool) -> str:
    from matplotlib import font_manager

    properties = font_manager.FontProperties(family=[font, "DejaVu Sans"], weight="bold" if bold else "normal")
    return str(font_manager.findfont(properties))


@functools.lru_cache(maxsize=8192)
def _width_mm(text: str, font: str, bold: bool) -> float:
    """Advance width of ``text`` at the list's size, kerning included."""
    from matplotlib import font_manager

    face = font_manager.get_font(_font_file(font, bold))
    # At a hundred times the size, hinting no longer rounds each advance to a whole pixel.
    face.set_size(_FONT_SIZE_PT, 72 * 100)
    face.set_text(text, 0.0)
    return float(face.get_width_height()[0]) / 64 / 100 / _PT_PER_MM


def entry_lines(text: str, width_mm: float, font: str, bold: bool = False) -> int:
    """How many lines ``text`` takes once wrapped, greedily, at ``width_mm``."""
    pieces = [piece for piece in _BREAKS.split(_SPACES.sub(" ", text).strip(" ")) if piece]
    if not pieces:
        return 0
    lines, used = 1, 0.0
    for piece in pieces:
        width = _width_mm(piece.rstrip(" "), font, bold)
        if used and used + width > width_mm:
            lines, used = lines + 1, 0.0
        used += _width_mm(piece, font, bold) if piece.endswith(" ") else width
    return lines


def split_index(heights: Sequence[float]) -> int:
    """The first entry of the second column, as balanced columns would place it.

    Balanced columns are as short as they can be with every entry whole: the lowest height
    ``H`` such that the entries fit in two columns of height ``H``, the first column taking
    as many entries as fit in it.
    """
    total = sum(heights)
    prefixes = [sum(heights[:index]) for index in range(len(heights) + 1)]
    lowest = min(max(prefixes[index], total - prefixes[index]) for index in range(1, len(heights)))
    return max(index for index in range(1, len(heights)) if prefixes[index] <= lowest + 1e-9)


def second_column_start(entries: Iterable[tuple[str, str]], font: str, gap_mm: float = ENTRY_GAP_MM) -> int | None:
    """Index of the entry starting the second column of a two-column ``dl.formulas``.

    :param entries: ``(term, definition)`` of each entry, as printed.
    :param font: the pack's body font.
    :param gap_mm: the space below each entry.
    :returns: ``None`` for fewer than two entries, or a list too tall to be split here.
    """
    column_mm = (_PAGE_WIDTH_MM - _COLUMN_GAP_MM) / 2
    line_mm = _FONT_SIZE_PT * _LINE_HEIGHT / _PT_PER_MM
    heights = [
        line_mm * (entry_lines(str(term), column_mm, font, bold=True)
                   + entry_lines(str(definition), column_mm - _DEFINITION_INDENT_MM, font))
        + gap_mm
        for term, definition in entries
    ]
    if len(heights) < 2:
        return None
    index = split_index(heights)
    if max(sum(heights[:index]), sum(heights[index:])) > MAX_SPLIT_HEIGHT_MM:
        return None
    return index
