"""Snapshots of the remote sources: what an API returned, kept locally so a pack can be rebuilt.

``boardpack fetch`` reads every *remote* source of a config (``DataSource.remote``:
Pennylane, QuickBooks, HubSpot…) and writes one folder
``<snapshots>/<AAAAMMJJTHHMMSSZ>-<8 hex of the content hash>/`` holding one Parquet file per
dataset (money in integer cents, dates as dates) and ``manifest.json``: boardpack version,
time, config file, period, and per source its key, type, parameters (secrets replaced by
``"<secret>"``), datasets (file, rows, SHA-256, column types), fiscal years, opening
journals and findings, plus a content hash over every dataset. The folder is written under
a temporary name and renamed when complete; the ``LATEST`` file naming it is replaced last
(``os.replace``), so a failed fetch leaves the previous snapshot current and no trace; the
Parquet files, the manifest and the folder are ``fsync``-ed before ``LATEST`` moves, so a
crash never leaves ``LATEST`` naming a half-written snapshot. The manifest's ``period`` is
the month actually read: ``--period``, else ``[build] period``, else the current month in
local time (:func:`boardpack.build.period.load_request`).

``pyarrow.parquet`` is imported only when a snapshot is read or written, so configs
without a remote source (csv, fec, the demo) never load it.

``build``, ``kpis`` and ``check`` then read the remote sources from the latest snapshot
(:func:`snapshot_sources`): offline and reproducible. Local file sources (csv, fec, demo)
are never copied: their files are already local, and copying them would only make two
versions of the same data to keep in step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.sources import DataSource, Loaded, LoadRequest
from ..config import Config, PluginConfig, is_secret_reference
from ..errors import ConfigError, SourceError
from ..periods import Month

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    from ..plugins import Registry
    import pandas as pd
    import pyarrow as pa
else:
    pd = lazy_module("pandas")
    pa = lazy_module("pyarrow")

__all__ = [
    "LATEST",
    "MANIFEST",
    "Snapshot",
    "SnapshotSource",
    "latest_snapshot",
    "list_snapshots",
    "public_parameters",
    "read_snapshot",
    "remote_tables",
    "snapshots_dir",
]

LATEST = "LATEST"


MANIFEST = "manifest.json"


#: option names whose literal values are secrets even when not written ``{ env = … }``
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey", "credential")


def snapshots_dir(config: Config) -> Path:
    """Where the config's snapshots live: ``[build] snapshots`` (whose default, ``snapshots``
    beside the config, :func:`boardpack.config.load_config` sets).

    :raises ConfigError: for a config built by hand without that folder.
    """
    if config.snapshots is None:
        raise ConfigError(f"{config.path.name} : dossier des instantanés non défini ([build] snapshots)")
    return config.snapshots


def remote_tables(config: Config, registry: Registry) -> list[PluginConfig]:
    """The config's ``[sources.*]`` tables whose type is a remote source."""
    return [t for t in config.sources if getattr(registry.sources.get(t.type), "remote", False)]


def public_parameters(options: Mapping[str, Any]) -> dict[str, Any]:
    """A source's options as the manifest shows them: secrets (``{ env }``, ``{ file }``, or any
    value of an option named like a token or password) replaced by ``"<secret>"``."""
    shown: dict[str, Any] = {}
    for name, value in options.items():
        if is_secret_reference(value) or any(
                word in name.lower() for word in _SECRET_WORDS):
            shown[name] = "<secret>"
        elif isinstance(value, dict):
            shown[name] = public_parameters(value)
        else:
            shown[name] = value
    return shown


