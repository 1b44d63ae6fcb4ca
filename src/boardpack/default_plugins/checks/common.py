"""Helpers shared by the built-in data-quality gates: issues whose messages name the source lines.

Used by :mod:`.invoices` and :mod:`.ledger`.

Each check reads the canonical datasets through the :class:`~boardpack.api.kpis.KPIContext`
with vectorised pandas (a one-million-line FEC checks in seconds) and returns
:class:`~boardpack.api.checks.Issue` objects whose messages name the dataset and the source
lines (``frame.attrs["line_numbers"]``, see :func:`boardpack.api.datasets.line_of`). ``settings``
is the config's ``[quality]`` table, completed with the defaults the checks declare.

A check reports at most :data:`MAX_ISSUES` findings one by one; the rest are summed up in one
more issue of the same severity, so a badly broken file still gives a readable report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from boardpack.api import Formatter, Issue, QualityCheck
from boardpack.api.datasets import line_of
from boardpack.api.formatting import euros

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "FORMATTERS", "MAX_ISSUES", "MAX_KEPT_LINES", "MAX_QUOTED_LINES", "Severity", "capped_issues",
    "euros", "formatted_day", "formatted_money", "make_issue", "quoted", "row_groups",
]

#: Findings reported one by one per check; the others are summed up in one more issue.
MAX_ISSUES = 20
#: Source lines quoted in a message (``Issue.lines`` keeps up to :data:`MAX_KEPT_LINES`).
MAX_QUOTED_LINES = 10
MAX_KEPT_LINES = 200

#: How serious an issue is: a blocking one stops ``build --strict`` and holds deliveries.
Severity = Literal["blocking", "warning"]
#: The formatters of the two languages of the messages.
FORMATTERS = {"fr": Formatter("fr"), "en": Formatter("en")}


def formatted_money(cents: Any) -> dict[str, str]:
    """``cents`` as an amount in euros, formatted in French and in English."""
    return {lang: fmt.money(euros(cents)) for lang, fmt in FORMATTERS.items()}


def formatted_day(value: Any, lang: str) -> str:
    """``value`` as a date formatted in ``lang``."""
    return FORMATTERS[lang].date(pd.Timestamp(value).date())


def _lines(frame: pd.DataFrame, positions: Sequence[int] | np.ndarray) -> tuple[int, ...]:
    """Source lines of rows ``positions`` (the first :data:`MAX_KEPT_LINES`), in file order."""
    return tuple(sorted(line_of(frame, int(p)) for p in list(positions)[:MAX_KEPT_LINES]))


def quoted(text: str, lang: str) -> str:
    """``text`` between the quotation marks of ``lang``."""
    return f"« {text} »" if lang == "fr" else f"“{text}”"


def _where(dataset: str, frame: pd.DataFrame, positions: Sequence[int] | np.ndarray) -> dict[str, str]:
    """``« entries », lignes 4, 9 et 12`` in French and English, naming the FEC file when known."""
    positions = list(positions)
    shown = positions[:MAX_QUOTED_LINES]
    by_file: dict[str, list[int]] = {}
    files = frame["source_file"] if "source_file" in frame.columns else None
    for position in shown:
        name = "" if files is None else str(files.iloc[int(position)])
        by_file.setdefault(name, []).append(line_of(frame, int(position)))
    more = len(positions) - len(shown)
    out = {}
    for lang, (line, lines, and_, file_, others, sep) in {
        "fr": ("ligne", "lignes", "et", "fichier", "autres", " ; "),
        "en": ("line", "lines", "and", "file", "more", "; "),
    }.items():
        parts = []
        for name, numbers in by_file.items():
            numbers = sorted(numbers)
            text = str(numbers[-1])
            if len(numbers) > 1:
                text = ", ".join(str(n) for n in numbers[:-1]) + f" {and_} {text}"
            word = line if len(numbers) == 1 and not more else lines
            parts.append((f"{file_} {name}, " if name else "") + f"{word} {text}")
        tail = f" (+ {more} {others})" if more else ""
        out[lang] = quoted(dataset, lang) + (", " + sep.join(parts) + tail if parts else "")
    return out


def make_issue(check: QualityCheck, severity: Severity, dataset: str, frame: pd.DataFrame | None,
           positions: Sequence[int] | np.ndarray, fr: str, en: str, figures: Mapping[str, Any]) -> Issue:
    """An issue whose message ends with where the rows are: ``… (« entries », lignes 4 et 9)``."""
    if frame is not None and len(positions):
        where = _where(dataset, frame, positions)
        lines = _lines(frame, positions)
    else:
        where, lines = {lang: quoted(dataset, lang) for lang in FORMATTERS}, ()
    return Issue(
        check=check.name,
        severity=severity,
        message={"fr": f"{fr} ({where['fr']})", "en": f"{en} ({where['en']})"},
        dataset=dataset,
        lines=lines,
        figures=dict(figures),
    )


def capped_issues(check: QualityCheck, severity: Severity, dataset: str, frame: pd.DataFrame,
            groups: list[np.ndarray], build: Callable[[np.ndarray], Issue]) -> list[Issue]:
    """``build(group)`` for the first :data:`MAX_ISSUES` groups, then one issue for the rest."""
    issues = [build(group) for group in groups[:MAX_ISSUES]]
    rest = groups[MAX_ISSUES:]
    if rest:
        positions = np.concatenate(rest)
        issues.append(make_issue(
            check, severity, dataset, frame, positions,
            f"… et {len(rest)} autre(s) cas du contrôle {quoted(check.name, 'fr')} ({check.description['fr']})",
            f"… and {len(rest)} more case(s) of check {quoted(check.name, 'en')} ({check.description['en']})",
            {"count": len(rest)},
        ))
    return issues


def row_groups(frame: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> list[np.ndarray]:
    """Positions of the rows selected by ``mask``, grouped by equal ``columns``, oldest line first."""
    positions = np.flatnonzero(mask)
    if not len(positions):
        return []
    codes = frame.iloc[positions].groupby(columns, sort=False, dropna=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    split = np.flatnonzero(np.diff(codes[order])) + 1
    groups = np.split(positions[order], split)
    return sorted(groups, key=lambda g: int(g[0]))
