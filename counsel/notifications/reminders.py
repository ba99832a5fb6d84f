"""Reminders: ``flask --app counsel remind``, meant for cron (hourly is right).

Each reminder is a function of the run (now, and today in the practice's time zone) that
queues its messages and returns how many; ``REMINDERS`` lists them, so a new reminder (the
check-ins' "check-in due") is one function and one line there.

Running it again, or twice at once, sends nothing twice: every message carries a
``dedupe_key`` naming the thing and the day it is about, and the outbox keeps one message
per key (queue() inserts with ON CONFLICT DO NOTHING). Each reminder selects what is due in
a few statements for the whole practice (the people and their accounts loaded with it),
then queues what was not queued before; each commits on its own, so one that fails leaves
the others' messages in place.

- work due tomorrow: one message per client and due date, for open work (not submitted,
  completed or withdrawn);
- overdue work: one message per client and due date, once the date has passed (for work
  that fell due within ``OVERDUE_WITHIN``, so a first run does not dig up old work);
- session reminders: to each client attending a session (not cancelled) that starts within
  ``SESSION_AHEAD``, with an .ics calendar entry; a moved session is reminded again;
- the counselor's daily digest: counts only, and only when something waits;
- check-ins due: one message per client and due date, on the due day in the client's own
  time zone (or up to ``OVERDUE_WITHIN`` later while none is given), from
  ``MAIL_REMINDER_HOUR`` of the client's own day.

The day-based ones (due, overdue, digest) wait until ``MAIL_REMINDER_HOUR`` in the
practice's time zone: nobody needs "due tomorrow" at one in the morning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import click
from flask import current_app
from sqlalchemy import func, literal, select
from sqlalchemy.orm import contains_eager, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..assignments import queries, status
from ..clock import practice_zone
from ..extensions import db
from ..models import (
    Assignment,
    Client,
    CounselingSession,
    MailPreference,
    OutboxMessage,
    Revision,
    SessionAttendee,
    User,
    UTCDateTime,
    utcnow,
)
from ..pathway import stages
from ..session_log.queries import SIGN_WITHIN, local_midnight
from . import messages

SESSION_AHEAD = timedelta(hours=24)
OVERDUE_WITHIN = timedelta(days=7)
# A first digest (or one after the kind was off) counts submissions this far back.
FIRST_DIGEST_SINCE = timedelta(days=1)


@dataclass(frozen=True)
class Run:
    now: datetime
    today: date
    local_hour: int

    @classmethod
    def at(cls, now: datetime) -> Run:
        local = now.astimezone(practice_zone())
        return cls(now=now, today=local.date(), local_hour=local.hour)

    @property
    def daytime(self) -> bool:
        """Whether the day's reminders may go (from MAIL_REMINDER_HOUR, practice time)."""
        return self.local_hour >= current_app.config["MAIL_REMINDER_HOUR"]


def _queued(keys: Iterable[str]) -> set[str]:
    """The keys among ``keys`` that are in the outbox already (one statement): a second
    run renders nothing for them."""
    keys = list(keys)
    if not keys:
        return set()
    return set(db.session.scalars(select(OutboxMessage.dedupe_key)
                                  .where(OutboxMessage.dedupe_key.in_(keys))))


def _known(client: Client) -> Client:
    """Tell the client's account whose client it is (loaded with it), so queue() asking
    for the client's safety setting costs no statement."""
    set_committed_value(client.user, "client", client)
    return client


def _clients_with_work(condition) -> dict[tuple[int, date], Client]:
    """(client id, due date) -> client (with their account) for open work matching
    ``condition``, in one statement. Work in a locked stage cannot be started, so it is
    never reminded."""
    rows = db.session.execute(
        select(Client, Assignment.due_date).join(Assignment, Assignment.client_id == Client.id)
        .join(Client.user)
        .where(condition, Assignment.status.in_(status.OPEN), User.active.is_(True),
               ~stages.locked_stage())
        .distinct().options(contains_eager(Client.user))
        .order_by(Client.id, Assignment.due_date)).all()
    return {(client.id, due): _known(client) for client, due in rows}


