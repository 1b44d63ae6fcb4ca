"""The forecast engine: loan schedules and the debt ahead, the 12-month cash plan and its
scenarios, the functional balance sheet and the backtest. Plugins reach it through
:mod:`boardpack.api.forecast`."""
