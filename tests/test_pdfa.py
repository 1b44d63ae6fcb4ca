"""PDF/A-3b packs (``--pdfa``): declared conformance, embedded CSV files, figures that recompute.

The demo's dirigeant pack is built once as PDF/A-3b; everything is checked by reading the
PDF back with pypdf, and the attached revenue against entries.csv summed here by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from boardpack import plugins
from boardpack.build import BuildResult, build, load_inputs, make_engine
from boardpack.config import load_config
from boardpack.build.engine import KPIEngine
from boardpack.periods import WINDOW_KINDS, Month

from conftest import DEMO_CONFIG, DEMO_ENTRIES

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
FILES = ("indicateurs.csv", "faits_cites.csv", "compte_de_resultat.csv", "bilan.csv")
OCTOBER = Month(2026, 10)


@pytest.fixture(scope="module")
def pdfa_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The demo's dirigeant pack, built once as PDF/A-3b."""
    out = tmp_path_factory.mktemp("pdfa")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            return build(load_config(DEMO_CONFIG), audiences=["dirigeant"], out_dir=out, pdfa=True)
        finally:
            plugins.reset()


@pytest.fixture(scope="module")
def reader(pdfa_build: BuildResult) -> PdfReader:
    """pypdf's reader of the PDF/A pack."""
    return PdfReader(pdfa_build.paths["dirigeant"])


def attached_rows(reader: PdfReader, name: str) -> list[dict[str, str]]:
    """The rows of an attached CSV file (UTF-8, « ; »), by header."""
    data = reader.attachments[name][0]
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";"))


def october_revenue_from_entries() -> Decimal:
    """CA of October 2026 from the demo's entries.csv: Σ credit − debit of accounts 70x, by hand."""
    total = Decimal(0)
    with DEMO_ENTRIES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            day = dt.datetime.strptime(row["date"], "%d/%m/%Y").date()
            if (day.year, day.month) == (2026, 10) and row["account"].startswith("70") \
                    and row["journal"] not in ("AN", "ANO", "RAN"):
                amount = {k: Decimal(row[k].replace(" ", "").replace(",", ".") or "0") for k in ("debit", "credit")}
                total += amount["credit"] - amount["debit"]
    return total


def catalog(reader: PdfReader) -> DictionaryObject:
    """The PDF's catalog (/Root)."""
    return cast(DictionaryObject, reader.trailer["/Root"].get_object())


@functools.cache
def demo_engine() -> KPIEngine:
    """The KPI engine over the demo data, loaded once."""
    return make_engine(load_inputs(load_config(DEMO_CONFIG)))


def engine_value(kpi_id: str, kind: str) -> Decimal | None:
    """What the KPI engine computes for ``kpi_id`` over the ``kind`` window ending October 2026."""
    engine = demo_engine()
    return engine.result(engine.kpis[kpi_id], OCTOBER, kind).value  # type: ignore[arg-type]


def test_xmp_declares_pdfa_3b(reader: PdfReader, pdfa_build: BuildResult) -> None:
    """The XMP metadata stream declares PDF/A part 3, conformance B; the file is PDF 1.7 with an sRGB output intent."""
    assert pdfa_build.paths["dirigeant"].read_bytes().startswith(b"%PDF-1.7")
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")
    raw = cast(StreamObject, catalog(reader)["/Metadata"].get_object()).get_data()
    descriptions = ET.fromstring(raw).iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
    declared = [(d.get(f"{PDFAID}part"), d.get(f"{PDFAID}conformance")) for d in descriptions if d.get(f"{PDFAID}part")]
    assert declared == [("3", "B")]
    intents = cast(ArrayObject, catalog(reader)["/OutputIntents"])
    assert [intent.get_object()["/S"] for intent in intents] == ["/GTS_PDFA1"]


def test_csv_files_are_embedded_as_associated_data(reader: PdfReader) -> None:
    """The CSV files (indicators, facts quoted, P&L, bilan) are embedded, listed in the catalog's /AF as /Data, typed text/csv."""
    assert set(FILES) <= set(reader.attachments)
    specs = [cast(DictionaryObject, spec.get_object()) for spec in cast(ArrayObject, catalog(reader)["/AF"])]
    assert sorted(str(spec["/UF"]) for spec in specs) == sorted(FILES)
    for spec in specs:
        assert spec["/AFRelationship"] == "/Data"
        embedded = cast(DictionaryObject, spec["/EF"])["/F"].get_object()
        assert cast(StreamObject, embedded)["/Subtype"] == "/text/csv"
        assert "séparateur" in str(spec["/Desc"])


