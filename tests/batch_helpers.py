"""Small portfolios for the batch tests: real FEC samples of tests/data/fec/ (MIT, see its README),
a one-audience template, and an executor running the tasks in the test's process."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from boardpack.batch import CompanyOutcome, CompanyTask, run_company

FEC_DIR = Path(__file__).resolve().parent / "data" / "fec"
FECS = {"alpha": "000000000FEC20231231.txt", "beta": "111111111FEC20221231.TXT"}
TEMPLATE = """\
[company]
name = "Modèle du cabinet"
currency = "EUR"

[audiences.dirigeant]
title = "Synthèse dirigeant"
sections = ["kpi_tiles", "alertes"]
"""
BROKEN = "garbage without separators\n"


def write_portfolio(folder: Path, broken: bool = True, extra: str = "") -> Path:
    """A portfolio of two real FECs (alpha, beta), and a broken FEC (casse) unless ``broken`` is false."""
    (folder / "clients").mkdir(parents=True, exist_ok=True)
    for name in FECS.values():
        shutil.copy(FEC_DIR / name, folder / "clients" / name)
    (folder / "modele.toml").write_text(TEMPLATE, encoding="utf-8")
    lines = ["[portfolio]", 'name = "Cabinet Test"', 'template = "modele.toml"', 'out = "dossiers"', ""]
    for ident, name in FECS.items():
        lines += [f"[companies.{ident}]", f'fec = "clients/{name}"', ""]
    if broken:
        (folder / "clients" / "999999999FEC20231231.txt").write_text(BROKEN, encoding="utf-8")
        lines += ["[companies.casse]", 'fec = "clients/999999999FEC20231231.txt"', 'name = "Casse SAS"', ""]
    path = folder / "portefeuille.toml"
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path


class InProcess:
    """Runs the tasks one after the other in this process (fast tests of what the host does)."""

    description = "dans le processus de test"
    ships_data = False

    def __init__(self) -> None:
        self.ran: list[str] = []

    def run(self, tasks: Sequence[CompanyTask], done: Callable[[CompanyOutcome], None]) -> None:
        for task in tasks:
            self.ran.append(task.entry.id)
            done(run_company(task))


def crash_on_alpha(task: CompanyTask) -> CompanyOutcome:
    """In a pool worker: kill the process while building alpha (once, or always when the
    folder holds ``always``), else build as usual."""
    import os

    assert task.entry.data is not None
    marker = task.entry.data.parent / "crashed"
    if task.entry.id == "alpha" and (not marker.exists() or (marker.parent / "always").exists()):
        marker.touch()
        os._exit(1)
    return run_company(task)
