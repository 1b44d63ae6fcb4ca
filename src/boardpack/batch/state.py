"""Incremental runs: each company's content hash, and the record of its last successful build.

A company's hash covers everything its packs are made from: the boardpack version, its
portfolio entry, the period asked, its config file (its own or the template), its data
files (the FEC, every file of a CSV folder, the workbook, or every file or folder its own
config's sources name in their options: ``path``, ``mapping``…), its themes folders and its
commentary folder. A company whose hash is the one recorded after its last successful build,
and whose PDFs are all still there, is skipped. A company reading a remote source (Pennylane,
QuickBooks, HubSpot: a source plugin marked ``remote``, whose data cannot be hashed) has no
hash and is always rebuilt.

The record is a JSON file (``[portfolio] state``, default ``<out>/.boardpack-batch.json``)
written atomically by the host after each success: a run stopped half-way keeps what it did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Config
from ..errors import ConfigError
from .portfolio import CompanyEntry

__all__ = ["BatchState", "company_hash"]


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file())


def _add_tree(digest: Any, label: str, path: Path) -> None:
    """Add every file under ``path`` (names relative to it, then contents) to ``digest``."""
    digest.update(f"\0{label}\0{path.exists()}".encode())
    for file in _files(path):
        digest.update(f"\0{file.relative_to(path) if file != path else file.name}\0".encode())
        with file.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)


def company_hash(entry: CompanyEntry, config: Config, period: str | None) -> str | None:
    """The content hash of ``entry`` built with ``config`` for ``period`` (``None``: the latest
    month); ``None`` when a source reads remote data (always rebuilt)."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"boardpack": __version__, "entry": entry.describe(), "period": period or "latest"},
                             sort_keys=True).encode())
    _add_tree(digest, "config", config.path)
    from ..plugins import get_registry

    registry = get_registry()
    for source in config.sources:
        if getattr(registry.sources.get(source.type), "remote", False):
            return None
        for name, value in sorted(source.options.items()):  # path, mapping, workbook…: every file named
            if isinstance(value, str) and value and (config.base_dir / value).exists():
                _add_tree(digest, f"source {source.key}.{name}", config.base_dir / value)
    for index, folder in enumerate(config.theme_dirs):
        _add_tree(digest, f"theme {index}", folder)
    if config.commentary_dir is not None:
        _add_tree(digest, "commentary", config.commentary_dir)
    return digest.hexdigest()


class BatchState:
    """The record of each company's last successful build, kept in the JSON file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.companies: dict[str, dict[str, Any]] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.companies = dict(data["companies"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"{path} : état du portefeuille illisible ({exc.__class__.__name__}) ; "
                                  "supprimez-le pour tout reconstruire") from None

    def unchanged(self, company: str, digest: str | None, out: Path) -> bool:
        """Whether ``company`` was last built successfully from ``digest`` and its PDFs are still in ``out``."""
        record = self.companies.get(company)
        if digest is None or record is None or record.get("hash") != digest:
            return False
        return all((out / name).is_file() for name in record.get("packs", []))

    def record(self, company: str, digest: str | None, entry: Mapping[str, Any]) -> None:
        """Record a successful build of ``company`` and save the file (atomically)."""
        from ..render.pdf import write_atomically

        self.companies[company] = {"hash": digest, **entry}
        text = json.dumps({"version": 1, "companies": self.companies}, ensure_ascii=False, indent=1, sort_keys=True)
        write_atomically(self.path, text.encode("utf-8"))
