"""Quality gates and alerts wired into check, build --strict, the packs and the KPI JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from boardpack.build import build
from boardpack.cli import cli
from boardpack.config import load_config
from conftest import SmallCompany, small_files

DEMO = Path(__file__).resolve().parent.parent / "src" / "boardpack" / "demo" / "config.toml"


def _duplicate_invoice(company: SmallCompany) -> None:
    """Write the small company's invoices with FA-2026-02 twice (lines 3 and 5)."""
    text = small_files()["invoices.csv"]
    duplicate = next(line for line in text.splitlines() if line.startswith("sale;FA-2026-02;"))
    company.write("invoices.csv", text.rstrip("\n") + "\n" + duplicate + "\n")


def test_check_reports_a_blocking_issue_and_fails(small_company: SmallCompany) -> None:
    """check lists the duplicate invoice with its lines and exits non-zero."""
    _duplicate_invoice(small_company)
    result = CliRunner().invoke(cli, ["check", str(small_company.config)])
    assert result.exit_code == 3
    assert "qualité (bloquant)" in result.output
    assert "FA-2026-02" in result.output and "lignes 3 et 5" in result.output
    assert "Erreur : 1 problème(s) de qualité bloquant(s)" in result.output


def test_build_strict_refuses_blocking_data(small_company: SmallCompany, tmp_path: Path) -> None:
    """build --strict stops before any PDF when a blocking issue exists; without it, the build goes on."""
    _duplicate_invoice(small_company)
    out = tmp_path / "out"
    refused = CliRunner().invoke(cli, ["build", str(small_company.config), "--strict", "--out", str(out), "--quiet"])
    assert refused.exit_code == 3 and "--strict : problème bloquant" in refused.output
    assert not out.exists() or not list(out.iterdir())
    result = build(load_config(small_company.config), write=False)
    assert [issue.check for issue in result.issues] == ["duplicate_invoice"]
    assert any(alert.rule == "data_gaps" for alert in result.alerts)


def test_demo_alerts_tell_the_story() -> None:
    """The demo's October 2026 alerts name the late payer, the materials overrun and the DSO."""
    result = build(load_config(DEMO), audiences=["daf"], write=False)
    rules = {(a.rule, a.severity) for a in result.alerts}
    assert ("late_payers", "critical") in rules
    assert ("budget_overrun", "warning") in rules
    html = result.html["daf"]
    assert "Retard de paiement : Groupe Autoliance" in html
    assert "Dépassement du budget : Achats consommés" in html
    assert "DSO (délai clients) : alerte" in html
    assert "Aucun problème de qualité des données." in html


def test_alerts_reach_only_their_audiences() -> None:
    """The operations pack does not get the banker-and-DAF late-payer alert."""
    html = build(load_config(DEMO), audiences=["operations"], write=False).html["operations"]
    assert "Retard de paiement" not in html


def test_kpis_json_carries_alerts() -> None:
    """kpis --format json attaches each alert to the KPIs it rests on."""
    result = CliRunner().invoke(cli, ["kpis", str(DEMO), "--format", "json"])
    assert result.exit_code == 0
    by_id = {entry["id"]: entry for entry in json.loads(result.output)}
    dso_rules = {alert["rule"] for alert in by_id["dso"]["alerts"]}
    assert dso_rules == {"threshold_crossed", "late_payers"}
    assert by_id["dso"]["status"] == "alert"
    assert by_id["ebe"]["alerts"] == []
