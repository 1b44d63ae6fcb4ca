"""The KPI catalogue as text, Markdown or JSON, generated from the registered plugins.

``docs/kpis.md`` is this module's Markdown output (``boardpack kpis --list --format
markdown``); a test fails when the file is stale.
"""

from __future__ import annotations

from typing import Any

from .plugins import Registry

__all__ = ["catalogue", "markdown"]

_UNITS = {"money": "€", "percent": "%", "days": "jours", "ratio": "ratio", "count": "nombre", "years": "années"}
_DIRECTIONS = {"up": "↑ plus haut = mieux", "down": "↓ plus bas = mieux", None: "—"}


def catalogue(registry: Registry) -> list[dict[str, Any]]:
    """One entry per registered KPI, in registration order."""
    out = []
    for kpi_id, kpi in registry.kpis.items():
        limits = kpi.thresholds
        out.append({
            "id": kpi_id,
            "label": dict(kpi.label),
            "formula": dict(kpi.formula),
            "unit": kpi.unit,
            "direction": kpi.direction,
            "thresholds": None if limits is None else {
                "warn": None if limits.warn is None else str(limits.warn),
                "alert": None if limits.alert is None else str(limits.alert),
            },
            "needs": list(kpi.needs),
            "audiences": list(kpi.audiences),
            "nature": kpi.nature,
            "headline": kpi.headline,
            "plugin": registry.providers[("KPI", kpi_id)],
        })
    return out


def _threshold_text(entry: dict[str, Any]) -> str:
    limits = entry["thresholds"]
    if not limits:
        return "—"
    side = "au-delà de" if entry["direction"] == "down" else "sous"
    parts = [f"{word} {side} {limits[key]}" for key, word in (("warn", "vigilance"), ("alert", "alerte"))
             if limits[key] is not None]
    return " ; ".join(parts)


def markdown(registry: Registry) -> str:
    """The catalogue as the Markdown page ``docs/kpis.md``."""
    entries = catalogue(registry)
    lines = [
        "# Catalogue des indicateurs",
        "",
        "Généré par `boardpack kpis --list --format markdown` à partir des plugins installés ;",
        "ne pas modifier à la main (un test vérifie que ce fichier est à jour).",
        "",
        f"{len(entries)} indicateurs. Chacun est calculé sur le mois, le cumul de l'exercice, les",
        "12 derniers mois et l'exercice, comparé à la période précédente, à N-1 et au budget ;",
        "quand une donnée manque il est « non disponible » avec la raison, jamais 0. Les seuils",
        "se remplacent dans la configuration (`[kpis.thresholds.<id>]`).",
        "",
        "| id | indicateur | unité | sens | seuils par défaut | données | audiences |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        lines.append(
            f"| `{entry['id']}` | {entry['label']['fr']} | {_UNITS.get(entry['unit'], entry['unit'])} | "
            f"{_DIRECTIONS[entry['direction']]} | {_threshold_text(entry)} | {', '.join(entry['needs'])} | "
            f"{', '.join(entry['audiences']) or 'toutes'} |"
        )
    lines += ["", "## Formules", ""]
    for entry in entries:
        lines += [
            f"### {entry['label']['fr']} (`{entry['id']}`)",
            "",
            f"- **Formule** : {entry['formula']['fr']}",
            f"- **Formula** ({entry['label'].get('en', '')}) : {entry['formula'].get('en', '')}",
            f"- **Nature** : {'flux (somme sur la période)' if entry['nature'] == 'flow' else 'stock (fin de période)'} ; "
            f"fenêtre des tuiles et alertes : `{entry['headline']}` ; plugin : `{entry['plugin']}`",
            "",
        ]
    return "\n".join(lines)
