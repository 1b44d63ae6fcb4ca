"""A theme's CSS confined to one part of the combined PDF (boardpack.render.scoped_css)."""

from __future__ import annotations

from pathlib import Path

from boardpack.render.scoped_css import scoped_stylesheet


def test_rules_apply_inside_the_part_only(tmp_path: Path) -> None:
    """Every selector of a list is prefixed; html, body and :root become the part itself."""
    css = tmp_path / "style.css"
    css.write_text("h1, .toc li::before { color: red }\nbody { counter-reset: section }\n"
                   ":root { --x: 1 }\nhtml h2 > a:not(.b, .c) { margin: 0 }\n", encoding="utf-8")
    assert scoped_stylesheet([css], ".part-2").splitlines() == [
        ".part-2 h1, .part-2 .toc li::before { color: red }",
        ".part-2 { counter-reset: section }",
        ".part-2 { --x: 1 }",
        ".part-2 h2 > a:not(.b, .c) { margin: 0 }",
    ]


def test_page_rules_are_left_to_the_document_and_urls_made_absolute(tmp_path: Path) -> None:
    """@page and @font-face stay the first theme's; relative url()s point at the theme's folder;
    @media keeps its rules, scoped."""
    (tmp_path / "theme").mkdir()
    css = tmp_path / "theme" / "style.css"
    css.write_text('@page { size: A4 }\n@font-face { font-family: X; src: url(x.woff) }\n'
                   '.cover { background: url("img/band.svg") no-repeat, url(data:image/png;base64,AA) }\n'
                   '@media print { .tile { border: 0 } }\n', encoding="utf-8")
    scoped = scoped_stylesheet([css], ".part-3")
    assert "@page" not in scoped and "@font-face" not in scoped
    assert f'url("{(tmp_path / "theme" / "img" / "band.svg").as_uri()}")' in scoped
    assert 'url("data:image/png;base64,AA")' in scoped
    assert "@media print {.part-3 .tile { border: 0 }}" in scoped
