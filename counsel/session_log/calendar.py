"""The counselor's private iCalendar feed: a secret URL a calendar app subscribes to.

Only a SHA-256 of the token is stored, so the URL is shown once, when it is made; making a
new one revokes the old. The feed holds when sessions are, how they are held and the
attendees' initials: no case name, no names, no summary, notes or agreements. Times carry
the practice's time zone (with its VTIMEZONE), so a calendar app keeps them right across
daylight-saving changes.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import abort, make_response, render_template
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select, update
from sqlalchemy.orm import load_only

from .. import audit
from ..clock import practice_zone
from ..extensions import db
from ..forms import EmptyForm
from ..links import absolute_url
from ..models import CalendarFeed, Client, CounselingSession, SessionAttendee, User, utcnow
from . import bp

PAST = timedelta(days=30)
AHEAD = timedelta(days=365)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(counselor: User) -> CalendarFeed | None:
    return db.session.scalars(select(CalendarFeed).where(
        CalendarFeed.counselor_id == counselor.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc())).first()


def new_feed(counselor: User) -> str:
    """Revoke the counselor's feeds and make a new one; returns its token (never stored)."""
    now = utcnow()
    db.session.execute(update(CalendarFeed).where(
        CalendarFeed.counselor_id == counselor.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(counselor_id=counselor.id, token_hash=token_hash(token), created_at=now)
    db.session.add(feed)
    db.session.flush()
    audit.record("calendar.feed_create", feed, actor=counselor)
    return token


def initials(name: str) -> str:
    """"Alex Rivera" -> "A.R."; the first letters of the first and last words only."""
    words = (name or "").split()
    if not words:
        return "?"
    picked = [words[0], words[-1]] if len(words) > 1 else words
    return "".join(f"{w[0].upper()}." for w in picked)


def feed_sessions(counselor_id: int) -> tuple[list[CounselingSession], dict[int, list[str]]]:
    """The counselor's sessions from 30 days ago to a year ahead (only the columns the
    feed uses), and each one's attendees' names (two statements)."""
    now = utcnow()
    sessions = list(db.session.scalars(
        select(CounselingSession)
        .where(CounselingSession.counselor_id == counselor_id,
               CounselingSession.starts_at >= now - PAST,
               CounselingSession.starts_at <= now + AHEAD)
        .options(load_only(CounselingSession.id, CounselingSession.starts_at,
                           CounselingSession.duration_minutes, CounselingSession.format,
                           CounselingSession.cancelled_at, CounselingSession.created_at,
                           CounselingSession.updated_at, CounselingSession.version))
        .order_by(CounselingSession.starts_at)))
    names: dict[int, list[str]] = {}
    if sessions:
        rows = db.session.execute(
            select(SessionAttendee.session_id, User.name)
            .join(Client, Client.id == SessionAttendee.client_id)
            .join(User, User.id == Client.user_id)
            .where(SessionAttendee.session_id.in_([s.id for s in sessions]))
            .order_by(SessionAttendee.session_id, SessionAttendee.client_id))
        for session_id, name in rows:
            names.setdefault(session_id, []).append(name)
    return sessions, names


def build_calendar(counselor_id: int, sessions, names) -> bytes:
    zone = practice_zone()
    domain = absolute_url("web.index").split("/")[2]
    calendar = Calendar()
    calendar.add("prodid", "-//counsel//counseling sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Counseling sessions")
    for s in sessions:
        who = " & ".join(initials(n) for n in names.get(s.id, []))
        event = Event()
        event.add("uid", f"session-{s.id}-{counselor_id}@{domain}")
        event.add("dtstamp", s.updated_at or s.created_at)
        event.add("dtstart", s.starts_at.astimezone(zone))
        # Computed in UTC, then shown in local time: an hour-long session across a DST
        # change still lasts an hour.
        event.add("dtend", (s.starts_at + timedelta(minutes=s.duration_minutes))
                  .astimezone(zone))
        event.add("summary", f"Counseling session: {who}" if who else "Counseling session")
        event.add("location", s.format_title)
        event.add("description", s.format_title)
        event.add("status", "CANCELLED" if s.cancelled_at else "CONFIRMED")
        event.add("sequence", max(0, (s.version or 1) - 1))
        calendar.add_component(event)
    # The zone's rules for the feed's window (and a year either side), not since 1970.
    today = utcnow().date()
    calendar.add_missing_timezones(first_date=today - PAST - timedelta(days=365),
                                   last_date=today + AHEAD + timedelta(days=365))
    return calendar.to_ical()


@bp.get("/calendar")
def calendar():
    """What the private feed is and whether one is active."""
    return render_template("session_log/calendar.html", feed=active_feed(current_user),
                           form=EmptyForm(), link=None)


@bp.post("/calendar/feed")
def calendar_feed_create():
    """A new private URL, shown once on this response (like an invitation link)."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    token = new_feed(current_user)
    db.session.commit()
    link = absolute_url("session_log.calendar_feed", token=token)
    return render_template("session_log/calendar.html", feed=active_feed(current_user),
                           form=form, link=link)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token):
    """Public (a calendar app has no sign-in): the token is the only key. Unknown or
    revoked: 404 with nothing else."""
    feed = db.session.scalars(
        select(CalendarFeed).join(User, User.id == CalendarFeed.counselor_id)
        .where(CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None),
               User.active.is_(True), User.role == "counselor")).first()
    if feed is None:
        # Never the token itself: it is a credential (SECURITY.md 22).
        audit.record_now("access.refused", target_type="calendar_feeds")
        abort(404)
    sessions, names = feed_sessions(feed.counselor_id)
    body = build_calendar(feed.counselor_id, sessions, names)
    audit.record("calendar.feed", feed, actor=feed.counselor_id)
    db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = "inline; filename=counsel-sessions.ics"
    return response
