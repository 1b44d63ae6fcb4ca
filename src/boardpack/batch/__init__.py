"""Portfolio runs for accounting firms: every client company's packs in one command.

* :mod:`.portfolio` — the portfolio TOML file (companies by config, or by data + template);
* :mod:`.company` — one company's config;
* :mod:`.state` — content hashes and the record of successful builds (incremental runs);
* :mod:`.task` — what a worker does for one company;
* :mod:`.executors` (local process pool), :mod:`.distributed` (Dask) — where it runs;
* :mod:`.runner` — :func:`run_batch`, the run itself;
* :mod:`.overview` — the partner's overview (PDF, CSV, XLSX);
* :mod:`.delivery` — ``deliver --due`` over a portfolio.
"""

from .executors import LocalExecutor, default_jobs, make_executor
from .portfolio import CompanyEntry, Portfolio, load_portfolio, parse_portfolio
from .runner import EXIT_ALL, EXIT_NONE, EXIT_SOME, BatchReport, CompanyLine, run_batch
from .task import CompanyOutcome, CompanyTask, run_company

__all__ = [
    "EXIT_ALL",
    "EXIT_NONE",
    "EXIT_SOME",
    "BatchReport",
    "CompanyEntry",
    "CompanyLine",
    "CompanyOutcome",
    "CompanyTask",
    "LocalExecutor",
    "Portfolio",
    "default_jobs",
    "load_portfolio",
    "make_executor",
    "parse_portfolio",
    "run_batch",
    "run_company",
]
