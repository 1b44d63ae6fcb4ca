"""Files the engine reads for a pack stay inside the folder they were configured in.

A commentary, a theme's manifest, logo, CSS or chart style is read only if, once symbolic
links are followed, it is a file inside its folder: whoever can write that folder must not be
able to mail any file the service account reads (``2026-10.md → ../secrets.env``).
"""

from __future__ import annotations

from pathlib import Path

from .errors import ConfigError

__all__ = ["inside"]


def inside(path: Path, folder: Path, what: str) -> Path:
    """``path`` resolved, if it is a file inside ``folder`` once links are followed.

    :param what: what the file is, for the message (« commentaire », « logo du thème »…).
    :raises ConfigError: naming ``path`` when it leads outside ``folder`` or is not a file.
    """
    real, root = path.resolve(), folder.resolve()
    if root not in real.parents:
        how = "ce lien symbolique mène" if path.is_symlink() else "ce chemin mène"
        raise ConfigError(f"{path} : {what} refusé : {how} hors du dossier {folder} ({real})")
    if not real.is_file():
        raise ConfigError(f"{path} : {what} introuvable ou qui n'est pas un fichier")
    return real
