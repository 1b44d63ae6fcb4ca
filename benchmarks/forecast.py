"""Benchmark of the forecast: the 12-month cash plan (base and stresses) and its backtest (the
base plan replayed from the 12 month-ends before the period) on the demo, and the track record
the backtest measures.

Run with ``.venv/bin/python benchmarks/forecast.py [--runs N]``. Each run builds the data anew
(nothing memoised between runs); the figure is the median of the runs, with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    """Time cash_plans and forecast_backtest on the demo; print the backtest's errors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from boardpack.api.forecast import cash_plans, forecast_backtest
    from boardpack.build.run import prepare
    from boardpack.cli.app import DEMO_CONFIG
    from boardpack.config import load_config

    plans, backtests = [], []
    for _ in range(args.runs):
        computed = prepare(load_config(DEMO_CONFIG))
        data, period = computed.engine.ctx, computed.period
        started = time.perf_counter()
        cash_plans(data, period)
        plans.append(time.perf_counter() - started)
        started = time.perf_counter()
        test = forecast_backtest(data, period)
        backtests.append(time.perf_counter() - started)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"cash plan (3 scenarios): {statistics.median(plans):.2f} s; backtest (12 plans): "
          f"{statistics.median(backtests):.2f} s (median of {args.runs})")
    for horizon in (1, 3, 6):
        mae, bias = test.mean_absolute_error(horizon), test.bias(horizon)
        print(f"  {horizon} month(s): {len(test.at(horizon))} plans, mean absolute error {mae / 100:,.0f} €, "
              f"bias {bias / 100:+,.0f} €")


if __name__ == "__main__":
    main()