def work_due(run: Run) -> int:
    """Open work due tomorrow (practice time): one message per client."""
    if not run.daytime:
        return 0
    due = run.today + timedelta(days=1)
    found = _clients_with_work(Assignment.due_date == due)
    keys = {key: f"work_due:{client.id}:{due.isoformat()}" for key, client in found.items()}
    done = _queued(keys.values())
    return sum(1 for key, client in found.items() if keys[key] not in done
               and messages.work_due(client.user, due, keys[key]))


def work_overdue(run: Run) -> int:
    """Open work whose due date has passed: once per client and due date."""
    if not run.daytime:
        return 0
    found = _clients_with_work((Assignment.due_date < run.today)
                               & (Assignment.due_date >= run.today - OVERDUE_WITHIN))
    keys = {key: f"work_overdue:{key[0]}:{key[1].isoformat()}" for key in found}
    done = _queued(keys.values())
    return sum(1 for (client_id, due), client in found.items()
               if keys[client_id, due] not in done
               and messages.work_overdue(client.user, due, keys[client_id, due]))


def session_reminders(run: Run) -> int:
    """Sessions starting within a day, not cancelled: each attending client, with an .ics.
    The key holds the start time, so a session moved to another time is reminded again."""
    sessions = db.session.scalars(
        select(CounselingSession)
        .where(CounselingSession.cancelled_at.is_(None),
               CounselingSession.starts_at > run.now,
               CounselingSession.starts_at <= run.now + SESSION_AHEAD)
        .options(load_only(CounselingSession.id, CounselingSession.starts_at,
                           CounselingSession.duration_minutes, CounselingSession.format,
                           CounselingSession.version, CounselingSession.cancelled_at),
                 selectinload(CounselingSession.attendees).joinedload(SessionAttendee.client)
                 .joinedload(Client.user))
        .order_by(CounselingSession.starts_at, CounselingSession.id)).all()
    wanted = [(session, _known(attendee.client), f"session_reminder:{session.id}:"
               f"{attendee.client_id}:{session.starts_at:%Y%m%dT%H%MZ}")
              for session in sessions for attendee in session.attendees]
    done = _queued(key for _, _, key in wanted)
    return sum(1 for session, client, key in wanted if key not in done
               and messages.session_reminder(client.user, session, key))


def _per_counselor(statement) -> dict[int, int]:
    return dict(db.session.execute(statement).all())


def digest_counts(run: Run) -> dict[int, list[tuple[str, int]]]:
    """Each active counselor's counts for the digest, in six statements for the practice:
    work waiting for review, overdue work, sessions today, sessions waiting to be signed,
    and, for those who chose to get submissions in the digest, how many came in since
    their previous digest. Empty lists are left out."""
    counselors = db.session.scalars(select(User.id).where(
        User.role == "counselor", User.active.is_(True))).all()
    on_caseload = select(Client.counselor_id, func.count(Assignment.id)).join(
        Assignment, Assignment.client_id == Client.id).group_by(Client.counselor_id)
    waiting = _per_counselor(on_caseload.where(Assignment.status == "submitted"))
    overdue = _per_counselor(on_caseload.where(queries.is_overdue(run.today)))
    in_sessions = select(CounselingSession.counselor_id, func.count(CounselingSession.id)).where(
        CounselingSession.cancelled_at.is_(None)).group_by(CounselingSession.counselor_id)
    today = _per_counselor(in_sessions.where(
        CounselingSession.starts_at >= local_midnight(run.today),
        CounselingSession.starts_at < local_midnight(run.today + timedelta(days=1))))
    unsigned = _per_counselor(in_sessions.where(
        CounselingSession.signed_at.is_(None),
        CounselingSession.starts_at < run.now - SIGN_WITHIN))
    in_digest = set(db.session.scalars(select(MailPreference.user_id).where(
        MailPreference.kind == "work_submitted", MailPreference.setting == "digest")))
    previous = (select(OutboxMessage.user_id, func.max(OutboxMessage.created_at).label("at"))
                .where(OutboxMessage.kind == "daily_digest").group_by(OutboxMessage.user_id)
                .subquery())
    since = func.coalesce(previous.c.at, literal(run.now - FIRST_DIGEST_SINCE, UTCDateTime))
    submitted = _per_counselor(
        select(Client.counselor_id, func.count(Revision.id))
        .join(Assignment, Assignment.client_id == Client.id)
        .join(Revision, Revision.assignment_id == Assignment.id)
        .outerjoin(previous, previous.c.user_id == Client.counselor_id)
        .where(Revision.submitted_at > since, Revision.submitted_at <= run.now)
        .group_by(Client.counselor_id)) if in_digest else {}
    counts = {}
    for counselor_id in counselors:
        lines = [("Work waiting for your review", waiting.get(counselor_id, 0)),
                 ("Overdue assignments", overdue.get(counselor_id, 0)),
                 ("Sessions today", today.get(counselor_id, 0)),
                 ("Sessions waiting to be signed", unsigned.get(counselor_id, 0))]
        if counselor_id in in_digest:
            lines.append(("Work sent to you since the last digest",
                          submitted.get(counselor_id, 0)))
        if any(n for _, n in lines):
            counts[counselor_id] = lines
    return counts


