"""The data-quality section of the DAF pack: what the gates found before the build."""

from __future__ import annotations

from typing import Any

from ..hookspecs import hookimpl
from ..interfaces import Section
from ..pack import PackContext
from ..plugins import get_registry

__all__ = ["QualitySection"]


class QualitySection(Section):
    """Every issue of the data-quality gates, blocking ones first, with the checks that ran."""

    name = "qualite_donnees"
    title = {"fr": "Qualité des données", "en": "Data quality"}
    template = "sections/quality.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Issues with their dataset and lines, and the list of checks."""
        issues = sorted(pack.issues, key=lambda issue: issue.severity != "blocking")
        registry = get_registry()
        ignored = set(pack.config.quality.get("ignore", ()))
        checks = [
            {"name": name, "description": pack.label(check.description),
             "ran": name not in ignored and all(n in pack.data.datasets for n in check.needs)}
            for name, check in registry.quality_checks.items()
        ]
        return {
            "issues": [
                {"severity": issue.severity, "message": pack.label(issue.message), "check": issue.check,
                 "status": "alert" if issue.severity == "blocking" else "warn"}
                for issue in issues
            ],
            "blocking": sum(issue.severity == "blocking" for issue in issues),
            "checks": checks,
        }


@hookimpl
def register_sections() -> list[Section]:
    """Register the data-quality section."""
    return [QualitySection()]
