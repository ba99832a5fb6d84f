"""The no-contact tracker's records: the client's daily check-ins (kept, broke it, or an
allowed exception; the urge to reach out, 0-10; a note), a short reflection after a broken
day, and the counselor's settings of the period. A "day" is the client's own local day
(``checkins.client_today``); the arithmetic of streaks and the strip is ``trackers``.

Rules raise ``WorkRefused`` with a message in plain words (its ``code`` names the field it
is about); they flush and audit, and the views commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from .. import audit, charts, checkins, trackers
from ..assignments import operations
from ..assignments.operations import WorkRefused
from ..extensions import db
from ..models import Assignment, Tracker, TrackerDay, User
from ..models.work_records import TRACKER_OUTCOMES
from .tracker_forms import LONGEST, SHORTEST, checkin_form, reflection_form, settings_form

SETTLED = ("withdrawn", "completed")  # no change to the period after these


def load(assignment: Assignment) -> Tracker | None:
    """The assignment's period with every day checked in: one statement."""
    found = db.session.scalars(
        select(Tracker).outerjoin(Tracker.days).where(Tracker.assignment_id == assignment.id)
        .options(contains_eager(Tracker.days)).order_by(TrackerDay.day)).unique().all()
    return found[0] if found else None  # every row read: each one adds a day


def summary(tracker: Tracker, today: date) -> trackers.Summary:
    return trackers.summarize(tracker.starts_on, tracker.length_days, tracker.days, today)


def _day_words(day: date) -> str:
    return f"{day:%a %d %b %Y}"


# -- the client's check-in -----------------------------------------------------------------

def check_day_problem(tracker: Tracker, day: date, today: date) -> str | None:
    """Why the client cannot check in for ``day`` (their own ``today``), or None."""
    first, last = trackers.period(tracker.starts_on, tracker.length_days)
    if day > today:
        return (f"That day has not come yet: check in for today ({_day_words(today)}) or a "
                "day before it.")
    if not first <= day <= last:
        return (f"That day is outside your no-contact period, which runs from "
                f"{_day_words(first)} to {_day_words(last)}.")
    if any(d.day == day for d in tracker.days):
        return f"You already checked in for {_day_words(day)}. Choose another day."
    return None


def check_in(author: User, assignment: Assignment, tracker: Tracker, *, day: date,
             outcome: str, urge: int, note: str | None, today: date) -> TrackerDay:
    """One day's check-in; given after that day ended, it is marked late."""
    if outcome not in TRACKER_OUTCOMES:
        raise WorkRefused("Choose kept no contact, broke it, or an allowed exception.",
                          "outcome")
    if outcome == "exception" and not tracker.exceptions:
        raise WorkRefused("Your counselor has not named any allowed exceptions for this "
                          "period: choose kept no contact or broke it.", "outcome")
    if not 0 <= urge <= 10:
        raise WorkRefused("Choose how strong the urge was, from 0 to 10.", "urge")
    if problem := check_day_problem(tracker, day, today):
        raise WorkRefused(problem, "day")
    operations.start_records(author, assignment)
    checked = TrackerDay(tracker=tracker, day=day, outcome=outcome, urge=urge,
                         note=note or None, late=day < today)
    db.session.add(checked)
    db.session.flush()
    audit.record("tracker.checkin", assignment, client=assignment.client_id, actor=author,
                 detail=day.isoformat() + (" (late)" if checked.late else ""))
    return checked


def add_reflection(author: User, assignment: Assignment, tracker: Tracker, *, day: date,
                   text: str) -> TrackerDay:
    """The client's short reflection on a day they broke contact (written once)."""
    checked = next((d for d in tracker.days if d.day == day), None)
    if checked is None or checked.outcome != "broke":
        raise WorkRefused("A reflection goes with a day you checked in as broke it.", "day")
    if checked.reflection:
        raise WorkRefused(f"You already wrote a reflection on {_day_words(day)}.", "day")
    if not text:
        raise WorkRefused("Write a few words, or leave it for now.", "text")
    operations.start_records(author, assignment)
    checked.reflection = text
    db.session.flush()
    audit.record("tracker.reflection", assignment, client=assignment.client_id, actor=author,
                 detail=day.isoformat())
    return checked


