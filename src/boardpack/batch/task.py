"""What a worker does for one company: build its packs in memory and say how it went.

:func:`run_company` is the whole of a batch task, the same for the local process pool and for
a Dask worker: it takes a :class:`CompanyTask` (picklable values only), runs the build's public
steps — :func:`~boardpack.build.prepare`, :func:`~boardpack.build.render_pack`,
:func:`~boardpack.build.layout_pdf` — and returns a :class:`CompanyOutcome` holding the PDFs'
bytes, the figures of the portfolio overview and the worker's peak memory. It never writes
into the output folder (the host writes every company's PDFs atomically) and never raises for
a company's bad data: the failure is the outcome.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BoardpackError
from .portfolio import CompanyEntry

__all__ = ["OVERVIEW_KPIS", "CompanyOutcome", "CompanyTask", "run_company", "ship"]

#: The KPIs the portfolio overview shows, by id (their headline window), and the LTM revenue
#: the BFR in days is computed from.
OVERVIEW_KPIS = ("chiffre_affaires", "ebe", "tresorerie_nette", "bfr", "dso")


@dataclass(frozen=True)
class CompanyTask:
    """One company to build.

    :param shipped: the company's data sent with the task (a Dask worker on another machine
        cannot read the host's files): ``(relative path, bytes)`` pairs written into a
        temporary folder before the build; empty when the worker reads ``entry.data`` itself.
    """

    entry: CompanyEntry
    template: Path | None = None
    template_data: dict[str, Any] | None = None
    period: str | None = None
    shipped: tuple[tuple[str, bytes], ...] = ()


@dataclass
class CompanyOutcome:
    """How one company's build went (``status``: ``ok`` or ``failed``)."""

    id: str
    status: str
    name: str = ""
    period: str = ""
    #: the PDFs, by file name (``dirigeant_2026-10.pdf``)
    pdfs: dict[str, bytes] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    #: CPU seconds the worker spent on this company (compare those on a busy machine)
    cpu_seconds: float = 0.0
    #: the overview's figures: KPI values as text (``None``: unavailable), alerts, quality
    figures: dict[str, Any] = field(default_factory=dict)
    #: the worker process and its peak resident memory (bytes, ``ru_maxrss``)
    pid: int = 0
    peak_memory: int = 0


def _peak_memory() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _materialise(task: CompanyTask, folder: Path) -> Path | None:
    """Write the shipped data into ``folder``; the path to read it from (``None``: nothing shipped)."""
    if not task.shipped:
        return None
    assert task.entry.data is not None
    for relative, content in task.shipped:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder / task.entry.data.name


def _figures(computed: Any) -> dict[str, Any]:
    """The overview's figures of a computed build: headline values, alerts, quality."""
    engine, month = computed.engine, computed.period
    values: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    for kpi_id in OVERVIEW_KPIS:
        kpi = engine.kpis.get(kpi_id)
        if kpi is None:
            values[kpi_id], reasons[kpi_id] = None, "indicateur non retenu"
            continue
        result = engine.result(kpi, month, kpi.headline)
        values[kpi_id] = None if result.value is None else str(result.value)
        if result.value is None:
            reasons[kpi_id] = result.reason or ""
    revenue = engine.kpis.get("chiffre_affaires")
    if revenue is not None:  # the LTM revenue and its window's days, for the BFR in days
        ltm = engine.result(revenue, month, "ltm")
        values["chiffre_affaires_ltm"] = None if ltm.value is None else str(ltm.value)
        values["jours_ltm"] = str(ltm.window.days)
    severities = [alert.severity for alert in computed.alerts]
    issues = list(computed.issues)
    return {
        "values": values,
        "reasons": reasons,
        "alerts": {level: severities.count(level) for level in ("critical", "warning", "info")},
        "alert_titles": [alert.title["fr"] for alert in computed.alerts if alert.severity != "info"][:3],
        "quality": {"blocking": sum(i.severity == "blocking" for i in issues),
                    "warning": sum(i.severity != "blocking" for i in issues)},
    }


def run_company(task: CompanyTask) -> CompanyOutcome:
    """Build ``task``'s company in this process; every user error becomes a ``failed`` outcome."""
    started, cpu = time.perf_counter(), time.process_time()
    outcome = CompanyOutcome(task.entry.id, "failed", pid=os.getpid())
    try:
        with tempfile.TemporaryDirectory(prefix="boardpack-batch-") as scratch:
            _build(task, Path(scratch), outcome)
        outcome.status = "ok"
    except BoardpackError as exc:
        outcome.error = str(exc)
    except Exception as exc:  # a bug, or a plugin's: kept to this company, with where it happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        outcome.error = f"erreur interne {exc.__class__.__name__} : {exc} ({Path(where.filename).name}:{where.lineno})"
    outcome.seconds = time.perf_counter() - started
    outcome.cpu_seconds = time.process_time() - cpu
    outcome.peak_memory = _peak_memory()
    if outcome.status != "ok":
        outcome.pdfs = {}
    return outcome


def _build(task: CompanyTask, scratch: Path, outcome: CompanyOutcome) -> None:
    from ..build import layout_pdf, prepare, render_pack
    from ..periods import Month
    from .company import company_config

    data = _materialise(task, scratch)
    config = company_config(task.entry, task.template, data, task.template_data)
    outcome.name = config.company.name
    period = None
    if task.period:
        period = Month.parse(task.period)
    computed = prepare(config, period)
    outcome.period = str(computed.period)
    outcome.figures = _figures(computed)
    for audience in config.audiences:
        rendered = render_pack(computed, audience)
        outcome.pdfs[f"{audience.key}_{computed.period}.pdf"] = layout_pdf(rendered)


def ship(entry: CompanyEntry) -> tuple[tuple[str, bytes], ...]:
    """The company's data as ``(relative path, bytes)`` pairs, to send to a remote worker."""
    assert entry.data is not None
    if entry.data.is_file():
        return ((entry.data.name, entry.data.read_bytes()),)
    return tuple((str(Path(entry.data.name) / p.relative_to(entry.data)), p.read_bytes())
                 for p in sorted(entry.data.rglob("*")) if p.is_file())
