"""Configuration: checks with key paths and suggestions, secrets, and names checked by the validation step."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from boardpack.build import validate as validate_names
from boardpack.build.configured import instantiate
from boardpack.plugins import get_registry
from boardpack.config import load_config, resolve_secrets
from boardpack.errors import ConfigError
from boardpack.periods import Month

from conftest import SMALL_CONFIG, SmallCompany

MINIMAL = """\
[company]
name = "ACME"

[sources.compta]
type = "csv"
path = "donnees"

[audiences.daf]
sections = ["kpi_table"]
"""


def write(tmp_path: Path, text: str, name: str = "boardpack.toml") -> Path:
    """Write a config file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> str:
    """The message of the ConfigError raised loading ``text``."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return str(info.value)


def test_minimal_config_defaults(tmp_path: Path) -> None:
    """A minimal config loads with documented defaults (January FY, EUR, default theme, fr)."""
    config = load_config(write(tmp_path, MINIMAL))
    assert config.company.name == "ACME"
    assert config.company.fiscal_year_start == 1
    assert config.company.currency == "EUR"
    assert config.company.opening_journals == ("AN", "ANO", "RAN")
    assert config.period is None
    (audience,) = config.audiences
    assert (audience.key, audience.title, audience.theme, audience.language) == ("daf", "daf", "default", "fr")
    (source,) = config.sources
    assert (source.key, source.type, dict(source.options)) == ("compta", "csv", {"path": "donnees"})
    assert config.base_dir == tmp_path


def test_small_company_config(small_company: SmallCompany) -> None:
    """The small company's config gives its thresholds as Decimals and two audiences in order."""
    config = load_config(small_company.config)
    assert config.thresholds["dscr"].warn == Decimal("1.5")
    assert config.thresholds["dscr"].alert == Decimal("1.25")
    assert [a.key for a in config.audiences] == ["dirigeant", "daf"]
    assert config.company.siren == "812345674"


def test_missing_company(tmp_path: Path) -> None:
    """Without [company] the error names the file and the table."""
    message = config_error(tmp_path, MINIMAL.replace('[company]\nname = "ACME"\n', ""))
    assert "boardpack.toml" in message
    assert "« company »" in message


def test_missing_company_name(tmp_path: Path) -> None:
    """[company] without name names the key company.name."""
    message = config_error(tmp_path, MINIMAL.replace('name = "ACME"', 'city = "Lyon"'))
    assert "« company.name »" in message


def test_misspelled_audience_key_suggests_the_right_one(tmp_path: Path) -> None:
    """audiences.daf.sectons is named with its full path and « sections » is suggested."""
    message = config_error(tmp_path, MINIMAL.replace("sections =", "sectons ="))
    assert "boardpack.toml" in message
    assert "« audiences.daf.sectons »" in message
    assert "vouliez-vous dire « sections »" in message


def test_misspelled_top_level_table_suggests(tmp_path: Path) -> None:
    """A misspelled top-level table [audience] suggests « audiences »."""
    message = config_error(tmp_path, MINIMAL + '\n[audience.x]\nsections = ["a"]\n')
    assert "« audience »" in message
    assert "« audiences »" in message


def test_misspelled_company_key(tmp_path: Path) -> None:
    """company.fiscal_year_star suggests fiscal_year_start."""
    message = config_error(tmp_path, MINIMAL.replace('name = "ACME"', 'name = "ACME"\nfiscal_year_star = 4'))
    assert "« company.fiscal_year_star »" in message
    assert "« fiscal_year_start »" in message


@pytest.mark.parametrize("value", ["0", "13", '"4"', "true", "4.0"])
def test_bad_fiscal_year_start(tmp_path: Path, value: str) -> None:
    """fiscal_year_start must be a month number 1–12 (not text, bool or float)."""
    message = config_error(tmp_path, MINIMAL.replace('name = "ACME"', f'name = "ACME"\nfiscal_year_start = {value}'))
    assert "« company.fiscal_year_start »" in message
    assert "1 à 12" in message


def test_fiscal_year_start_april(tmp_path: Path) -> None:
    """fiscal_year_start = 4 is accepted."""
    config = load_config(write(tmp_path, MINIMAL.replace('name = "ACME"', 'name = "ACME"\nfiscal_year_start = 4')))
    assert config.company.fiscal_year_start == 4


@pytest.mark.parametrize("value", ['"12345"', '"81234567A"', '"8123456740"'])
def test_bad_siren(tmp_path: Path, value: str) -> None:
    """A SIREN that is not 9 digits is refused naming company.siren."""
    message = config_error(tmp_path, MINIMAL.replace('name = "ACME"', f'name = "ACME"\nsiren = {value}'))
    assert "« company.siren »" in message
    assert "9 chiffres" in message


