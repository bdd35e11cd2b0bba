"""Per-source schedules as APScheduler 3 triggers; due times live in the database.

Keeping the next due time in the ``sources`` table (not in the scheduler's memory) is what
makes restarts quiet (no thundering herd: overdue sources are spread out) and lets several
daemons share one PostgreSQL through leases.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config.model import Schedule

SPREAD = 60.0  # by default, overdue sources after a restart start within this many seconds


def trigger_for(schedule: Schedule) -> BaseTrigger:
    if schedule.cron:
        trigger = CronTrigger.from_crontab(schedule.cron, timezone=UTC)
        trigger.jitter = int(schedule.jitter) or None
        return trigger
    return IntervalTrigger(
        seconds=schedule.every or 3600.0, timezone=UTC, jitter=int(schedule.jitter) or None
    )


def next_due(schedule: Schedule, now: datetime) -> datetime:
    """The next time after ``now`` (naive UTC) the source is due, jitter included."""
    aware = now.replace(tzinfo=UTC)
    fire: datetime | None = trigger_for(schedule).get_next_fire_time(
        aware if not schedule.cron else None, aware
    )
    if fire is None:  # pragma: no cover - cron expressions validated at load always fire again
        fire = aware + timedelta(hours=1)
    return fire.astimezone(UTC).replace(tzinfo=None)


def period(schedule: Schedule) -> float:
    """Roughly how often the source fires, in seconds (used to spread overdue sources)."""
    if schedule.every:
        return schedule.every
    first = next_due(Schedule(cron=schedule.cron, jitter=0), datetime(2025, 1, 1))
    second = next_due(Schedule(cron=schedule.cron, jitter=0), first)
    return (second - first).total_seconds()


def spread_start(schedule: Schedule, now: datetime, window: float = SPREAD) -> datetime:
    """A start time for an overdue source, spread so that a restart does not fire all at once."""
    return now + timedelta(seconds=random.uniform(0, min(period(schedule), window)))
