"""One company's config: its own file, or the portfolio's template with the company's data.

A company given by a data file gets the template's whole config (house style, audiences,
thresholds, plugin tables) with ``[sources]`` replaced by one source reading that data, as
``boardpack init --fec/--csv/--xlsx`` writes it (a FEC becomes a ``fec`` source, a CSV folder or a
workbook a ``csv`` source), and ``[company]`` completed with the company's name and SIREN (from
the entry, else from the FEC's file name ``<SIREN>FEC<AAAAMMJJ>``). Relative paths of the
template (themes, commentary) stay relative to the template.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..build.starter import siren_of
from ..config import Config, load_config, parse_config
from ..errors import ConfigError
from .portfolio import DATA_KINDS, CompanyEntry

__all__ = ["company_config", "template_data"]


def template_data(template: Path) -> dict[str, Any]:
    """The template config as a parsed TOML mapping.

    :raises ConfigError: naming the template (and the line, for TOML syntax).
    """
    try:
        return tomllib.loads(template.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{template} : configuration modèle introuvable") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{template} : lecture impossible ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{template} : TOML invalide ({exc})") from None


def company_config(entry: CompanyEntry, template: Path | None, data: Path | None = None,
                   template_text: dict[str, Any] | None = None) -> Config:
    """The checked config of ``entry``.

    :param template: the portfolio's template config (for a company given by its data).
    :param data: where the company's data is read (default ``entry.data``; a Dask worker passes
        the copy it received).
    :param template_text: the template already parsed (read once by the caller).
    :raises ConfigError: naming the file and key at fault.
    """
    if entry.config is not None:
        return load_config(entry.config)
    if template is None or entry.data is None:  # parse_portfolio refuses it: a programming error
        raise ConfigError(f"société « {entry.id} » : ni configuration ni données")
    parsed = copy.deepcopy(template_text) if template_text is not None else template_data(template)
    data = data or entry.data
    company = dict(parsed.get("company") or {})
    siren = entry.siren or (siren_of(entry.data) if entry.kind == "fec" else "") or str(company.get("siren", ""))
    company["name"] = entry.name or (f"Société {siren}" if siren else entry.id)
    if siren:
        company["siren"] = siren
    else:
        company.pop("siren", None)
    if entry.fiscal_year_start is not None:
        company["fiscal_year_start"] = entry.fiscal_year_start
    for detail in ("city", "activity", "headcount", "logo"):  # the template's own company's, not this one's
        company.pop(detail, None)
    parsed["company"] = company
    parsed["sources"] = {"compta": {"type": DATA_KINDS[entry.kind], "path": str(data)}}
    try:
        return parse_config(parsed, template)
    except ConfigError as exc:
        raise ConfigError(f"société « {entry.id} » : {exc}") from None
