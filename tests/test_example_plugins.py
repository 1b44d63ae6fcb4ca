"""The example plugins of plugins/: installed in the environment, listed by ``boardpack plugins``,
used together by config.plugins.example.toml.

``make test`` installs them (``pip install -e plugins/<dir>``); each plugin's own tests live
in ``plugins/<dir>/tests`` and run in the same pytest session.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import pytest

from boardpack import plugins
from boardpack.build import build, load_inputs, validate
from boardpack.config import load_config
from boardpack.testing import run_cli

REPO = Path(__file__).resolve().parent.parent
PLUGINS_CONFIG = REPO / "config.plugins.example.toml"

#: distribution (= folder of plugins/) → entry-point name, module, and what ``boardpack plugins`` says it provides
EXAMPLES: dict[str, tuple[str, str, dict[str, list[str]]]] = {
    "boardpack-excel-budget": ("excel_budget", "boardpack_excel_budget.source", {"source": ["excel_budget"]}),
    "boardpack-saas-kpis": ("saas_kpis", "boardpack_saas_kpis.plugin", {
        "KPI": ["arr", "attrition_clients", "attrition_revenu_brute", "mrr", "recuperation_cac",
                "retention_nette_revenu"],
        "dataset": ["subscriptions"],
    }),
    "boardpack-concentration": ("concentration", "boardpack_concentration.plugin", {
        "chart": ["pareto"], "section": ["concentration_clients"],
    }),
    "boardpack-webhook": ("webhook", "boardpack_webhook.channel", {"channel": ["webhook"]}),
}


@pytest.fixture
def example_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load the four example plugins from their entry points (and no other installed plugin)."""
    monkeypatch.setenv("BOARDPACK_LOAD_PLUGINS", ",".join(name for name, _, _ in EXAMPLES.values()))
    plugins.reset()


def test_every_plugin_folder_is_a_package() -> None:
    """plugins/ holds the four examples; every plugin folder has pyproject, README, src and tests."""
    folders = {p.name for p in (REPO / "plugins").iterdir() if (p / "pyproject.toml").is_file()}
    assert folders >= set(EXAMPLES)
    for folder in folders:
        for part in ("pyproject.toml", "README.md", "src", "tests"):
            assert (REPO / "plugins" / folder / part).exists(), f"plugins/{folder}/{part} manque"


@pytest.mark.parametrize("dist", sorted(EXAMPLES))
def test_example_plugin_is_installed(dist: str) -> None:
    """Each plugin is installed in this environment, with its entry point in the ``boardpack`` group."""
    name, module, _ = EXAMPLES[dist]
    try:
        found = distribution(dist)
    except PackageNotFoundError:
        pytest.fail(f"{dist} n'est pas installé : pip install -e plugins/{dist} (make test le fait)")
    assert found.version == "0.1.0"
    (entry_point,) = [ep for ep in found.entry_points if ep.group == "boardpack"]
    assert (entry_point.name, entry_point.value) == (name, module)


def test_boardpack_plugins_lists_them(example_plugins: None) -> None:
    """``boardpack plugins``: each with its version, hooks and what it provides, none broken."""
    result = run_cli("plugins", entry_points=True)
    assert result.exit_code == 0, result.output
    listed = {entry["name"]: entry for entry in json.loads(result.stdout)}
    for dist, (name, _, provides) in EXAMPLES.items():
        entry: dict[str, Any] = listed[name]
        assert entry["version"] == "0.1.0", dist
        assert entry["provides"] == provides, dist
        assert entry["error"] is None, entry["error"]
        assert entry["hooks"] == sorted(f"register_{kind}s" if kind != "KPI" else "register_kpis"
                                        for kind in provides), dist


def test_plugins_demo_config_builds(example_plugins: None) -> None:
    """config.plugins.example.toml: budget from the workbook, subscriptions from the CSV, SaaS tiles, concentration."""
    config = load_config(PLUGINS_CONFIG)
    session = load_inputs(config)
    assert session.providers["budget"] == "budget"
    assert session.providers["subscriptions"] == "abonnements"
    assert session.providers["entries"] == "demo"
    validate(config, session.registry)  # the webhook channel type is known; its env secrets are only read by --deliver
    result = build(config, audiences=["dirigeant"], write=False)
    html = result.html["dirigeant"]
    assert str(result.period) == "2026-10"
    assert "MRR (revenu récurrent mensuel)" in html
    assert "Délai de récupération du CAC" in html
    assert "Concentration du chiffre d&#39;affaires" in html
    assert "Indice de Herfindahl" in html
    assert "Section non disponible" not in html
