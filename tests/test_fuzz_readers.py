"""Property-based fuzzing of the readers: any input yields a result or one clear BoardpackError.

Hypothesis generates CSV files (a header of the schema's columns, cells drawn from tricky
values — NaN, inf, 1e20, dates of year 9999, control characters — and free text, or raw
bytes), FEC files (the FEC header then lines of such cells, or raw bytes) and configs (the
small company's config with keys replaced by any TOML value, or TOML text). Each must give a
typed frame (money in int64 cents within the limit, finite decimals), a FEC, a config — or a
:class:`~boardpack.errors.BoardpackError`; any other exception fails the test.

The profile is derandomized (the same examples every run: CI is reproducible), without a
deadline (the machine is shared) and without the example database (nothing written to the
checkout); ~200 examples per reader keep the file to a few seconds.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardpack.build.validate import validate
from boardpack.config import load_config, parse_config
from boardpack.default_plugins.sources.csv import read_table
from boardpack.errors import BoardpackError
from boardpack.fec import read_fec, validate_fec
from boardpack.schema import MAX_CENTS

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TRICKY = ["", " ", "0", "-0", "12", "1 234,56", "1.234,56", "1234.5", "1,005", "12,30-", "+5", "1e20",
          "100000000000000000000,00", "99999999999999999999", "NaN", "nan", "inf", "-Infinity", "1e400",
          "0x1F", "٣", "１２", "15/01/2025", "2025-01-15", "20250115", "31/02/2025", "15/01/9999",
          "1066-10-14", "2026-13", "2026-02", "02/2026", "9999-12", "sale", "purchase", "paid", "issued",
          "won", "open", "oui", "non", "true", "\x00", "\x1a", "a\rb", '"', '""', "'", ";", ",", "\t",
          "é", "\u202f", "\ufeff", "𝟘"]
CELL = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))


def _quoted(cell: str, separator: str) -> str:
    return f'"{cell.replace(chr(34), chr(34) * 2)}"' if separator in cell or '"' in cell or "\n" in cell else cell


@st.composite
def csv_files(draw: st.DrawFn, dataset: str) -> bytes:
    """A CSV of ``dataset``'s columns (some dropped or repeated), rows of tricky cells; or raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    separator = draw(st.sampled_from([";", ",", "\t", "|"]))
    names = [c.name for c in SCHEMAS[dataset].columns]
    header = draw(st.lists(st.sampled_from(names + ["extra", ""]), min_size=1, max_size=len(names) + 2))
    if draw(st.booleans()):
        header = names
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=6))
    if rows and draw(st.booleans()):  # a ragged row
        rows[-1] = rows[-1][:-1]
    lines = [separator.join(header)] + [separator.join(_quoted(c, separator) for c in row) for row in rows]
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return ending.join(lines).encode(encoding, errors="replace")


def _holds(outcome: Any) -> None:
    """What a coerced frame promises: money in int64 cents within the limit, decimals finite."""
    for column in outcome.columns:
        values = outcome[column]
        if str(values.dtype) in ("int64", "Int64"):
            assert (values.dropna().abs() <= MAX_CENTS).all() or column not in {"debit", "credit", "amount"}
        if values.dtype == np.float64:
            finite = values.dropna()
            assert np.isfinite(finite.to_numpy()).all(), column


@pytest.mark.parametrize("dataset", ["entries", "invoices", "deals", "ops_metrics"])
def test_csv_reader_and_schema_never_crash(dataset: str) -> None:
    """Any CSV of a dataset gives a typed frame or one DataError/SourceError sentence."""

    @FUZZ
    @given(data=csv_files(dataset))
    def run(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{dataset}.csv"
            path.write_bytes(data)
            try:
                frame = SCHEMAS[dataset].coerce(read_table(path, str(path)), str(path))
            except BoardpackError as exc:
                assert str(exc) and "\n" not in str(exc).strip("\n")
                return
            _holds(frame)

    run()


FEC_HEADER = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
              "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
              "ValidDate", "Montantdevise", "Idevise"]
GOOD = ["VE", "Ventes", "1", "20250115", "411000", "Clients", "", "", "F1", "20250115", "Vente", "1200,00", "0,00",
        "", "", "20250115", "", ""]


@st.composite
def fec_files(draw: st.DrawFn) -> bytes:
    """The FEC header (sometimes missing a field) then lines, each a valid line with cells spoiled; or raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    separator = draw(st.sampled_from(["\t", "|", ";"]))
    header = list(FEC_HEADER)
    if draw(st.integers(0, 5)) == 0:
        del header[draw(st.integers(0, len(header) - 1))]
    lines = [separator.join(header)]
    for _ in range(draw(st.integers(0, 5))):
        line = list(GOOD)
        for _ in range(draw(st.integers(0, 4))):
            line[draw(st.integers(0, len(line) - 1))] = draw(CELL).replace(separator, "").replace("\n", "")
        if draw(st.integers(0, 7)) == 0:
            line = line[:-1]
        lines.append(separator.join(line))
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "iso-8859-15"]))
    return "\r\n".join(lines).encode(encoding, errors="replace") + draw(st.sampled_from([b"", b"\r\n", b"\x1a"]))


@FUZZ
@given(data=fec_files())
def test_fec_reader_never_crashes(data: bytes) -> None:
    """Any FEC gives typed entries and findings, or one DataError/SourceError sentence."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "123456789FEC20251231.txt"
        path.write_bytes(data)
        try:
            fec = read_fec(path)
            validate_fec(fec)
        except BoardpackError as exc:
            assert str(exc)
            return
        assert (fec.entries["debit"].abs() <= MAX_CENTS).all() and (fec.entries["credit"].abs() <= MAX_CENTS).all()


