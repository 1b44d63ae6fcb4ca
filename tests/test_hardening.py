"""Issue 17, item by item: what an attacker or a careless user tried, each kept out by a test.

The bad-input corpus (test_hostile_inputs.py) runs every CLI command on hostile files; the
tests here pin the mechanisms behind it: files confined to their folder, ids that are slugs,
mail headers, the delivery log's uncertain rows, the README's cron line, all-or-nothing
writes with the umask's permissions, clear-text passwords, and the messages of item 9.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from conftest import SMALL_CONFIG, SmallCompany
from test_deliver_runner import NOV_5, FakeBuilder, make_config, runner
import test_email_server
from test_email_server import SmtpServer

from boardpack.build import build
from boardpack.build.commentary import human_commentary
from boardpack.cli.delivery import echo_reports
from boardpack.config import load_config, parse_config
from boardpack.default_plugins.channels.email import EmailChannel
from boardpack.default_plugins.channels.folder import FolderChannel
from boardpack.delivery import DeliveryKey, DeliveryLog, Pack
from boardpack.delivery.jobs import Job, Outcome, Report
from boardpack.delivery.publish import attachment_link
from boardpack.config.model import DeliveryConfig
from boardpack.api import Delivery
from boardpack.errors import ConfigError, DeliveryError, RenderError
from boardpack.formatting import Formatter
from boardpack.periods import Month
from boardpack.render.pdf import restricted_fetcher, write_atomically, write_together
from boardpack.render.templates import make_environment
from boardpack.testing import run_cli
from boardpack.theme import load_theme

REPO = Path(__file__).resolve().parent.parent
smtp_server = test_email_server.smtp_server  # the fixture: a real SMTP server on 127.0.0.1


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask for the duration of a test."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def secret(folder: Path) -> Path:
    """A file outside every configured folder, which must never reach a pack."""
    path = folder / "secrets.env"
    path.write_text("SMTP_PASSWORD=hunter2\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- 1. files confined to their folder


def test_commentary_symlinked_outside_is_refused(tmp_path: Path) -> None:
    """« 2026-10.md → ../secrets.env » is refused, naming the file; never rendered."""
    folder = tmp_path / "commentaires"
    folder.mkdir()
    (folder / "2026-10.md").symlink_to(secret(tmp_path))
    with pytest.raises(ConfigError, match=r"2026-10\.md : commentaire refusé : ce lien symbolique mène hors") as error:
        human_commentary(folder, Month(2026, 10), "daf")
    assert "hunter2" not in str(error.value)


def test_commentary_symlinked_inside_its_folder_is_read(tmp_path: Path) -> None:
    """A link to another file of the same folder is fine: it resolves inside."""
    folder = tmp_path / "commentaires"
    folder.mkdir()
    (folder / "commun.md").write_text("Bon mois.", encoding="utf-8")
    (folder / "2026-10-daf.md").symlink_to(folder / "commun.md")
    found = human_commentary(folder, Month(2026, 10), "daf")
    assert found is not None and "Bon mois." in found.html


def test_commentary_image_names_the_file_and_line(tmp_path: Path) -> None:
    """A Markdown image the PDF would refuse is refused at once, naming file and line; data: passes."""
    folder = tmp_path / "commentaires"
    folder.mkdir()
    (folder / "2026-10.md").write_text("Titre\n\nTexte.\n\n![logo](https://exemple.fr/l.png)\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"2026-10\.md, ligne 5 : image « https://exemple.fr/l.png » refusée"):
        human_commentary(folder, Month(2026, 10), "daf")
    (folder / "2026-10.md").write_text("![p](data:image/png;base64,iVBORw0KGgo=)\n", encoding="utf-8")
    found = human_commentary(folder, Month(2026, 10), "daf")
    assert found is not None and "data:image/png" in found.html


def test_template_symlinked_outside_is_refused(tmp_path: Path) -> None:
    """A theme or user template linked to /etc/passwd is refused by the loader, naming it."""
    folder = tmp_path / "templates" / "sections"
    folder.mkdir(parents=True)
    (folder / "kpi_tiles.html").symlink_to(secret(tmp_path))
    (folder / "ok.html").write_text("ok {{ 1 + 1 }}", encoding="utf-8")
    (folder / "alias.html").symlink_to(folder / "ok.html")
    env = make_environment([tmp_path / "templates"], Formatter("fr"))
    with pytest.raises(RenderError, match=r"kpi_tiles\.html : gabarit refusé : ce lien symbolique mène hors"):
        env.get_template("sections/kpi_tiles.html")
    assert env.get_template("sections/alias.html").render() == "ok 2"  # a link inside the folder is fine


def test_email_template_symlinked_outside_is_refused(tmp_path: Path) -> None:
    """The email templates go through the same confined loader."""
    from boardpack.api.messages import TextTemplates

    folder = tmp_path / "templates" / "email"
    folder.mkdir(parents=True)
    (folder / "pack_subject.fr.txt").symlink_to(secret(tmp_path))
    with pytest.raises(RenderError, match="gabarit refusé"):
        TextTemplates(tmp_path).subject("pack", "fr")


def test_theme_files_symlinked_outside_are_refused(tmp_path: Path) -> None:
    """theme.toml, the logo and the CSS must resolve inside the theme folder; a non-UTF-8 manifest is one sentence."""
    theme = tmp_path / "maison"
    theme.mkdir()
    outside = secret(tmp_path)
    (theme / "theme.toml").write_text('name = "maison"\n[assets]\nlogo = "logo.png"\n', encoding="utf-8")
    (theme / "logo.png").symlink_to(outside)
    with pytest.raises(ConfigError, match=r"logo\.png : fichier de la clé « assets\.logo » du thème refusé"):
        load_theme(theme)
    (theme / "theme.toml").unlink()
    (theme / "theme.toml").symlink_to(outside)
    with pytest.raises(ConfigError, match="fichier de thème refusé"):
        load_theme(theme)
    (theme / "theme.toml").unlink()
    (theme / "theme.toml").write_bytes(b'name = "ma\xefson"\n')
    with pytest.raises(ConfigError, match="UTF-8 attendu"):
        load_theme(theme)


def test_pdf_fetcher_follows_links_before_allowing(tmp_path: Path) -> None:
    """WeasyPrint's fetcher resolves a link inside an allowed folder and refuses where it leads."""
    from weasyprint.urls import FatalURLFetchingError

    allowed = tmp_path / "theme"
    allowed.mkdir()
    (allowed / "style.css").write_text("p {}", encoding="utf-8")
    (allowed / "vol.css").symlink_to(secret(tmp_path))
    fetcher = restricted_fetcher([allowed])
    with pytest.raises(FatalURLFetchingError, match="ressource refusée"):
        fetcher.fetch((allowed / "vol.css").as_uri())
    fetched = fetcher.fetch((allowed / "style.css").as_uri())
    fetched.close()


