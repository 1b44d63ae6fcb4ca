"""``boardpack new plugin NAME --kind KIND``: a plugin package that installs and passes its test.

The package is written from the templates in ``scaffold_templates/``: ``common/`` (the
``pyproject.toml`` with the ``boardpack`` entry point, the README, the package
``__init__``) and one folder per kind (the module with the hook implementation, its test,
and for some kinds a template or theme folder). File names and contents are
:class:`string.Template` texts; ``__package__`` in a file name becomes the package name and
a trailing ``.tmpl`` is dropped.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

from .errors import ConfigError
from .plugins import _KINDS, get_registry

__all__ = ["KINDS", "names", "scaffold_plugin"]

#: What a scaffolded plugin may provide.
KINDS = ("source", "kpi", "section", "chart", "theme", "channel")
#: How the registry's ``providers`` name each kind (from :data:`boardpack.plugins._KINDS`: the
#: kind ``x`` is registered by the hook ``register_xs``).
_KIND_LABELS = {kind: label for kind in KINDS for hook, _, label, _ in _KINDS if hook == f"register_{kind}s"}
TEMPLATES = Path(__file__).resolve().parent / "scaffold_templates"
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def names(name: str) -> dict[str, str]:
    """The substitutions for plugin ``name``: distribution, package, item id, class prefix.

    :raises ConfigError: when ``name`` does not make a Python package name once ``-`` is ``_``.
    """
    ident = name.replace("-", "_")
    if not _NAME.fullmatch(ident) or keyword.iskeyword(ident):
        raise ConfigError(
            f"nom de plugin invalide « {name} » : des minuscules, chiffres, « - » ou « _ », en commençant "
            "par une lettre (ex. top3, budget-excel)"
        )
    return {
        "name": name,
        "ident": ident,
        "dist": f"boardpack-{name}",
        "package": f"boardpack_{ident}",
        "cls": "".join(part.capitalize() for part in ident.split("_")),
    }


def scaffold_plugin(name: str, kind: str, target: Path | None = None) -> Path:
    """Write the package of plugin ``name`` providing one ``kind``; return its folder.

    :param target: the folder to create (default ``./boardpack-NAME``); it must not exist
        or be empty.
    :raises ConfigError: on a bad name or kind, a name already registered for that kind
        (the generated test would fail on the duplicate), or a folder that already has files.
    """
    if kind not in KINDS:
        raise ConfigError(f"--kind : type de plugin inconnu « {kind} » (types : {', '.join(KINDS)})")
    values = names(name)
    provider = get_registry().providers.get((_KIND_LABELS[kind], values["ident"]))
    if provider is not None:
        raise ConfigError(
            f"nom de plugin « {name} » : « {values['ident']} » est déjà fourni par {provider} ; choisissez un autre nom"
        )
    folder = Path(target) if target is not None else Path(values["dist"])
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(f"{folder} existe déjà et n'est pas vide : rien n'a été écrit (choisissez --dir)")
    files = {}
    for root in (TEMPLATES / "common", TEMPLATES / kind):
        for source in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = source.relative_to(root).as_posix()
            relative = relative.replace("__package__", values["package"]).replace("__ident__", values["ident"])
            relative = relative.removesuffix(".tmpl")
            files[relative] = Template(source.read_text(encoding="utf-8")).substitute(values, kind=kind)
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
