"""Scheduled, logged, exactly-once delivery of the packs (``boardpack deliver``, ``schedule``).

:mod:`.schedule` turns cron expressions into UTC instants, :mod:`.log` is the SQLite
delivery log, :mod:`.packs` builds what a run sends, :mod:`.runner` decides what is due and
sends it, :mod:`.message` and :mod:`.texts` write the emails.
"""

from .log import DeliveryKey, DeliveryLog, Entry
from .packs import Built, Pack, build_packs
from .runner import Job, Outcome, Report, Runner
from .schedule import next_runs, occurrences, period_for

__all__ = [
    "Built",
    "DeliveryKey",
    "DeliveryLog",
    "Entry",
    "Job",
    "Outcome",
    "Pack",
    "Report",
    "Runner",
    "build_packs",
    "next_runs",
    "occurrences",
    "period_for",
]