# ---------------------------------------------------------------- 2. ids that become file names


@pytest.mark.parametrize("table, ident", [
    ("audiences", "../../escaped"), ("audiences", "a/b"), ("audiences", ""), ("audiences", "été"),
    ("sources", ".."), ("channels", "x y"),
])
def test_ids_naming_files_are_slugs(tmp_path: Path, table: str, ident: str) -> None:
    """An audience, source or channel id that is not a slug is refused at load, naming the key."""
    data = {"company": {"name": "A"}, "sources": {"compta": {"type": "csv", "path": "d"}},
            "audiences": {"dirigeant": {"sections": ["kpi_tiles"]}}}
    entry = {"audiences": {"sections": ["kpi_tiles"]}, "sources": {"type": "csv", "path": "d"},
             "channels": {"type": "folder", "path": "x"}}[table]
    data.setdefault(table, {})[ident] = entry
    with pytest.raises(ConfigError, match=rf'clé « {table}\."{re.escape(ident)}" » : identifiant .* refusé : '
                                          "il sert de nom de fichier"):
        parse_config(data, tmp_path / "boardpack.toml")


def test_slug_ids_are_accepted(tmp_path: Path) -> None:
    """Letters, digits, « - » and « _ » pass, as every id of the docs does."""
    data = {"company": {"name": "A"}, "sources": {"compta_2": {"type": "csv", "path": "d"}},
            "audiences": {"Comite-direction_2": {"sections": ["kpi_tiles"]}},
            "channels": {"ged": {"type": "folder", "path": "x"}},
            "schedules": [{"id": "mensuel-5", "cron": "0 7 5 * *"}]}
    config = parse_config(data, tmp_path / "boardpack.toml")
    assert [a.key for a in config.audiences] == ["Comite-direction_2"]


def test_schedule_id_is_a_slug(tmp_path: Path) -> None:
    """A schedule id keys the log and names files: « ../x » is refused."""
    data = {"company": {"name": "A"}, "sources": {"compta": {"type": "csv", "path": "d"}},
            "audiences": {"daf": {"sections": ["bilan"]}}, "channels": {"ged": {"type": "folder", "path": "x"}},
            "schedules": [{"id": "../x", "cron": "0 7 5 * *"}]}
    with pytest.raises(ConfigError, match=r"clé « schedules\[0\]\.id » : identifiant « \.\./x » refusé"):
        parse_config(data, tmp_path / "boardpack.toml")


