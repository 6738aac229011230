"""``jobs daily`` and ``jobs frequent`` run once per period, however many instances' timers
fire: each run takes a Redis lock named after the job and its period (the China date, or the
China minute) and, when it finished, leaves a "done" mark for that period. An instance whose
timer fires while another runs the job, or after it ran, skips.

The lock's timeout is longer than the job ever takes, so a crashed instance cannot hold the
period forever: the next timer after the timeout runs the job (a failed run leaves no mark).
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import LockError

from wxapp.china_time import to_china, utc_now
from wxapp.extensions import get_redis
from wxapp.observability import metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    name: str
    period_format: str  # strftime of the China time: one key per period
    lock_timeout_seconds: int  # longer than the job ever runs
    done_for_seconds: int  # longer than the period


SCHEDULES = {
    "daily": Schedule("daily", "%Y-%m-%d", lock_timeout_seconds=2 * 3600,
                      done_for_seconds=2 * 24 * 3600),
    "frequent": Schedule("frequent", "%Y-%m-%dT%H:%M", lock_timeout_seconds=10 * 60,
                         done_for_seconds=3600),
}


@dataclass
class ScheduledRun:
    ran: bool
    reason: str  # "ran", "already_ran" (this period), "running_elsewhere"
    result: object = None


def period_key(schedule: Schedule, now: datetime | None = None) -> str:
    period = to_china(now or utc_now()).strftime(schedule.period_format)
    return f"wxapp:scheduled:{schedule.name}:{period}"


def run_once_per_period(name: str, work: Callable[[], object], *, rerun: bool = False,
                        now: datetime | None = None) -> ScheduledRun:
    """``work()`` unless this period's run is done or running elsewhere; ``rerun`` ignores
    the done mark (an operator's deliberate second run), never the lock."""
    schedule = SCHEDULES[name]
    redis = get_redis()
    key = period_key(schedule, now)
    outcome = _run(redis, schedule, key, work, rerun)
    metrics.SCHEDULED.labels(schedule=name, outcome=outcome.reason).inc()
    return outcome


def _run(redis, schedule: Schedule, key: str, work, rerun: bool) -> ScheduledRun:
    if not rerun and redis.exists(key + ":done"):
        return ScheduledRun(False, "already_ran")
    lock = redis.lock(key + ":lock", timeout=schedule.lock_timeout_seconds, blocking=False)
    if not lock.acquire(blocking=False):
        return ScheduledRun(False, "running_elsewhere")
    try:
        # The other instance may have finished between the first look and the lock.
        if not rerun and redis.exists(key + ":done"):
            return ScheduledRun(False, "already_ran")
        result = work()
        redis.set(key + ":done", f"{socket.gethostname()}:{os.getpid()}",
                  ex=schedule.done_for_seconds)
        return ScheduledRun(True, "ran", result)
    finally:
        try:
            lock.release()
        except LockError:
            log.warning("the %s lock expired before the run finished: raise its timeout",
                        schedule.name)
