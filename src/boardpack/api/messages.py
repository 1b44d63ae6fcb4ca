"""Message templates for channels and notices: ``email/<name>.<language>.<txt|html>``.

Looked up in the config's ``templates/`` folder first (to reword a message), then in the
folders a plugin ships, then in the built-in ``boardpack/templates/``. Undefined variables
are errors, so a misspelt variable in an override fails loudly instead of leaving a blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from ..errors import RenderError
from ..render.templates import BUILTIN_TEMPLATES, ConfinedLoader
from .kpis import STATUS_LABELS

__all__ = ["TextTemplates", "status_label"]


class TextTemplates:
    """Renders the message templates for one config folder.

    :param base_dir: the config's folder (its ``templates/`` overrides everything).
    :param folders: template folders a plugin ships, searched before the built-in ones.
    """

    def __init__(self, base_dir: Path, folders: Sequence[Path] = ()) -> None:
        folders = [base_dir / "templates", *folders, BUILTIN_TEMPLATES]
        self.env = jinja2.Environment(
            loader=ConfinedLoader([str(f) for f in folders if f.is_dir()]),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, name: str, language: str, suffix: str, **context: Any) -> str:
        """Render ``email/<name>.<language>.<suffix>`` (French when that language has none)."""
        candidates = [f"email/{name}.{language}.{suffix}", f"email/{name}.fr.{suffix}"]
        try:
            template = self.env.select_template(candidates)
            return template.render(**context)
        except jinja2.TemplateNotFound:
            raise RenderError(f"modèle de courriel introuvable : {candidates[0]}") from None
        except jinja2.TemplateError as exc:
            raise RenderError(f"modèle de courriel {candidates[0]} : {exc} ; corrigez le modèle "
                              "(dossier templates/email/ de la configuration)") from None

    def subject(self, name: str, language: str, **context: Any) -> str:
        """A one-line subject (``<name>_subject``), whitespace collapsed."""
        return " ".join(self.render(f"{name}_subject", language, "txt", **context).split())


def status_label(status: str, language: str) -> str:
    """The reader's word for a KPI status worth flagging in a message (``warn``, ``alert``), else ``""``."""
    if status not in ("warn", "alert"):
        return ""
    fr, en = STATUS_LABELS[status]
    return fr if language == "fr" else en