@pytest.mark.parametrize("value", ['"812 345 674"', "812345674"])
def test_siren_with_spaces_or_as_integer(tmp_path: Path, value: str) -> None:
    """A SIREN written with spaces, or as a TOML integer, is accepted."""
    config = load_config(write(tmp_path, MINIMAL.replace('name = "ACME"', f'name = "ACME"\nsiren = {value}')))
    assert config.company.siren.replace(" ", "") == "812345674"


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    """A TOML syntax error names the file and says TOML invalide with the line."""
    message = config_error(tmp_path, MINIMAL.replace('name = "ACME"', 'name = "ACME'))
    assert str(tmp_path / "boardpack.toml") in message
    assert "TOML invalide" in message
    assert "line 2" in message


def test_missing_file(tmp_path: Path) -> None:
    """A config path that does not exist is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="introuvable"):
        load_config(tmp_path / "absent.toml")


def test_bad_period(tmp_path: Path) -> None:
    """build.period must be AAAA-MM or latest."""
    message = config_error(tmp_path, '[build]\nperiod = "2026-13"\n' + MINIMAL)
    assert "« build.period »" in message
    assert "2026-13" in message


def test_period_is_parsed(tmp_path: Path) -> None:
    """build.period = "2026-10" gives Month(2026, 10); out is relative to the config."""
    config = load_config(write(tmp_path, '[build]\nperiod = "2026-10"\nout = "sortie"\n' + MINIMAL))
    assert config.period == Month(2026, 10)
    assert config.out == tmp_path / "sortie"


def test_no_source(tmp_path: Path) -> None:
    """A config without source says at least one is needed."""
    message = config_error(tmp_path, MINIMAL.replace('[sources.compta]\ntype = "csv"\npath = "donnees"\n', ""))
    assert "« sources »" in message


def test_source_without_type(tmp_path: Path) -> None:
    """A source without type names sources.<id>.type."""
    message = config_error(tmp_path, MINIMAL.replace('type = "csv"\n', ""))
    assert "« sources.compta.type »" in message


def test_audience_without_sections(tmp_path: Path) -> None:
    """An audience with an empty section list names audiences.<id>.sections."""
    message = config_error(tmp_path, MINIMAL.replace('sections = ["kpi_table"]', "sections = []"))
    assert "« audiences.daf.sections »" in message


def test_unsupported_language(tmp_path: Path) -> None:
    """language = "de" is refused with the supported languages."""
    message = config_error(tmp_path, MINIMAL + 'language = "de"\n')
    assert "« audiences.daf.language »" in message
    assert "fr, en" in message


def test_threshold_must_be_a_number(tmp_path: Path) -> None:
    """kpis.thresholds.<id>.warn must be a number; the key path is named."""
    message = config_error(tmp_path, MINIMAL + '\n[kpis.thresholds.dso]\nwarn = "60"\n')
    assert "« kpis.thresholds.dso.warn »" in message


def test_threshold_unknown_key_suggests(tmp_path: Path) -> None:
    """kpis.thresholds.dso.alrt suggests « alert »."""
    message = config_error(tmp_path, MINIMAL + "\n[kpis.thresholds.dso]\nalrt = 75\n")
    assert "« kpis.thresholds.dso.alrt »" in message
    assert "« alert »" in message


def test_missing_theme_dir(tmp_path: Path) -> None:
    """[themes] dirs naming a missing folder is refused with its index."""
    message = config_error(tmp_path, MINIMAL + '\n[themes]\ndirs = ["mes_themes"]\n')
    assert "« themes.dirs[0] »" in message


# ---------------------------------------------------------------- secrets


def test_env_secret_is_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    """{ env = "VAR" } is replaced by the variable's value; other options are kept."""
    monkeypatch.setenv("BOARDPACK_TEST_TOKEN", "s3cr3t-valeur")
    resolved = resolve_secrets({"token": {"env": "BOARDPACK_TEST_TOKEN"}, "url": "https://x"}, "sources.api")
    assert resolved == {"token": "s3cr3t-valeur", "url": "https://x"}


def test_file_secret_is_resolved(tmp_path: Path) -> None:
    """{ file = "path" } is replaced by the file's stripped content."""
    secret = tmp_path / "token.txt"
    secret.write_text("  depuis-fichier\n", encoding="utf-8")
    assert resolve_secrets({"token": {"file": str(secret)}}, "sources.api") == {"token": "depuis-fichier"}


def test_missing_env_secret_names_variable_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing variable is named with the config key; the message is a ConfigError."""
    monkeypatch.delenv("BOARDPACK_TEST_ABSENT", raising=False)
    with pytest.raises(ConfigError) as info:
        resolve_secrets({"token": {"env": "BOARDPACK_TEST_ABSENT"}}, "sources.api")
    message = str(info.value)
    assert "BOARDPACK_TEST_ABSENT" in message
    assert "« sources.api.token »" in message


def test_secret_values_never_appear_in_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When one secret resolves and another is missing, the error never shows the resolved value."""
    monkeypatch.setenv("BOARDPACK_TEST_TOKEN", "s3cr3t-valeur")
    monkeypatch.delenv("BOARDPACK_TEST_ABSENT", raising=False)
    with pytest.raises(ConfigError) as info:
        resolve_secrets(
            {"token": {"env": "BOARDPACK_TEST_TOKEN"}, "password": {"env": "BOARDPACK_TEST_ABSENT"}}, "sources.api"
        )
    assert "s3cr3t-valeur" not in str(info.value)
    assert "BOARDPACK_TEST_ABSENT" in str(info.value)


