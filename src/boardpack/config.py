"""Reading and checking the TOML configuration.

Every error names the file and the key path (``audiences.banquier.sections[2]``) and, for
a misspelled key, suggests the closest accepted one. Secrets are written
``{ env = "VAR" }`` (an environment variable) or ``{ file = "/path" }`` (a file outside
the repository); they are resolved only when a plugin is built, and their values never
appear in messages.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import ConfigError
from .interfaces import Thresholds
from .periods import Month

__all__ = [
    "ALERT_DEFAULTS",
    "QUALITY_DEFAULTS",
    "Investment",
    "DeliveryConfig",
    "ScheduleConfig",
    "AudienceConfig",
    "CompanyConfig",
    "Config",
    "PluginConfig",
    "load_config",
    "parse_config",
    "is_secret_reference",
    "resolve_secrets",
]

_TOP = {"company", "build", "sources", "kpis", "themes", "audiences", "channels",
        "quality", "alerts", "investments", "commentary", "schedules", "delivery"}

#: ``[quality]`` keys and defaults (see boardpack.default_plugins.quality_ledger).
QUALITY_DEFAULTS: dict[str, Any] = {
    "suspense_accounts": ["471", "472"],
    "suspense_threshold": 1000,
    "bank_accounts": ["512"],
    "ignore": [],
}
#: ``[alerts]`` keys and defaults (see boardpack.default_plugins.alerts).
ALERT_DEFAULTS: dict[str, Any] = {
    "budget_overrun_pct": 5,
    "late_payment_days": 90,
    "late_payment_share_pct": 5,
    "ignore": [],
}
_COMPANY = {"name", "siren", "currency", "fiscal_year_start", "locale", "opening_journals",
            "city", "activity", "headcount", "logo"}
_BUILD = {"period", "out", "snapshots"}
_KPIS = {"select", "thresholds"}
_THEMES = {"dirs"}
_AUDIENCE = {"title", "sections", "theme", "language", "subtitle", "kpis"}
_LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class CompanyConfig:
    """The ``[company]`` table."""

    name: str
    siren: str = ""
    currency: str = "EUR"
    fiscal_year_start: int = 1
    locale: str = "fr_FR"
    opening_journals: tuple[str, ...] = ("AN", "ANO", "RAN")
    city: str = ""
    activity: str = ""
    headcount: int | None = None


@dataclass(frozen=True)
class PluginConfig:
    """A ``[sources.<id>]`` or ``[channels.<id>]`` table: its id, type and other options."""

    key: str
    type: str
    options: Mapping[str, Any]
    path: str


@dataclass(frozen=True)
class AudienceConfig:
    """An ``[audiences.<id>]`` table: which sections, in which theme and language."""

    key: str
    title: str
    sections: tuple[str, ...]
    theme: str = "default"
    language: str = "fr"
    subtitle: str = ""
    #: the KPIs of this audience's tiles and tables, in order (empty: those whose
    #: ``audiences`` name this audience)
    kpis: tuple[str, ...] = ()


@dataclass(frozen=True)
class Investment:
    """An ``[investments.<id>]`` project: outlay now, then yearly cash flows, at a discount rate."""

    key: str
    label: str
    rate: Decimal
    outlay: Decimal
    cash_flows: tuple[Decimal, ...]
    main: bool = False


@dataclass(frozen=True)
class ScheduleConfig:
    """A ``[[schedules]]`` entry: when (cron in a time zone), which period, to whom, how.

    ``period`` is ``previous`` (the month before the run's local date), ``current`` (its
    month) or ``latest`` (the last month of the ledger). Empty ``audiences`` / ``channels``
    mean all of them.
    """

    id: str
    cron: str
    timezone: str = "Europe/Paris"
    period: str = "previous"
    audiences: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryConfig:
    """The ``[delivery]`` table: who is told when a pack is held, where the log is, size limits.

    ``log`` is always set by :func:`parse_config` (default ``<config dir>/deliveries.sqlite3``;
    the class default, relative to the working folder, only serves hand-built configs). A PDF over
    ``max_attachment_mb`` is copied into ``publish_dir`` and linked
    (``publish_url`` + file name, else the file's path) instead of attached; without
    ``publish_dir`` its delivery fails with a clear error. Transient failures are retried
    ``retries`` times, waiting ``backoff`` seconds, then twice as long each time.
    """

    owner: str = ""
    log: Path = Path("deliveries.sqlite3")
    publish_dir: Path | None = None
    publish_url: str = ""
    max_attachment_mb: Decimal = Decimal(10)
    retries: int = 3
    backoff: Decimal = Decimal(30)


@dataclass(frozen=True)
class Config:
    """A whole, checked configuration."""

    path: Path
    company: CompanyConfig
    sources: tuple[PluginConfig, ...]
    audiences: tuple[AudienceConfig, ...]
    channels: tuple[PluginConfig, ...] = ()
    kpi_select: tuple[str, ...] = ()
    thresholds: Mapping[str, Thresholds] = field(default_factory=dict)
    theme_dirs: tuple[Path, ...] = ()
    period: Month | None = None
    out: Path | None = None
    #: ``[build] snapshots``: where ``boardpack fetch`` keeps the remote sources' snapshots
    #: (default ``snapshots`` beside the config)
    snapshots: Path | None = None
    quality: Mapping[str, Any] = field(default_factory=lambda: dict(QUALITY_DEFAULTS))
    alerts: Mapping[str, Any] = field(default_factory=lambda: dict(ALERT_DEFAULTS))
    investments: tuple[Investment, ...] = ()
    commentary_dir: Path | None = None
    schedules: tuple[ScheduleConfig, ...] = ()
    delivery: DeliveryConfig = field(default_factory=lambda: DeliveryConfig())

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the config are resolved from."""
        return self.path.parent

    def where(self, key: str) -> str:
        """``file, [key]`` prefix for messages."""
        return f"{self.path.name} : [{key}]"


class _Checker:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, message: str) -> ConfigError:
        where = f"{self.origin}, clé « {key} »" if key else self.origin
        return ConfigError(f"{where} : {message}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "une table est attendue")
        return value

    def keys(self, table: Mapping[str, Any], allowed: set[str], key: str) -> None:
        for name in table:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                raise self.fail(full, f"clé inconnue (admises : {', '.join(sorted(allowed))}){hint}")

    def string(self, table: Mapping[str, Any], name: str, key: str, default: str | None = None) -> str:
        if name not in table:
            if default is None:
                raise self.fail(f"{key}.{name}", "clé obligatoire absente")
            return default
        value = table[name]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.{name}", "un texte non vide est attendu")
        return value

    def strings(self, table: Mapping[str, Any], name: str, key: str) -> tuple[str, ...]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key}.{name}", "une liste de textes est attendue")
        return tuple(value)


