"""docs/plugins.md keeps up with the contract: every hook (exact signature), every interface, every hook tested.

Adding a hook to boardpack/hookspecs.py fails here until it is documented and listed in
``HOOK_ITEMS`` below, which registers one tiny plugin per hook and finds its item in the registry.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from boardpack import api, hookimpl, hookspecs, testing
from boardpack.api import KPI, AlertRule, Channel, Chart, DataSource, QualityCheck, Section
from boardpack.api.datasets import Column, DatasetSchema
from boardpack.api.forecast import ForecastDriver

DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"


def doc_text() -> str:
    """The reference page."""
    return DOC.read_text(encoding="utf-8")


def hook_names() -> list[str]:
    """Every hookspec of boardpack.hookspecs, by the marker pluggy reads."""
    return sorted(name for name, value in vars(hookspecs).items()
                  if callable(value) and hasattr(value, f"{hookspecs.PROJECT}_spec"))


def signature_line(name: str) -> str:
    """``def name(args) -> return`` as written in the hookspecs file (annotations unquoted)."""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(
        p.name if p.annotation is p.empty else f"{p.name}: {p.annotation}" for p in sig.parameters.values()
    )
    returns = "" if sig.return_annotation is sig.empty else f" -> {sig.return_annotation}"
    return f"def {name}({params}){returns}"


@pytest.mark.parametrize("name", hook_names())
def test_hook_documented_with_exact_signature(name: str) -> None:
    """Each hook has its own heading and a code block with its signature as in hookspecs.py."""
    text = doc_text()
    assert f"\n### {name}\n" in text
    assert f"```python\n{signature_line(name)}\n```" in text, signature_line(name)
    section = text.split(f"\n### {name}\n", 1)[1].split("\n### ", 1)[0]
    for part in ("**Quand**", "**Arguments**", "**Renvoie**", "@hookimpl"):
        assert part in section, (name, part)


@pytest.mark.parametrize("name", [n for n in api.__all__ if n != "hookimpl"])
def test_interface_documented(name: str) -> None:
    """Each public name of boardpack.api has a heading in the interfaces part."""
    interfaces_part = doc_text().split("## Les interfaces", 1)[1]
    assert f"\n### {name}\n" in interfaces_part


def test_abstract_methods_documented() -> None:
    """Each abstract method of an interface is named in the page."""
    text = doc_text()
    for name in api.__all__:
        for method in getattr(getattr(api, name), "__abstractmethods__", ()):
            assert f"`{method}(" in text, (name, method)


def test_lifecycle_diagram_in_order() -> None:
    """The build's stages appear in the diagram in the order they run."""
    text = doc_text()
    diagram = text.split("## Le cycle de vie d'une construction", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    stages = ["chargement des plugins", "registre", "configuration", "sources", "validation",
              "moteur d'indicateurs", "contrôles de qualité", "alertes", "contexte des sections",
              "gabarits", "graphiques", "HTML", "PDF", "canaux"]
    positions = [diagram.find(stage) for stage in stages]
    assert -1 not in positions, dict(zip(stages, positions))
    assert positions == sorted(positions)


def test_testing_kit_and_loading_documented() -> None:
    """Every public name of boardpack.testing, the entry-point group and the loading switches are documented."""
    text = doc_text()
    for name in testing.__all__:
        if name != "PackResult":
            assert f"`{name}" in text or f"fixture `{name}`" in text, name
    for needle in ("[project.entry-points.boardpack]", "BOARDPACK_LOAD_PLUGINS", "--plugins-dir",
                   "boardpack plugins", "boardpack new plugin"):
        assert needle in text, needle


# ---------------------------------------------------------------- one tiny plugin per hook


class _Source(DataSource):
    name = "essai_source"

    def load(self, schemas: Mapping[str, Any]) -> dict[str, Any]:
        return {}


class _Kpi(KPI):
    id = "essai_kpi"
    label = {"fr": "Essai", "en": "Test"}
    formula = {"fr": "1", "en": "1"}
    unit = "count"

    def compute(self, ctx: Any, window: Any) -> Decimal:
        return Decimal(1)


class _Chart(Chart):
    name = "essai_chart"

    def draw(self, figure: Any, data: Mapping[str, Any], style: Any) -> None:
        figure.add_subplot()


class _Section(Section):
    name = "essai_section"
    title = {"fr": "Essai", "en": "Test"}
    template = "sections/kpi_tiles.html"

    def context(self, pack: Any) -> dict[str, Any]:
        return {}


class _Channel(Channel):
    name = "essai_channel"

    def deliver(self, delivery: Any) -> str:
        return "ok"


class _Check(QualityCheck):
    name = "essai_check"
    description = {"fr": "Essai", "en": "Test"}

    def run(self, ctx: Any, settings: Mapping[str, Any]) -> list[Any]:
        return []


class _Rule(AlertRule):
    name = "essai_rule"
    description = {"fr": "Essai", "en": "Test"}

    def evaluate(self, engine: Any, period: Any, settings: Mapping[str, Any]) -> list[Any]:
        return []


class _Driver(ForecastDriver):
    name = "essai_driver"
    label = {"fr": "Essai", "en": "Test"}

    def project(self, inputs: Any) -> list[Any]:
        return []


def _theme(folder: Path) -> Path:
    theme = folder / "essai_theme"
    theme.mkdir()
    (theme / "theme.toml").write_text('name = "essai_theme"\nparent = "default"\n', encoding="utf-8")
    return theme


#: hook → (what the plugin returns, given a scratch folder; registry attribute; registered name)
HOOK_ITEMS: dict[str, tuple[Callable[[Path], Any], str, str]] = {
    "register_datasets": (lambda _: DatasetSchema("essai_ds", "Essai.", (Column("period", "month", "mois"),)),
                          "datasets", "essai_ds"),
    "register_sources": (lambda _: _Source, "sources", "essai_source"),
    "register_kpis": (lambda _: _Kpi(), "kpis", "essai_kpi"),
    "register_charts": (lambda _: _Chart(), "charts", "essai_chart"),
    "register_sections": (lambda _: _Section(), "sections", "essai_section"),
    "register_themes": (_theme, "themes", "essai_theme"),
    "register_channels": (lambda _: _Channel, "channels", "essai_channel"),
    "register_quality_checks": (lambda _: _Check(), "quality_checks", "essai_check"),
    "register_alert_rules": (lambda _: _Rule(), "alert_rules", "essai_rule"),
    "register_forecast_drivers": (lambda _: _Driver(), "forecast_drivers", "essai_driver"),
}


def test_every_hook_has_a_registration_test() -> None:
    """HOOK_ITEMS lists exactly the hooks of hookspecs.py: a new hook needs its line here."""
    assert sorted(HOOK_ITEMS) == hook_names()


@pytest.mark.parametrize("hook", sorted(HOOK_ITEMS))
def test_hook_registers_through_a_test_plugin(hook: str, tmp_path: Path) -> None:
    """A plugin implementing only this hook gets its item into the registry, credited to it."""
    make, attribute, name = HOOK_ITEMS[hook]
    item = make(tmp_path)
    plugin = types.ModuleType(f"essai_{hook}")
    function = hookimpl(lambda: [item])
    function.__name__ = hook
    setattr(plugin, hook, function)
    with testing.registered(plugin) as registry:
        assert name in getattr(registry, attribute)
        assert next(p for (_, n), p in registry.providers.items() if n == name) == f"essai_{hook}"
    with testing.registered() as registry:
        assert name not in getattr(registry, attribute)


# ---------------------------------------------------------------- the testing kit's table and the channel's members


@pytest.mark.parametrize("name", ["registered", "demo_datasets", "make_config", "build_pack", "render_section",
                                  "render_chart", "render_pdf", "compute_kpi", "run_cli"])
def test_testing_kit_table_lists_every_parameter(name: str) -> None:
    """The row of each boardpack.testing function shows every parameter that has a default, with it
    (parameters without one are positional, named in French in the table)."""
    text = doc_text().split("## Tester un plugin", 1)[1]
    rows = [line for line in text.splitlines() if line.startswith(f"| `{name}(")]
    assert len(rows) == 1, name
    shown = rows[0].split("`")[1]
    for parameter in inspect.signature(getattr(testing, name)).parameters.values():
        if parameter.default is parameter.empty:
            continue
        expected = f"{parameter.name}={parameter.default!r}".replace("'", '"')
        assert expected in shown, (name, expected, shown)


def test_pack_chart_size_documented() -> None:
    """pack.chart is documented with its width and height."""
    assert 'chart(nom, données, width_cm=17, height_cm=7, alt="")' in doc_text()


def test_channel_members_documented() -> None:
    """Every public method of Channel is in its table, with what an empty recipients list means."""
    table = doc_text().split("\n### Channel\n", 1)[1].split("\n### ", 1)[0]
    for method in ("deliver", "recipients", "check_audiences", "notify"):
        assert f"`{method}(" in table, method
    assert "ne livre pas cette audience" in table


def test_broken_plugin_named_by_its_entry_point() -> None:
    """An installed plugin is named by its entry point (top3), never by its distribution (boardpack-top3)."""
    assert "plugin « boardpack-top3 »" not in doc_text()
    assert "plugin « top3 » ignoré" in doc_text()