def test_unreadable_file_secret_names_the_file(tmp_path: Path) -> None:
    """A missing secret file is named (its path), with the key."""
    with pytest.raises(ConfigError) as info:
        resolve_secrets({"token": {"file": str(tmp_path / "nope.txt")}}, "channels.mail")
    assert "nope.txt" in str(info.value)
    assert "« channels.mail.token »" in str(info.value)


def test_secret_in_config_is_resolved_only_when_the_plugin_is_built(
    small_company: SmallCompany, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A config with { env = ... } loads without the variable; the error comes when the channel is built."""
    monkeypatch.delenv("BOARDPACK_TEST_ABSENT", raising=False)
    small_company.config.write_text(
        SMALL_CONFIG + '\n[channels.archive]\ntype = "folder"\npath = { env = "BOARDPACK_TEST_ABSENT" }\n',
        encoding="utf-8",
    )
    config = load_config(small_company.config)
    validate_names(config, get_registry())
    with pytest.raises(ConfigError, match="BOARDPACK_TEST_ABSENT"):
        instantiate(config, get_registry(), config.channels[0], "canal")


# ---------------------------------------------------------------- names checked against the registry


def validate(company: SmallCompany, text: str) -> str:
    """The ConfigError message of the build's validation step for config ``text``."""
    company.config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        validate_names(load_config(company.config), get_registry())
    return str(info.value)


def test_validate_accepts_the_small_company(small_company: SmallCompany) -> None:
    """The small company's names all exist in the registry."""
    validate_names(load_config(small_company.config), get_registry())


def test_unknown_section_names_key_path(small_company: SmallCompany) -> None:
    """An unknown section is named with audiences.<id>.sections[i] and the known sections."""
    message = validate(small_company, SMALL_CONFIG.replace('["kpi_table", "bilan"]', '["kpi_table", "bilans"]'))
    assert "boardpack.toml" in message
    assert "« audiences.daf.sections[1] »" in message
    assert "« bilans »" in message
    assert "compte_resultat" in message  # the list of known sections


def test_unknown_theme_names_key_path(small_company: SmallCompany) -> None:
    """An unknown theme is named with audiences.<id>.theme."""
    message = validate(small_company, SMALL_CONFIG + 'theme = "corporate"\n')
    assert "« audiences.daf.theme »" in message
    assert "« corporate »" in message


def test_unknown_kpi_in_select(small_company: SmallCompany) -> None:
    """kpis.select naming an unknown KPI fails with its index."""
    message = validate(small_company, SMALL_CONFIG.replace(
        "[kpis.thresholds.dscr]", '[kpis]\nselect = ["ebe", "ebitda"]\n\n[kpis.thresholds.dscr]'))
    assert "« kpis.select[1] »" in message
    assert "« ebitda »" in message


def test_unknown_kpi_in_thresholds(small_company: SmallCompany) -> None:
    """Thresholds for an unknown KPI fail naming kpis.thresholds.<id>."""
    message = validate(small_company, SMALL_CONFIG + "\n[kpis.thresholds.dsoo]\nwarn = 1\n")
    assert "« kpis.thresholds.dsoo »" in message


def test_unknown_channel_type(small_company: SmallCompany) -> None:
    """A channel of unknown type fails naming channels.<id>.type."""
    message = validate(small_company, SMALL_CONFIG + '\n[channels.x]\ntype = "ftp"\n')
    assert "« channels.x.type »" in message
    assert "« ftp »" in message


def test_unknown_source_type_and_option(small_company: SmallCompany) -> None:
    """Building a source checks its type and options, naming the key path."""
    config = load_config(small_company.config)
    bad_type = type(config.sources[0])(key="compta", type="excel", options={}, path="sources.compta")
    with pytest.raises(ConfigError, match=r"« sources\.compta\.type ».*« excel »"):
        instantiate(config, get_registry(), bad_type, "source")
    bad_option = type(config.sources[0])(
        key="compta", type="csv", options={"path": "donnees", "sep": ";"}, path="sources.compta"
    )
    with pytest.raises(ConfigError, match=r"« sources\.compta\.sep »"):
        instantiate(config, get_registry(), bad_option, "source")
    no_path = type(config.sources[0])(key="compta", type="csv", options={}, path="sources.compta")
    with pytest.raises(ConfigError, match=r"« sources\.compta\.path » : option obligatoire absente"):
        instantiate(config, get_registry(), no_path, "source")


def test_audience_kpis_must_exist(small_company: SmallCompany) -> None:
    """An unknown KPI id in an audience's tile list names its key path."""
    text = small_company.config.read_text(encoding="utf-8")
    small_company.config.write_text(
        text.replace("[audiences.dirigeant]", '[audiences.dirigeant]\nkpis = ["ebe", "ebitda"]'), encoding="utf-8"
    )
    config = load_config(small_company.config)
    with pytest.raises(ConfigError, match=r"audiences\.dirigeant\.kpis\[1\] » : indicateur inconnu"):
        validate_names(config, get_registry())
