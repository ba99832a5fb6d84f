"""The no-contact tracker's arithmetic: which day of the period each day is, what it shows
on the strip, and the streaks. Pure functions of the period, the days checked in and the
client's own day (``checkins.client_today``), so the pages, the dashboard and the report
agree, and the day boundaries are tested without a database.

A day's state on the strip:
- ``kept``, ``exception`` or ``broke``: what the client said (``late`` if said afterwards);
- ``missing``: a day of the period that has ended without a check-in. Never shown as kept;
- ``today``: the client's current day, not checked in yet (not missing until it ends);
- ``upcoming``: a day still to come.

The current streak counts back from the latest day that has ended or been checked in:
kept days and allowed exceptions continue it; a broken or a missing day ends it. Today
without a check-in neither continues nor ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

CONTINUES = frozenset({"kept", "exception"})


@dataclass(frozen=True)
class Day:
    day: date
    number: int  # 1 for the period's first day
    state: str  # kept, exception, broke, missing, today, upcoming
    late: bool = False
    urge: int | None = None


@dataclass(frozen=True)
class Summary:
    starts_on: date
    ends_on: date
    today: date
    strip: tuple[Day, ...]
    current_streak: int
    longest_streak: int
    days_remaining: int  # days of the period still to come, today included
    counts: dict[str, int]

    @property
    def started(self) -> bool:
        return self.today >= self.starts_on

    @property
    def over(self) -> bool:
        return self.today > self.ends_on

    @property
    def due_today(self) -> bool:
        return any(d.state == "today" for d in self.strip)

    @property
    def missing_days(self) -> list[date]:
        return [d.day for d in self.strip if d.state == "missing"]


def period(starts_on: date, length_days: int) -> tuple[date, date]:
    return starts_on, starts_on + timedelta(days=length_days - 1)


def summarize(starts_on: date, length_days: int, days, today: date) -> Summary:
    """``days``: the check-ins given, each with ``day``, ``outcome``, ``late`` and ``urge``
    (TrackerDay rows or the like), in any order; days outside the period are ignored."""
    first, last = period(starts_on, length_days)
    given = {d.day: d for d in days if first <= d.day <= last}
    strip = []
    for number in range(1, length_days + 1):
        day = first + timedelta(days=number - 1)
        record = given.get(day)
        if record is not None:
            strip.append(Day(day, number, record.outcome, bool(record.late), record.urge))
        elif day < today:
            strip.append(Day(day, number, "missing"))
        elif day == today:
            strip.append(Day(day, number, "today"))
        else:
            strip.append(Day(day, number, "upcoming"))
    states = [d.state for d in strip]
    # Count back from the latest day that ended or was checked in.
    current = 0
    for state in reversed(states):
        if state in ("upcoming", "today") and current == 0:
            continue
        if state not in CONTINUES:
            break
        current += 1
    longest = run = 0
    for state in states:
        run = run + 1 if state in CONTINUES else 0
        longest = max(longest, run)
    remaining = min(length_days, max(0, (last - max(today, first)).days + 1))
    counts = {state: states.count(state)
              for state in ("kept", "exception", "broke", "missing", "today", "upcoming")}
    return Summary(first, last, today, tuple(strip), current, longest, remaining, counts)
