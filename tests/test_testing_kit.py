"""boardpack.testing, the plugin author's kit: registering, packs, sections, PDF, KPIs, charts, CLI.

Figures on the small company (conftest.py) are worked out by hand there: CA 11 000 € a month
in 2026, so 22 000 € year to date at the end of February 2026.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from boardpack import KPI, Chart, Unavailable, hookimpl, plugins
from boardpack.errors import ConfigError
from boardpack.testing import (
    PdfDocument,
    build_pack,
    compute_kpi,
    demo_datasets,
    make_config,
    plugin_registry,  # noqa: F401 - the fixture, used by name below
    registered,
    render_chart,
    render_pdf,
    render_section,
    run_cli,
)


class Fixe(KPI):
    """Always 42 pièces."""

    id = "fixe_42"
    label = {"fr": "Quarante-deux", "en": "Forty-two"}
    formula = {"fr": "42", "en": "42"}
    unit = "count"

    def compute(self, ctx: Any, window: Any) -> Decimal:
        """42."""
        return Decimal(42)


class Barres(Chart):
    """One bar per value."""

    name = "barres_test"

    def draw(self, figure: Any, data: Mapping[str, Any], style: Any) -> None:
        """Bars, or Unavailable without values."""
        if not data["values"]:
            raise Unavailable("rien à dessiner")
        figure.add_subplot().bar(range(len(data["values"])), data["values"], color=style.palette[0])


def kpi_plugin() -> types.ModuleType:
    """A plugin module registering Fixe and Barres."""
    module = types.ModuleType("plugin_fixe")
    module.register_kpis = hookimpl(lambda: [Fixe()])  # type: ignore[attr-defined]
    module.register_kpis.__name__ = "register_kpis"
    module.register_charts = hookimpl(lambda: [Barres()])  # type: ignore[attr-defined]
    return module


# ---------------------------------------------------------------- registered, plugin_registry


def test_registered_adds_the_plugin_for_the_block_only() -> None:
    """Inside the block the registry has the KPI, provided by the module's name; after, the old registry is back."""
    before = plugins.get_registry()
    with registered(kpi_plugin()) as registry:
        assert "fixe_42" in registry.kpis
        assert registry.providers[("KPI", "fixe_42")] == "plugin_fixe"
        assert plugins.get_registry() is registry
    assert plugins.get_registry() is before
    assert "fixe_42" not in before.kpis


def test_registered_name_and_nesting() -> None:
    """name= names the plugin; an inner block sees only its own plugin and restores the outer one."""
    with registered(kpi_plugin(), name="x") as outer:
        assert outer.providers[("KPI", "fixe_42")] == "x"
        other = types.ModuleType("autre")
        with registered(other) as inner:
            assert "fixe_42" not in inner.kpis
        assert plugins.get_registry() is outer


