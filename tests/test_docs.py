"""Generated documentation stays in step with the plugins."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from boardpack.catalogue import markdown
from boardpack.cli import cli
from boardpack.plugins import get_registry

DOC = Path(__file__).resolve().parent.parent / "docs" / "kpis.md"


def test_kpi_catalogue_doc_is_up_to_date() -> None:
    """docs/kpis.md is exactly `boardpack kpis --list --format markdown` (regenerate it if this fails)."""
    assert DOC.read_text(encoding="utf-8") == markdown(get_registry()) + "\n"


def test_every_kpi_is_fully_described() -> None:
    """Each KPI has French and English labels and formulas, a unit and an audience list."""
    for kpi_id, kpi in get_registry().kpis.items():
        assert kpi.label.get("fr") and kpi.label.get("en"), kpi_id
        assert kpi.formula.get("fr") and kpi.formula.get("en"), kpi_id
        assert kpi.unit, kpi_id


def test_kpis_list_command() -> None:
    """kpis --list prints one line per KPI without needing a config."""
    result = CliRunner().invoke(cli, ["kpis", "--list"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == len(get_registry().kpis)
    assert result.output.startswith("chiffre_affaires")
