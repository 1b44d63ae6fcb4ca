"""Themes: the example brand themes, template resolution and the restricted resource fetcher."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from boardpack.build import build
from boardpack.config import load_config
from boardpack.errors import ConfigError, RenderError
from boardpack.render.pdf import html_to_pdf
from boardpack.render.templates import BUILTIN_TEMPLATES
from boardpack.theme import load_theme

from conftest import write_small_company

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_uses_both_brand_themes() -> None:
    """config.example.toml renders the dirigeant pack in atelier and the banker's in acier."""
    config = load_config(ROOT / "config.example.toml")
    result = build(config, audiences=["dirigeant", "banquier"], write=False)
    assert "themes/atelier/style.css" in result.html["dirigeant"]
    assert "themes/acier/style.css" in result.html["banquier"]
    # acier overrides only the cover block of the built-in pack.html ("default:" prefix)
    assert "cover-acier" in result.html["banquier"]
    assert "cover-acier" not in result.html["dirigeant"]
    assert 'id="sec-ratios_bancaires"' in result.html["banquier"]


def test_theme_inherits_parent_css_first() -> None:
    """A theme's CSS is linked after its parent's, so it only overrides what it changes."""
    config = load_config(ROOT / "config.example.toml")
    html = build(config, audiences=["banquier"], write=False).html["banquier"]
    assert html.index("themes/default/style.css") < html.index("themes/acier/style.css")


def test_user_template_folder_overrides_a_section(tmp_path: Path) -> None:
    """A templates/ folder beside the config overrides a built-in section template."""
    company = write_small_company(tmp_path)
    override = tmp_path / "templates" / "sections"
    override.mkdir(parents=True)
    (override / "alerts.html").write_text("<p>ALERTES MAISON</p>", encoding="utf-8")
    html = build(load_config(company.config), write=False).html
    assert any("ALERTES MAISON" in page for page in html.values())


def test_remote_resource_is_refused(tmp_path: Path) -> None:
    """WeasyPrint may not fetch anything but data: URIs and files of the allowed folders."""
    html = '<html><body><img src="http://127.0.0.1:9/logo.png"></body></html>'
    with pytest.raises(RenderError, match="ressource refusée"):
        html_to_pdf(html, BUILTIN_TEMPLATES, [tmp_path])


def test_file_outside_theme_is_refused(tmp_path: Path) -> None:
    """A file: URL outside the theme folders is refused too."""
    secret = tmp_path / "outside.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    html = f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head><body>x</body></html>'
    with pytest.raises(RenderError, match="ressource refusée"):
        html_to_pdf(html, BUILTIN_TEMPLATES, [tmp_path / "theme"])


def test_theme_with_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    """A malformed theme.toml gives one message with its path and the bad key."""
    folder = tmp_path / "brand"
    shutil.copytree(ROOT / "themes" / "acier", folder)
    manifest = folder / "theme.toml"
    manifest.write_text("colors = {}\n" + manifest.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"theme\.toml : clé inconnue « colors »"):
        load_theme(folder)


def test_theme_asset_must_stay_inside_its_folder(tmp_path: Path) -> None:
    """A logo path escaping the theme folder is refused at load time."""
    folder = tmp_path / "brand"
    folder.mkdir()
    (tmp_path / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (folder / "theme.toml").write_text('name = "brand"\n[assets]\nlogo = "../logo.svg"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="assets.logo"):
        load_theme(folder)


def test_theme_with_unknown_asset_key_is_refused(tmp_path: Path) -> None:
    """A misspelled [assets] key is named rather than silently ignored."""
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "theme.toml").write_text('name = "brand"\n[assets]\nlgo = "logo.svg"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="assets.lgo"):
        load_theme(folder)
