"""``boardpack forecast``: the 12-month cash plan of a config, by scenario, and its backtest.

Heavy modules (pandas, the build) are imported inside the command, so ``boardpack --help``
stays fast.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError
from ..formatting import Formatter
from .app import cli, handle_errors, parse_period

__all__ = ["forecast_command"]


def _euros(cents: int) -> float:
    return float(Decimal(int(cents)).scaleb(-2))


def _plan_json(plan: Any) -> dict[str, Any]:
    month, cash = plan.lowest
    return {
        "scenario": plan.scenario.key, "label": plan.scenario.title(), "as_of": str(plan.as_of),
        "opening": _euros(plan.opening), "months": [str(m) for m in plan.months],
        "lines": [{"key": line.key, "label": line.label["fr"], "driver": line.driver, "basis": line.basis.get("fr", ""),
                   "amounts": {str(m): _euros(line.amounts.get(m, 0)) for m in plan.months}} for line in plan.lines],
        "closing": {str(m): _euros(c) for m, c in plan.closings()},
        "lowest": {"month": str(month), "cash": _euros(cash)},
        "minimum": _euros(plan.minimum), "minimum_basis": plan.minimum_basis["fr"],
        "crossing": None if plan.crossing is None else str(plan.crossing),
        "drivers_without_data": [{"driver": g.driver, "reason": g.reason} for g in plan.gaps],
    }


_FMT = Formatter("fr")


def _k(cents: int) -> str:
    """Thousands of euros, French style (« 1 252 », « −645 »), « — » for nothing."""
    value = round(cents / 100000)
    return _FMT.number(value) if value else "—"


def _money(cents: int) -> str:
    """« 150 733 € »: whole euros, French style."""
    return _FMT.money(_euros(cents))


def _plan_table(plan: Any) -> None:
    width = 34
    click.echo(f"Scénario : {plan.scenario.title()} — trésorerie à fin {_FMT.month(plan.as_of)} : "
               f"{_money(plan.opening)}")
    click.echo(f"{'(k€)':<{width}}" + "".join(f"{str(m)[2:]:>8}" for m in plan.months))
    for line in plan.lines:
        click.echo(f"{line.label['fr'][:width - 1]:<{width}}" + "".join(f"{_k(line.amounts.get(m, 0)):>8}"
                                                                         for m in plan.months))
    click.echo(f"{'Trésorerie de clôture':<{width}}" + "".join(f"{_k(c):>8}" for _, c in plan.closings()))
    month, cash = plan.lowest
    crossing = (f"sous le minimum ({_money(plan.minimum)}) dès {_FMT.month(plan.crossing)}" if plan.crossing
                else f"jamais sous le minimum ({_money(plan.minimum)})")
    click.echo(f"Point bas : {_money(cash)} en {_FMT.month(month)} ; {crossing}")
    for gap in plan.gaps:
        click.echo(f"  sans données — {gap.label['fr']} : {gap.reason}")
    click.echo("")


def _backtest(data: Any, period: Any, output: str) -> None:
    from ..api.forecast import forecast_backtest
    from ..forecast.backtest import HORIZONS
    from ..forecast.export import backtest_csv

    test = forecast_backtest(data, period)
    if output == "csv":
        sys.stdout.write(backtest_csv(test).decode("utf-8"))
        return
    summary = {h: {"points": len(test.at(h)), "mean_absolute_error": _euros(test.mean_absolute_error(h) or 0),
                   "bias": _euros(test.bias(h) or 0)} for h in HORIZONS if test.at(h)}
    if output == "json":
        click.echo(json.dumps({"period": str(period), "horizons": summary,
                               "points": [{"as_of": str(p.as_of), "horizon": p.horizon, "target": str(p.target),
                                           "forecast": _euros(p.forecast), "actual": _euros(p.actual),
                                           "error": _euros(p.error)} for p in test.points],
                               "gaps": [{"as_of": str(m), "reason": r} for m, r in test.gaps]},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"Backtest du plan de trésorerie (plans faits aux 12 fins de mois avant {period}, scénario de base)")
    click.echo(f"{'horizon':<10}{'plans':>6}{'écart absolu moyen':>22}{'biais moyen':>16}")
    for horizon, figures in summary.items():
        click.echo(f"{str(horizon) + ' mois':<10}{figures['points']:>6}"
                   f"{_FMT.money(figures['mean_absolute_error']):>22}"
                   f"{_FMT.signed(_FMT.money(figures['bias']), figures['bias']):>16}")
    click.echo("")
    click.echo(f"{'plan fin':<10}{'horizon':>8}{'prévu':>14}{'constaté':>14}{'écart':>14}")
    for p in test.points:
        click.echo(f"{str(p.as_of):<10}{p.horizon:>8}{_money(p.forecast):>16}{_money(p.actual):>16}"
                   f"{_FMT.signed(_money(p.error), p.error):>16}")
    for month, reason in test.gaps:
        click.echo(f"{month} : pas de plan ({reason})")


@cli.command("forecast")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--period", help="Mois d'où part le plan, AAAA-MM (défaut : dernier mois des écritures).")
@click.option("--scenario", help="Un seul scénario : base ou le nom d'une table [forecast_scenarios.<id>].")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--backtest", "backtest", is_flag=True,
              help="La fiabilité du plan : refait aux 12 dernières fins de mois, écart à 1, 3 et 6 mois.")
@handle_errors
def forecast_command(config_path: Path, period: str | None, scenario: str | None, output: str, backtest: bool) -> None:
    """Le plan de trésorerie à 12 mois de CONFIG, par scénario (ou son backtest)."""
    from ..api.forecast import cash_plans
    from ..build import load_inputs, validate
    from ..build.compute import compute
    from ..config import load_config
    from ..errors import DataError, Unavailable
    from ..forecast.export import plan_csv

    config = load_config(config_path)
    inputs = load_inputs(config, period=parse_period(period))
    validate(config, inputs.registry)
    computed = compute(inputs)
    data, month = computed.engine.ctx, computed.period
    try:
        if backtest:
            if scenario is not None:
                raise ConfigError("--backtest rejoue le scénario de base : --scenario ne s'y applique pas")
            _backtest(data, month, output)
            return
        plans = cash_plans(data, month)
    except Unavailable as exc:
        raise DataError(f"plan de trésorerie impossible : {exc}") from None
    if scenario is not None:
        known = [plan.scenario.key for plan in plans]
        if scenario not in known:
            raise ConfigError(f"--scenario : scénario inconnu « {scenario} » (scénarios : {', '.join(known)})")
        plans = [plan for plan in plans if plan.scenario.key == scenario]
    if output == "json":
        click.echo(json.dumps([_plan_json(plan) for plan in plans], ensure_ascii=False, indent=2))
    elif output == "csv":
        sys.stdout.write(plan_csv(plans).decode("utf-8"))
    else:
        click.echo(f"Plan de trésorerie à 12 mois — {config.company.name}")
        click.echo("")
        for plan in plans:
            _plan_table(plan)
