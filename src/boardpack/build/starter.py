"""``boardpack init --fec/--csv/--xlsx``: a starter config written from the user's own data.

The data is read once through the source it names (the FEC checks, the CSV and workbook
rules), its fiscal years resolved as a build would; every section of the four standard
audiences is then rendered (no PDF) and only those the data can fill are written, with the
SIREN, the opening journals and the fiscal years found, and no demo leftover (no investment
project, no tile list, no covenant). What the data lacks is said with how to bring it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import parse_config
from ..formatting import Formatter
from ..periods import Month
from .coverage import HINTS
from .render import render_pack
from .run import prepare

__all__ = ["STANDARD_AUDIENCES", "Starter", "siren_of", "starter_config"]

#: The four standard audiences and every section they may hold, in order.
STANDARD_AUDIENCES = (
    ("dirigeant", "Synthèse dirigeant",
     ("kpi_tiles", "commentaire", "tendances", "faits_marquants", "alertes")),
    ("daf", "Détail DAF",
     ("commentaire", "kpi_table", "compte_resultat", "compte_resultat_mensuel", "bilan", "tresorerie_bfr",
      "tableau_flux", "cascade_tresorerie", "marges_produits_clients", "clients_fournisseurs", "balance_agee",
      "plan_tresorerie", "backtest_tresorerie", "alertes", "qualite_donnees")),
    ("operations", "Vue opérationnelle",
     ("flux_operationnels", "pipeline", "delais_cycle", "rotation_stocks", "kpi_table")),
    ("banquier", "Dossier banquier",
     ("note_de_synthese", "presentation", "etats_3_exercices", "tableau_flux", "ratios_bancaires", "echeancier",
      "analyse_financiere", "plan_tresorerie", "demande_financement")),
)
#: What init suggests adding when absent, in this order.
SUGGESTED = ("budget", "loans", "deals", "ops_metrics", "invoices", "marketing")

_FEC_NAME = re.compile(r"^(\d{9})FEC(\d{8})", re.IGNORECASE)


@dataclass
class Starter:
    """The config text and what was found, for the command to print."""

    text: str
    siren: str = ""
    years: list[tuple[Month, Month]] = field(default_factory=list)
    journals: tuple[str, ...] = ()
    datasets: dict[str, int] = field(default_factory=dict)
    audiences: dict[str, list[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    period: Month | None = None


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def siren_of(data: Path) -> str:
    """The SIREN a FEC's file name gives (``<SIREN>FEC<AAAAMMJJ>``), for a file or the first one of
    a folder of FECs; ``""`` when no name follows the convention."""
    names = [data.name] if data.is_file() else sorted(p.name for p in data.iterdir()) if data.is_dir() else []
    for name in names:
        found = _FEC_NAME.match(name)
        if found:
            return found.group(1)
    return ""


def _text(name: str, siren: str, kind: str, path: str, journals: tuple[str, ...], years: list[str],
          start_month: int | None, audiences: dict[str, list[str]], missing: list[str], source: str) -> str:
    lines = [
        "# boardpack — configuration écrite par « boardpack init » à partir de vos données.",
        f"# Source : {source}. Construisez les dossiers : boardpack build <ce fichier>",
        "",
        "[company]",
        f"name = {_toml(name)}" + ("" if siren else "          # raison sociale : à compléter"),
    ]
    if siren:
        lines.append(f"siren = {_toml(siren)}")
    lines += ["# city = \"\"                      # siège, montré dans le dossier banquier",
              "# activity = \"\"                  # activité",
              "# headcount = 0                  # effectif", "currency = \"EUR\"", "locale = \"fr_FR\""]
    if journals:
        lines.append("opening_journals = [" + ", ".join(_toml(j) for j in journals) + "]   # journaux d'à-nouveaux trouvés")
    if years:
        lines.append("# Exercices lus dans les données (ils font foi ; fiscal_year_start n'en est que le repli) :")
        lines += [f"#   {year}" for year in years]
    if start_month is not None:
        lines.append(f"fiscal_year_start = {start_month}            # mois d'ouverture de l'exercice, à vérifier")
    lines += ["", "[build]", "period = \"latest\"               # ou \"AAAA-MM\" ; par défaut le dernier mois des écritures",
              "", "[sources.compta]", f"type = {_toml(kind)}", f"path = {_toml(path)}"]
    addable = [m for m in missing if m in HINTS]
    if addable:
        lines += ["", "# Pour aller plus loin, un dossier de fichiers CSV ou de classeurs à côté :",
                  "# [sources.fichiers]", "# type = \"csv\"", "# path = \"donnees\""]
        for need in addable:
            label, _, how, _ = HINTS[need]
            lines.append(f"#   {label} ({need}) : {how}")
    lines += ["", "[commentary]", "dir = \"commentaires\"             # AAAA-MM.md : le commentaire du mois"]
    titles = {key: title for key, title, _ in STANDARD_AUDIENCES}
    for key, sections in audiences.items():
        lines += ["", f"[audiences.{key}]", f"title = {_toml(titles[key])}",
                  "sections = [" + ", ".join(_toml(s) for s in sections) + "]"]
    return "\n".join(lines) + "\n"


def starter_config(target: Path, kind: str, data: Path, name: str | None = None) -> Starter:
    """The starter config for the data at ``data`` (``kind``: ``fec``, ``csv`` or ``xlsx``), to be
    written at ``target``.

    :raises BoardpackError: when the data cannot be read (one sentence naming file and line).
    """
    source_type = "fec" if kind == "fec" else "csv"
    path = os.path.relpath(data.resolve(), target.resolve().parent)
    siren = siren_of(data) if kind == "fec" else ""
    company = name or (f"Société {siren}" if siren else "Ma société")
    everything = {key: list(sections) for key, _, sections in STANDARD_AUDIENCES}
    described = {"fec": "FEC", "csv": "dossier CSV", "xlsx": "classeur"}[kind] + f" {path}"
    draft = _text(company, siren, source_type, path, (), [], None, everything, [], described)
    import tomllib

    config = parse_config(tomllib.loads(draft), target)
    computed = prepare(config)
    inputs = computed.inputs
    kept: dict[str, list[str]] = {}
    for audience in config.audiences:
        rendered = render_pack(computed, audience, defer_charts=True)  # which sections hold: no chart drawn
        left = {gap.title for gap in rendered.gaps if gap.kind == "section"}
        from ..plugins import get_registry

        registry = get_registry()
        sections = [s for s in audience.sections if rendered.pack.label(registry.sections[s].title) not in left]
        if sections:
            kept[audience.key] = sections
    calendar = inputs.calendar
    ledger = computed.engine.ctx.ledger if "entries" in inputs.datasets else None
    spans = calendar.spans(ledger.first, ledger.last) if ledger is not None and calendar is not None else []
    fmt = Formatter("fr")
    year_text = []
    for start, end in spans:
        months = end - start + 1
        more = f" ({months} mois)" if months != 12 else ""
        upto = f", données jusqu'à {fmt.month(ledger.last)}" if ledger is not None and ledger.last < end else ""
        year_text.append(f"{fmt.month(start)} – {fmt.month(end)}{more}{upto}")
    from_data = bool(inputs.fiscal_years)
    journals = tuple(dict.fromkeys(inputs.opening_journals))
    missing = [need for need in SUGGESTED if need not in inputs.datasets]
    text = _text(company, siren, source_type, path, journals, year_text if from_data else [],
                 None if from_data else (calendar.start_month if calendar else 1), kept, missing, described)
    return Starter(text, siren, spans, journals, {n: len(f) for n, f in inputs.datasets.items()}, kept,
                   missing, computed.period)