def test_registered_ignores_installed_plugins_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entry points are not loaded by registered() unless entry_points=True."""
    installed = types.ModuleType("installe")
    installed.register_kpis = hookimpl(lambda: [Fixe()])  # type: ignore[attr-defined]
    installed.register_kpis.__name__ = "register_kpis"
    point = types.SimpleNamespace(name="installe", value="installe:plugin", load=lambda: installed)
    monkeypatch.setattr(plugins, "entry_points", lambda group: [point])
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    with registered() as registry:
        assert "fixe_42" not in registry.kpis
    with registered(entry_points=True) as registry:
        assert registry.providers[("KPI", "fixe_42")] == "installe"


def test_plugin_registry_fixture(plugin_registry: Any) -> None:  # noqa: F811 - the fixture
    """The fixture registers a plugin until the end of the test."""
    assert "fixe_42" not in plugin_registry.registry.kpis
    registry = plugin_registry(kpi_plugin())
    assert "fixe_42" in registry.kpis
    assert plugin_registry.registry is registry


def test_plugin_registry_fixture_undoes_its_registrations() -> None:
    """Driven by hand: after the test, neither registration is left and the registry loaded before is back."""
    before = plugins.get_registry()
    fixture = plugin_registry.__wrapped__()  # the fixture's generator, as pytest runs it
    registrar = next(fixture)
    assert plugins.get_registry() is not before
    registrar(kpi_plugin())
    inner = registrar(types.ModuleType("autre"))
    assert plugins.get_registry() is inner
    with pytest.raises(StopIteration):
        next(fixture)
    assert registrar._stack == []
    assert plugins.get_registry() is before
    assert "fixe_42" not in plugins.get_registry().kpis
    assert "plugin_fixe" not in {name for name, _ in plugins.get_plugin_manager().list_name_plugin()}


def test_registered_with_entry_points_when_the_plugin_is_also_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """entry_points=True and the plugin under test installed too: registered once, under the test's name."""
    module = kpi_plugin()
    point = types.SimpleNamespace(name="fixe", value="plugin_fixe", load=lambda: module)
    monkeypatch.setattr(plugins, "entry_points", lambda group: [point])
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    with registered(module, entry_points=True) as registry:
        assert registry.providers[("KPI", "fixe_42")] == "plugin_fixe"
        assert not registry.broken
        result = run_cli("kpis", "--list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "fixe_42" in {entry["id"] for entry in json.loads(result.stdout)}


# ---------------------------------------------------------------- data and config


def test_demo_datasets_are_copies() -> None:
    """The seven demo datasets; changing one returned frame leaves the next call's intact."""
    first = demo_datasets()
    assert set(first) == {"entries", "invoices", "deals", "ops_metrics", "budget", "loans", "marketing"}
    total = first["entries"]["debit"].sum()
    assert total > 0
    first["entries"].loc[:, "debit"] = 0
    assert demo_datasets()["entries"]["debit"].sum() == total


def test_make_config_defaults_and_overrides() -> None:
    """Defaults: demo company and source, audience « test »; a keyword replaces one table, checked."""
    config = make_config()
    assert config.company.name == "Mécanique de Précision du Rhône"
    assert [s.type for s in config.sources] == ["demo"]
    assert [a.key for a in config.audiences] == ["test"]
    config = make_config(audiences={"banque": {"title": "Banque", "sections": ["ratios_bancaires"], "theme": "default"}})
    assert config.audiences[0].sections == ("ratios_bancaires",)
    with pytest.raises(ConfigError, match="audiences.banque.sectoins"):
        make_config(audiences={"banque": {"sectoins": ["bilan"]}})


# ---------------------------------------------------------------- packs and sections


def test_build_pack_with_given_datasets(small_datasets: dict[str, pd.DataFrame]) -> None:
    """A pack of the small company for February 2026: CA 11 000 €, the registered KPI in the table."""
    with registered(kpi_plugin()):
        pack = build_pack(small_datasets, sections=["kpi_tiles", "kpi_table"], period="2026-02")
    assert pack.kpis["chiffre_affaires"].value == Decimal("11000")
    assert pack.kpis["fixe_42"].value == Decimal("42")
    assert "Quarante-deux" in pack.section("kpi_table")
    assert pack.pdf is None
    assert "Indicateurs clés" in pack.section("kpi_tiles")


def test_build_pack_unknown_section_is_a_config_error() -> None:
    """A section nobody registered fails as the build would, naming it."""
    with pytest.raises(ConfigError, match="section inconnue « absente »"):
        build_pack({}, sections=["absente"])


def test_render_section_alone(small_datasets: dict[str, pd.DataFrame]) -> None:
    """render_section returns that section's element only, in the language asked."""
    html = render_section("bilan", small_datasets, period="2026-02", language="en")
    assert html.startswith('<section class="section section-bilan page-portrait" id="sec-bilan">')
    assert html.endswith("</section>")
    assert "<h1>Balance sheet</h1>" in html
    assert "Indicateurs clés" not in html


# ---------------------------------------------------------------- PDF


def test_render_pdf_pages_bookmarks_metadata(tmp_path: Path) -> None:
    """Two pages with a bookmark each; the same from bytes and from a file."""
    html = ("<html><head><title>Essai</title></head><body>"
            "<h1>Premier</h1><p>Bonjour</p><h1 style='break-before: page'>Second</h1></body></html>")
    document = render_pdf(html)
    assert document.page_count == 2
    assert "Bonjour" in document.pages[0]
    assert document.bookmarks == [("Premier", 1, []), ("Second", 2, [])]
    assert document.metadata["title"] == "Essai"
    path = tmp_path / "essai.pdf"
    path.write_bytes(document.data)
    assert PdfDocument(path).pages == document.pages


def test_build_pack_pdf(small_datasets: dict[str, pd.DataFrame]) -> None:
    """pdf=True lays the pack out: several pages, the section bookmarked, the company as author."""
    config = make_config(company={"name": "Atelier Lyonnais de Test"})
    pack = build_pack(small_datasets, period="2026-02", pdf=True, config=config)
    document = pack.document
    assert document.page_count >= 2
    titles = [title for title, _, _ in document.bookmarks]
    assert "Indicateurs clés" in titles
    assert document.metadata["author"] == "Atelier Lyonnais de Test"
    assert "février 2026" in document.metadata["title"]


# ---------------------------------------------------------------- KPIs and charts


def test_compute_kpi_windows(small_datasets: dict[str, pd.DataFrame]) -> None:
    """CA of the small company: 11 000 € in February 2026, 22 000 € year to date."""
    assert compute_kpi("chiffre_affaires", small_datasets, period="2026-02") == Decimal("11000")
    assert compute_kpi("chiffre_affaires", small_datasets, period="2026-02", window="ytd") == Decimal("22000")


def test_compute_kpi_unavailable_and_unregistered() -> None:
    """Without its dataset a KPI returns Unavailable with the reason; an instance needs no registration."""
    value = compute_kpi("chiffre_affaires", {})
    assert isinstance(value, Unavailable) and "entries" in str(value)
    assert compute_kpi(Fixe(), {}) == Decimal(42)


def test_render_chart_svg() -> None:
    """A registered chart is drawn to SVG; one that cannot be drawn raises Unavailable."""
    with registered(kpi_plugin()):
        assert "<svg" in render_chart("barres_test", {"values": [3, 1, 2]})
        with pytest.raises(Unavailable):
            render_chart("barres_test", {"values": []})


def test_render_chart_draws_in_the_packs_style(tmp_path: Path) -> None:
    """render_chart gets the style a pack's chart gets (build.chart_style): theme font, full palette fallback."""
    folder = tmp_path / "serif"
    folder.mkdir()
    (folder / "theme.toml").write_text(
        'name = "serif_test"\n[colours]\nprimary = "#123456"\n[fonts]\nbody = "DejaVu Serif"\n', encoding="utf-8")
    seen: list[Any] = []

    class Espion(Chart):
        """Records the style it is drawn in."""

        name = "espion"

        def draw(self, figure: Any, data: Mapping[str, Any], style: Any) -> None:
            """One bar; the style kept."""
            seen.append(style)
            figure.add_subplot().bar([0], [1])

    theme_plugin = types.ModuleType("theme_serif")
    theme_plugin.register_themes = hookimpl(lambda: [folder])  # type: ignore[attr-defined]
    theme_plugin.register_themes.__name__ = "register_themes"
    theme_plugin.register_charts = hookimpl(lambda: [Espion()])  # type: ignore[attr-defined]
    theme_plugin.register_charts.__name__ = "register_charts"
    from boardpack.build import chart_style
    from boardpack.formatting import Formatter
    from boardpack.theme import resolve_chain

    with registered(theme_plugin) as registry:
        render_chart("espion", {}, theme="serif_test", language="en")
        expected, _ = chart_style(resolve_chain("serif_test", registry.themes, "theme"), Formatter("en", "EUR"))
    (style,) = seen
    assert style.font == expected.font == "DejaVu Serif"
    assert style.palette == expected.palette and len(style.palette) == 4
    assert style.language == "en" and style.money(1234567) == expected.money(1234567)


# ---------------------------------------------------------------- CLI


def test_run_cli_sees_the_registered_plugin() -> None:
    """Inside registered(), the CLI's KPI catalogue has the plugin's KPI; outside it has not."""
    with registered(kpi_plugin()):
        result = run_cli("kpis", "--list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "fixe_42" in {entry["id"] for entry in json.loads(result.stdout)}
    outside = run_cli("kpis", "--list", "--format", "json")
    assert "fixe_42" not in {entry["id"] for entry in json.loads(outside.stdout)}


def test_run_cli_user_error_and_state_restored() -> None:
    """A user error gives its exit code and one line on stderr; the registry loaded before is kept."""
    before = plugins.get_registry()
    result = run_cli("build", "absent.toml")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : absent.toml")
    assert plugins.get_registry() is before