# -- the counselor's settings --------------------------------------------------------------

def change_settings(counselor: User, assignment: Assignment, tracker: Tracker, *,
                    starts_on: date, length_days: int, exceptions: str | None) -> bool:
    """Change the period and the allowed exceptions; False when nothing changed. A period
    that would leave days already checked in outside it is refused: nothing is hidden."""
    if assignment.status in SETTLED:
        raise WorkRefused("This assignment is "
                          f"{'withdrawn' if assignment.status == 'withdrawn' else 'completed'}"
                          ", so its period is kept as it was.", "starts_on")
    if not SHORTEST <= length_days <= LONGEST:
        raise WorkRefused(f"Choose a length from {SHORTEST} to {LONGEST} days.", "length_days")
    first, last = trackers.period(starts_on, length_days)
    outside = [d.day for d in tracker.days if not first <= d.day <= last]
    if outside:
        raise WorkRefused(
            f"The client already checked in for {len(outside)} day"
            f"{'s' if len(outside) > 1 else ''} outside that period (the first: "
            f"{_day_words(min(outside))}). Choose a period that holds every day checked in.",
            "starts_on")
    exceptions = exceptions or None
    if (tracker.starts_on, tracker.length_days, tracker.exceptions) == \
            (starts_on, length_days, exceptions):
        return False
    tracker.starts_on, tracker.length_days, tracker.exceptions = \
        starts_on, length_days, exceptions
    db.session.flush()
    audit.record("tracker.settings", assignment, client=assignment.client_id, actor=counselor,
                 detail=f"from {starts_on.isoformat()}, {length_days} days")
    return True


# -- what the pages show -------------------------------------------------------------------

def broken_without_reflection(tracker: Tracker) -> TrackerDay | None:
    """The latest broken day the client has not reflected on yet."""
    return next((d for d in reversed(tracker.days)
                 if d.outcome == "broke" and not d.reflection), None)


def context(assignment, **given) -> dict:
    """The period, its summary, the strip and the rows of its table, and (``given`` or
    fresh) the forms: the client's check-in and reflection, the counselor's settings."""
    tracker = load(assignment)
    if tracker is None:  # a tracker assigned before the structured tracker existed
        return {}
    today = checkins.client_today(assignment.client)
    found = summary(tracker, today)
    days = {d.day: d for d in tracker.days}
    rows = [(d, days.get(d.day)) for d in found.strip]
    pending = broken_without_reflection(tracker)
    return {
        "tracker": tracker, "summary": found, "today": today, "rows": rows,
        "strip": charts.no_contact_strip(found, chart_id=f"no-contact-{assignment.id}"),
        "reflections": [d for d in tracker.days if d.reflection],
        "checkin_form": given.get("checkin_form") or checkin_form(found),
        "checkin_posted": "checkin_form" in given,
        "reflection_form": given.get("reflection_form") or (
            reflection_form(pending) if pending else None),
        "settings_form": given.get("settings_form") or settings_form(tracker, today),
    }


def summaries_of(client) -> dict[int, trackers.Summary]:
    """Each tracker of the client's, by assignment id, summarized: one statement, however
    many trackers and days (for the pathway)."""
    found = db.session.scalars(
        select(Tracker).join(Assignment, Tracker.assignment_id == Assignment.id)
        .outerjoin(Tracker.days).where(Assignment.client_id == client.id)
        .options(contains_eager(Tracker.days)).order_by(TrackerDay.day)).unique().all()
    today = checkins.client_today(client)
    return {tracker.assignment_id: summary(tracker, today) for tracker in found}