# ---------------------------------------------------------------- 3. mail headers, failed vs unknown


@pytest.mark.parametrize("option, value", [
    ("from", "Pilotage\r\nBcc: espion@example.com <packs@example.fr>"),
    ("from", "A <a@example.fr>, B <b@example.fr>"),
    ("reply_to", "daf@example.fr\nBcc: espion@example.com"),
    ("domain", "example.fr\r\nBcc: espion@example.com"),
    ("username", "packs\r\n@example.fr"),
])
def test_header_fields_refused_at_config(tmp_path: Path, option: str, value: str) -> None:
    """A CR/LF (or two senders) in a header field is a config error naming the key, never a message."""
    options = {"host": "smtp.example.fr", "from": "packs@example.fr", "password": "x",
               "audiences": {"daf": {"to": ["daf@example.fr"]}}, option: value}
    with pytest.raises(ConfigError, match=rf"clé « channels\.mail\.{option} »"):
        EmailChannel("mail", options, tmp_path)


def test_recipient_with_newline_refused(tmp_path: Path) -> None:
    """A To or Cc address holding a line break is refused, naming its place in the list."""
    options = {"host": "smtp.example.fr", "from": "packs@example.fr",
               "audiences": {"daf": {"to": ["daf@example.fr"], "cc": ["a@example.fr\r\nBcc: b@example.com"]}}}
    with pytest.raises(ConfigError, match=r"clé « channels\.mail\.audiences\.daf\.cc\[0\] »"):
        EmailChannel("mail", options, tmp_path)


def test_check_validates_the_channels(small_company: SmallCompany) -> None:
    """`boardpack check` builds the channels (without their secrets): a bad header fails it, exit 2."""
    small_company.config.write_text(SMALL_CONFIG + (
        '\n[channels.mail]\ntype = "email"\nhost = "smtp.example.fr"\nfrom = "a\\r\\nBcc: x@y.fr <a@b.fr>"\n'
        'username = "a@b.fr"\npassword = { env = "ABSENT_DANS_CE_TEST" }\n'
        '[channels.mail.audiences.daf]\nto = ["daf@example.fr"]\n'), encoding="utf-8")
    result = run_cli("check", small_company.config)
    assert result.exit_code == 2 and "clé « channels.mail.from »" in result.stderr


def test_plain_text_password_refused(small_company: SmallCompany) -> None:
    """password = "…" in the config is refused naming the key; { env } and { file } are the only forms."""
    small_company.config.write_text(SMALL_CONFIG + (
        '\n[channels.mail]\ntype = "email"\nhost = "smtp.example.fr"\nfrom = "a@b.fr"\nusername = "a@b.fr"\n'
        'password = "hunter2"\n[channels.mail.audiences.daf]\nto = ["daf@example.fr"]\n'), encoding="utf-8")
    result = run_cli("check", small_company.config)
    assert result.exit_code == 2
    assert "clé « channels.mail.password » : secret écrit en clair, refusé" in result.stderr
    assert "hunter2" not in result.stderr


