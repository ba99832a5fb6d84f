"""``flask --app counsel remind``: work due tomorrow and overdue (practice time, open work
only), session reminders with a calendar entry, the counselors' digest; idempotent, also
twice at once; a handful of statements whatever the size of the practice."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import time_machine
from sqlalchemy import event, func, select

from counsel.assignments import operations
from counsel.config import ConfigError
from counsel.extensions import db
from counsel.models import Assignment, CounselingSession, OutboxMessage, SessionAttendee
from counsel.notifications import reminders
from counsel.session_log import operations as session_operations

from .. import factories
from ..conftest import make_config
from ..mail_server import SMTPServer
from .mail_helpers import deliver_outbox

LONDON = "Europe/London"


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.config | {"BASE_URL": "https://counsel.example.org"}


def at(day: date, hour: int, minute: int = 0, zone: str = LONDON) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def outbox(kind=None):
    statement = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    return db.session.scalars(statement).all()


def work(client, due: date | None, state="assigned"):
    assignment = factories.AssignmentFactory(client=client, due_date=due, _status=state)
    db.session.commit()
    return assignment


DAY = date(2026, 12, 8)  # a Tuesday


# --- work due and overdue --------------------------------------------------------------------

def test_work_due_tomorrow_is_reminded_once_per_client_however_often_remind_runs(
        app, people, runner, smtp_server):
    alex, sam = people["alex"], people["sam"]
    for _ in range(2):
        work(alex, DAY + timedelta(days=1))
    work(sam, DAY + timedelta(days=2))
    with time_machine.travel(at(DAY, 9), tick=False):
        first = runner.invoke(args=["remind"])
        second = runner.invoke(args=["remind"])
    assert first.exit_code == 0, first.output
    assert "work_due: 1 queued" in first.output and "work_due: 0 queued" in second.output
    with time_machine.travel(at(DAY, 22), tick=False):
        assert reminders.remind()["work_due"] == 0
    deliver_outbox()
    message = SMTPServer.text_of(smtp_server.messages_to("alex@example.org")[0])
    assert "you have work due tomorrow, Wednesday 9 December" in message
    assert not smtp_server.messages_to("sam@example.org")
    assert [m.dedupe_key for m in outbox()] == [f"work_due:{alex.id}:2026-12-09"]


def test_tomorrow_is_the_practice_s_tomorrow(app, people):
    """At 23:30 UTC on the 8th it is already the 9th in Auckland: due tomorrow is the 10th."""
    app.config["PRACTICE_TIMEZONE"] = "Pacific/Auckland"
    alex, sam = people["alex"], people["sam"]
    work(alex, DAY + timedelta(days=1))
    work(sam, DAY + timedelta(days=2))
    with time_machine.travel(datetime(2026, 12, 8, 23, 30, tzinfo=UTC), tick=False):
        assert reminders.remind()["work_due"] == 1
    assert [m.user_id for m in outbox("work_due")] == [sam.user.id]
    assert "Thursday 10 December" in outbox("work_due")[0].text_body


def test_only_open_work_is_reminded(app, people):
    alex = people["alex"]
    for state in ("submitted", "completed", "withdrawn"):
        work(alex, DAY + timedelta(days=1), state)
        work(alex, DAY - timedelta(days=1), state)
    with time_machine.travel(at(DAY, 9), tick=False):
        counts = reminders.remind()
    assert counts["work_due"] == counts["work_overdue"] == 0
    for state in ("in_progress", "revision_requested"):
        work(people["sam"], DAY + timedelta(days=1), state)
    with time_machine.travel(at(DAY, 10), tick=False):
        assert reminders.remind()["work_due"] == 1


def test_overdue_work_is_reminded_once_per_due_date(app, people, smtp_server):
    alex = people["alex"]
    late = work(alex, DAY - timedelta(days=1))
    work(alex, DAY - timedelta(days=30))  # long overdue: a first run does not dig it up
    with time_machine.travel(at(DAY, 9), tick=False):
        assert reminders.remind()["work_overdue"] == 1
    with time_machine.travel(at(DAY + timedelta(days=1), 9), tick=False):
        assert reminders.remind()["work_overdue"] == 0
    late.due_date = DAY + timedelta(days=2)  # the counselor gave more time; still late
    db.session.commit()
    with time_machine.travel(at(DAY + timedelta(days=3), 9), tick=False):
        assert reminders.remind()["work_overdue"] == 1
    deliver_outbox()
    texts = [SMTPServer.text_of(m) for m in smtp_server.messages_to("alex@example.org")]
    assert ["Monday 7 December" in texts[0], "Thursday 10 December" in texts[1]] == [True, True]
    assert "no penalty for being late" in texts[0]


def test_the_day_s_reminders_wait_for_the_morning(app, people, runner):
    work(people["alex"], DAY + timedelta(days=1))
    with time_machine.travel(at(DAY, 7, 59), tick=False):
        result = runner.invoke(args=["remind"])
    assert "work_due: 0 queued" in result.output and "wait until 08:00" in result.output
    with time_machine.travel(at(DAY, 8), tick=False):
        assert reminders.remind()["work_due"] == 1


def test_the_reminder_hour_must_be_an_hour(database):
    from counsel import create_app

    for bad in (24, -1, "8", True):
        with pytest.raises(ConfigError, match="MAIL_REMINDER_HOUR"):
            create_app(make_config(database(), MAIL_REMINDER_HOUR=bad))


# --- sessions --------------------------------------------------------------------------------

def couple_session(people, starts_at, **fields):
    alex, sam = people["alex"], people["sam"]
    alex.user.name, sam.user.name = "Alex Rivera", "Sam Okafor"
    case = factories.CaseFactory(counselor=people["counselor"], partners=[alex, sam],
                                 name="Rivera and Okafor, trust after the affair")
    session = CounselingSession(case=case, counselor=people["counselor"], starts_at=starts_at,
                                duration_minutes=60, format="video", type="joint",
                                attendees=[SessionAttendee(client=alex),
                                           SessionAttendee(client=sam)], **fields)
    db.session.add(session)
    db.session.commit()
    return session


def test_each_attendee_is_reminded_a_day_ahead_with_a_calendar_entry(app, people, smtp_server):
    now = at(DAY, 20)
    session = couple_session(people, now + timedelta(hours=23),
                             agenda="Talk about the affair and the money",
                             private_notes="Sam fears Alex's temper")
    couple_session(people, now + timedelta(hours=25))  # more than a day ahead
    couple_session(people, now + timedelta(hours=2), cancelled_at=now)  # cancelled
    couple_session(people, now - timedelta(hours=1))  # started already
    with time_machine.travel(now, tick=False):
        assert reminders.remind()["session_reminder"] == 2
        assert reminders.remind()["session_reminder"] == 0
    deliver_outbox()
    for address, other in (("alex@example.org", ("Sam", "Okafor")),
                           ("sam@example.org", ("Alex", "Rivera"))):
        (message,) = smtp_server.messages_to(address)
        body = SMTPServer.text_of(message)
        assert "Wednesday 9 December at 19:00 (GMT) (60 minutes, video)" in body
        for word in (*other, "affair", "temper", "money", "Rivera and Okafor"):
            assert word not in body + str(message["Subject"])
        (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_filename() == "appointment.ics"
        calendar = icalendar.Calendar.from_ical(part.get_content())
        (entry,) = calendar.walk("VEVENT")
        assert str(entry["SUMMARY"]) == "Appointment"
        assert entry.decoded("DTSTART") == session.starts_at
        assert entry.decoded("DTSTART").utcoffset() == timedelta(0)
        assert entry.decoded("DTEND") - entry.decoded("DTSTART") == timedelta(minutes=60)
        assert str(entry["UID"]) == f"appointment-{session.id}@counsel.example.org"
        assert set(entry) <= {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION",
                              "STATUS", "SEQUENCE"}
        assert "DESCRIPTION" not in entry and "ATTENDEE" not in entry


def test_a_moved_session_is_reminded_again_under_the_same_calendar_uid(app, people):
    now = at(DAY, 20)
    session = couple_session(people, now + timedelta(hours=20))
    with time_machine.travel(now, tick=False):
        reminders.remind()
        session_operations.update_session(
            people["counselor"], session, starts_at=session.starts_at + timedelta(hours=2),
            duration_minutes=50, format="in_person", type="joint",
            attendee_ids=[people["alex"].id, people["sam"].id], texts={},
            confirm_screening=True)
        db.session.commit()
        assert reminders.remind()["session_reminder"] == 2
    sent = outbox("session_reminder")
    assert len(sent) == 4
    uids = {str(icalendar.Calendar.from_ical(m.ics).walk("VEVENT")[0]["UID"]) for m in sent}
    assert len(uids) == 1
    assert "in person" in sent[-1].text_body


def test_a_client_who_asked_for_no_email_gets_no_reminder(app, people, smtp_server):
    people["sam"].mail_safety = "none"
    people["alex"].mail_safety, people["alex"].safe_email = "safe_address", "a@safe.example"
    now = at(DAY, 20)
    couple_session(people, now + timedelta(hours=3))
    with time_machine.travel(now, tick=False):
        assert reminders.remind()["session_reminder"] == 1
    deliver_outbox()
    assert [m.to_address for m in outbox("session_reminder")] == ["a@safe.example"]
    assert len(smtp_server.messages_to("a@safe.example")) == 1
    assert not smtp_server.messages_to("alex@example.org")
    assert not smtp_server.messages_to("sam@example.org")


# --- the digest ------------------------------------------------------------------------------

def test_the_digest_counts_what_waits_and_is_skipped_when_nothing_does(app, people,
                                                                       smtp_server):
    counselor, other = people["counselor"], people["other_counselor"]
    alex = people["alex"]
    waiting = work(alex, None, "in_progress")
    operations.submit(alex.user, waiting, ["An answer.", "Two."], None)
    work(alex, DAY - timedelta(days=3))
    case = factories.CaseFactory(counselor=counselor, partners=[alex])
    for starts_at in (at(DAY, 15), at(DAY, 23, 30), at(DAY - timedelta(days=3), 10)):
        factories.CounselingSessionFactory(case=case, starts_at=starts_at)
    db.session.commit()
    with time_machine.travel(at(DAY, 8, 30), tick=False):
        assert reminders.remind()["daily_digest"] == 1
        assert reminders.remind()["daily_digest"] == 0
    deliver_outbox()
    digest = smtp_server.messages_to(counselor.email)[-1]
    body = SMTPServer.text_of(digest)
    for line in ("Work waiting for your review: 1", "Overdue assignments: 1",
                 "Sessions today: 2", "Sessions waiting to be signed: 1"):
        assert line in body
    assert "since the last digest" not in body  # submissions are sent at once for them
    assert len(outbox("daily_digest")) == 1
    assert ("What waits for you today:\n\n- Work waiting for your review: 1\n"
            "- Overdue assignments: 1\n- Sessions today: 2\n- Sessions waiting to be signed: 1"
            "\n\nYour dashboard: https://counsel.example.org/dashboard/\n\n") in \
        digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert not smtp_server.messages_to(other.email)  # nothing waits for the other counselor
    assert smtp_server.messages_to(counselor.email)[-1]["Subject"] == "What waits for you today"


# --- at scale, and at once -------------------------------------------------------------------

def practice_of(size: int, day: date):
    counselor = factories.CounselorFactory()
    for _ in range(size):
        alex, sam = (factories.ClientFactory(counselor=counselor) for _ in range(2))
        for client in (alex, sam):
            factories.AssignmentFactory(client=client, due_date=day + timedelta(days=1))
            factories.AssignmentFactory(client=client, due_date=day - timedelta(days=1))
        case = factories.CaseFactory(counselor=counselor, partners=[alex, sam])
        factories.CounselingSessionFactory(case=case, starts_at=at(day, 18))
    db.session.commit()


def statements_of(run) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_finding_what_is_due_takes_the_same_statements_for_any_practice(app):
    """A second run, when everything is queued, is the selection alone."""
    counts = []
    for size, day in ((1, DAY), (8, DAY + timedelta(days=10))):
        practice_of(size, day)
        with time_machine.travel(at(day, 9), tick=False):
            first = reminders.remind()
            counts.append(statements_of(reminders.remind))
        assert first["work_due"] == first["work_overdue"] == first["session_reminder"] \
            == 2 * size
        assert first["daily_digest"] >= 1
    assert counts[0] == counts[1] <= 20, counts


def test_two_runs_at_once_queue_each_message_once(app, people):
    for client in (people["alex"], people["sam"], people["jordan"]):
        work(client, DAY + timedelta(days=1))
        work(client, DAY - timedelta(days=1))
    couple_session(people, at(DAY, 18))
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(reminders.remind())
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    with time_machine.travel(at(DAY, 9), tick=False):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert not errors and len(results) == 2
    keys = db.session.scalars(select(OutboxMessage.dedupe_key)).all()
    assert len(keys) == len(set(keys)) == 3 + 3 + 2 + 2  # due, overdue, 2 sessions, 2 digests
    for name in ("work_due", "work_overdue", "session_reminder"):
        assert sum(r[name] or 0 for r in results) == {"session_reminder": 2}.get(name, 3), results
        assert None not in (r[name] for r in results), results


def test_a_failing_reminder_does_not_stop_the_others(app, people, runner, monkeypatch):
    work(people["alex"], DAY + timedelta(days=1))
    work(people["alex"], DAY - timedelta(days=1))

    def broken(run):
        factories.AssignmentFactory(client=people["sam"])  # rolled back with the failure
        raise RuntimeError("broken")

    monkeypatch.setattr(reminders, "REMINDERS", (
        reminders.Reminder("work_due", reminders.work_due),
        reminders.Reminder("broken", broken),
        reminders.Reminder("work_overdue", reminders.work_overdue)))
    with time_machine.travel(at(DAY, 9), tick=False):
        result = runner.invoke(args=["remind"])
    assert result.exit_code != 0
    assert "broken: failed" in result.output and "work_overdue: 1 queued" in result.output
    assert [m.kind for m in outbox()] == ["work_due", "work_overdue"]
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 2


@pytest.mark.parametrize("kind", ["work_due", "work_overdue", "session_reminder",
                                  "daily_digest"])
def test_a_reminder_turned_off_is_not_queued_and_the_others_are(app, people, kind):
    from counsel.models import MailPreference

    alex, counselor = people["alex"], people["counselor"]
    user = counselor if kind == "daily_digest" else alex.user
    db.session.add(MailPreference(user_id=user.id, kind=kind, setting="off"))
    work(alex, DAY + timedelta(days=1))
    work(alex, DAY - timedelta(days=1))
    couple_session(people, at(DAY, 18))
    with time_machine.travel(at(DAY, 9), tick=False):
        counts = reminders.remind()
    queued = {m.kind for m in outbox() if m.user_id == user.id}
    assert kind not in queued and counts[kind] == (1 if kind == "session_reminder" else 0)
    others = {"work_due", "work_overdue", "session_reminder"} - {kind}
    assert others <= {m.kind for m in outbox() if m.user_id == alex.user.id}


def test_work_in_a_locked_stage_is_not_reminded(app, people):
    """It cannot be started, so "due tomorrow" or "overdue" would only worry the client."""
    from counsel.models.progress import StageSetting

    alex = people["alex"]
    letter = work(alex, DAY + timedelta(days=1))
    work(alex, DAY - timedelta(days=1))
    db.session.add(StageSetting(client_id=alex.id, stage=letter.stage, locked=True,
                                updated_by_id=people["counselor"].id))
    db.session.commit()
    with time_machine.travel(at(DAY, 9), tick=False):
        counts = reminders.remind()
    assert counts["work_due"] == counts["work_overdue"] == 0
