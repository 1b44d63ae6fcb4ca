"""The ``excel_budget`` source: the ``budget`` dataset from one sheet of an .xlsx workbook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Mapping
from pathlib import Path

from boardpack.api import DataSource, LoadRequest, hookimpl
from boardpack.api.errors import ConfigError, SourceError

from .lines import known_lines
from .workbook import BudgetSheet, read_budget_sheet

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["ExcelBudgetSource", "register_sources"]


class ExcelBudgetSource(DataSource):
    """A budget workbook: budget lines in rows, months in columns."""

    name = "excel_budget"
    description = "Budget mensuel saisi dans un classeur Excel (.xlsx) : lignes en lignes, mois en colonnes."
    options = {
        "path": "classeur .xlsx (relatif au fichier de configuration)",
        "sheet": "feuille à lire (défaut : la feuille « Budget », sinon la première)",
        "labels": "table libellé du classeur → identifiant de ligne (ex. « Sous-traitance » = "
        "\"autres_achats_charges_externes\"), en plus des libellés du PCG",
    }
    required_options = ("path",)

    def path(self) -> Path:
        """The workbook to read."""
        return self.base_dir / str(self.settings["path"])

    def labels(self) -> dict[str, str]:
        """The ``labels`` option, checked: every value is a known statement-line id."""
        labels = self.settings.get("labels", {})
        where = f"sources.{self.key}.labels"
        if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
            raise ConfigError(f"clé « {where} » : une table libellé = \"identifiant_de_ligne\" est attendue")
        known = known_lines()
        for label, line in labels.items():
            if line not in known:
                raise ConfigError(
                    f"clé « {where}.\"{label}\" » : ligne inconnue « {line} » "
                    "(identifiants du compte de résultat et des SIG : chiffre_affaires, achats_consommes, salaires…)"
                )
        return dict(labels)

    def read(self) -> BudgetSheet:
        """Read the sheet (errors name the file, sheet and cell)."""
        sheet = self.settings.get("sheet")
        if sheet is not None and not isinstance(sheet, str):
            raise ConfigError(f"clé « sources.{self.key}.sheet » : un nom de feuille est attendu")
        return read_budget_sheet(self.path(), str(self.settings["path"]), sheet, self.labels(), f"sources.{self.key}")

    def check(self) -> str:
        """Read the workbook and say what it holds."""
        found = self.read()
        return (
            f"{self.settings['path']}, feuille {found.sheet} : {len(found.lines)} ligne(s) budgétaire(s) "
            f"sur {len(found.months)} mois ({found.months[0]} à {found.months[-1]})"
        )

    def load(self, request: LoadRequest) -> dict[str, pd.DataFrame]:
        """The ``budget`` dataset, one row per line and month with an amount."""
        schemas = request.schemas
        if "budget" not in schemas:
            raise SourceError(f"source « {self.key} » : le jeu de données « budget » n'est pas enregistré")
        found = self.read()
        raw = pd.DataFrame(
            {
                "period": [str(c.period) for c in found.cells],
                "line": [c.line for c in found.cells],
                "amount": [c.amount for c in found.cells],
            },
            dtype=object,
        )
        raw.attrs["line_numbers"] = [c.row for c in found.cells]
        return {"budget": schemas["budget"].coerce(raw, f"{self.settings['path']}, feuille {found.sheet}")}


@hookimpl
def register_sources() -> list[type[DataSource]]:
    """Register the ``excel_budget`` source."""
    return [ExcelBudgetSource]
