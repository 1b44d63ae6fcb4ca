"""The ``csv`` source (a folder with one CSV per dataset) and the ``demo`` source.

French conventions are accepted as they come: ``;`` or ``,`` or TAB separators (detected
on the header line), UTF-8 (with or without BOM) or Latin-1/Windows-1252, decimal comma,
``JJ/MM/AAAA`` dates. Each file is named after its dataset (``entries.csv``,
``invoices.csv``…); a CSV with any other name is refused rather than silently ignored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from boardpack.api import DataSource, LoadRequest, hookimpl
from boardpack.api.datasets import DatasetSchema, LineNumbers
from boardpack.api.errors import ConfigError, DataError, SourceError

__all__ = ["CsvSource", "DemoSource", "DEMO_DATA"]

#: The demo company's files, shipped inside the package.
DEMO_DATA = Path(__file__).resolve().parents[2] / "demo" / "data"


def _decode(path: Path, encoding: str, origin: str = "") -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{origin or path} : lecture impossible ({exc.strerror or type(exc).__name__})") from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError(f"{origin or path} : fichier en UTF-16 ; enregistrez-le en CSV UTF-8 (ou Windows-1252)")
    if _binary(raw):
        raise DataError(f"{origin or path} : ce n'est pas un fichier texte CSV (contenu binaire : un classeur "
                        "Excel ou une archive renommés en .csv ?) ; enregistrez-le en CSV")
    if encoding != "auto":
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"{path} : impossible de lire le fichier en {encoding} ({exc.__class__.__name__})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict") if _cp1252_ok(raw) else raw.decode("latin-1")


def _binary(raw: bytes) -> bool:
    """Whether ``raw`` is not text: a NUL byte, or in its first 64 KiB more than one control
    character in a hundred (tabs and line ends aside)."""
    if b"\x00" in raw:
        return True
    sample = raw[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    return controls * 100 > len(sample)


_CONTROLS = bytes([*range(1, 9), 11, 12, *range(14, 32), 127])


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def read_table(path: Path, origin: str, encoding: str = "auto", separator: str = "auto") -> pd.DataFrame:
    """Read a CSV file into a frame of strings, detecting separator and encoding.

    The file line of each row is kept in ``frame.attrs["line_numbers"]`` (blank lines are
    skipped but still counted), for error messages.

    :raises DataError: on an empty file or a row with the wrong number of fields (with its line).
    """
    text = _decode(path, encoding, origin)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DataError(f"{origin} : fichier vide (une ligne d'en-tête est attendue)")
    if separator == "auto":
        counts = {sep: lines[0].count(sep) for sep in (";", "\t", ",", "|")}
        separator = max(counts, key=lambda s: counts[s])
    fast = _read_quickly(text, lines, separator)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    rows, numbers = [], []
    try:
        header = [name.strip() for name in next(reader)]
        twice = [name for name in dict.fromkeys(header) if header.count(name) > 1]
        if twice:
            raise DataError(f"{origin}, ligne 1 : colonne « {twice[0]} » en double dans l'en-tête")
        for number, row in enumerate(reader, start=2):
            if not row or row == [""]:
                continue
            if len(row) != len(header):
                raise DataError(
                    f"{origin}, ligne {number} : {len(row)} champs au lieu de {len(header)} "
                    f"(séparateur « {separator} »)"
                )
            rows.append(row)
            numbers.append(number)
    except csv.Error as exc:
        raise DataError(f"{origin}, ligne {reader.line_num} : ligne CSV illisible ({exc})") from None
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame.attrs["line_numbers"] = LineNumbers(numbers)
    return frame


def _read_quickly(text: str, lines: list[str], separator: str) -> pd.DataFrame | None:
    """The rows as Arrow-backed strings, read by pyarrow's CSV parser; ``None`` to read slowly.

    Only for the common case where row ``i`` is file line ``i + 2`` (no blank line, no line
    break inside a quoted value) and every row has the header's number of fields; anything
    else goes through :mod:`csv`, which knows each row's line for the error messages.
    """
    header = next(csv.reader([lines[0]], delimiter=separator))
    names = [name.strip() for name in header]
    if len(set(names)) != len(names):
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=separator),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows != len(lines) - 1:  # a blank line, or a line break inside a value
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame.attrs["line_numbers"] = LineNumbers.consecutive(2, len(frame))
    return frame


class CsvSource(DataSource):
    """A folder holding one CSV file per dataset."""

    name = "csv"
    description = "Dossier de fichiers CSV, un par jeu de données (entries.csv, invoices.csv…)."
    options = {
        "path": "dossier des fichiers CSV (relatif au fichier de configuration)",
        "encoding": "auto (UTF-8 puis Windows-1252/Latin-1), ou un encodage Python",
        "separator": "auto, « ; », « , » ou « \\t »",
        "datasets": "jeux à lire (défaut : tous les fichiers du dossier), pour laisser les autres à une autre source",
    }
    required_options = ("path",)

    def folder(self) -> Path:
        """The folder to read."""
        return self.base_dir / str(self.settings["path"])

    def check(self) -> str:
        """Say how many CSV files the folder holds (``boardpack sources check``; nothing is parsed)."""
        folder = self.folder()
        if not folder.is_dir():
            raise SourceError(f"source « {self.key} » : dossier introuvable : {folder}")
        count = len(list(folder.glob("*.csv")))
        if not count:
            raise SourceError(f"source « {self.key} » : aucun fichier .csv dans {folder}")
        where = f"dans {self.settings['path']}/" if "path" in self.settings else "de démonstration"
        chosen = self.settings.get("datasets")
        only = f" (jeux retenus : {', '.join(map(str, chosen))})" if isinstance(chosen, list) else ""
        return f"{count} fichier{'s' if count > 1 else ''} CSV {where}{only}"

    def load(self, request: LoadRequest) -> dict[str, pd.DataFrame]:
        """Read and check every ``<dataset>.csv`` of the folder."""
        schemas = request.schemas
        folder = self.folder()
        if not folder.is_dir():
            raise SourceError(f"source « {self.key} » : dossier introuvable : {folder}")
        files = sorted(folder.glob("*.csv"))
        if not files:
            raise SourceError(f"source « {self.key} » : aucun fichier .csv dans {folder}")
        wanted = self.wanted(schemas)
        datasets = {}
        for path in files:
            if wanted is not None and path.stem not in wanted:
                continue
            if path.stem not in schemas:
                raise SourceError(
                    f"source « {self.key} » : le fichier {path.name} ne correspond à aucun jeu de "
                    f"données (noms admis : {', '.join(f'{n}.csv' for n in sorted(schemas))})"
                )
            origin = self.origin(path)
            raw = read_table(
                path,
                origin,
                str(self.settings.get("encoding", "auto")),
                str(self.settings.get("separator", "auto")),
            )
            datasets[path.stem] = schemas[path.stem].coerce(raw, origin)
        return datasets

    def origin(self, path: Path) -> str:
        """How a file is named in messages."""
        return str(path)

    def wanted(self, schemas: Mapping[str, DatasetSchema]) -> set[str] | None:
        """The ``datasets`` option checked against the registered schemas (None: every file)."""
        if "datasets" not in self.settings:
            return None
        names = self.settings["datasets"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ConfigError(f"clé « sources.{self.key}.datasets » : une liste de noms de jeux est attendue")
        for name in names:
            if name not in schemas:
                raise ConfigError(
                    f"clé « sources.{self.key}.datasets » : jeu de données inconnu « {name} » "
                    f"(jeux : {', '.join(sorted(schemas))})"
                )
        return set(names)


class DemoSource(CsvSource):
    """The demo company's data shipped with boardpack (no option)."""

    name = "demo"
    description = "Données de la société de démonstration Mécanique de Précision du Rhône."
    options: Mapping[str, str] = {"datasets": CsvSource.options["datasets"]}
    required_options = ()

    def folder(self) -> Path:
        """The packaged demo data folder."""
        return DEMO_DATA

    def origin(self, path: Path) -> str:
        """Demo files are named by their file name only."""
        return f"demo/{path.name}"


@hookimpl
def register_sources() -> list[type[DataSource]]:
    """Register the CSV and demo sources."""
    return [CsvSource, DemoSource]