@dataclass(frozen=True)
class Snapshot:
    """One snapshot folder and its manifest."""

    path: Path
    manifest: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The folder's name (``20261103T070000Z-1a2b3c4d``)."""
        return self.path.name

    @property
    def created_at(self) -> dt.datetime:
        """When the data was fetched (UTC)."""
        return dt.datetime.fromisoformat(str(self.manifest["created_at"]))

    @property
    def label(self) -> str:
        """« instantané du 2026-11-03 07:00 UTC »."""
        return f"instantané du {self.created_at:%Y-%m-%d %H:%M} UTC"

    @property
    def period(self) -> Month | None:
        """The month the fetch went up to (``None``: up to the day of the fetch)."""
        period = self.manifest.get("period")
        return Month.parse(period) if period else None

    @property
    def covers(self) -> Month:
        """The last month the snapshot can hold (an old manifest without period: the local
        month of the fetch, as the sources counted it)."""
        return self.period or Month.of(self.created_at.astimezone().date())

    @property
    def content_hash(self) -> str:
        """SHA-256 over every dataset of every source."""
        return str(self.manifest["content_hash"])

    @property
    def rows(self) -> int:
        """Rows over every dataset."""
        return sum(d["rows"] for s in self.manifest["sources"] for d in s["datasets"].values())

    def source(self, key: str) -> Mapping[str, Any] | None:
        """The manifest entry of source ``key``."""
        return next((s for s in self.manifest["sources"] if s["key"] == key), None)

    def datasets(self, key: str) -> dict[str, pd.DataFrame]:
        """Read source ``key``'s datasets back, checking each file's SHA-256, with their dtypes.

        :raises SourceError: when a file is missing or was altered.
        """
        import pyarrow.parquet as pq  # here, not at import time: see the module's docstring

        entry = self.source(key)
        if entry is None:
            raise SourceError(f"{self.path} : l'instantané ne contient pas la source « {key} »")
        frames = {}
        for name, info in entry["datasets"].items():
            path = self.path / info["file"]
            try:
                data = path.read_bytes()
            except OSError:
                raise SourceError(f"{path} : fichier de l'instantané illisible ; relancez boardpack fetch") from None
            if hashlib.sha256(data).hexdigest() != info["sha256"]:
                raise SourceError(f"{path} : fichier de l'instantané modifié ou abîmé (SHA-256 différent) ; "
                                  "relancez boardpack fetch")
            frame = pq.read_table(pa.BufferReader(data)).to_pandas()
            for column, dtype in info.get("columns", {}).items():
                if column in frame and str(frame[column].dtype) != dtype:
                    frame[column] = frame[column].astype(dtype)
            frames[name] = frame
        return frames


class SnapshotSource(DataSource):
    """Replays one source of a snapshot: its datasets, fiscal years, opening journals, findings."""

    name = "snapshot"
    description = "Données d'une source distante relues depuis un instantané local."

    def __init__(self, snapshot: Snapshot, key: str) -> None:
        super().__init__(key, {}, snapshot.path)
        self.snapshot = snapshot

    def check(self) -> str:
        """Say which snapshot the data comes from."""
        return f"{self.snapshot.label} ({self.snapshot.rows} lignes)"

    def load(self, request: LoadRequest) -> Loaded:
        """The source's datasets, findings, fiscal years and opening journals as fetched; an old
        snapshot lacking a required column is refused."""
        frames = self.snapshot.datasets(self.key)
        for name, frame in frames.items():
            schema = request.schemas.get(name)
            missing = [c.name for c in schema.columns if c.required and c.name not in frame] if schema else []
            if missing:
                raise SourceError(
                    f"{self.snapshot.path} : le jeu « {name} » de l'instantané n'a pas la colonne "
                    f"{missing[0]} (instantané d'une version antérieure) ; relancez boardpack fetch")
        entry = self.snapshot.source(self.key) or {}
        return Loaded(
            frames,
            findings=tuple(entry.get("findings", [])),
            fiscal_years=tuple((Month.parse(a), Month.parse(b)) for a, b in entry.get("fiscal_years", [])),
            opening_journals=dict(entry.get("opening_journals", {})),
        )


def read_snapshot(path: Path) -> Snapshot:
    """The snapshot in folder ``path``.

    :raises SourceError: when its manifest is missing or unreadable.
    """
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SourceError(f"{path / MANIFEST} : manifeste d'instantané absent ou illisible ; "
                          "relancez boardpack fetch") from None
    return Snapshot(path, manifest)


def latest_snapshot(folder: Path) -> Snapshot | None:
    """The snapshot ``folder/LATEST`` names, or ``None`` when there is none yet."""
    pointer = folder / LATEST
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name or not (folder / name).is_dir():
        raise SourceError(f"{pointer} désigne un instantané absent « {name} » ; relancez boardpack fetch")
    return read_snapshot(folder / name)


def list_snapshots(folder: Path) -> list[Snapshot]:
    """Every complete snapshot of ``folder``, oldest first (temporary folders are skipped)."""
    if not folder.is_dir():
        return []
    found = [read_snapshot(p) for p in folder.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file()]
    return sorted(found, key=lambda s: (s.created_at, s.name))