def test_attached_revenue_matches_engine_and_entries(reader: PdfReader) -> None:
    """indicateurs.csv's October revenue = the KPI engine's = Σ 70x credits − debits of entries.csv."""
    rows = {(r["id"], r["window"]): r for r in attached_rows(reader, "indicateurs.csv")}
    row = rows[("chiffre_affaires", "month")]
    assert (row["period"], row["unit"]) == ("2026-10", "money")
    attached = Decimal(row["value"])
    assert attached == engine_value("chiffre_affaires", "month")
    assert attached == october_revenue_from_entries()
    assert attached > 100000


def test_indicators_cover_the_audience_kpis_over_every_window(reader: PdfReader) -> None:
    """indicateurs.csv has the documented header and, for each of the pack's KPIs in order, the four windows."""
    data = reader.attachments["indicateurs.csv"][0].decode("utf-8")
    assert data.splitlines()[0] == "id;label;window;period;value;unit;status;n1;budget;reason;formula"
    rows = attached_rows(reader, "indicateurs.csv")
    expected = load_config(DEMO_CONFIG).audiences[0].kpis
    assert [(r["id"], r["window"]) for r in rows] == [(k, w) for k in expected for w in WINDOW_KINDS]
    ebe = {r["window"]: r for r in rows if r["id"] == "ebe"}
    assert Decimal(ebe["ytd"]["value"]) == engine_value("ebe", "ytd")
    assert ebe["ytd"]["period"] == "2026-01..2026-10"
    assert ebe["fy"]["value"] == "" and ebe["fy"]["reason"]  # the year is not over: no value, a reason


def test_profit_and_loss_csv_adds_up(reader: PdfReader) -> None:
    """compte_de_resultat.csv: months 2026-01…2026-10 then ytd; October revenue as entries.csv, ytd = Σ months."""
    rows = {r["id"]: r for r in attached_rows(reader, "compte_de_resultat.csv")}
    months = [f"2026-{m:02d}" for m in range(1, 11)]
    revenue = rows["chiffre_affaires"]
    assert list(revenue) == ["id", "label", "kind", *months, "ytd"]
    assert Decimal(revenue["2026-10"]) == october_revenue_from_entries()
    for row in rows.values():
        assert Decimal(row["ytd"]) == sum(Decimal(row[m]) for m in months), row["id"]
    assert Decimal(revenue["ytd"]) == engine_value("chiffre_affaires", "ytd")


def test_bilan_csv_balances_at_both_dates(reader: PdfReader) -> None:
    """bilan.csv: columns period end and previous year end; total actif = total passif in both."""
    rows = {r["id"]: r for r in attached_rows(reader, "bilan.csv")}
    assert list(rows["total_actif"]) == ["id", "label", "side", "2026-10", "2025-12"]
    for column in ("2026-10", "2025-12"):
        assert Decimal(rows["total_actif"][column]) == Decimal(rows["total_passif"][column]) > 0
    assert Decimal(rows["disponibilites"]["2026-10"]) != Decimal(rows["disponibilites"]["2025-12"])


def test_pdfa_pack_keeps_its_content(reader: PdfReader, pdfa_build: BuildResult) -> None:
    """The PDF/A pack is the same pack: title, sections in the outline, page footers."""
    assert reader.metadata is not None
    assert reader.metadata.title == "Synthèse dirigeant — Mécanique de Précision du Rhône — octobre 2026"
    assert "Indicateurs clés" in [item.title for item in reader.outline if not isinstance(item, list)]
    total = len(reader.pages)
    assert f"Page 2 / {total}" in " ".join(reader.pages[1].extract_text().split())
    assert not [p for p in Path(pdfa_build.paths["dirigeant"]).parent.iterdir() if p.name.endswith(".part")]


def test_pdfa_pack_is_tagged_too(reader: PdfReader) -> None:
    """PDF/A-3b and tagged at once: structure tree, /MarkInfo /Marked true, /Lang fr, charts with /Alt."""
    root = catalog(reader)
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert root["/Lang"] == "fr"


def test_facts_quoted_are_attached_with_their_definitions(reader: PdfReader) -> None:
    """faits_cites.csv lists the pack's facts: the October revenue as the ledger gives it, with its definition."""
    rows = {r["id"]: r for r in attached_rows(reader, "faits_cites.csv")}
    revenue = rows["chiffre_affaires[month 2026-10]"]
    assert revenue["kind"] == "pl" and revenue["window"] == "2026-10" and revenue["unit"] == "money"
    assert Decimal(revenue["value"]) == october_revenue_from_entries()
    assert revenue["definition"] == "Ventes de marchandises + Production vendue"
    kpi_rows = [r for r in rows.values() if r["kind"] == "kpi"]
    assert kpi_rows and all(r["definition"] for r in kpi_rows)