def load_config(path: Path | str) -> Config:
    """Read and check the configuration file at ``path``.

    :raises ConfigError: naming the file (and line, for TOML syntax) or the key path.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path} : fichier de configuration introuvable") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} : lecture impossible ({exc.__class__.__name__})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} : TOML invalide ({exc})") from None
    return parse_config(data, path)


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Check a parsed TOML mapping; ``path`` is used for messages and relative paths."""
    check = _Checker(path.name)
    check.keys(data, _TOP, "")
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
    quality = _settings(check, data.get("quality", {}), "quality", QUALITY_DEFAULTS)
    alerts = _settings(check, data.get("alerts", {}), "alerts", ALERT_DEFAULTS)
    investments = tuple(
        _investment(check, key, value)
        for key, value in check.table(data.get("investments", {}), "investments").items()
    )
    commentary = check.table(data.get("commentary", {}), "commentary")
    check.keys(commentary, {"dir"}, "commentary")
    commentary_dir = path.parent / check.string(commentary, "dir", "commentary") if commentary else None
    schedules = _schedules(check, data.get("schedules", []), audiences, channels)
    delivery = _delivery(check, data.get("delivery", {}), path.parent)
    return Config(
        schedules=schedules,
        delivery=delivery,
        quality=quality,
        alerts=alerts,
        investments=investments,
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


def _company(check: _Checker, table: dict[str, Any] | None) -> CompanyConfig:
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
    return CompanyConfig(
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


def _plugins(check: _Checker, value: Any, kind: str) -> tuple[PluginConfig, ...]:
    out = []
    for key, table in check.table(value, kind).items():
        table = check.table(table, f"{kind}.{key}")
        type_name = check.string(table, "type", f"{kind}.{key}")
        options = {k: v for k, v in table.items() if k != "type"}
        out.append(PluginConfig(key=key, type=type_name, options=options, path=f"{kind}.{key}"))
    return tuple(out)


def _thresholds(check: _Checker, value: Any, key: str) -> Thresholds:
    table = check.table(value, key)
    check.keys(table, {"warn", "alert"}, key)
    bounds: dict[str, Decimal | None] = {}
    for name in ("warn", "alert"):
        bound = table.get(name)
        if bound is not None and (not isinstance(bound, (int, float)) or isinstance(bound, bool)):
            raise check.fail(f"{key}.{name}", "un nombre est attendu")
        bounds[name] = None if bound is None else Decimal(str(bound))
    return Thresholds(**bounds)


def _settings(check: _Checker, value: Any, key: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    table = check.table(value, key)
    check.keys(table, set(defaults), key)
    merged = dict(defaults)
    for name, given in table.items():
        default = defaults[name]
        if isinstance(default, list):
            if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
                raise check.fail(f"{key}.{name}", "une liste de textes est attendue")
        elif not isinstance(given, (int, float)) or isinstance(given, bool) or given < 0:
            raise check.fail(f"{key}.{name}", "un nombre positif est attendu")
        merged[name] = given
    return merged


def _investment(check: _Checker, key: str, value: Any) -> Investment:
    path = f"investments.{key}"
    table = check.table(value, path)
    check.keys(table, {"label", "rate", "outlay", "cash_flows", "main"}, path)

    def number(name: str, given: Any) -> Decimal:
        if not isinstance(given, (int, float)) or isinstance(given, bool):
            raise check.fail(f"{path}.{name}", "un nombre est attendu")
        return Decimal(str(given))

    for name in ("rate", "outlay", "cash_flows"):
        if name not in table:
            raise check.fail(f"{path}.{name}", "clé obligatoire absente")
    flows = table["cash_flows"]
    if not isinstance(flows, list) or not flows:
        raise check.fail(f"{path}.cash_flows", "une liste de flux annuels est attendue")
    rate = number("rate", table["rate"])
    if rate <= -1:
        raise check.fail(f"{path}.rate", "un taux supérieur à −100 % est attendu (0.08 pour 8 %)")
    return Investment(
        key=key,
        label=str(table.get("label", key)),
        rate=rate,
        outlay=number("outlay", table["outlay"]),
        cash_flows=tuple(number(f"cash_flows[{i}]", v) for i, v in enumerate(flows)),
        main=bool(table.get("main", False)),
    )


def _audience(check: _Checker, key: str, value: Any, default_language: str) -> AudienceConfig:
    path = f"audiences.{key}"
    table = check.table(value, path)
    check.keys(table, _AUDIENCE, path)
    sections = check.strings(table, "sections", path)
    if not sections:
        raise check.fail(f"{path}.sections", "au moins une section est attendue")
    language = table.get("language", default_language)
    if language not in _LANGUAGES:
        raise check.fail(f"{path}.language", f"langue « {language} » non prise en charge (fr, en)")
    return AudienceConfig(
        key=key,
        title=check.string(table, "title", path, key),
        sections=sections,
        theme=check.string(table, "theme", path, "default"),
        language=language,
        subtitle=str(table.get("subtitle", "")),
        kpis=check.strings(table, "kpis", path),
    )


_SCHEDULE = {"id", "cron", "timezone", "period", "audiences", "channels"}
_SCHEDULE_PERIODS = ("previous", "current", "latest")
_DELIVERY = {"owner", "log", "publish_dir", "publish_url", "max_attachment_mb", "retries", "backoff"}


def _schedules(check: _Checker, value: Any, audiences: tuple[AudienceConfig, ...],
               channels: tuple[PluginConfig, ...]) -> tuple[ScheduleConfig, ...]:
    """The ``[[schedules]]`` array: ids unique, cron and time zone valid, names known."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from croniter import croniter

    if not isinstance(value, list):
        raise check.fail("schedules", "un tableau de tables est attendu ([[schedules]])")
    known_audiences = [a.key for a in audiences]
    known_channels = [c.key for c in channels]
    out: list[ScheduleConfig] = []
    for index, raw in enumerate(value):
        key = f"schedules[{index}]"
        table = check.table(raw, key)
        check.keys(table, _SCHEDULE, key)
        ident = check.string(table, "id", key)
        if any(s.id == ident for s in out):
            raise check.fail(f"{key}.id", f"identifiant « {ident} » déjà utilisé par un autre planning")
        cron = check.string(table, "cron", key)
        if len(cron.split()) != 5 or not croniter.is_valid(cron):
            raise check.fail(f"{key}.cron", f"expression cron invalide « {cron} » (5 champs : minute heure "
                                            "jour mois jour-de-semaine, par exemple « 0 7 5 * * »)")
        zone = check.string(table, "timezone", key, "Europe/Paris")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise check.fail(f"{key}.timezone", f"fuseau horaire IANA inconnu « {zone} » "
                                                "(par exemple « Europe/Paris »)") from None
        period = check.string(table, "period", key, "previous")
        if period not in _SCHEDULE_PERIODS:
            raise check.fail(f"{key}.period", f"« {period} » : previous, current ou latest attendu")
        names = {"audiences": (check.strings(table, "audiences", key), known_audiences),
                 "channels": (check.strings(table, "channels", key), known_channels)}
        for name, (given, known) in names.items():
            for position, item in enumerate(given):
                if item not in known:
                    raise check.fail(f"{key}.{name}[{position}]", f"« {item} » inconnu (définis : "
                                                                  f"{', '.join(known) or 'aucun'})")
        if not known_channels:
            raise check.fail(f"{key}.channels", "aucun canal de livraison défini ([channels.<id>] type = …)")
        out.append(ScheduleConfig(ident, cron, zone, period, names["audiences"][0], names["channels"][0]))
    return tuple(out)


def _delivery(check: _Checker, value: Any, base: Path) -> DeliveryConfig:
    """The ``[delivery]`` table, paths resolved from the config's folder."""
    table = check.table(value, "delivery")
    check.keys(table, _DELIVERY, "delivery")
    owner = check.string(table, "owner", "delivery", "") if "owner" in table else ""
    if owner and "@" not in owner:
        raise check.fail("delivery.owner", f"adresse électronique attendue, pas « {owner} »")
    numbers: dict[str, Decimal] = {}
    for name, default, integer in (("max_attachment_mb", 10, False), ("retries", 3, True), ("backoff", 30, False)):
        given = table.get(name, default)
        if (not isinstance(given, (int, float)) or isinstance(given, bool) or given < 0
                or (integer and not isinstance(given, int)) or (name == "max_attachment_mb" and given <= 0)):
            raise check.fail(f"delivery.{name}", "un nombre entier positif est attendu" if integer
                             else "un nombre positif est attendu")
        numbers[name] = Decimal(str(given))
    publish_dir = table.get("publish_dir")
    return DeliveryConfig(
        owner=owner,
        log=base / check.string(table, "log", "delivery", "deliveries.sqlite3"),
        publish_dir=base / check.string(table, "publish_dir", "delivery") if publish_dir is not None else None,
        publish_url=check.string(table, "publish_url", "delivery", "") if "publish_url" in table else "",
        max_attachment_mb=numbers["max_attachment_mb"],
        retries=int(numbers["retries"]),
        backoff=numbers["backoff"],
    )


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
