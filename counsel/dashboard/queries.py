"""The dashboard's own reading of the structured exercises: broken no-contact days in the
last week, each in the client's own day (``checkins.client_today``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from .. import checkins
from ..clock import practice_zone
from ..extensions import db
from ..models import Assignment, Client, Tracker, TrackerDay, User, utcnow

# "The last week": the client's today and the six days before it.
WEEK_DAYS = 7
# A practice's week of broken days stays a short list; the assignment pages hold the rest.
BROKEN_MOST = 50


@dataclass(frozen=True)
class Broken:
    client: Client
    assignment_id: int
    title: str
    day: date
    late: bool


def broken_last_week(counselor: User, now: datetime | None = None) -> list[Broken]:
    """Tracker days the counselor's active clients marked "broke" within the last
    ``WEEK_DAYS`` of their own day, on tracker work not withdrawn, newest first: one
    statement. The database narrows by the practice's day give or take one (time zones
    are at most a day apart); each client's own day decides."""
    now = now or utcnow()
    today = now.astimezone(practice_zone()).date()
    rows = db.session.execute(
        select(TrackerDay.day, TrackerDay.late, Assignment.id, Assignment.title, Client)
        .join(TrackerDay.tracker).join(Tracker.assignment).join(Assignment.client)
        .join(Client.user)
        .where(Client.counselor_id == counselor.id, User.active.is_(True),
               Assignment.status != "withdrawn", TrackerDay.outcome == "broke",
               TrackerDay.day >= today - timedelta(days=WEEK_DAYS),
               TrackerDay.day <= today + timedelta(days=1))
        .options(contains_eager(Client.user))
        .order_by(TrackerDay.day.desc(), User.name, TrackerDay.id)
        .limit(BROKEN_MOST)).all()
    found = []
    for day, late, assignment_id, title, client in rows:
        own = checkins.client_today(client, now)
        if own - timedelta(days=WEEK_DAYS - 1) <= day <= own:
            found.append(Broken(client, assignment_id, title, day, late))
    return found
