"""Reading and checking the TOML configuration.

Every error names the file and the key path (``audiences.banquier.sections[2]``) and, for
a misspelled key, suggests the closest accepted one. The host's own tables (``[company]``,
``[build]``, ``[sources]``…) are checked here; the tables plugins own (``[quality]``,
``[alerts]``, ``[investments]``…) against what the registered plugins declare
(:mod:`boardpack.config.tables`). Secrets are written ``{ env = "VAR" }`` or
``{ file = "/path" }`` and resolved only when a plugin is built
(:mod:`boardpack.config.secrets`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..api.records import Audience, Company, Thresholds
from ..errors import ConfigError
from ..periods import Month
from .checker import Checker
from .model import Config, PluginConfig
from .schedules import check_delivery, check_schedules
from .tables import check_tables

if TYPE_CHECKING:
    from ..plugins import Registry

__all__ = ["HOST_TABLES", "load_config", "parse_config", "read_toml"]

#: The top-level tables the host reads; every other one must be declared by a plugin.
HOST_TABLES = ("company", "build", "sources", "kpis", "themes", "audiences", "channels",
               "commentary", "schedules", "delivery")
_COMPANY = {"name", "siren", "currency", "fiscal_year_start", "locale", "opening_journals",
            "city", "activity", "headcount", "logo"}
_BUILD = {"period", "out", "snapshots"}
_KPIS = {"select", "thresholds"}
_THEMES = {"dirs"}
_AUDIENCE = {"title", "sections", "theme", "language", "subtitle", "kpis"}
_LANGUAGES = ("fr", "en")


def load_config(path: Path | str, registry: Registry | None = None) -> Config:
    """Read and check the configuration file at ``path``.

    :param registry: whose plugins declare the plugin-owned tables (default: the loaded plugins).
    :raises ConfigError: naming the file (and line, for TOML syntax) or the key path.
    """
    path = Path(path)
    return parse_config(read_toml(path, "fichier de configuration"), path, registry)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The TOML table of the file at ``path``, ``what`` naming the file in errors (« portefeuille »).

    :raises ConfigError: the file is missing or unreadable, or not TOML (with the line).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path} : {what} introuvable") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} : lecture impossible ({exc.__class__.__name__})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} : TOML invalide ({exc})") from None


def parse_config(data: Mapping[str, Any], path: Path, registry: Registry | None = None) -> Config:
    """Check a parsed TOML mapping; ``path`` is used for messages and relative paths.

    :param registry: whose plugins declare the plugin-owned tables (default: the loaded plugins).
    """
    check = Checker(path.name)
    if registry is None:
        from ..plugins import get_registry

        registry = get_registry()
    declared = registry.settings_tables
    try:
        check.keys(data, {*HOST_TABLES, *declared}, "")
    except ConfigError as exc:  # the table may be one a broken plugin declares
        raise ConfigError(f"{exc}{registry.broken_hint()}") from None
    company = _company(check, check.table(data.get("company"), "company") if "company" in data else None)
    build = check.table(data.get("build", {}), "build")
    check.keys(build, _BUILD, "build")
    period = None
    if "period" in build and build["period"] != "latest":
        try:
            period = Month.parse(str(build["period"]))
        except ValueError as exc:
            raise check.fail("build.period", f"{exc} (ou « latest »)") from None
    out = path.parent / check.string(build, "out", "build") if "out" in build else None
    snapshots = path.parent / check.string(build, "snapshots", "build", "snapshots")

    sources = _plugins(check, data.get("sources", {}), "sources")
    if not sources:
        raise check.fail("sources", "au moins une source de données est nécessaire ([sources.<id>] type = \"…\")")
    channels = _plugins(check, data.get("channels", {}), "channels")

    kpis = check.table(data.get("kpis", {}), "kpis")
    check.keys(kpis, _KPIS, "kpis")
    thresholds = {
        kpi: _thresholds(check, value, f"kpis.thresholds.{kpi}")
        for kpi, value in check.table(kpis.get("thresholds", {}), "kpis.thresholds").items()
    }
    themes = check.table(data.get("themes", {}), "themes")
    check.keys(themes, _THEMES, "themes")
    theme_dirs = tuple(path.parent / d for d in check.strings(themes, "dirs", "themes"))
    for index, folder in enumerate(theme_dirs):
        if not folder.is_dir():
            raise check.fail(f"themes.dirs[{index}]", f"dossier introuvable : {folder}")

    audiences_table = check.table(data.get("audiences", {}), "audiences")
    if not audiences_table:
        raise check.fail("audiences", "au moins une audience est nécessaire ([audiences.<id>])")
    default_language = company.locale[:2] if company.locale[:2] in _LANGUAGES else "fr"
    audiences = tuple(
        _audience(check, key, value, default_language) for key, value in audiences_table.items()
    )
    tables = check_tables(check, data, declared)
    commentary = check.table(data.get("commentary", {}), "commentary")
    check.keys(commentary, {"dir"}, "commentary")
    commentary_dir = path.parent / check.string(commentary, "dir", "commentary") if commentary else None
    schedules = check_schedules(check, data.get("schedules", []), audiences, channels)
    delivery = check_delivery(check, data.get("delivery", {}), path.parent)
    return Config(
        fiscal_year_given="fiscal_year_start" in data.get("company", {}),
        schedules=schedules,
        delivery=delivery,
        tables=tables,
        commentary_dir=commentary_dir,
        path=path,
        company=company,
        sources=sources,
        audiences=audiences,
        channels=channels,
        kpi_select=check.strings(kpis, "select", "kpis"),
        thresholds=thresholds,
        theme_dirs=theme_dirs,
        period=period,
        out=out,
        snapshots=snapshots,
    )


def _company(check: Checker, table: dict[str, Any] | None) -> Company:
    if table is None:
        raise check.fail("company", "table obligatoire absente ([company] avec au moins name)")
    check.keys(table, _COMPANY, "company")
    start = table.get("fiscal_year_start", 1)
    if not isinstance(start, int) or isinstance(start, bool) or not 1 <= start <= 12:
        raise check.fail("company.fiscal_year_start", "un numéro de mois de 1 à 12 est attendu")
    siren = str(table.get("siren", ""))
    if siren and not (siren.replace(" ", "").isdigit() and len(siren.replace(" ", "")) == 9):
        raise check.fail("company.siren", "un SIREN a 9 chiffres")
    locale = check.string(table, "locale", "company", "fr_FR")
    headcount = table.get("headcount")
    if headcount is not None and (not isinstance(headcount, int) or headcount < 0):
        raise check.fail("company.headcount", "un nombre entier est attendu")
    return Company(
        name=check.string(table, "name", "company"),
        siren=siren,
        currency=check.string(table, "currency", "company", "EUR"),
        fiscal_year_start=start,
        locale=locale,
        opening_journals=check.strings(table, "opening_journals", "company") or ("AN", "ANO", "RAN"),
        city=str(table.get("city", "")),
        activity=str(table.get("activity", "")),
        headcount=headcount,
    )


def _plugins(check: Checker, value: Any, kind: str) -> tuple[PluginConfig, ...]:
    out = []
    for key, table in check.table(value, kind).items():
        check.slug(key, kind, table=True)
        table = check.table(table, f"{kind}.{key}")
        type_name = check.string(table, "type", f"{kind}.{key}")
        options = {k: v for k, v in table.items() if k != "type"}
        out.append(PluginConfig(key=key, type=type_name, options=options, path=f"{kind}.{key}"))
    return tuple(out)


def _thresholds(check: Checker, value: Any, key: str) -> Thresholds:
    table = check.table(value, key)
    check.keys(table, {"warn", "alert"}, key)
    return Thresholds(**{name: None if table.get(name) is None else check.number(table[name], f"{key}.{name}")
                         for name in ("warn", "alert")})


def _audience(check: Checker, key: str, value: Any, default_language: str) -> Audience:
    path = f"audiences.{key}"
    check.slug(key, "audiences", table=True)
    table = check.table(value, path)
    check.keys(table, _AUDIENCE, path)
    sections = check.strings(table, "sections", path)
    if not sections:
        raise check.fail(f"{path}.sections", "au moins une section est attendue")
    language = table.get("language", default_language)
    if language not in _LANGUAGES:
        raise check.fail(f"{path}.language", f"langue « {language} » non prise en charge (fr, en)")
    return Audience(
        key=key,
        title=check.string(table, "title", path, key),
        sections=sections,
        theme=check.string(table, "theme", path, "default"),
        language=language,
        subtitle=str(table.get("subtitle", "")),
        kpis=check.strings(table, "kpis", path),
    )

