"""The data-quality section of the DAF pack: what the gates found before the build."""

from __future__ import annotations

from typing import Any

from boardpack.api import hookimpl
from boardpack.api import Section
from boardpack.api import PackContext

__all__ = ["QualitySection"]


class QualitySection(Section):
    """Every issue of the data-quality gates, blocking ones first, with the checks that ran."""

    name = "qualite_donnees"
    title = {"fr": "Qualité des données", "en": "Data quality"}
    template = "sections/quality.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Issues with their dataset and lines, and the list of checks."""
        issues = sorted(pack.issues, key=lambda issue: issue.severity != "blocking")
        # the reader sees what each check looks at, in the pack's language, not its identifier
        checks = [{"name": run.name, "description": _sentence(pack.label(run.description)), "ran": run.ran}
                  for run in pack.checks]
        described = {check["name"]: check["description"] for check in checks}
        return {
            "issues": [
                {"severity": issue.severity, "message": pack.label(issue.message),
                 "check": described.get(issue.check) or pack.t("Contrôle des données", "Data check"),
                 "status": "alert" if issue.severity == "blocking" else "warn"}
                for issue in issues
            ],
            "blocking": sum(issue.severity == "blocking" for issue in issues),
            "checks": checks,
        }


def _sentence(text: str) -> str:
    """``text`` with a capital first letter."""
    return text[:1].upper() + text[1:]


@hookimpl
def register_sections() -> list[Section]:
    """Register the data-quality section."""
    return [QualitySection()]
