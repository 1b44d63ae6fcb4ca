"""The month's commentary: the DAF's own words (Markdown) and sentences generated from the figures."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .commentary_text import generate
from boardpack.api import hookimpl
from boardpack.api import Section, Unavailable
from boardpack.api import PackContext

__all__ = ["CommentarySection"]


class CommentarySection(Section):
    """« Le mot du DAF » when a Markdown file exists for the period, then the generated analysis.

    Each generated sentence carries, in ``data-sources``, the figures it quotes.
    """

    name = "commentaire"
    title = {"fr": "Commentaire du mois", "en": "Commentary"}
    template = "sections/commentary.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Human commentary (if any) and generated sentences with the facts they quote."""
        human = pack.commentary
        sentences, missing = generate(pack.facts, pack.fmt)
        if human is None and not sentences:
            raise Unavailable("; ".join(missing) or pack.t("aucun commentaire", "no commentary"))
        return {
            "human": Markup(human.html) if human else None,
            "human_file": human.source if human else None,
            "sentences": [
                {"text": s.text, "topic": s.topic,
                 "sources": "; ".join(f"{k}={v}" for k, v in s.sources.items())}
                for s in sentences
            ],
            "missing": missing,
            "period": pack.fmt.month(pack.period),
        }


@hookimpl
def register_sections() -> list[Section]:
    """Register the commentary section."""
    return [CommentarySection()]
