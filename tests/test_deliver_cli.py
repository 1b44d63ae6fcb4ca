"""The delivery commands end to end on the small company: deliver, --dry-run, --due, schedule, deliveries.

The packs are really built (data, KPIs, HTML) but the PDF engine is stubbed, as in
test_cli.py; the messages go to a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import SMALL_CONFIG, SmallCompany, small_files
from test_email_server import SmtpServer, smtp_server  # noqa: F401  (fixture)

import boardpack.cli.delivery
import boardpack.build.run
from boardpack.cli import cli

FAKE_PDF = b"%PDF-1.7\n% fake pack for delivery tests\n%%EOF\n"


def fake_pdf(html: str, *args: Any, **kwargs: Any) -> bytes:
    """Stands for WeasyPrint: the HTML was rendered, the PDF is a constant."""
    assert "<html" in html
    return FAKE_PDF + html[-40:].encode()  # differs per audience


def delivery_config(port: int, **password: Any) -> str:
    """The small company's config with an email channel, a monthly schedule and an owner."""
    extra = "".join(f'{k} = {{ env = "{v}" }}\n' for k, v in password.items())
    return SMALL_CONFIG + f"""
[channels.mail]
type = "email"
host = "127.0.0.1"
port = {port}
tls = "none"
from = "Atelier <packs@atelier.example.fr>"
timeout = 5
{extra}
[channels.mail.audiences.dirigeant]
to = ["pdg@example.fr"]

[channels.mail.audiences.daf]
to = ["daf@example.fr"]
cc = ["expert@example.fr"]

[[schedules]]
id = "mensuel"
cron = "0 7 5 * *"
timezone = "Europe/Paris"

[delivery]
owner = "patron@example.fr"
retries = 0
"""


