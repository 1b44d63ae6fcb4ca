"""Where the companies are built: a local process pool, or a Dask distributed cluster.

Both take the same :class:`~.task.CompanyTask` values, run :func:`~.task.run_company` and hand
each :class:`~.task.CompanyOutcome` back to the host as soon as it is ready; the host writes the
PDFs. An executor is chosen by the command line's ``--executor``: ``local`` (default) or
``dask://HOST:PORT`` (a running scheduler).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from ..errors import ConfigError
from .task import CompanyOutcome, CompanyTask, run_company

__all__ = ["Executor", "LocalExecutor", "default_jobs", "make_executor"]

Done = Callable[[CompanyOutcome], None]


class Executor(Protocol):
    """Runs company tasks somewhere and reports each outcome once."""

    #: what the run's summary says about where it ran
    description: str
    #: whether the host must send each company's data with its task (workers elsewhere)
    ships_data: bool

    def run(self, tasks: Sequence[CompanyTask], done: Done) -> None:
        """Run every task; call ``done`` in this thread with each outcome as it comes."""


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover (macOS)
        return max(1, os.cpu_count() or 1)


def _crashed(task: CompanyTask, why: str) -> CompanyOutcome:
    return CompanyOutcome(task.entry.id, "failed", error=why)


class LocalExecutor:
    """A pool of ``jobs`` worker processes on this machine, started with ``spawn`` (nothing of
    the host's memory is inherited; each worker imports boardpack afresh). Workers are reused
    from one company to the next but keep nothing of it: each task builds from its files.

    A worker that dies (killed, out of memory) breaks the pool, and every company not finished
    with it: those are then built again one at a time, each in a process of its own, so that
    the company that kills its worker again is the only one to fail.

    :param function: what a worker runs for each task (tests pass one that crashes).
    """

    ships_data = False

    def __init__(self, jobs: int | None = None, function: Callable[[CompanyTask], CompanyOutcome] = run_company) -> None:
        self.jobs = jobs or default_jobs()
        self.function = function
        self.description = f"local, {self.jobs} processus"

    def run(self, tasks: Sequence[CompanyTask], done: Done) -> None:
        """Run every task in the pool (see the class)."""
        broken = self._pool(list(tasks), self.jobs, done)
        for task in broken:  # alone now: a crash is this company's
            if self._pool([task], 1, done):
                done(_crashed(task, "le processus de construction de cette société s'est arrêté brutalement "
                                    "(mémoire épuisée ou processus tué), deux fois"))

    def _pool(self, tasks: list[CompanyTask], jobs: int, done: Done) -> list[CompanyTask]:
        """Run ``tasks`` in a pool of ``jobs`` processes; return those it broke on."""
        context = multiprocessing.get_context("spawn")
        broken: list[CompanyTask] = []
        with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context) as pool:
            futures: dict[Future[CompanyOutcome], CompanyTask] = {pool.submit(self.function, t): t for t in tasks}
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken.append(futures[future])
                        continue
                    done(outcome)
        return sorted(broken, key=tasks.index)


def make_executor(spec: str, jobs: int | None = None) -> Any:
    """The executor ``--executor`` names: ``local`` or ``dask://HOST:PORT``.

    :raises ConfigError: on another value, or when Dask is asked but not installed.
    """
    if spec == "local":
        return LocalExecutor(jobs)
    if spec.startswith("dask://") or spec.startswith("tcp://"):
        address = "tcp://" + spec.split("://", 1)[1]
        if not address[len("tcp://"):]:
            raise ConfigError("--executor : adresse du planificateur Dask absente (dask://HOTE:PORT)")
        from .distributed import DaskExecutor

        return DaskExecutor(address)
    raise ConfigError(f"--executor : « {spec} » inconnu (local, ou dask://HOTE:PORT pour un cluster Dask)")