def test_uncomposable_message_is_failed_not_unknown(smtp_server: SmtpServer, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A message that cannot be written (a header the email library refuses) is `failed`: nothing left."""
    original = EmailChannel.__init__

    def spoiled(self: EmailChannel, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        self.sender = "Pilotage\r\nBcc: espion@example.com <packs@atelier.example.fr>"

    monkeypatch.setattr(EmailChannel, "__init__", spoiled)
    config = make_config(tmp_path, smtp_server.port, audiences=["dirigeant"])
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
        [entry] = [e for e in log.entries() if e.key.kind == "pack"]
    assert [o.state for o in report.outcomes] == ["failed"] and entry.state == "failed"
    assert "message impossible à écrire" in report.outcomes[0].detail
    assert smtp_server.received == []


def _report(*outcomes: Outcome) -> Report:
    from boardpack.config import ScheduleConfig

    return Report(Job(ScheduleConfig(id="mensuel", cron="0 7 5 * *"), Month(2026, 10)), "2026-10", list(outcomes))


KEY = DeliveryKey("mensuel", "2026-10", "daf", "mail", "daf@example.fr")


def test_unknown_and_sending_rows_fail_the_command() -> None:
    """A rerun meeting `unknown` or `sending` rows does not say « déjà fait » and exit 0: it raises (exit 7)."""
    echo_reports([_report(Outcome(KEY, "skipped", "déjà sent"))], [])  # sent: done, exit 0
    with pytest.raises(DeliveryError, match="incertain"):
        echo_reports([_report(Outcome(KEY, "unknown", "vérifiez … --force"))], [])
    with pytest.raises(DeliveryError, match="en cours dans un autre processus") as error:
        echo_reports([_report(Outcome(KEY, "sending", "relancez la commande plus tard"))], [])
    assert error.value.exit_code == 7


def test_row_sending_in_another_process_is_reported(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """A delivery another live process is sending is reported `sending` with what to do, and not sent."""
    config = make_config(tmp_path, smtp_server.port, audiences=["dirigeant"])
    key = DeliveryKey("mensuel", "2026-10", "dirigeant", "mail", "pdg@example.fr")
    with DeliveryLog(tmp_path / "log.sqlite3") as other, DeliveryLog(tmp_path / "log.sqlite3") as log:
        assert other.claim(key)  # another process (alive: this one) holds it
        [report] = runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
    [outcome] = report.outcomes
    assert outcome.state == "sending" and "relancez la commande plus tard" in outcome.detail
    assert smtp_server.received == []


# ---------------------------------------------------------------- 4. the README's cron line


def _documented_commands() -> list[list[str]]:
    """Every `boardpack deliver … --due…` command line of the README and docs/delivery.md."""
    found = []
    for doc in (REPO / "README.md", REPO / "docs" / "delivery.md"):
        for line in doc.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"boardpack (deliver \S*\.toml [^`\n)]*--due[^`\n)]*)", line):
                found.append(shlex.split(match.group(1)))
    return found


def test_readme_cron_and_systemd_lines_run(small_company: SmallCompany, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cron and systemd command lines of the docs parse and run (exit 0; --quiet prints nothing)."""
    commands = _documented_commands()
    assert ["deliver", "boardpack.toml", "--due", "--quiet"] in commands
    assert len(commands) >= 3  # README's cron line, docs' cron line and systemd ExecStart
    small_company.config.write_text(SMALL_CONFIG + '\n[channels.ged]\ntype = "folder"\npath = "ged"\n\n'
                                    '[[schedules]]\nid = "mensuel"\ncron = "0 7 5 * *"\n', encoding="utf-8")
    monkeypatch.chdir(small_company.config.parent)
    for command in commands:
        args = [a if not a.endswith("boardpack.toml") else "boardpack.toml" for a in command]
        result = run_cli(*args)
        assert result.exit_code == 0, (command, result.stderr)
        if "--quiet" in args:
            assert result.stderr == "", (command, result.stderr)


# ---------------------------------------------------------------- 6, 7. all or nothing, permissions


def test_write_together_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second rename fails (disk full): the first file of the run is removed, no .part is left."""
    calls: list[str] = []
    real = os.replace

    def failing(source: str, target: Path) -> None:
        calls.append(str(target))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(source, target)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        write_together({tmp_path / "daf_2026-10.pdf": b"%PDF-1", tmp_path / "dirigeant_2026-10.pdf": b"%PDF-2"})
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []


def test_files_get_the_umask_permissions(tmp_path: Path, umask_022: None) -> None:
    """Packs are written 0644 under umask 022 (colleagues and the web server can read them); 0600 on demand."""
    write_atomically(tmp_path / "pack.pdf", b"%PDF")
    write_atomically(tmp_path / "token.json", b"{}", mode=0o600)
    assert stat.S_IMODE((tmp_path / "pack.pdf").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "token.json").stat().st_mode) == 0o600


def test_folder_channel_and_publish_dir_write_readable_files(tmp_path: Path, umask_022: None) -> None:
    """The `folder` channel (a shared drive) and publish_dir (served over HTTP) write 0644 files."""
    pdf = tmp_path / "daf_2026-10.pdf"
    pdf.write_bytes(b"%PDF-1.7 " + b"0" * 2048)
    FolderChannel("ged", {"path": "partage"}, tmp_path).deliver(
        Delivery(pdf, "daf", "DAF", "2026-10", "Atelier", recipient="partage"))
    [copied] = (tmp_path / "partage").iterdir()
    link = attachment_link(Pack("daf", "DAF", "fr", "octobre 2026", pdf),
                           DeliveryConfig(publish_dir=tmp_path / "public", max_attachment_mb=0.001))
    [published] = (tmp_path / "public").iterdir()
    assert link is not None
    assert stat.S_IMODE(copied.stat().st_mode) == 0o644 and stat.S_IMODE(published.stat().st_mode) == 0o644


def test_build_writes_every_pack_or_none(small_company: SmallCompany, monkeypatch: pytest.MonkeyPatch,
                                         umask_022: None) -> None:
    """A write failing on the second pack leaves no PDF of the run; the next run removes a killed run's
    stale .part files (not a newer one), and writes its packs 0644."""
    config = load_config(small_company.config)
    out = small_company.config.parent / "out"
    out.mkdir()
    stale, fresh = out / ".daf_2026-02.pdf.k1ll3d.part", out / ".daf_2026-02.pdf.runn1ng.part"
    stale.write_bytes(b"%PDF half")
    fresh.write_bytes(b"%PDF half")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    os.utime(fresh, (time.time() + 3600, time.time() + 3600))  # a run that started after this one
    real, calls = os.replace, []

    def disk_full(source: str, target: Path) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(source, target)

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(RenderError, match="aucun dossier de cette exécution n'a été écrit"):
        build(config, parallel=False)
    assert sorted(p.name for p in out.iterdir()) == [fresh.name]
    monkeypatch.setattr(os, "replace", real)
    result = build(config, parallel=False)
    assert sorted(p.name for p in out.iterdir()) == sorted([fresh.name, "daf_2026-02.pdf", "dirigeant_2026-02.pdf"])
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in result.paths.values())


# ---------------------------------------------------------------- 5, 9. messages


def test_binary_entries_is_not_called_empty(small_company: SmallCompany) -> None:
    """A 20 KB binary entries.csv says it is not a text/CSV file, not « fichier vide »."""
    small_company.write("entries.csv", "")
    (small_company.data / "entries.csv").write_bytes(os.urandom(20_000).replace(b"\n", b"\x00"))
    result = run_cli("check", small_company.config)
    assert result.exit_code == 3
    assert "entries.csv : ce n'est pas un fichier texte CSV" in result.stderr and "vide" not in result.stderr


def test_period_out_of_range_is_one_sentence(small_company: SmallCompany) -> None:
    """--period 9999-12 is refused with the accepted range, exit 2 (it ended in OutOfBoundsDatetime)."""
    result = run_cli("kpis", small_company.config, "--period", "9999-12")
    assert result.exit_code == 2 and "hors de la plage admise (1900-01 à 2199-12)" in result.stderr


def test_delivery_notes_silenced_by_quiet(small_company: SmallCompany, monkeypatch: pytest.MonkeyPatch) -> None:
    """deliver --due --quiet says nothing on a first run (the note of the baseline goes), without it the note shows."""
    small_company.config.write_text(SMALL_CONFIG + '\n[channels.ged]\ntype = "folder"\npath = "ged"\n\n'
                                    '[[schedules]]\nid = "mensuel"\ncron = "0 7 5 * *"\n', encoding="utf-8")
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC).isoformat()
    loud = run_cli("deliver", small_company.config, "--due", "--now", now)
    assert loud.exit_code == 0 and "première exécution" in loud.stderr
    (small_company.config.parent / "deliveries.sqlite3").unlink()
    quiet = run_cli("deliver", small_company.config, "--due", "--quiet", "--now", now)
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_jinja_undefined_in_user_template_names_it(small_company: SmallCompany) -> None:
    """An override template naming an unknown variable is a RenderError naming the template (was a traceback)."""
    folder = small_company.config.parent / "templates" / "sections"
    folder.mkdir(parents=True)
    (folder / "kpi_tiles.html").write_text("{{ absente.x }}", encoding="utf-8")
    result = run_cli("build", small_company.config, "--audience", "dirigeant", "--quiet")
    assert result.exit_code == 6 and "gabarit sections/kpi_tiles.html (section « kpi_tiles »)" in result.stderr
    assert jinja2.UndefinedError.__name__ in result.stderr


def test_fec_amounts_with_no_break_spaces_are_read(tmp_path: Path) -> None:
    """« 1 200,00 » written with a no-break space is 1 200 € (the fuzzer found it raised « output array is
    read-only »)."""
    from boardpack.fec import read_fec
    from test_fuzz_readers import FEC_HEADER, GOOD

    sale, revenue = list(GOOD), list(GOOD)
    sale[11] = "1\u00a0200,00"
    revenue[4], revenue[11], revenue[12] = "706000", "0,00", "1\u00a0200,00"
    path = tmp_path / "123456789FEC20251231.txt"
    path.write_text("\n".join("\t".join(line) for line in (FEC_HEADER, sale, revenue)) + "\n", encoding="utf-8")
    entries = read_fec(path).entries
    assert entries["debit"].tolist() == [120000, 0] and entries["credit"].tolist() == [0, 120000]
