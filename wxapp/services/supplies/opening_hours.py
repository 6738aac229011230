"""When a point is open, read from the opening hours staff wrote for residents
(``SupplyPoint.hours``: "全天", "工作日 8:00-17:00", "周一至周六 8:00-12:00、14:30-17:30",
"工作日 8:00-17:00，周六 8:00-12:00"), so that a code asked for while a counter is closed
stays usable in its next opening window instead of expiring before it opens.

Pure functions of the text and an instant; times are China wall-clock times. "工作日" is
Monday to Friday: public holidays and their make-up working days (调休) are not known here.
Text this grammar does not read is treated as "always open", the rule before opening hours
were read at all: a typo must not stop a point from giving out codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

WEEKDAY_NAMES = "一二三四五六日"
_DAY_CHARS = {ch: n for n, ch in enumerate(WEEKDAY_NAMES)} | {"天": 6}
_ALWAYS = {"", "全天", "24小时", "全天24小时", "24h", "全天候"}
_TOKEN = re.compile(
    r"(?P<range>(?P<h1>\d{1,2}):(?P<m1>\d{2})-(?P<h2>\d{1,2}):(?P<m2>\d{2}))"
    r"|(?P<every>每天|每日|天天|全周)"
    r"|(?P<workdays>工作日)"
    r"|(?P<weekend>周末|双休日)"
    r"|(?:周|星期)(?P<d1>[一二三四五六日天])(?:-(?:周|星期)?(?P<d2>[一二三四五六日天]))?"
    r"|(?P<gap>[\s,，、;；/]+)")
# How far ahead to look for an opening before giving up (a point closed for a fortnight).
LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True)
class OpeningHours:
    """Opening ranges per weekday (0 = Monday); a day that is missing is closed."""
    ranges: dict[int, tuple[tuple[time, time], ...]]

    def windows_from(self, day: date, zone: tzinfo, days: int = LOOK_AHEAD_DAYS):
        for offset in range(days):
            current = day + timedelta(days=offset)
            for opens, closes in self.ranges.get(current.weekday(), ()):
                yield (datetime.combine(current, opens, zone),
                       datetime.combine(current, closes, zone))


def _normalised(text: str) -> str:
    text = (text or "").strip().translate(str.maketrans("：－–—~～", ":-----"))
    text = re.sub(r"\s*(?:至|到)\s*", "-", text)
    return text


def parse_hours(text: str) -> OpeningHours | None:
    """The point's opening hours, or None when it is always open (or the text is unreadable,
    see the module's docstring)."""
    text = _normalised(text)
    if text in _ALWAYS:
        return None
    ranges: dict[int, list[tuple[time, time]]] = {}
    days: tuple[int, ...] = tuple(range(7))
    days_since_range = False
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() != position:
            return None
        position = match.end()
        if match["gap"]:
            continue
        if match["range"]:
            h1, m1, h2, m2 = (int(match[k]) for k in ("h1", "m1", "h2", "m2"))
            if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2, m2) <= (h1, m1) \
                    or (h2 == 24 and m2):
                return None
            closes = time(23, 59, 59) if h2 == 24 else time(h2, m2)
            for day in days:
                ranges.setdefault(day, []).append((time(h1, m1), closes))
            days_since_range = False
            continue
        # A day spec after ranges starts a new group; two day specs in a row add up.
        new_days = _days_of(match)
        days = tuple(sorted(set(days) | set(new_days))) if days_since_range else new_days
        days_since_range = True
    if position != len(text) or not ranges or days_since_range:
        return None
    return OpeningHours({day: tuple(sorted(found)) for day, found in ranges.items()})


def _days_of(match: re.Match) -> tuple[int, ...]:
    if match["every"]:
        return tuple(range(7))
    if match["workdays"]:
        return tuple(range(5))
    if match["weekend"]:
        return (5, 6)
    first = _DAY_CHARS[match["d1"]]
    last = _DAY_CHARS[match["d2"]] if match["d2"] else first
    if last < first:
        return ()
    return tuple(range(first, last + 1))


@dataclass(frozen=True)
class CodeWindow:
    usable_from: datetime | None  # None: now
    expires_at: datetime


def code_window(hours: OpeningHours | None, now: datetime, valid: timedelta,
                zone: tzinfo) -> CodeWindow:
    """How long a code asked for at ``now`` lives. While the point is open long enough for her
    to get there, the usual short validity (stock held for anyone else is stock they miss).
    Otherwise until the end of the next opening window with at least ``valid`` of it left,
    so that she can come at any time in it."""
    short = CodeWindow(None, now + valid)
    if hours is None:
        return short
    local_now = now.astimezone(zone)
    for opens, closes in hours.windows_from(local_now.date(), zone):
        if closes - max(opens, local_now) < valid:
            continue
        if opens <= local_now:
            return short
        return CodeWindow(opens, closes)
    return short


def next_opening(hours: OpeningHours | None, now: datetime,
                 zone: tzinfo) -> tuple[datetime, datetime] | None:
    """The next opening window when the point is closed at ``now``; None while it is open
    (or always open, or closed for longer than we look ahead)."""
    if hours is None:
        return None
    local_now = now.astimezone(zone)
    for opens, closes in hours.windows_from(local_now.date(), zone):
        if closes <= local_now:
            continue
        return None if opens <= local_now else (opens, closes)
    return None


def describe_window(opens: datetime, closes: datetime, today: date) -> str:
    """'今天8:00至17:00', '明天…', '12月1日（周一）8:00至17:00'."""
    day = opens.date()
    if day == today:
        name = "今天"
    elif day == today + timedelta(days=1):
        name = f"明天（周{WEEKDAY_NAMES[day.weekday()]}）"
    else:
        name = f"{day.month}月{day.day}日（周{WEEKDAY_NAMES[day.weekday()]}）"
    return f"{name}{opens:%H:%M}至{closes:%H:%M}"
