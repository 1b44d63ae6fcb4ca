"""The ``csv`` source (a folder with one table per dataset, or a workbook) and the ``demo`` source.

French conventions are accepted as they come: ``;`` or ``,`` or TAB separators (detected
on the header line), UTF-8 (with or without BOM), UTF-16 (with its BOM) or
Latin-1/Windows-1252, decimal comma, ``JJ/MM/AAAA`` dates (``MM/JJ/AAAA`` when the file's
dates say so; see :mod:`.tables`). Each file is named after its dataset (``entries.csv``,
``invoices.xlsx``, ``budget.ods``…); a workbook of another name is read for its sheets named
after datasets; a CSV or workbook with any other name is refused rather than silently
ignored, and a file of another kind (``notes.pdf``) is reported as a warning. ``path`` may
also name one workbook whose sheets are the datasets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from boardpack.api import DataSource, Loaded, LoadRequest, hookimpl
from boardpack.api.datasets import DatasetSchema, LineNumbers
from boardpack.api.errors import ConfigError, DataError, SourceError

from .correspondences import Correspondences, read_correspondences
from .datasets import budget_lines
from .tables import TEXT_SUFFIXES, WORKBOOK_SUFFIXES, cell_of, decode, read_workbook, settle_day_month

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv
else:
    pd = lazy_module("pandas")
    pa = lazy_module("pyarrow")
    pa_csv = lazy_module("pyarrow.csv")

__all__ = ["CsvSource", "DemoSource", "DEMO_DATA"]

#: The demo company's files, shipped inside the package.
DEMO_DATA = Path(__file__).resolve().parents[2] / "demo" / "data"


def read_table(path: Path, origin: str, encoding: str = "auto", separator: str = "auto") -> pd.DataFrame:
    """Read a CSV file into a frame of strings, detecting separator and encoding.

    The file line of each row is kept in ``frame.attrs["line_numbers"]`` (blank lines are
    skipped but still counted), for error messages.

    :raises DataError: on an empty file or a row with the wrong number of fields (with its line).
    """
    text = decode(path, encoding, origin)
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
    """A folder holding one CSV file or workbook per dataset, or one workbook of dataset sheets."""

    name = "csv"
    description = ("Dossier de fichiers CSV ou de classeurs (.xlsx, .ods), un par jeu de données "
                   "(entries.csv, budget.xlsx…), ou un classeur dont chaque feuille est un jeu.")
    options = {
        "path": "dossier des fichiers, ou classeur .xlsx/.ods (relatif au fichier de configuration)",
        "encoding": "auto (UTF-16 avec BOM, UTF-8, puis Windows-1252/Latin-1), ou un encodage Python",
        "separator": "auto, « ; », « , » ou « \\t »",
        "datasets": "jeux à lire (défaut : tous les fichiers du dossier), pour laisser les autres à une autre source",
        "date_order": "auto (déduit des dates de chaque fichier), jj/mm ou mm/jj",
        "mapping": "fichier de correspondances (type;source;cible) : vos comptes vers le PCG, vos lignes "
                   "de budget vers les lignes du compte de résultat",
    }
    required_options = ("path",)

    def folder(self) -> Path:
        """The folder (or workbook) to read."""
        return self.base_dir / str(self.settings["path"])

    def _tables(self) -> tuple[list[Path], list[str]]:
        """The readable files of the folder (or the workbook), and the names of the others."""
        target = self.folder()
        if target.is_file() and target.suffix.lower() in WORKBOOK_SUFFIXES:
            return [target], []
        if not target.is_dir():
            raise SourceError(f"source « {self.key} » : dossier introuvable : {target}")
        files, others = [], []
        for path in sorted(target.iterdir()):
            if path.name.startswith((".", "~$")) or not path.is_file():
                continue  # hidden files, Excel's lock files, sub-folders
            if path.suffix.lower() in TEXT_SUFFIXES + WORKBOOK_SUFFIXES:
                files.append(path)
            else:
                others.append(path.name)
        if not files:
            raise SourceError(f"source « {self.key} » : aucun fichier .csv, .xlsx ou .ods dans {target}")
        return files, others

    def check(self) -> str:
        """Say how many files the folder holds (``boardpack sources check``; nothing is parsed)."""
        files, _ = self._tables()
        count = len(files)
        kind = "CSV" if all(f.suffix.lower() in TEXT_SUFFIXES for f in files) else "CSV ou classeur"
        where = f"dans {self.settings['path']}/" if "path" in self.settings else "de démonstration"
        chosen = self.settings.get("datasets")
        only = f" (jeux retenus : {', '.join(map(str, chosen))})" if isinstance(chosen, list) else ""
        return f"{count} fichier{'s' if count > 1 else ''} {kind} {where}{only}"

    def load(self, request: LoadRequest) -> Loaded:
        """Read and check every table of the folder; files of another kind are warnings."""
        schemas = request.schemas
        files, others = self._tables()
        wanted = self.wanted(schemas)
        mapping = self.correspondences()
        if mapping is not None:
            files = [f for f in files if f.resolve() != (self.base_dir / str(self.settings["mapping"])).resolve()]
        datasets: dict[str, pd.DataFrame] = {}
        origins: dict[str, str] = {}
        findings = [f"source « {self.key} » : fichier {name} ignoré (type inconnu ; lus : "
                    f"{', '.join(TEXT_SUFFIXES + WORKBOOK_SUFFIXES)})" for name in others]
        for path in files:
            if wanted is not None and path.suffix.lower() in TEXT_SUFFIXES and path.stem not in wanted:
                continue  # left to another source
            for name, raw, origin in self._read(path, schemas):
                if wanted is not None and name not in wanted:
                    continue
                if name in datasets:
                    raise SourceError(f"source « {self.key} » : le jeu « {name} » est à la fois dans "
                                      f"{origins[name]} et {origin} ; gardez-en un")
                raw = settle_day_month(raw, schemas[name], origin, str(self.settings.get("date_order", "auto")))
                if mapping is not None and name == "entries":
                    raw = mapping.map_accounts(raw, origin)
                elif mapping is not None and name == "budget":
                    raw = mapping.map_budget(raw)
                try:
                    datasets[name] = schemas[name].coerce(raw, origin)
                except DataError as exc:
                    raise cell_of(exc, raw.attrs.get("letters", {})) from None
                origins[name] = origin
        return Loaded(datasets, tuple(findings))

    def correspondences(self) -> Correspondences | None:
        """The ``mapping`` file, read and checked (``None`` without the option)."""
        if "mapping" not in self.settings:
            return None
        return read_correspondences(self.base_dir / str(self.settings["mapping"]), budget_lines())

    def _read(self, path: Path, schemas: Mapping[str, DatasetSchema]) -> list[tuple[str, pd.DataFrame, str]]:
        """The datasets one file holds: (name, raw table, how it is named in messages)."""
        stem = path.stem
        if path.suffix.lower() in TEXT_SUFFIXES:
            if stem not in schemas:
                raise SourceError(
                    f"source « {self.key} » : le fichier {path.name} ne correspond à aucun jeu de "
                    f"données (noms admis : {', '.join(f'{n}.csv' for n in sorted(schemas))})"
                )
            origin = self.origin(path)
            return [(stem, read_table(path, origin, str(self.settings.get("encoding", "auto")),
                                      str(self.settings.get("separator", "auto"))), origin)]
        sheets = read_workbook(path)
        if stem in schemas:  # budget.xlsx: its sheet named budget, else its first sheet
            if not sheets:
                raise DataError(f"{self.origin(path)} : classeur vide (une ligne d'en-tête est attendue)")
            sheet = stem if stem in sheets else next(iter(sheets))
            return [(stem, sheets[sheet], f"{self.origin(path)}, feuille « {sheet} »")]
        found = [(sheet, frame, f"{self.origin(path)}, feuille « {sheet} »")
                 for sheet, frame in sheets.items() if sheet in schemas]
        if not found:
            raise SourceError(
                f"source « {self.key} » : le classeur {path.name} ne correspond à aucun jeu de données : "
                f"nommez-le comme un jeu (budget.xlsx…) ou nommez ses feuilles {', '.join(sorted(schemas))}"
            )
        return found

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
