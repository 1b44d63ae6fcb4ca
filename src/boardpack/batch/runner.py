"""A portfolio run: each company checked, hashed, built (or skipped), its PDFs written.

:func:`run_batch` is ``boardpack batch`` without the printing. The host reads each company's
config (a mistake in it fails that company at once, not the run), computes its content hash
(:mod:`.state`) and skips it when nothing changed since its last successful build; the others
go to the executor. As each outcome comes back the host writes the company's PDFs together in
``<out>/<company id>/`` (all or none, as ``boardpack build`` does) and records the success. One
company's failure never stops the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BoardpackError
from .portfolio import CompanyEntry, Portfolio
from .state import BatchState, company_hash
from .task import CompanyOutcome, CompanyTask, ship

__all__ = ["EXIT_ALL", "EXIT_NONE", "EXIT_SOME", "BatchReport", "CompanyLine", "run_batch"]

#: ``boardpack batch`` exit codes: every company built or unchanged…
EXIT_ALL = 0
#: …some failed (the others' packs are written)…
EXIT_SOME = 8
#: …none succeeded.
EXIT_NONE = 9


@dataclass
class CompanyLine:
    """One line of the run's table (``status``: ``ok``, ``unchanged`` or ``failed``)."""

    id: str
    name: str
    status: str
    packs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""
    period: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    #: CPU seconds its worker spent on it
    cpu_seconds: float = 0.0

    @property
    def first_error_line(self) -> str:
        """The error's first line (the table's last column)."""
        return self.error.splitlines()[0] if self.error else ""


@dataclass
class BatchReport:
    """What a portfolio run did: a line per company, where, and the workers' peak memory."""

    lines: list[CompanyLine]
    executor: str
    seconds: float
    #: peak resident memory (bytes) of each worker process that built a company, by pid
    memory: dict[int, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_ALL`, :data:`EXIT_SOME` or :data:`EXIT_NONE`."""
        failed = sum(line.status == "failed" for line in self.lines)
        if not failed:
            return EXIT_ALL
        return EXIT_NONE if failed == len(self.lines) else EXIT_SOME


def _write(out: Path, outcome: CompanyOutcome) -> list[str]:
    from ..render.pdf import write_together

    write_together({out / name: pdf for name, pdf in outcome.pdfs.items()})
    return list(outcome.pdfs)


def run_batch(portfolio: Portfolio, executor: Any, period: str | None = None, only: Sequence[str] = (),
              force: bool = False, say: Callable[[str], None] | None = None) -> BatchReport:
    """Build the companies of ``portfolio`` (those in ``only``) on ``executor``.

    :param period: the month (``AAAA-MM``) for every company; ``None``: each one's latest.
    :param force: rebuild even the companies whose content hash has not changed.
    :param say: told one line per company as it ends.
    :raises ConfigError: for the portfolio itself (unknown ``--only``, unreadable state file).
    """
    from .company import company_config, template_data

    say = say or (lambda message: None)
    started = time.perf_counter()
    entries = portfolio.select(list(only))
    state = BatchState(portfolio.state)
    lines: dict[str, CompanyLine] = {}
    digests: dict[str, str | None] = {}
    tasks: list[CompanyTask] = []
    template = template_data(portfolio.template) if portfolio.template is not None else None
    for entry in entries:
        out = portfolio.out / entry.id
        try:
            config = company_config(entry, portfolio.template, template_text=template)
            digests[entry.id] = digest = company_hash(entry, config, period)
        except (BoardpackError, OSError) as exc:
            lines[entry.id] = CompanyLine(entry.id, entry.name or entry.id, "failed", error=str(exc))
            say(f"{entry.id} : échec — {lines[entry.id].first_error_line}")
            continue
        if not force and state.unchanged(entry.id, digest, out):
            record = state.companies[entry.id]
            lines[entry.id] = CompanyLine(entry.id, record.get("name", entry.id), "unchanged",
                                          list(record.get("packs", [])), period=record.get("period", ""),
                                          figures=record.get("figures", {}))
            say(f"{entry.id} : inchangée, non reconstruite")
            continue
        tasks.append(_task(entry, portfolio, template, period, executor.ships_data))
    memory: dict[int, int] = {}

    def done(outcome: CompanyOutcome) -> None:
        line = CompanyLine(outcome.id, outcome.name or outcome.id, outcome.status, seconds=outcome.seconds,
                           error=outcome.error, period=outcome.period, figures=outcome.figures,
                           cpu_seconds=outcome.cpu_seconds)
        if outcome.pid:
            memory[outcome.pid] = max(memory.get(outcome.pid, 0), outcome.peak_memory)
        if outcome.status == "ok":
            try:
                line.packs = _write(portfolio.out / outcome.id, outcome)
                state.record(outcome.id, digests.get(outcome.id),
                             {"name": line.name, "period": line.period, "packs": line.packs,
                              "figures": line.figures, "finished": time.strftime("%Y-%m-%dT%H:%M:%S")})
            except OSError as exc:
                line.status, line.packs = "failed", []
                line.error = f"écriture impossible dans {portfolio.out / outcome.id} ({exc.strerror or exc})"
        lines[outcome.id] = line
        word = {"ok": f"{len(line.packs)} dossier(s)", "failed": f"échec — {line.first_error_line}"}[line.status]
        say(f"{outcome.id} : {word} ({outcome.seconds:.1f} s)")

    if tasks:
        executor.run(tasks, done)
    ordered = [lines[e.id] for e in entries if e.id in lines]
    return BatchReport(ordered, executor.description, time.perf_counter() - started, memory)


def _task(entry: CompanyEntry, portfolio: Portfolio, template: dict[str, Any] | None, period: str | None,
          ships: bool) -> CompanyTask:
    shipped = ship(entry) if ships and entry.data is not None else ()
    return CompanyTask(entry, portfolio.template, template, period, shipped)
