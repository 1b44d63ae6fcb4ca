"""The fiscal calendar: resolved once from the data, used by every window; statements and packs agree.

FEC samples: tests/data/fec/ (MIT, see its README). 123456789FEC20500930.txt holds a 13-month
year (April 2022 – April 2023); 0000000001FEC20220831.txt a September–August year.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from boardpack.build import load_inputs
from boardpack.build.compute import compute
from boardpack.config import load_config
from boardpack.errors import ConfigError
from boardpack.formatting import Formatter
from boardpack.periods import FiscalCalendar, Month, Window

DATA = Path(__file__).resolve().parent / "data" / "fec"


def fec_config(tmp_path: Path, name: str, company: str = "") -> Path:
    """A config reading one FEC sample (copied beside it)."""
    shutil.copy(DATA / name, tmp_path / name)
    config = tmp_path / "boardpack.toml"
    config.write_text(f'[company]\nname = "Test"\n{company}\n[sources.compta]\ntype = "fec"\npath = "{name}"\n'
                      '[audiences.daf]\ntitle = "DAF"\nsections = ["kpi_table"]\n', encoding="utf-8")
    return config


def test_calendar_years_around_a_13_month_first_year() -> None:
    """Data spans win; twelve-month years follow them and precede them."""
    calendar = FiscalCalendar(5, ((Month(2022, 4), Month(2023, 4)),))
    assert calendar.year_of(Month(2022, 9)) == (Month(2022, 4), Month(2023, 4))
    assert calendar.year_of(Month(2023, 5)) == (Month(2023, 5), Month(2024, 4))
    assert calendar.year_of(Month(2022, 3)) == (Month(2021, 4), Month(2022, 3))
    assert calendar.spans(Month(2022, 4), Month(2024, 6)) == [
        (Month(2022, 4), Month(2023, 4)), (Month(2023, 5), Month(2024, 4)), (Month(2024, 5), Month(2025, 4))]


def test_windows_follow_the_calendar_and_their_n1_too() -> None:
    """YTD and FY come from the year of the month; N-1 is the previous fiscal year's same months."""
    calendar = FiscalCalendar(5, ((Month(2022, 4), Month(2023, 4)),))
    ytd = calendar.window("ytd", Month(2023, 7))
    assert (ytd.start, ytd.end) == (Month(2023, 5), Month(2023, 7))
    n1 = ytd.shift_years(1)  # the first three months of the 13-month year
    assert (n1.start, n1.end) == (Month(2022, 4), Month(2022, 6))
    fy = calendar.window("fy", Month(2023, 7))
    assert (fy.previous().start, fy.previous().end) == (Month(2022, 4), Month(2023, 4))
    assert fy.previous().short and fy.previous().length == 13
    first = calendar.window("ytd", Month(2023, 5))  # first month: the previous YTD is the whole last year
    assert (first.previous().start, first.previous().end) == (Month(2022, 4), Month(2023, 4))


def test_a_young_company_gets_short_labelled_windows() -> None:
    """Opened in February 2026: the LTM at June is February–June (5 months), labelled so."""
    calendar = FiscalCalendar(1, (), Month(2026, 2))
    ltm = calendar.window("ltm", Month(2026, 6))
    assert (ltm.start, ltm.end, ltm.length, ltm.short) == (Month(2026, 2), Month(2026, 6), 5, True)
    assert Formatter("fr").window_kind(ltm) == "depuis févr. 26 (5\u00a0mois)"
    assert Formatter("en").window_kind(ltm) == "since Feb 26 (5 months)"
    assert Formatter("fr").window_kind(calendar.window("ltm", Month(2027, 6))) == "12 mois glissants"
    assert Window.ending("fy", Month(2026, 6), 1) == Window("fy", Month(2026, 1), Month(2026, 12))


def test_13_month_fec_statements_and_packs_agree(tmp_path: Path) -> None:
    """The KPI fiscal year of 123456789FEC20500930 is the FEC's own April 2022 – April 2023, as in statements."""
    inputs = load_inputs(load_config(fec_config(tmp_path, "123456789FEC20500930.txt")))
    computed = compute(inputs)
    ctx, engine = computed.engine.ctx, computed.engine
    assert computed.period == Month(2023, 4)
    fy = ctx.window("fy", Month(2023, 4))
    assert (fy.start, fy.end) == (Month(2022, 4), Month(2023, 4))
    assert ctx.ledger.years == [(Month(2022, 4), Month(2023, 4))]
    # statements: CA 1 212 844 € (boardpack statements); the KPI over the fy window is the same figure
    revenue = engine.result(engine.kpis["chiffre_affaires"], Month(2023, 4), "fy").value
    assert revenue == ctx.pl("chiffre_affaires", Window("fy", Month(2022, 4), Month(2023, 4)))
    assert revenue.quantize(Decimal(1)) == Decimal(1212844)


def test_september_august_fec_gives_its_year_without_config(tmp_path: Path) -> None:
    """0000000001FEC20220831: YTD at March 2022 starts in September 2021 although fiscal_year_start is not set."""
    ctx = load_inputs(load_config(fec_config(tmp_path, "0000000001FEC20220831.txt"))).context()
    ytd = ctx.window("ytd", Month(2022, 3))
    assert (ytd.start, ytd.end) == (Month(2021, 9), Month(2022, 3))
    assert ctx.calendar.start_month == 9


def test_config_fiscal_year_start_contradicting_the_fec_is_an_error(tmp_path: Path) -> None:
    """fiscal_year_start = 1 against a September–August FEC: one error naming both."""
    config = load_config(fec_config(tmp_path, "0000000001FEC20220831.txt", "fiscal_year_start = 1"))
    with pytest.raises(ConfigError) as error:
        load_inputs(config)
    message = str(error.value)
    assert "fiscal_year_start = 1" in message and "septembre 2021 – août 2022" in message
    assert "[sources.compta]" in message
    # the right month is accepted
    config = load_config(fec_config(tmp_path, "0000000001FEC20220831.txt", "fiscal_year_start = 9"))
    assert load_inputs(config).calendar.start_month == 9


def test_negative_year_shifts_move_forward() -> None:
    """shift_years(-1) is the next fiscal year (a 13-month year included), and -2 the one after."""
    from boardpack.periods import FiscalCalendar, Month

    calendar = FiscalCalendar(1, ((Month(2022, 4), Month(2023, 4)),))
    fy = calendar.window("fy", Month(2022, 6))
    assert (fy.start, fy.end) == (Month(2022, 4), Month(2023, 4))
    following = fy.shift_years(-1)
    assert (following.start, following.end) == (Month(2023, 5), Month(2024, 4))
    assert fy.shift_years(-2).start == Month(2024, 5)
    assert following.shift_years(1) == fy
    plain = FiscalCalendar(1).window("fy", Month(2026, 10))
    assert (plain.shift_years(-1).start, plain.shift_years(-1).end) == (Month(2027, 1), Month(2027, 12))