def _base() -> dict[str, Any]:
    return {
        "company": {"name": "Atelier", "siren": "812345674", "fiscal_year_start": 1},
        "build": {"period": "latest"},
        "sources": {"compta": {"type": "csv", "path": "donnees"}},
        "kpis": {"thresholds": {"dscr": {"warn": 1.5, "alert": 1.25}}},
        "audiences": {"dirigeant": {"title": "Synthèse", "sections": ["kpi_tiles"]},
                      "daf": {"title": "DAF", "sections": ["bilan"]}},
        "channels": {"mail": {"type": "email", "host": "smtp.example.fr", "from": "packs@example.fr",
                              "username": "packs@example.fr", "password": {"env": "SMTP_PASSWORD"},
                              "audiences": {"daf": {"to": ["daf@example.fr"]}}}},
        "schedules": [{"id": "mensuel", "cron": "0 7 5 * *"}],
        "investments": {"machine": {"label": "M", "rate": 0.08, "outlay": 1000, "cash_flows": [500, 600]}},
        "quality": {"suspense_threshold": 1000},
        "delivery": {"owner": "daf@example.fr", "max_attachment_mb": 10},
    }


PATHS = [
    ("company", "name"), ("company", "siren"), ("company", "fiscal_year_start"), ("company", "headcount"),
    ("company", "locale"), ("build", "period"), ("build", "out"), ("sources", "compta", "path"),
    ("sources", "compta", "type"), ("sources", "compta"), ("kpis", "select"), ("kpis", "thresholds", "dscr", "warn"),
    ("kpis", "thresholds", "dscr"), ("audiences", "dirigeant", "sections"), ("audiences", "dirigeant", "theme"),
    ("audiences", "dirigeant", "language"), ("audiences", "dirigeant", "kpis"), ("audiences", "dirigeant"),
    ("channels", "mail", "from"), ("channels", "mail", "reply_to"), ("channels", "mail", "timeout"),
    ("channels", "mail", "port"), ("channels", "mail", "tls"), ("channels", "mail", "domain"),
    ("channels", "mail", "password"), ("channels", "mail", "audiences", "daf", "to"),
    ("channels", "mail", "audiences", "daf", "cc"), ("channels", "mail", "audiences"), ("schedules",),
    ("investments", "machine", "rate"), ("investments", "machine", "outlay"), ("investments", "machine", "cash_flows"),
    ("quality", "suspense_threshold"), ("quality", "ignore"), ("alerts", "budget_overrun_pct"),
    ("delivery", "max_attachment_mb"), ("delivery", "retries"), ("delivery", "backoff"), ("delivery", "owner"),
    ("commentary", "dir"), ("themes", "dirs"),
]
SCALAR = st.one_of(st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from(TRICKY), st.text(max_size=15))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.sampled_from(TRICKY + ["to", "warn", "id"]),
                                                                     inner, max_size=3)), max_leaves=6)


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), VALUE), min_size=1, max_size=3),
       extra_id=st.one_of(st.none(), st.text(max_size=6)))
def test_config_reader_never_crashes(changes: list[tuple[tuple[str, ...], Any]], extra_id: str | None) -> None:
    """Any value at any key of the config (and any audience id) gives a config or one ConfigError."""
    from boardpack.plugins import get_registry

    data = _base()
    for path, value in changes:
        table = data
        for key in path[:-1]:
            table = table.setdefault(key, {}) if isinstance(table.get(key, {}), dict) else {}
        table[path[-1]] = value
    if extra_id is not None:
        data["audiences"][extra_id] = {"sections": ["kpi_tiles"]}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "donnees").mkdir()
        try:
            config = parse_config(data, Path(folder) / "boardpack.toml")
            validate(config, get_registry())
        except BoardpackError as exc:
            assert str(exc)
            return
    for audience in config.audiences:
        assert audience.key and "/" not in audience.key and ".." not in audience.key
    for thresholds in config.thresholds.values():
        assert all(v is None or v.is_finite() for v in (thresholds.warn, thresholds.alert))


TOML_PIECES = ["[company]\n", 'name = "A"\n', "[audiences.x]\n", 'sections = ["kpi_tiles"]\n', "[sources.c]\n",
               'type = "csv"\n', "x = nan\n", "warn = inf\n", "[[schedules]]\n", 'id = "../a"\n', "= 1\n", "[\n",
               "a = [1, \n", 'b = """\n', "c = 1979-05-27T07:32:00Z\n", "d = { e = 1 }\n", "\x00", "é = 1\n"]


@FUZZ
@given(text=st.one_of(st.lists(st.sampled_from(TOML_PIECES), max_size=12).map("".join), st.text(max_size=80)),
       raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_toml_text_never_crashes(text: str, raw: bytes | None) -> None:
    """Any file as a config gives a config or one ConfigError (syntax errors name the file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "boardpack.toml"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            load_config(path)
        except BoardpackError as exc:
            assert str(exc) and not math.isnan(len(str(exc)))
