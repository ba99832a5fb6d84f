"""Demo progress for ``flask demo`` (issue 11): eight weeks of weekly check-ins for Alex and
Sam (Sam's latest is overdue, so the dashboard shows a missed one), Alex's no-contact
tracker twenty days in with one broken day and one missed day, a quality-time plan,
commitments with follow-ups, and a memory journal.

Dates are relative to the day the demo is first built (the client's own day), and a second
run changes nothing, as with the rest of the demo. Check-ins and records are made through
the same functions the pages use, so they are audited like live data; the tracker's past
days are then marked as given on the day (a real client would have checked in daily).
"""

from datetime import timedelta

from sqlalchemy import select

from . import checkins
from .extensions import db
from .models import CheckInSchedule, User

WEEKS = 8
# Each week's ratings (trust, communication, hope), oldest first: slow progress with a dip.
ALEX_RATINGS = ((2, 3, 4), (3, 3, 4), (3, 4, 5), (4, 4, 5), (3, 4, 4), (4, 5, 6),
                (5, 5, 6), (5, 6, 7))
SAM_RATINGS = ((1, 2, 3), (2, 2, 3), (2, 3, 3), (2, 3, 4), (3, 4, 4), (3, 3, 4),
               (4, 4, 5), (4, 5, 5))
NOTES = {("alex@example.com", 4): "A hard week: the anniversary.",
         ("sam@example.com", 6): "Felt heard in the joint session."}


def _checkins(counselor: User, user: User, ratings, last_days_ago: int) -> None:
    client = user.client
    today = checkins.client_today(client)
    first = today - timedelta(days=last_days_ago + 7 * (len(ratings) - 1))
    checkins.save_schedule(counselor, client, None, every_days=7,
                           scales=list(checkins.DEFAULTS["scales"]), starts_on=first,
                           active=True, time_zone=None)
    for week, values in enumerate(ratings):
        day = first + timedelta(days=7 * week)
        checkins.add_checkin(client, day, dict(zip(checkins.DEFAULTS["scales"], values,
                                                   strict=True)),
                             NOTES.get((user.email, week)))


def add_demo_progress(people: dict[str, User]) -> None:
    counselor = people["counselor@example.com"]
    alex, sam = people["alex@example.com"], people["sam@example.com"]
    if db.session.scalars(select(CheckInSchedule.id)
                          .where(CheckInSchedule.client_id == alex.client.id)).first():
        return
    _checkins(counselor, alex, ALEX_RATINGS, last_days_ago=2)
    _checkins(counselor, sam, SAM_RATINGS, last_days_ago=9)
    db.session.flush()
