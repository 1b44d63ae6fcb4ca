"""The forecast's figures as CSV files: attached to the PDF/A of a pack that shows them, and
written by ``boardpack forecast --format csv``.

Same conventions as :mod:`boardpack.render.archive`: UTF-8 without BOM, ``;`` separator, ``.``
as decimal point, no thousands separator, amounts in euros with their cents, an empty cell for
« not available ».

``plan_tresorerie.csv``
    ``scenario;line;label;driver`` then one column per month of the plan; rows: opening cash,
    each line (+ cash in, − cash out), net flow, closing cash, minimum cash.
``echeancier_emprunts.csv``
    ``loan;lender;origin;month;principal;interest;payment;outstanding``: every instalment after
    the period of the loans in place (origin ``dataset`` or ``terms``) and of the loan asked for
    (``requested``).
``ratios_donnees.csv``
    ``ratio;label;value;unit;warn;alert;status;formula;input;input_value``: one row per input of
    each ratio (the ratio repeated), so each can be recomputed.
``backtest_tresorerie.csv``
    ``as_of;horizon;target;forecast;actual;error``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from .backtest import Backtest
from .functional import Ratio
from .loans import Instalment
from .plan import CashPlan

__all__ = ["backtest_csv", "plan_csv", "ratios_csv", "schedules_csv"]


def _csv(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _euros(cents: int | None) -> str:
    return "" if cents is None else f"{Decimal(int(cents)).scaleb(-2):.2f}"


def plan_csv(plans: Sequence[CashPlan], language: str = "fr") -> bytes:
    """``plan_tresorerie.csv`` for every plan of ``plans``."""
    months = plans[0].months
    rows: list[list[Any]] = [["scenario", "line", "label", "driver", *[str(m) for m in months]]]
    for plan in plans:
        key = plan.scenario.key
        rows.append([key, "opening", "Trésorerie d'ouverture" if language == "fr" else "Opening cash", "",
                     _euros(plan.opening), *[""] * (len(months) - 1)])
        for line in plan.lines:
            rows.append([key, line.key, line.label.get(language, line.label["fr"]), line.driver,
                         *[_euros(line.amounts.get(m, 0)) for m in months]])
        rows.append([key, "flow", "Flux net" if language == "fr" else "Net flow", "",
                     *[_euros(plan.flow(m)) for m in months]])
        rows.append([key, "closing", "Trésorerie de clôture" if language == "fr" else "Closing cash", "",
                     *[_euros(c) for _, c in plan.closings()]])
        rows.append([key, "minimum", "Trésorerie minimale" if language == "fr" else "Minimum cash", "",
                     *[_euros(plan.minimum)] * len(months)])
    return _csv(rows)


def schedules_csv(loans: Iterable[tuple[str, Instalment]]) -> bytes:
    """``echeancier_emprunts.csv`` from (origin, instalment) pairs."""
    rows: list[list[Any]] = [["loan", "lender", "origin", "month", "principal", "interest", "payment", "outstanding"]]
    for origin, step in loans:
        rows.append([step.loan, step.lender, origin, str(step.month), _euros(step.principal), _euros(step.interest),
                     _euros(step.payment), _euros(step.outstanding)])
    return _csv(rows)


def ratios_csv(ratios: Sequence[Ratio], language: str = "fr") -> bytes:
    """``ratios_donnees.csv``: each ratio with each of its inputs."""
    rows: list[list[Any]] = [["ratio", "label", "value", "unit", "warn", "alert", "status", "formula", "input",
                              "input_value"]]
    for ratio in ratios:
        head = [ratio.key, ratio.label.get(language, ratio.label["fr"]),
                "" if ratio.value is None else f"{ratio.value:.4f}", ratio.unit,
                "" if ratio.warn is None else str(ratio.warn), "" if ratio.alert is None else str(ratio.alert),
                ratio.status or "", ratio.formula.get(language, ratio.formula["fr"])]
        if not ratio.inputs:
            rows.append([*head, "", ""])
        for name, value in ratio.inputs:
            rows.append([*head, name.get(language, name["fr"]), f"{value:.2f}"])
    return _csv(rows)


def backtest_csv(test: Backtest) -> bytes:
    """``backtest_tresorerie.csv``: every point of the backtest."""
    rows: list[list[Any]] = [["as_of", "horizon", "target", "forecast", "actual", "error"]]
    for point in test.points:
        rows.append([str(point.as_of), point.horizon, str(point.target), _euros(point.forecast), _euros(point.actual),
                     _euros(point.error)])
    return _csv(rows)
