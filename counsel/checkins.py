"""Check-ins: short 0-10 self-ratings a counselor schedules per client and the client gives
(PRODUCT.md "Check-in"). A "day" is the client's local day (their own time zone, or the
practice's).

When one is due, in one place (``due_state``): the first is due on the schedule's
``starts_on``; after that, ``every_days`` after the latest check-in given (never before
``starts_on``). A check-in is *missed* once its due day has passed, in the client's day,
without one: due today is "due", due yesterday or earlier is "missed". A paused schedule is
neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app
from sqlalchemy import func, literal, select
from sqlalchemy.orm import contains_eager

from . import audit
from .extensions import db
from .models import CheckIn, CheckInSchedule, Client, User, utcnow
from .models.progress import CHECKIN_EVERY_DAYS, CHECKIN_SCALES
from .models.types import unstorable

LOWEST, HIGHEST = 0, 10
MOST_SCALES = 6
SCALE_LENGTH = 30
NOTE_LENGTH = 500
EVERY_DAYS_MOST = 90
# Zones offered first in the client's time zone field (any IANA name may be typed).
COMMON_ZONES = (
    "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Europe/Amsterdam", "Europe/Stockholm", "Europe/Athens", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
    "America/Sao_Paulo", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
    "Pacific/Auckland", "UTC",
)


# -- time zones and the client's day ------------------------------------------------------

def zone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone, or None."""
    if name not in available_timezones():
        return ("Enter a time zone by its name, for example Europe/London or "
                "America/New_York, or leave it empty for the practice's.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "That time zone is not known here; choose one from the list."
    return None


def client_zone(client: Client) -> ZoneInfo:
    return ZoneInfo(client.time_zone or current_app.config["PRACTICE_TIMEZONE"])


def client_now(client: Client, now: datetime | None = None) -> datetime:
    return (now or utcnow()).astimezone(client_zone(client))


def client_today(client: Client, now: datetime | None = None) -> date:
    """The client's own day, which check-ins are given for."""
    return client_now(client, now).date()


# -- when one is due ----------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    next_due: date | None  # None: paused (or no schedule)
    state: str  # "paused", "upcoming", "due" (today), "missed" (a due day passed)

    @property
    def needs_one(self) -> bool:
        return self.state in ("due", "missed")


def due_state(schedule: CheckInSchedule | None, latest: date | None, today: date) -> Due:
    """When the next check-in is due and whether it is due or missed, for a client whose
    latest check-in was on ``latest`` (None: never) and whose local day is ``today``."""
    if schedule is None or not schedule.active:
        return Due(None, "paused")
    next_due = schedule.starts_on if latest is None \
        else max(schedule.starts_on, latest + timedelta(days=schedule.every_days))
    state = "upcoming" if next_due > today else "due" if next_due == today else "missed"
    return Due(next_due, state)


# -- reading ------------------------------------------------------------------------------

# The pages chart the latest check-ins (over two years of weekly ones); the report has its
# own bound. A check-in is at most one a day, but the page must not grow for ever.
CHARTED = 120


@dataclass(frozen=True)
class Overview:
    schedule: CheckInSchedule | None
    checkins: list[CheckIn]  # the latest CHARTED, oldest first
    today: date
    due: Due
    earlier: bool = False  # older check-ins exist that are not charted

    @property
    def scales(self) -> list[str]:
        """The scales to chart: the schedule's, then any others rated in the past."""
        names = list(self.schedule.scales) if self.schedule else []
        for checkin in self.checkins:
            names += [name for name in checkin.ratings if name not in names]
        return names or list(CHECKIN_SCALES)


def overview(client: Client, now: datetime | None = None) -> Overview:
    """The schedule, the latest ``CHARTED`` check-ins and when the next is due, in one
    statement: the schedule (one at most) and the check-ins ride on a one-row select,
    outer-joined, newest first (one more row says whether earlier ones exist)."""
    one = select(literal(1).label("one")).subquery()
    rows = db.session.execute(
        select(CheckInSchedule, CheckIn).select_from(one)
        .outerjoin(CheckInSchedule, CheckInSchedule.client_id == client.id)
        .outerjoin(CheckIn, CheckIn.client_id == client.id)
        .order_by(CheckIn.taken_on.desc()).limit(CHARTED + 1)).all()
    schedule = rows[0][0]
    newest = [checkin for _, checkin in rows if checkin is not None]
    today = client_today(client, now)
    latest = newest[0].taken_on if newest else None
    return Overview(schedule, newest[:CHARTED][::-1], today,
                    due_state(schedule, latest, today), earlier=len(newest) > CHARTED)


def next_due(client: Client, now: datetime | None = None) -> tuple[CheckInSchedule | None, Due]:
    """The client's schedule and when their next check-in is due, in one statement."""
    latest = (select(func.max(CheckIn.taken_on)).where(CheckIn.client_id == client.id)
              .scalar_subquery())
    row = db.session.execute(select(CheckInSchedule, latest)
                             .where(CheckInSchedule.client_id == client.id)).first()
    schedule, day = row if row else (None, None)
    return schedule, due_state(schedule, day, client_today(client, now))


def schedules_with_latest(condition=None):
    """Active schedules of active clients (each with the client and their account) and the
    client's latest check-in day, in one statement."""
    # Correlated, so each schedule reads only its own client's latest day (the unique
    # (client_id, taken_on) index), not every check-in of the practice.
    latest = (select(func.max(CheckIn.taken_on))
              .where(CheckIn.client_id == CheckInSchedule.client_id)
              .correlate(CheckInSchedule).scalar_subquery())
    query = (select(CheckInSchedule, latest)
             .join(CheckInSchedule.client).join(Client.user)
             .where(CheckInSchedule.active.is_(True), User.active.is_(True))
             .options(contains_eager(CheckInSchedule.client).contains_eager(Client.user))
             .order_by(User.name, Client.id))
    if condition is not None:
        query = query.where(condition)
    return db.session.execute(query).all()


@dataclass(frozen=True)
class Waiting:
    client: Client
    due: Due


def due_or_missed(counselor: User, now: datetime | None = None) -> list[Waiting]:
    """The counselor's clients whose check-in is due today or missed (one statement)."""
    found = []
    for schedule, latest in schedules_with_latest(Client.counselor_id == counselor.id):
        due = due_state(schedule, latest, client_today(schedule.client, now))
        if due.needs_one:
            found.append(Waiting(schedule.client, due))
    return found


# -- the counselor's schedule -------------------------------------------------------------

def clean_scale(name: str) -> str:
    return re.sub(r"\s+", " ", name or "").strip()


def scales_problem(scales: list[str]) -> str | None:
    if not scales:
        return "Choose at least one scale to rate."
    if len(scales) > MOST_SCALES:
        return f"Choose at most {MOST_SCALES} scales."
    if any(len(name) > SCALE_LENGTH for name in scales):
        return f"Keep each scale's name to {SCALE_LENGTH} characters."
    if len({name.casefold() for name in scales}) != len(scales):
        return "Each scale may appear only once."
    for name in scales:
        if problem := unstorable(name):
            return f"A scale's name contains {problem} that cannot be stored. Remove it."
    return None


def save_schedule(counselor: User, client: Client, schedule: CheckInSchedule | None, *,
                  every_days: int, scales: list[str], starts_on: date, active: bool,
                  time_zone: str | None) -> CheckInSchedule:
    if schedule is None:
        schedule = CheckInSchedule(client=client, updated_by=counselor)
        db.session.add(schedule)
    else:
        schedule.version += 1
    schedule.every_days, schedule.scales = every_days, list(scales)
    schedule.starts_on, schedule.active = starts_on, active
    schedule.updated_by = counselor
    detail = f"every {every_days} days, {len(scales)} scales" + ("" if active else ", paused")
    if (time_zone or None) != client.time_zone:
        client.time_zone = time_zone or None
        audit.record("client.time_zone", client, detail=time_zone or "practice")
    db.session.flush()
    audit.record("checkin.schedule", schedule, client=client, detail=detail)
    return schedule


# -- the client's check-in ----------------------------------------------------------------

def add_checkin(client: Client, taken_on: date, ratings: dict[str, int],
                note: str | None) -> CheckIn:
    checkin = CheckIn(client=client, taken_on=taken_on, ratings=ratings, note=note or None)
    db.session.add(checkin)
    db.session.flush()
    audit.record("checkin.create", checkin, client=client, detail=taken_on.isoformat())
    return checkin


def taken_on(client: Client, day: date) -> bool:
    return db.session.scalar(select(CheckIn.id).where(
        CheckIn.client_id == client.id, CheckIn.taken_on == day)) is not None


DEFAULTS = {"every_days": CHECKIN_EVERY_DAYS, "scales": CHECKIN_SCALES}
