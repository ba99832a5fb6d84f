"""What each message says, built for the operations that cause them, so each of those
needs one line: ``messages.assignment_given(assignment)`` and the like.

Every context here is made of dates, times, durations and links, never of what the work or
the session is about: no exercise title, answer, comment, note, case name or anyone's name
(so a partner in a couple's case never learns the other's name from an email). The dates
and times are in the practice's time zone (PRACTICE_TIMEZONE), as people see them on the
pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event

from ..clock import practice_zone
from ..links import absolute_url
from ..models import (
    FORMATS,
    Assignment,
    CounselingSession,
    OutboxMessage,
    Review,
    Revision,
    User,
    utcnow,
)
from . import outbox

# --- formatting ------------------------------------------------------------------------------


def local_date(day: date) -> str:
    """"Monday 30 November": a due date as a person reads it."""
    return f"{day:%A} {day.day} {day:%B}"


def local_when(moment: datetime) -> str:
    """"Tuesday 1 December at 18:00 (GMT)": a stored UTC time in the practice's zone."""
    local = moment.astimezone(practice_zone())
    return f"{local_date(local.date())} at {local:%H:%M} ({local:%Z})"


def portal_url() -> str:
    return absolute_url("portal.home")


def dashboard_url() -> str:
    return absolute_url("dashboard.index")


# --- messages caused by an operation (queued in its transaction) -----------------------------


def notify_invitation(user: User, token: str) -> OutboxMessage | None:
    """The invitation link (a password-reset link has its own message): called at the end
    of ``auth.invitations.issue``."""
    return outbox.queue("invitation", user, context={
        "invitation_url": absolute_url("auth.accept_invitation", token=token),
        "days": current_app.config["INVITATION_DAYS"], "role": user.role,
        # A new link for someone who has a password already (the counselor's or admin's
        # "new link" button): earlier links stop working.
        "again": user.password_hash is not None})


def assignment_given(assignment: Assignment) -> OutboxMessage | None:
    """New work for the client: when it is due, never what it is."""
    return outbox.queue("assignment_new", assignment.client.user, context={
        "portal_url": portal_url(),
        "due_date": local_date(assignment.due_date) if assignment.due_date else None})


def review_sent(review: Review) -> OutboxMessage | None:
    """The counselor responded to the client's work (never what they said)."""
    return outbox.queue("review_sent", review.revision.assignment.client.user,
                        context={"portal_url": portal_url()})


def work_submitted(revision: Revision) -> OutboxMessage | None:
    """To the client's counselor, when their choice for it is "on"; with "digest" the
    daily digest counts it instead (queue() adds nothing then)."""
    counselor = revision.assignment.client.counselor
    return outbox.queue("work_submitted", counselor,
                        context={"dashboard_url": dashboard_url()})


# --- reminders (counsel.notifications.reminders) ---------------------------------------------


def work_due(user: User, due: date, dedupe_key: str) -> OutboxMessage | None:
    return outbox.queue("work_due", user, dedupe_key=dedupe_key, context={
        "portal_url": portal_url(), "due_date": local_date(due)})


def work_overdue(user: User, due: date, dedupe_key: str) -> OutboxMessage | None:
    return outbox.queue("work_overdue", user, dedupe_key=dedupe_key, context={
        "portal_url": portal_url(), "due_date": local_date(due)})


def checkin_due(user: User, due: date, dedupe_key: str, *,
                due_today: bool) -> OutboxMessage | None:
    """Only that a short check-in is due, and the link: no scale, no rating."""
    return outbox.queue("checkin_due", user, dedupe_key=dedupe_key, context={
        "portal_url": portal_url(), "due_date": local_date(due), "due_today": due_today})


def session_reminder(user: User, session: CounselingSession,
                     dedupe_key: str) -> OutboxMessage | None:
    """A day ahead, with a calendar entry: when, how long, how it is held."""
    return outbox.queue("session_reminder", user, dedupe_key=dedupe_key, ics=appointment_ics(
        session), context={"when": local_when(session.starts_at),
                           "duration_minutes": session.duration_minutes,
                           "format_label": FORMATS[session.format].lower(),
                           "portal_url": portal_url()})


def daily_digest(counselor: User, counts: list[tuple[str, int]],
                 dedupe_key: str) -> OutboxMessage | None:
    return outbox.queue("daily_digest", counselor, dedupe_key=dedupe_key, context={
        "counts": counts, "dashboard_url": dashboard_url()})


APPOINTMENT = "Appointment"


def appointment_ics(session: CounselingSession) -> str:
    """A one-event calendar for a client: "Appointment", when it starts and ends (UTC) and
    how it is held. Nothing else: no case, no names, no summary, notes or agreements. The
    UID stays the same for the session, so a moved session updates the calendar's entry
    (SEQUENCE rises with each change)."""
    domain = absolute_url("web.index").split("/")[2].split(":")[0] or "counsel.local"
    calendar = Calendar()
    calendar.add("prodid", "-//counsel//appointment//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{session.id}@{domain}")
    event.add("dtstamp", utcnow().replace(microsecond=0))
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
    event.add("summary", APPOINTMENT)
    event.add("location", FORMATS[session.format])
    event.add("status", "CONFIRMED")
    event.add("sequence", max(0, (session.version or 1) - 1))
    calendar.add_component(event)
    return calendar.to_ical().decode()
