"""The ``boardpack`` command group and what every command shares.

Every user error is one sentence on stderr and a non-zero exit code (see
:mod:`boardpack.errors`); progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__
from ..errors import BoardpackError, ConfigError
from ..periods import Month

__all__ = ["DEMO_CONFIG", "PackBars", "cli", "handle_errors", "main", "parse_period", "progress"]

F = TypeVar("F", bound=Callable[..., Any])
DEMO_CONFIG = Path(__file__).resolve().parent.parent / "demo" / "config.toml"


def handle_errors(function: F) -> F:
    """Turn a :class:`BoardpackError` into « Erreur : … » on stderr and its exit code."""
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BoardpackError as exc:
            click.echo(f"Erreur : {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrompu.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def parse_period(value: str | None) -> Month | None:
    """``--period`` as a :class:`Month` (``None`` when not given)."""
    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise ConfigError(f"--period : {exc}") from None


def progress(quiet: bool) -> Callable[[str], None]:
    """A function printing timed progress lines on stderr (silent with ``quiet``)."""
    started = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - started:5.1f} s] {message}…", err=True)

    return say


class PackBars:
    """The build's progress on stderr: timed lines, and one progress bar per pack (rendered, then
    laid out as a PDF) drawn by tqdm when stderr is a terminal; plain lines when it is not (a
    log, cron); nothing with ``quiet``."""

    STEPS = {"html": "mise en page", "pdf": "PDF prêt"}

    def __init__(self, keys: list[str], quiet: bool = False, terminal: bool | None = None) -> None:
        self.keys = keys
        self.quiet = quiet
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.started = time.perf_counter()
        self._bars: dict[str, Any] = {}

    def say(self, message: str) -> None:
        """A timed line (written above the bars once they are drawn)."""
        if self.quiet:
            return
        line = f"[{time.perf_counter() - self.started:5.1f} s] {message}…"
        if self._bars:
            from tqdm import tqdm

            tqdm.write(line, file=sys.stderr)
        else:
            click.echo(line, err=True)

    def step(self, key: str, stage: str) -> None:
        """Pack ``key`` reached ``stage`` (``html`` rendered, ``pdf`` laid out)."""
        if self.quiet:
            return
        if not self.terminal:
            click.echo(f"[{time.perf_counter() - self.started:5.1f} s] {key} : {self.STEPS.get(stage, stage)}",
                       err=True)
            return
        from tqdm import tqdm

        if not self._bars:
            width = max(len(k) for k in [*self.keys, key])
            self._bars = {k: tqdm(total=2, desc=k.ljust(width), position=i, file=sys.stderr, leave=True,
                                  bar_format="{desc} {bar:20}{postfix}") for i, k in enumerate(self.keys)}
        bar = self._bars.get(key)
        if bar is not None:
            bar.set_postfix_str(self.STEPS.get(stage, stage))
            bar.update(1)

    def close(self) -> None:
        """Finish the bars."""
        for bar in self._bars.values():
            bar.close()
        self._bars = {}


@click.group()
@click.version_option(__version__, prog_name="boardpack")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path), multiple=True,
              help="Dossier de fichiers de plugins *.py à charger (répétable).")
@handle_errors
def cli(plugins_dir: tuple[Path, ...]) -> None:
    """boardpack : des dossiers de pilotage PDF à partir de la comptabilité, du CRM et des opérations."""
    from ..plugins import get_registry

    for name, reason in get_registry(plugins_dir).broken.items():
        click.echo(f"plugin « {name} » ignoré : {reason}", err=True)



def main() -> None:
    """Entry point of the ``boardpack`` console script."""
    cli(prog_name="boardpack")
