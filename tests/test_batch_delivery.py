"""deliver on a portfolio: every company through one exactly-once log keyed by company, one failure alone.

The packs are really built (real FEC samples, KPIs, HTML) but the PDF engine is stubbed, as in
test_deliver_cli.py; the messages go to a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_deliver_cli import fake_pdf
import test_email_server
from test_email_server import SmtpServer

import boardpack.build.run
from boardpack.batch import EXIT_ALL, EXIT_SOME
from boardpack.cli import cli

from batch_helpers import TEMPLATE, write_portfolio

smtp_server = test_email_server.smtp_server  # the fixture: a real SMTP server on 127.0.0.1


def _channel(port: int) -> str:
    return f"""
[channels.mail]
type = "email"
host = "127.0.0.1"
port = {port}
tls = "none"
from = "Cabinet <packs@cabinet.example.fr>"
timeout = 5

[channels.mail.audiences.dirigeant]
to = ["associe@cabinet.example.fr"]

[[schedules]]
id = "mensuel"
cron = "0 7 5 * *"
timezone = "Europe/Paris"
period = "latest"

[delivery]
retries = 0
"""


@pytest.fixture
def portfolio(tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alpha, beta (real FECs) and casse (a broken FEC), the template delivering by email to the firm."""
    path = write_portfolio(tmp_path)
    (tmp_path / "modele.toml").write_text(TEMPLATE + _channel(smtp_server.port), encoding="utf-8")
    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", fake_pdf)
    monkeypatch.chdir(tmp_path)
    return path


def _deliver(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["deliver", path.name, *args])
    return result.exit_code, result.stdout, result.stderr


def test_due_on_a_portfolio_sends_each_company_once(portfolio: Path, smtp_server: SmtpServer) -> None:
    """--due: each company's schedule starts, then sends once; casse fails alone (exit 8); a rerun sends nothing."""
    code, _, err = _deliver(portfolio, "--due", "--now", "2026-03-01T12:00:00+00:00")
    assert code == EXIT_ALL and err.count("première exécution") == 3
    code, out, err = _deliver(portfolio, "--due", "--now", "2026-03-05T06:05:00+00:00")
    assert code == EXIT_SOME, (out, err)
    assert "planning « alpha/mensuel » — période 2023-06" in out and "planning « beta/mensuel » — période 2023-07" in out
    assert "société « casse »" in err and "999999999FEC20231231.txt, ligne 1" in err
    assert len(smtp_server.received) == 2  # the same partner gets alpha's pack and beta's
    code, out, _ = _deliver(portfolio, "--due", "--now", "2026-03-05T06:30:00+00:00", "--only", "alpha",
                            "--only", "beta")
    assert code == EXIT_ALL and len(smtp_server.received) == 2
    with sqlite3.connect(portfolio.parent / "deliveries.sqlite3") as db:
        rows = db.execute("SELECT schedule, period, audience, recipient, state FROM deliveries ORDER BY 1").fetchall()
    assert rows == [("alpha/mensuel", "2023-06", "dirigeant", "associe@cabinet.example.fr", "sent"),
                    ("beta/mensuel", "2023-07", "dirigeant", "associe@cabinet.example.fr", "sent")]
    assert (portfolio.parent / "dossiers" / "alpha" / "dirigeant_2023-06.pdf").is_file()
    listed = CliRunner().invoke(cli, ["deliveries", portfolio.name, "--schedule", "beta/mensuel"])
    assert listed.exit_code == 0 and "\tbeta/mensuel\t2023-07\tdirigeant\tmail\tassocie@cabinet.example.fr\tsent" in listed.stdout
    assert "alpha" not in listed.stdout


def test_period_by_hand_on_a_portfolio_is_exactly_once(portfolio: Path, smtp_server: SmtpServer) -> None:
    """deliver --period on a portfolio: sent once per company; the same command again sends nothing."""
    code, out, _ = _deliver(portfolio, "--period", "2023-06", "--only", "alpha")
    assert code == EXIT_ALL and "envoyé\tdirigeant\tmail\tassocie@cabinet.example.fr" in out
    code, out, _ = _deliver(portfolio, "--period", "2023-06", "--only", "alpha")
    assert code == EXIT_ALL and len(smtp_server.received) == 1


def test_portfolio_refuses_config_only_options(portfolio: Path) -> None:
    """--audience or --dry-run with a portfolio, --only with a config: one sentence, exit 2."""
    code, _, err = _deliver(portfolio, "--period", "2023-06", "--audience", "dirigeant")
    assert code == 2 and "portefeuille" in err
    code, _, err = _deliver(portfolio.parent / "modele.toml", "--period", "2023-06", "--only", "alpha")
    assert code == 2 and "--only" in err
