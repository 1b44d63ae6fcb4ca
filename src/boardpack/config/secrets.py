"""Secrets in the config: ``{ env = "VAR" }`` or ``{ file = "/path" }``, never the value itself.

They are resolved only when a plugin is built, and their values never appear in messages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["is_secret_reference", "resolve_secrets"]


def is_secret_reference(value: Any) -> bool:
    """Whether an option value names a secret: ``{ env = "VAR" }`` or ``{ file = "path" }``."""
    return isinstance(value, dict) and set(value) in ({"env"}, {"file"})


def resolve_secrets(options: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Replace every ``{ env = "VAR" }`` / ``{ file = "path" }`` value by the secret it names.

    :raises ConfigError: naming the key and the variable or file, never the secret.
    """
    resolved: dict[str, Any] = {}
    for name, value in options.items():
        key = f"{origin}.{name}"
        if is_secret_reference(value) and "env" in value:
            secret = os.environ.get(str(value["env"]))
            if not secret:
                raise ConfigError(f"clé « {key} » : la variable d'environnement {value['env']} n'est pas définie")
            resolved[name] = secret
        elif is_secret_reference(value):
            try:
                resolved[name] = Path(str(value["file"])).expanduser().read_text(encoding="utf-8").strip()
            except OSError:
                raise ConfigError(f"clé « {key} » : fichier de secret illisible : {value['file']}") from None
        else:
            resolved[name] = value
    return resolved
