"""A theme's CSS confined to one part of a document (the packs of a combined PDF).

The combined PDF is one HTML document laid out in the first pack's theme; each other pack
keeps its own theme's look inside its ``<div class="part part-N">``: its CSS files are
rewritten here so that every rule applies inside that element only (``h1`` → ``.part-2 h1``,
``html``/``body``/``:root`` → ``.part-2``), with relative ``url()`` made absolute. Rules
about the whole document (``@page``, ``@font-face``, ``@import``…) stay the first theme's
and are left out. Parsing is tinycss2's (WeasyPrint's own CSS parser).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import tinycss2
from tinycss2.serializer import serialize_identifier

__all__ = ["scoped_stylesheet"]

_ROOTS = ("html", "body", ":root")


def scoped_stylesheet(paths: Iterable[Path], scope: str) -> str:
    """The CSS of ``paths`` (in order) with every style rule confined to selector ``scope``."""
    out = []
    for path in paths:
        base = path.resolve().as_uri()
        rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True,
                                          skip_whitespace=True)
        for rule in rules:
            if rule.type == "qualified-rule":
                out.append(f"{_scoped_selectors(rule.prelude, scope)} {{{_with_absolute_urls(rule.content, base)}}}")
            elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
                inner = scoped_rules(rule.content, scope, base)
                out.append(f"@media {tinycss2.serialize(rule.prelude).strip()} {{{inner}}}")
    return "\n".join(out)


def scoped_rules(content: list[Any], scope: str, base: str) -> str:
    """The style rules of a block (``@media``'s content), confined to ``scope``."""
    rules = tinycss2.parse_rule_list(content, skip_comments=True, skip_whitespace=True)
    return "\n".join(f"{_scoped_selectors(r.prelude, scope)} {{{_with_absolute_urls(r.content, base)}}}"
                     for r in rules if r.type == "qualified-rule")


def _scoped_selectors(prelude: list[Any], scope: str) -> str:
    """``a, b > c`` → ``scope a, scope b > c``; a selector starting at the root starts at ``scope``."""
    selectors: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    scoped = []
    for tokens in selectors:
        text = tinycss2.serialize(tokens).strip()
        if not text:
            continue
        head = next((root for root in _ROOTS if text == root or text.startswith(root + " ")), None)
        scoped.append(scope + text[len(head):] if head else f"{scope} {text}")
    return ", ".join(scoped)


def _with_absolute_urls(tokens: list[Any] | None, base: str) -> str:
    """Serialize declarations, relative ``url()``s resolved against the stylesheet's ``base``."""
    out = []
    for token in tokens or []:
        if token.type == "url":
            out.append(f'url("{_absolute(token.value, base)}")')
        elif token.type == "function" and token.lower_name == "url":
            strings = [t.value for t in token.arguments if t.type == "string"]
            out.append(f'url("{_absolute(strings[0], base)}")' if strings else token.serialize())
        elif token.type == "function":
            out.append(f"{serialize_identifier(token.name)}({_with_absolute_urls(token.arguments, base)})")
        else:
            out.append(token.serialize())
    return "".join(out)


def _absolute(url: str, base: str) -> str:
    if url.startswith("data:"):
        return url.replace('"', "%22")
    return urljoin(base, url).replace('"', "%22")