@pytest.fixture
def company(small_company: SmallCompany, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmallCompany:
    """The small company delivering to the test server, PDF engine stubbed."""
    small_company.config.write_text(delivery_config(smtp_server.port), encoding="utf-8")
    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", fake_pdf)
    return small_company


def run(*args: str) -> Result:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(cli, list(args))


def test_deliver_sends_the_built_packs(company: SmallCompany, smtp_server: SmtpServer) -> None:
    """deliver --period: each recipient gets its audience's PDF (bytes as built) and its headline KPIs."""
    result = run("deliver", str(company.config), "--period", "2026-02")
    assert result.exit_code == 0, result.output
    assert "envoyé\tdirigeant\tmail\tpdg@example.fr" in result.stdout
    by_recipient = {m.rcpt_tos[0]: m for m in smtp_server.received}
    assert sorted(by_recipient) == ["daf@example.fr", "expert@example.fr", "pdg@example.fr"]
    out = company.config.parent / "out"
    ceo = by_recipient["pdg@example.fr"]
    assert ceo.attachments() == {"dirigeant_2026-02.pdf": (out / "dirigeant_2026-02.pdf").read_bytes()}
    assert ceo.message["Subject"] == "Atelier Lyonnais de Test — Synthèse dirigeant — février 2026"
    assert "Chiffre d'affaires" in ceo.text()
    assert by_recipient["expert@example.fr"].message["Cc"] == "expert@example.fr"
    assert by_recipient["daf@example.fr"].attachments() == {"daf_2026-02.pdf": (out / "daf_2026-02.pdf").read_bytes()}

    again = run("deliver", str(company.config), "--period", "2026-02")
    assert again.exit_code == 0 and "déjà fait\tdirigeant" in again.stdout
    assert len(smtp_server.received) == 3

    listing = run("deliveries", str(company.config), "--format", "json")
    rows = json.loads(listing.stdout)
    assert {(r["recipient"], r["state"], r["attempts"]) for r in rows} == {
        ("pdg@example.fr", "sent", 1), ("daf@example.fr", "sent", 1), ("expert@example.fr", "sent", 1)}
    assert "\tsent\t" in run("deliveries", str(company.config)).stdout


def test_build_deliver_goes_through_the_log(company: SmallCompany, smtp_server: SmtpServer) -> None:
    """build --deliver sends each recipient its PDF once: a second build --deliver, or a deliver
    of the same period, finds it sent."""
    first = run("build", str(company.config), "--period", "2026-02", "--deliver", "--quiet")
    assert first.exit_code == 0, first.output
    assert sorted(m.rcpt_tos[0] for m in smtp_server.received) == ["daf@example.fr", "expert@example.fr",
                                                                   "pdg@example.fr"]
    out = company.config.parent / "out"
    ceo = next(m for m in smtp_server.received if m.rcpt_tos == ["pdg@example.fr"])
    assert ceo.attachments() == {"dirigeant_2026-02.pdf": (out / "dirigeant_2026-02.pdf").read_bytes()}
    again = run("build", str(company.config), "--period", "2026-02", "--deliver", "--quiet")
    assert again.exit_code == 0 and "déjà fait\tdirigeant" in again.stdout
    assert run("deliver", str(company.config), "--period", "2026-02").exit_code == 0
    assert len(smtp_server.received) == 3


def test_dry_run_sends_nothing(company: SmallCompany, smtp_server: SmtpServer) -> None:
    """--dry-run lists who would get which file and builds nothing, not even the log file."""
    result = run("deliver", str(company.config), "--period", "2026-02", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "à envoyer\tdirigeant\tmail\tpdg@example.fr\tdirigeant_2026-02.pdf" in result.stdout
    assert "à envoyer\tdaf\tmail\texpert@example.fr\tdaf_2026-02.pdf" in result.stdout
    assert smtp_server.received == []
    assert not (company.config.parent / "out").exists()
    assert not (company.config.parent / "deliveries.sqlite3").exists()


def test_blocking_data_holds_and_notifies(company: SmallCompany, smtp_server: SmtpServer) -> None:
    """A duplicated invoice (blocking): exit 3, no pack sent, the owner told why, once."""
    invoices = small_files()["invoices.csv"]
    company.write("invoices.csv", invoices + invoices.splitlines()[1] + "\n")
    result = run("deliver", str(company.config), "--period", "2026-02", "--audience", "dirigeant")
    assert result.exit_code == 3, result.output
    assert "retenu\tdirigeant\tmail\tpdg@example.fr" in result.stdout
    assert "Traceback" not in result.output and "Erreur : 1 envoi(s) retenu(s)" in result.stderr
    [notice] = smtp_server.received
    assert notice.rcpt_tos == ["patron@example.fr"]
    assert "FA-2026-01" in notice.text()
    run("deliver", str(company.config), "--period", "2026-02", "--audience", "dirigeant")
    assert len(smtp_server.received) == 1


def test_due_records_a_start_then_sends_the_next_run(company: SmallCompany, smtp_server: SmtpServer) -> None:
    """deliver --due: the first call starts the schedule, the call after 5 March 07:00 sends period 2026-02."""
    first = run("deliver", str(company.config), "--due", "--now", "2026-03-01T12:00:00+00:00")
    assert first.exit_code == 0 and "première exécution" in first.stderr
    assert run("deliver", str(company.config), "--due", "--now", "2026-03-05T05:59:00+00:00").stdout == ""
    due = run("deliver", str(company.config), "--due", "--now", "2026-03-05T06:05:00+00:00")
    assert due.exit_code == 0, due.output
    assert "planning « mensuel » — période 2026-02 — échéance 2026-03-05 07:00 Europe/Paris" in due.stdout
    assert len(smtp_server.received) == 3
    assert run("deliver", str(company.config), "--due", "--now", "2026-03-05T06:20:00+00:00").stdout == ""
    assert len(smtp_server.received) == 3


def test_due_refuses_manual_options(company: SmallCompany) -> None:
    """--due with --period is a usage error (exit 2), one sentence."""
    result = run("deliver", str(company.config), "--due", "--period", "2026-02")
    assert result.exit_code == 2 and "--due" in result.stderr and "Traceback" not in result.output


def test_failed_delivery_exits_7(company: SmallCompany, smtp_server: SmtpServer) -> None:
    """A 550 for one recipient: exit 7 naming it; the log says failed."""
    smtp_server.answer_rcpt("pdg@example.fr", "550 5.1.1 User unknown")
    result = run("deliver", str(company.config), "--period", "2026-02", "--audience", "dirigeant")
    assert result.exit_code == 7, result.output
    assert "pdg@example.fr" in result.stderr and "550 5.1.1 User unknown" in result.stderr
    assert "\tfailed\t" in run("deliveries", str(company.config)).stdout


def test_missing_password_variable_is_named(company: SmallCompany, monkeypatch: pytest.MonkeyPatch,
                                            smtp_server: SmtpServer) -> None:
    """password = { env = … } unset: exit 2 naming the variable; the dry run does not need it."""
    monkeypatch.delenv("BOARDPACK_TEST_SMTP", raising=False)
    text = delivery_config(smtp_server.port, password="BOARDPACK_TEST_SMTP").replace(
        'timeout = 5\n', 'timeout = 5\nusername = "packs"\n')
    company.config.write_text(text, encoding="utf-8")
    assert run("deliver", str(company.config), "--period", "2026-02", "--dry-run").exit_code == 0
    result = run("deliver", str(company.config), "--period", "2026-02")
    assert result.exit_code == 2 and "BOARDPACK_TEST_SMTP" in result.stderr


def test_schedule_list_shows_next_runs(company: SmallCompany) -> None:
    """schedule list: each schedule, then its next runs in local time and UTC with the period built."""
    result = run("schedule", "list", str(company.config), "--now", "2026-03-20T00:00:00+00:00")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mensuel\t0 7 5 * *\tEurope/Paris\tpériode previous")
    assert lines[1:] == [
        "  prochain : 2026-04-05 07:00 Europe/Paris\t2026-04-05 05:00 UTC\tpériode 2026-03",
        "  prochain : 2026-05-05 07:00 Europe/Paris\t2026-05-05 05:00 UTC\tpériode 2026-04",
        "  prochain : 2026-06-05 07:00 Europe/Paris\t2026-06-05 05:00 UTC\tpériode 2026-05",
    ]


def test_schedule_run_loops_until_interrupted(company: SmallCompany, monkeypatch: pytest.MonkeyPatch) -> None:
    """schedule run checks what is due, sleeps, and stops cleanly on Ctrl-C."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(boardpack.cli.delivery.time, "sleep", sleep)
    result = run("schedule", "run", str(company.config), "--interval", "30")
    assert result.exit_code == 0, result.output
    assert "Arrêt demandé" in result.stderr and "première exécution" in result.stderr
    assert len(waits) == 2 and all(1 <= w <= 30 for w in waits)


def _without_schedules(text: str) -> str:
    """The config text with its [[schedules]] entry removed."""
    return text.replace('[[schedules]]\nid = "mensuel"\ncron = "0 7 5 * *"\ntimezone = "Europe/Paris"\n', "")


def test_dry_run_of_the_latest_period_reads_the_log(company: SmallCompany, smtp_server: SmtpServer) -> None:
    """No [[schedules]] (period latest): the dry run finds the ledger's last month and what was already sent."""
    company.config.write_text(_without_schedules(delivery_config(smtp_server.port)), encoding="utf-8")
    before = run("deliver", str(company.config), "--dry-run")
    assert before.exit_code == 0, before.output
    assert "planning « manuel » — période 2026-02" in before.stdout
    assert "à envoyer\tdirigeant\tmail\tpdg@example.fr\tdirigeant_2026-02.pdf" in before.stdout
    assert "dernier mois des écritures" in before.stderr
    sent = run("deliver", str(company.config))
    assert sent.exit_code == 0, sent.output
    assert len(smtp_server.received) == 3
    after = run("deliver", str(company.config), "--dry-run")
    assert after.exit_code == 0, after.output
    assert "à envoyer" not in after.stdout
    assert after.stdout.count("déjà fait\t") == 3


def test_schedule_run_without_schedules_stops_at_once(company: SmallCompany, smtp_server: SmtpServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """schedule run with no [[schedules]]: one config error (exit 2), no loop."""
    company.config.write_text(_without_schedules(delivery_config(smtp_server.port)), encoding="utf-8")
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr(boardpack.cli.delivery.time, "sleep", sleep)
    result = run("schedule", "run", str(company.config))
    assert result.exit_code == 2 and "aucun planning [[schedules]]" in result.stderr
    assert waits == []


def test_headlines_quote_a_stock_at_the_month_end(small_company: SmallCompany) -> None:
    """A flow (revenue) is quoted over its window; a stock (net cash) at the month's end."""
    from boardpack.build import build
    from boardpack.config import load_config
    from boardpack.delivery.packs import headlines
    from boardpack.periods import Month

    result = build(load_config(small_company.config), Month(2026, 2), write=False)
    windows = {kpi["label"]: kpi["window"] for pack in result.packs.values() for kpi in headlines(pack)[0]}
    assert windows["Chiffre d'affaires"] == "mois"
    assert windows["Trésorerie nette"] == "fin de mois"
