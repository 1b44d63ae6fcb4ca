"""Remote sources at build time: read live into a new snapshot (:func:`fetch`), or replayed from the
latest one (:func:`snapshot_sources`). The snapshot store itself is :mod:`.snapshots`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..api.sources import DataSource, Loaded, LoadRequest
from ..config import Config, PluginConfig
from ..errors import ConfigError, SourceError
from ..periods import Month
from ..render.pdf import fsync_folder, write_atomically
from .configured import instantiate

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    from ..plugins import Registry
    import pyarrow as pa
else:
    pa = lazy_module("pyarrow")

from .snapshots import (
    LATEST,
    MANIFEST,
    Snapshot,
    SnapshotSource,
    latest_snapshot,
    public_parameters,
    remote_tables,
    snapshots_dir,
)

__all__ = ["Replay", "fetch", "snapshot_sources"]

Progress = Callable[[str], None]


def fetch(config: Config, registry: Registry, request: LoadRequest, say: Progress | None = None) -> Snapshot:
    """Read every remote source of ``config`` live, up to ``request.until``, and write a new snapshot.

    The month read up to is recorded in the manifest (see :func:`boardpack.build.period.load_request`).

    :returns: the snapshot written, now ``LATEST``.
    :raises BoardpackError: the first failure (an :class:`~boardpack.connectors.http.ApiError`…);
        nothing is left behind and the previous snapshot stays current.
    """
    say = say or (lambda message: None)
    tables = remote_tables(config, registry)
    if not tables:
        raise ConfigError(f"{config.path.name} : aucune source distante à lire (les sources csv, fec et demo "
                          "sont des fichiers locaux, lus directement)")
    period = request.until
    folder = snapshots_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=".fetch-", dir=folder))
    try:
        entries, providers = [], {}
        for table in tables:
            say(f"lecture de la source distante « {table.key} » ({table.type})")
            source: DataSource = instantiate(config, registry, table, "source")
            loaded = Loaded.of(source.load(request))
            for name in loaded:
                if name in providers:
                    raise ConfigError(f"{config.path.name} : le jeu « {name} » est fourni à la fois par "
                                      f"[sources.{providers[name]}] et [sources.{table.key}]")
                providers[name] = table.key
            entries.append(_write_source(temporary, table, loaded))
        created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        lines = sorted(f"{e['key']}/{n}:{d['sha256']}" for e in entries for n, d in e["datasets"].items())
        content_hash = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        manifest = {
            "boardpack": __version__,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "config": config.path.name,
            "period": str(period),
            "content_hash": content_hash,
            "sources": entries,
        }
        _write_durably(temporary / MANIFEST,
                       (json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8"))
        fsync_folder(temporary)
        final = _free_name(folder, f"{created:%Y%m%dT%H%M%SZ}-{content_hash[:8]}")
        os.rename(temporary, final)
        fsync_folder(folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    try:
        _point_latest(folder, final.name)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    snapshot = Snapshot(final, manifest)
    say(f"{snapshot.label} écrit : {final}")
    return snapshot


def _write_source(folder: Path, table: PluginConfig, loaded: Loaded) -> dict[str, Any]:
    """Write one source's datasets as Parquet (each hashed in memory, written once, fsync-ed);
    return its manifest entry."""
    import pyarrow.parquet as pq

    datasets = {}
    for name, frame in sorted(loaded.items()):
        plain = frame.copy(deep=False)
        plain.attrs = {}
        file_name = f"{name}.parquet"
        buffer = pa.BufferOutputStream()
        try:
            pq.write_table(pa.Table.from_pandas(plain, preserve_index=False), buffer)
        except (pa.ArrowException, ValueError, TypeError) as exc:
            raise SourceError(f"source « {table.key} », jeu « {name} » : impossible de l'écrire en Parquet "
                              f"({exc.__class__.__name__}) ; signalez ce défaut du plugin « {table.type} »") from None
        data = buffer.getvalue().to_pybytes()
        _write_durably(folder / file_name, data)
        datasets[name] = {
            "file": file_name,
            "rows": len(frame),
            "sha256": hashlib.sha256(data).hexdigest(),
            "columns": {str(c): str(t) for c, t in frame.dtypes.items()},
        }
    return {
        "key": table.key,
        "type": table.type,
        "parameters": public_parameters(table.options),
        "datasets": datasets,
        "fiscal_years": [[str(a), str(b)] for a, b in loaded.fiscal_years],
        "opening_journals": dict(loaded.opening_journals),
        "findings": [str(f) for f in loaded.findings],
    }


def _write_durably(path: Path, data: bytes) -> None:
    """Write a new file of the (still temporary) snapshot folder and fsync it."""
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name-2``, ``name-3``… when a snapshot of the same second and content exists."""
    candidate, number = folder / name, 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{name}-{number}"
    return candidate


def _point_latest(folder: Path, name: str) -> None:
    """Make ``folder/LATEST`` name ``name``, atomically and durably."""
    write_atomically(folder / LATEST, (name + "\n").encode("utf-8"))


@dataclass(frozen=True)
class Replay:
    """The remote sources of a config, replayed from a snapshot (empty without remote sources)."""

    sources: Mapping[str, DataSource]
    snapshot: Snapshot | None = None
    #: a line saying which snapshot was used, or that the sources were read live
    note: str = ""


def snapshot_sources(config: Config, registry: Registry, request: LoadRequest, refresh: bool = False,
                     say: Progress | None = None) -> Replay:
    """The remote sources of ``config``, replayed from the latest snapshot.

    The snapshot must reach ``request.period`` when one was asked. Fetches live first (writing a
    new snapshot) with ``refresh`` or when there is no snapshot yet. Returns an empty
    :class:`Replay` without touching the disk when the config has no remote source.

    :raises SourceError: when the snapshot no longer matches the config's remote sources or
        stops before the period: the message says to run ``build --refresh``.
    """
    say = say or (lambda message: None)
    tables = remote_tables(config, registry)
    if not tables:
        return Replay({})
    snapshot = None if refresh else latest_snapshot(snapshots_dir(config))
    if snapshot is None:
        why = "--refresh" if refresh else "aucun instantané"
        say(f"sources distantes lues en direct ({why})")
        snapshot = fetch(config, registry, request, say)
        note = f"sources distantes lues en direct, {snapshot.label} écrit"
    else:
        _check_matches(snapshot, tables, request.period, config)
        note = f"sources distantes : {snapshot.label}"
        say(note)
    return Replay({table.key: SnapshotSource(snapshot, table.key) for table in tables}, snapshot, note)


def _check_matches(snapshot: Snapshot, tables: list[PluginConfig], period: Month | None, config: Config) -> None:
    fix = f"relancez « boardpack build {config.path.name} --refresh » ou « boardpack fetch {config.path.name} »"
    for table in tables:
        entry = snapshot.source(table.key)
        if entry is None or entry["type"] != table.type:
            raise SourceError(f"l'{snapshot.label} ({snapshot.path}) ne contient pas la source "
                              f"[sources.{table.key}] de type « {table.type} » ; {fix}")
        if entry["parameters"] != json.loads(json.dumps(public_parameters(table.options), default=str)):
            raise SourceError(f"l'{snapshot.label} a été pris avec d'autres options pour [sources.{table.key}] ; {fix}")
    if period is not None and period > snapshot.covers:
        raise SourceError(f"l'{snapshot.label} s'arrête à {snapshot.covers}, avant la période demandée {period} ; {fix}")
