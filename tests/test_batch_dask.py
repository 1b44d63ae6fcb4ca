"""boardpack batch on a real Dask LocalCluster (two worker processes on 127.0.0.1): the same
outcomes as the local pool, data shipped to the workers, a worker killed mid-run."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boardpack.batch import EXIT_SOME, load_portfolio, run_batch
from boardpack.batch.distributed import DaskExecutor

from batch_helpers import write_portfolio

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A two-worker LocalCluster (processes, one thread each) and its client."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_dask_builds_like_the_local_pool(tmp_path: Path, client: Any) -> None:
    """On the cluster: the FECs travel with the tasks, the host writes the PDFs; the broken FEC fails alone."""
    portfolio = load_portfolio(write_portfolio(tmp_path))
    executor = DaskExecutor(client=client)
    report = run_batch(portfolio, executor)
    assert [line.status for line in report.lines] == ["ok", "ok", "failed"]
    assert "999999999FEC20231231.txt, ligne 1" in report.lines[2].error
    assert (tmp_path / "dossiers" / "alpha" / "dirigeant_2023-06.pdf").read_bytes().startswith(b"%PDF")
    assert report.exit_code == EXIT_SOME
    workers = set(client.run(os.getpid).values())
    assert set(report.memory) <= workers and os.getpid() not in report.memory
    assert "Dask tcp://127.0.0.1:" in report.executor


def test_dask_reads_shipped_data_not_the_host_files(tmp_path: Path, client: Any) -> None:
    """The worker builds from the bytes sent with the task: the host's copy may be gone by then."""
    from boardpack.batch.task import CompanyTask, ship

    entry = load_portfolio(write_portfolio(tmp_path, broken=False)).companies[0]
    shipped = ship(entry)
    moved = tmp_path / "ailleurs"
    (tmp_path / "clients").rename(moved)  # the worker cannot read it where the entry says
    task = CompanyTask(entry, tmp_path / "modele.toml", None, None, shipped)
    from boardpack.batch import run_company

    outcome = client.submit(run_company, task, pure=False).result()
    assert outcome.status == "ok", outcome.error
    assert list(outcome.pdfs) == ["dirigeant_2023-06.pdf"]


def test_killed_worker_company_is_retried_elsewhere(tmp_path: Path, client: Any) -> None:
    """A worker killed (SIGKILL) while building a company: the scheduler gives the company to another
    worker and the run ends with every company built."""
    portfolio = load_portfolio(write_portfolio(tmp_path, broken=False))
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_first_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for address, keys in client.processing().items():
                if any(str(key).startswith("boardpack-alpha") for key in keys) and address in pids:
                    time.sleep(0.3)  # mid-build
                    os.kill(pids[address], signal.SIGKILL)
                    killed.append(pids[address])
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_first_busy_worker)
    killer.start()
    report = run_batch(portfolio, DaskExecutor(client=client), force=True)
    killer.join()
    assert killed, "no worker was seen building alpha"
    assert [line.status for line in report.lines] == ["ok", "ok"], report.lines
    assert killed[0] not in report.memory  # alpha's outcome came from a live worker
    assert (tmp_path / "dossiers" / "alpha" / "dirigeant_2023-06.pdf").is_file()
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed one


def test_batch_command_on_a_dask_scheduler(tmp_path: Path, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """boardpack batch --executor dask://HOST:PORT builds on the cluster the scheduler runs."""
    from click.testing import CliRunner

    from boardpack.cli import cli

    path = write_portfolio(tmp_path, broken=False)
    monkeypatch.chdir(tmp_path)
    address = client.scheduler.address.replace("tcp://", "dask://")
    result = CliRunner().invoke(cli, ["batch", path.name, "--executor", address, "--only", "beta", "--no-overview"])
    assert result.exit_code == 0, result.output
    assert "beta" in result.stdout and "construite" in result.stdout
    assert "exécution : Dask tcp://127.0.0.1:" in result.stderr
