"""The batch on a Dask distributed cluster (``boardpack[dask]``).

Each company is one task submitted to the scheduler (``client.submit(run_company, task)``).
A company given by a data file travels with its task (the bytes of the FEC, folder or
workbook): the workers need no access to the host's disks for it. A company with its own config
is read by the worker from the same paths as on the host: shared storage (the same mount on
every machine). The workers send the PDFs' bytes back; the host writes them atomically, as for a
local run. When a worker dies mid-task, the scheduler gives its task to another worker (up to
Dask's ``distributed.scheduler.allowed-failures`` times, then the company fails).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError
from .task import CompanyOutcome, CompanyTask, run_company

__all__ = ["DaskExecutor"]


def _client(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--executor dask:// demande Dask : pip install 'boardpack[dask]'") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"--executor : planificateur Dask injoignable à {address} ({exc})") from None


class DaskExecutor:
    """Runs the companies on the Dask cluster whose scheduler is at ``address`` (or on ``client``)."""

    ships_data = True

    def __init__(self, address: str | None = None, client: Any = None) -> None:
        self._own = client is None
        self.client = client if client is not None else _client(str(address))
        workers = self.client.scheduler_info().get("workers", {})
        self.description = f"Dask {self.client.scheduler.address}, {len(workers)} worker(s)"

    def run(self, tasks: Sequence[CompanyTask], done: Any) -> None:
        """Submit every task and report each outcome as it comes back."""
        from distributed import as_completed

        run = uuid.uuid4().hex[:8]
        futures = {self.client.submit(run_company, task, key=f"boardpack-{task.entry.id}-{run}", pure=False): task
                   for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    done(future.result())
                except Exception as exc:  # KilledWorker (failed too often), lost scheduler…
                    done(CompanyOutcome(task.entry.id, "failed",
                                        error=f"tâche Dask perdue ({exc.__class__.__name__} : {exc})"))
                future.release()
        finally:
            if self._own:
                self.client.close()