def daily_digest(run: Run) -> int:
    """Each counselor's morning digest (counts only), when something waits for them."""
    if not run.daytime:
        return 0
    counts = digest_counts(run)
    keys = {counselor_id: f"daily_digest:{counselor_id}:{run.today.isoformat()}"
            for counselor_id in counts}
    done = _queued(keys.values())
    wanted = [i for i in counts if keys[i] not in done]
    if not wanted:
        return 0
    counselors = db.session.scalars(select(User).where(User.id.in_(wanted))
                                    .order_by(User.id)).all()
    return sum(1 for counselor in counselors
               if messages.daily_digest(counselor, counts[counselor.id], keys[counselor.id]))


def checkin_due(run: Run) -> int:
    """A check-in due (or missed within ``OVERDUE_WITHIN``) in the client's own day: once
    per client and due date, from MAIL_REMINDER_HOUR where the client lives. The message
    says only that a short check-in is due."""
    from .. import checkins

    wanted = []
    for schedule, latest in checkins.schedules_with_latest():
        client = schedule.client
        local = checkins.client_now(client, run.now)
        due = checkins.due_state(schedule, latest, local.date())
        if (due.needs_one and due.next_due >= local.date() - OVERDUE_WITHIN
                and local.hour >= current_app.config["MAIL_REMINDER_HOUR"]):
            wanted.append((_known(client), due.next_due, local.date(),
                           f"checkin_due:{client.id}:{due.next_due.isoformat()}"))
    done = _queued(key for *_, key in wanted)
    return sum(1 for client, due, today, key in wanted if key not in done
               and messages.checkin_due(client.user, due, key, due_today=due == today))


@dataclass(frozen=True)
class Reminder:
    name: str
    queue: Callable[[Run], int]


# Every reminder, in the order they run. A new one is a function of the run and a line here.
REMINDERS: tuple[Reminder, ...] = (
    Reminder("work_due", work_due),
    Reminder("work_overdue", work_overdue),
    Reminder("session_reminder", session_reminders),
    Reminder("daily_digest", daily_digest),
    Reminder("checkin_due", checkin_due),
)


def remind(now: datetime | None = None) -> dict[str, int | None]:
    """Queue every reminder that is due; returns how many each queued (None: it failed,
    and the log says why). Each reminder commits on its own."""
    run = Run.at(now or utcnow())
    counts: dict[str, int | None] = {}
    for reminder in REMINDERS:
        try:
            counts[reminder.name] = reminder.queue(run)
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("The %s reminders failed", reminder.name)
            counts[reminder.name] = None
    return counts


@click.command("remind")
def remind_command():
    """Queue the reminders that are due: work due tomorrow, overdue work, sessions in the
    next 24 hours (with a calendar entry), the counselors' daily digest and check-ins due.
    Safe to run as often as you like, even twice at once: nothing is queued twice. Run
    hourly from cron."""
    counts = remind()
    for name, count in counts.items():
        click.echo(f"{name}: {'failed (see the log)' if count is None else f'{count} queued'}")
    if not Run.at(utcnow()).daytime:
        click.echo(f"(Work due, overdue work and the digest wait until "
                   f"{current_app.config['MAIL_REMINDER_HOUR']:02d}:00, practice time.)")
    if None in counts.values():
        raise click.ClickException("Some reminders failed; the others were queued.")
