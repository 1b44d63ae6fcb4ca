"""A portfolio: the TOML file listing an accounting firm's client companies.

Each company is given either by its own boardpack config (``config = "…"``) or by a data file
— a FEC (``fec``), a folder of CSV files (``csv``) or a workbook (``xlsx``) — built with the
portfolio's shared ``template`` config (the firm's house style, audiences, thresholds), whose
``[sources]`` are replaced by that data, as ``boardpack init --fec/--csv/--xlsx`` would write
them. Every error names the portfolio file and the key. Reading a portfolio reads no data.

.. code-block:: toml

    [portfolio]
    name = "Cabinet Martin & Associés"
    template = "modele.toml"          # relative to this file
    out = "dossiers"                  # one folder per company: dossiers/<id>/

    [companies.durand]
    fec = "clients/durand/123456789FEC20231231.txt"
    name = "Durand SARL"              # optional: else « Société <SIREN> » from the FEC's name

    [companies.leroy]
    config = "clients/leroy/boardpack.toml"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.checker import Checker
from ..config.reader import read_toml
from ..errors import ConfigError

__all__ = ["DATA_KINDS", "CompanyEntry", "Portfolio", "load_portfolio", "parse_portfolio"]

#: How a company's data may be given, and the boardpack source type each becomes.
DATA_KINDS = {"fec": "fec", "csv": "csv", "xlsx": "csv"}
_PORTFOLIO = {"name", "template", "out", "state", "log"}
_COMPANY = {"config", *DATA_KINDS, "name", "siren", "fiscal_year_start"}


@dataclass(frozen=True)
class CompanyEntry:
    """One ``[companies.<id>]`` table, its paths made absolute.

    ``config`` is set for a company with its own config; else ``kind`` (``fec``, ``csv``,
    ``xlsx``) and ``data`` name its data, built with the portfolio's template.
    """

    id: str
    config: Path | None = None
    kind: str = ""
    data: Path | None = None
    name: str = ""
    siren: str = ""
    fiscal_year_start: int | None = None

    def describe(self) -> dict[str, Any]:
        """The entry as plain values (part of the company's content hash)."""
        return {"id": self.id, "config": str(self.config or ""), "kind": self.kind, "data": str(self.data or ""),
                "name": self.name, "siren": self.siren, "fiscal_year_start": self.fiscal_year_start}


@dataclass(frozen=True)
class Portfolio:
    """A checked portfolio file."""

    path: Path
    name: str
    companies: tuple[CompanyEntry, ...]
    template: Path | None = None
    #: where each company's packs go, in ``<out>/<company id>/``
    out: Path = Path("dossiers")
    #: the record of each company's last successful build (content hashes, figures)
    state: Path = Path("dossiers/.boardpack-batch.json")
    #: the delivery log shared by every company of the portfolio (keyed by company)
    log: Path = Path("deliveries.sqlite3")

    def select(self, only: tuple[str, ...] | list[str]) -> list[CompanyEntry]:
        """The companies named in ``only`` (all, in file order, when empty).

        :raises ConfigError: naming a company the portfolio does not list.
        """
        known = {c.id: c for c in self.companies}
        for ident in only:
            if ident not in known:
                raise ConfigError(f"--only : société inconnue « {ident} » (sociétés de {self.path.name} : "
                                  f"{', '.join(known)})")
        wanted = set(only)
        return [c for c in self.companies if not wanted or c.id in wanted]


def load_portfolio(path: Path | str) -> Portfolio:
    """Read and check the portfolio file at ``path`` (paths relative to its folder).

    :raises ConfigError: naming the file (and line, for TOML syntax) or the key.
    """
    path = Path(path)
    return parse_portfolio(read_toml(path, "portefeuille"), path)


def parse_portfolio(data: Mapping[str, Any], path: Path) -> Portfolio:
    """Check a parsed portfolio; ``path`` names it in messages and anchors relative paths."""
    check = Checker(path.name)
    base = path.resolve().parent
    check.keys(data, {"portfolio", "companies"}, "")
    head = check.table(data.get("portfolio", {}), "portfolio")
    check.keys(head, _PORTFOLIO, "portfolio")
    template = base / check.string(head, "template", "portfolio") if "template" in head else None
    if template is not None and not template.is_file():
        raise check.fail("portfolio.template", f"configuration modèle introuvable : {template}")
    out = base / check.string(head, "out", "portfolio", "dossiers")
    state = base / check.string(head, "state", "portfolio") if "state" in head else out / ".boardpack-batch.json"
    log = base / check.string(head, "log", "portfolio", "deliveries.sqlite3")
    table = check.table(data.get("companies", {}), "companies")
    if not table:
        raise check.fail("companies", "aucune société : ajoutez au moins une table [companies.<id>]")
    companies = tuple(_company(check, base, ident, value, template) for ident, value in table.items())
    return Portfolio(path=path, name=check.string(head, "name", "portfolio", path.stem), companies=companies,
                     template=template, out=out, state=state, log=log)


def _company(check: Checker, base: Path, ident: str, value: Any, template: Path | None) -> CompanyEntry:
    key = f"companies.{ident}"
    check.slug(ident, "companies", table=True)
    table = check.table(value, key)
    check.keys(table, _COMPANY, key)
    given = [name for name in ("config", *DATA_KINDS) if name in table]
    if len(given) != 1:
        what = "plusieurs sources : " + ", ".join(given) if given else "aucune source"
        raise check.fail(key, f"{what} ; indiquez une seule clé parmi config, fec, csv ou xlsx")
    kind = given[0]
    target = base / check.string(table, kind, key)
    if not target.exists():
        raise check.fail(f"{key}.{kind}", f"introuvable : {target}")
    if kind == "config":
        extra = sorted(set(table) - {"config"})
        if extra:
            raise check.fail(f"{key}.{extra[0]}", "ne sert qu'avec fec, csv ou xlsx (sinon, dans la configuration "
                                                  "de la société)")
        if not target.is_file():
            raise check.fail(f"{key}.config", f"{target} n'est pas un fichier")
        return CompanyEntry(id=ident, config=target)
    if template is None:
        raise check.fail(f"{key}.{kind}", "une société donnée par ses données demande une configuration modèle "
                                          "([portfolio] template = \"modele.toml\")")
    if kind == "csv" and not target.is_dir():
        raise check.fail(f"{key}.csv", f"{target} n'est pas un dossier (pour un classeur : xlsx)")
    if kind == "xlsx" and target.suffix.lower() not in (".xlsx", ".xlsm", ".ods"):
        raise check.fail(f"{key}.xlsx", f"{target} n'est pas un classeur .xlsx ou .ods")
    start = table.get("fiscal_year_start")
    if start is not None and (not isinstance(start, int) or isinstance(start, bool) or not 1 <= start <= 12):
        raise check.fail(f"{key}.fiscal_year_start", "un numéro de mois de 1 à 12 est attendu")
    siren = str(table.get("siren", "")).replace(" ", "")
    if siren and not (siren.isdigit() and len(siren) == 9):
        raise check.fail(f"{key}.siren", "un SIREN a 9 chiffres")
    name = check.string(table, "name", key) if "name" in table else ""
    return CompanyEntry(id=ident, kind=kind, data=target, name=name, siren=siren, fiscal_year_start=start)
