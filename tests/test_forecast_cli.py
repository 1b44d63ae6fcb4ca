"""``boardpack forecast``: the plan by scenario in three formats, the backtest, and clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from boardpack.cli import DEMO_CONFIG, cli


@pytest.fixture(scope="module")
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["forecast", str(DEMO_CONFIG), *args])

    return invoke


def test_table_of_one_scenario(run) -> None:
    """--scenario prints that scenario's lines, closing cash and lowest point."""
    result = run("--scenario", "retard_15_jours")
    assert result.exit_code == 0, result.output
    assert "Scénario : Retard de paiement +15 jours" in result.output
    assert "Trésorerie de clôture" in result.output and "Point bas" in result.output
    assert "Scénario : Base" not in result.output


def test_json_has_every_scenario_and_the_loan(run) -> None:
    """JSON: base then the stresses; the requested loan is paid out in January 2027."""
    result = run("--format", "json")
    plans = json.loads(result.output)
    assert [p["scenario"] for p in plans] == ["base", "ventes_moins_15", "retard_15_jours"]
    base = plans[0]
    assert base["as_of"] == "2026-10" and len(base["months"]) == 12
    payout = next(line for line in base["lines"] if line["key"] == "financement_deblocage")
    assert payout["amounts"]["2027-01"] == 300000.0
    closing = base["opening"] + sum(sum(line["amounts"].values()) for line in base["lines"])
    assert abs(closing - base["closing"]["2027-10"]) < 0.01
    assert base["lowest"]["cash"] == min(base["closing"].values())


def test_csv_adds_up(run) -> None:
    """CSV: the closing row is the opening plus the lines, month by month."""
    rows = list(csv.reader(io.StringIO(run("--format", "csv", "--scenario", "base").output), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["scenario", "line", "label", "driver"]
    opening = float(next(r for r in body if r[1] == "opening")[4])
    lines = [r for r in body if r[1] not in ("opening", "flow", "closing", "minimum")]
    first_month = opening + sum(float(r[4]) for r in lines)
    assert abs(first_month - float(next(r for r in body if r[1] == "closing")[4])) < 0.01


def test_backtest_json(run) -> None:
    """--backtest: plans made at the 12 month-ends before the period, errors at 1, 3 and 6 months."""
    result = run("--backtest", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload["horizons"]) == {"1", "3", "6"}
    assert payload["horizons"]["1"]["points"] == 12
    assert payload["horizons"]["6"]["points"] == 7
    for point in payload["points"]:
        assert abs(point["error"] - (point["forecast"] - point["actual"])) < 0.02


def test_unknown_scenario_is_one_sentence(run) -> None:
    """An unknown scenario names the known ones, exit code non-zero, no traceback."""
    result = run("--scenario", "crise")
    assert result.exit_code != 0
    assert "scénario inconnu « crise »" in result.output and "Traceback" not in result.output


def test_bad_financing_table_is_refused(tmp_path) -> None:
    """A deferral as long as the loan is refused before anything is built, naming the key."""
    config = tmp_path / "boardpack.toml"
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("deferral = 6 ", "deferral = 84 ")
    text = text.replace('type = "demo"', 'type = "demo"', 1)
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["forecast", str(config)])
    assert result.exit_code != 0
    assert "clé « financing.deferral »" in result.output
