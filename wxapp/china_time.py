"""The one definition of dates in China.

Moments are stored and compared in UTC; every date a person sees (on a certificate, a letter,
the /verify page, a report's month, "today" in a rule) is the calendar date in Asia/Shanghai.
Between 00:00 and 08:00 China time the UTC date is still yesterday, so never take `.date()`
of a UTC moment, nor `date.today()` (the server's own zone), for anything a person reads.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# China has kept UTC+8 without daylight saving since 1991; the named zone keeps the intent
# readable and gives older dates their historical offset.
CHINA = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_china(moment: datetime) -> datetime:
    """A stored moment as China wall-clock time (naive values are UTC, as SQLite returns)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def to_china_date(moment: datetime) -> date:
    return to_china(moment).date()


def china_today(now: datetime | None = None) -> date:
    """Today's date in China, at `now` (a UTC or aware moment; default the current one)."""
    return to_china_date(now if now is not None else utc_now())


def china_midnight(day: date) -> datetime:
    """The moment a China calendar day begins, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=CHINA)
