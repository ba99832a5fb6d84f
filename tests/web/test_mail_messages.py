"""The messages queued by the operations that cause them (invitation, new work, review sent,
work submitted), delivered through a real SMTP server on loopback: who gets each one (the
client's safety setting and everyone's choices included), and that none holds anything
clinical, tried on the whole demo practice."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from counsel.assignments import operations
from counsel.clients import operations as clients
from counsel.clock import practice_today, practice_zone
from counsel.extensions import db
from counsel.models import (
    Addendum,
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CheckIn,
    Commitment,
    CommitmentFollowUp,
    CounselingSession,
    Draft,
    Exercise,
    JournalEntry,
    MailPreference,
    OutboxMessage,
    PlanItem,
    Review,
    ReviewComment,
    Revision,
    SafetyScreening,
    Tracker,
    TrackerDay,
    User,
)
from counsel.notifications import messages, reminders
from counsel.session_log import operations as session_operations

from .. import factories
from ..mail_server import SMTPServer
from .mail_helpers import deliver_outbox

BASE = "https://counsel.example.org"
SUBJECT = "An update from your counselor's practice"


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.config | {"BASE_URL": BASE}


def only(server, address):
    found = server.messages_to(address)
    assert len(found) == 1, [m["Subject"] for m in found]
    return found[0]


def text_of(message) -> str:
    return SMTPServer.text_of(message) + "\n" + str(message["Subject"])


def submitted(client, due_in=None):
    assignment = operations.assign(client.counselor, client, factories.ExerciseFactory(
        owner=client.counselor), due_date=practice_today() + timedelta(days=due_in)
        if due_in is not None else None, note=None)
    db.session.flush()
    revision = operations.submit(client.user, assignment, ["An answer.", "Another."], None)
    db.session.commit()
    return assignment, revision


# --- each kind, to whom ----------------------------------------------------------------------

def test_a_new_client_gets_their_invitation_link_and_it_works(app, people, smtp_server, client):
    added, token = clients.add_client(people["counselor"], name="Robin Vale",
                                      email="robin@example.org")
    db.session.commit()
    assert deliver_outbox() == 1
    message = only(smtp_server, "robin@example.org")
    body = text_of(message)
    link = f"{BASE}/invitation/{token}"
    assert link in body and "within 7 days" in body
    assert message["Subject"] == SUBJECT and "Your counselor has invited you" in body
    assert "Robin" not in body
    assert client.get(link.removeprefix(BASE)).status_code == 200


def test_a_new_link_for_someone_with_a_password_says_it_is_a_new_link(app, people, auth,
                                                                      smtp_server, client):
    auth.login(people["counselor"])
    response = client.post(f"/clients/{people['alex'].id}/invitation")
    assert response.status_code == 200
    deliver_outbox()
    body = text_of(only(smtp_server, "alex@example.org"))
    assert "Here is a new link to set your password" in body
    assert "/invitation/" in body and "invited you" not in body


def test_a_counselor_invited_by_the_admin_gets_words_for_a_counselor(app, people, smtp_server):
    from counsel.auth import invitations

    counselor = factories.CounselorFactory(email="new.counselor@example.org", password_hash=None)
    invitations.issue(people["admin"], counselor)
    db.session.commit()
    deliver_outbox()
    body = text_of(only(smtp_server, "new.counselor@example.org"))
    assert "An account has been made for you" in body and "Your counselor" not in body


def test_a_password_reset_link_is_not_sent_as_an_invitation(app, people):
    from counsel.auth import invitations

    invitations.issue_reset(people["alex"].user)
    db.session.commit()
    assert not db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "invitation")).all()


def test_new_work_its_submission_and_the_review_each_tell_the_right_person(
        app, people, smtp_server):
    alex, counselor = people["alex"], people["counselor"]
    due = practice_today() + timedelta(days=3)
    assignment, revision = submitted(alex, due_in=3)
    operations.send_review(counselor, revision, overall_comment="Well done.", rubric=None,
                           decision="accept")
    db.session.commit()
    assert deliver_outbox() == 3
    new_work, reviewed = smtp_server.messages_to("alex@example.org")
    assert f"due {due:%A} {due.day} {due:%B}" in text_of(new_work)
    assert "given you something new" in text_of(new_work)
    assert "responded to work you sent" in text_of(reviewed)
    assert {new_work["Subject"], reviewed["Subject"]} == {SUBJECT}
    to_counselor = only(smtp_server, counselor.email)
    assert to_counselor["Subject"] == "Work is waiting for your review"
    assert f"{BASE}/dashboard/" in text_of(to_counselor)
    for message in (new_work, reviewed):
        assert f"{BASE}/my/" in text_of(message)
        assert "/unsubscribe/" in text_of(message)
    assert "Well done" not in text_of(reviewed) and assignment.title not in text_of(new_work)


def test_work_given_in_a_session_tells_the_client(app, people, smtp_server):
    alex, counselor = people["alex"], people["counselor"]
    case = factories.CaseFactory(counselor=counselor, partners=[alex])
    session = factories.CounselingSessionFactory(case=case)
    db.session.commit()
    session_operations.assign_in_session(counselor, session, alex, factories.ExerciseFactory(
        owner=counselor), due_date=None, note="Private words for the note.")
    db.session.commit()
    deliver_outbox()
    body = text_of(only(smtp_server, "alex@example.org"))
    assert "given you something new" in body and "Private words" not in body


def test_a_rolled_back_change_sends_nothing(app, people):
    alex = people["alex"]
    operations.assign(alex.counselor, alex, factories.ExerciseFactory(owner=alex.counselor),
                      due_date=None, note=None)
    db.session.rollback()
    assert not db.session.scalars(select(OutboxMessage)).all()


def test_a_safe_address_gets_the_mail_and_no_email_sends_nothing(app, people, smtp_server):
    alex, sam = people["alex"], people["sam"]
    alex.mail_safety, alex.safe_email = "safe_address", "alex.safe@example.net"
    sam.mail_safety = "none"
    db.session.commit()
    for client in (alex, sam):
        submitted(client)
    assert deliver_outbox() == 3  # alex's new work, and the counselor's two submissions
    assert only(smtp_server, "alex.safe@example.net")
    assert not smtp_server.messages_to("alex@example.org")
    assert not smtp_server.messages_to("sam@example.org")
    assert len(smtp_server.messages_to("counselor@example.org")) == 2


def test_a_kind_turned_off_is_not_sent_and_others_still_are(app, people, smtp_server):
    alex, counselor = people["alex"], people["counselor"]
    db.session.add_all([MailPreference(user_id=alex.user.id, kind="assignment_new",
                                       setting="off"),
                        MailPreference(user_id=counselor.id, kind="work_submitted",
                                       setting="off")])
    db.session.commit()
    _, revision = submitted(alex)
    operations.send_review(counselor, revision, overall_comment=None, rubric=None,
                           decision="accept")
    db.session.commit()
    assert deliver_outbox() == 1
    assert "responded to work" in text_of(only(smtp_server, "alex@example.org"))
    assert not smtp_server.messages_to("counselor@example.org")


def test_submissions_in_the_digest_are_counted_there_not_sent_at_once(app, people, smtp_server):
    alex, counselor = people["alex"], people["counselor"]
    db.session.add(MailPreference(user_id=counselor.id, kind="work_submitted",
                                  setting="digest"))
    db.session.commit()
    morning = datetime.combine(practice_today() + timedelta(days=1), time(9),
                               practice_zone()).astimezone(UTC)
    # The evening before (whatever time of day the test runs): the first digest counts the
    # last 24 hours.
    with time_machine.travel(morning - timedelta(hours=12), tick=False):
        submitted(alex)
        submitted(people["sam"])
    assert not db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "work_submitted")).all()
    with time_machine.travel(morning, tick=False):
        reminders.remind()
        deliver_outbox()
    digest = text_of(only(smtp_server, "counselor@example.org"))
    assert "Work sent to you since the last digest: 2" in digest
    assert "Work waiting for your review: 2" in digest
    with time_machine.travel(morning + timedelta(days=1), tick=False):
        submitted(alex)
        reminders.remind()
        deliver_outbox()
    later = text_of(smtp_server.messages_to("counselor@example.org")[-1])
    assert "Work sent to you since the last digest: 1" in later


def test_the_templates_escape_what_they_are_given(app, people):
    """Nothing a person types reaches a message, but the practice's name does: in HTML
    it is escaped."""
    app.config["PRACTICE_NAME"] = "<b>Harbor</b> & Co"
    row = messages.assignment_given(operations.assign(
        people["counselor"], people["alex"], factories.ExerciseFactory(
            owner=people["counselor"]), due_date=None, note=None))
    assert "&lt;b&gt;Harbor&lt;/b&gt; &amp; Co" in row.html_body
    assert "<b>Harbor</b> & Co" in row.text_body


# --- nothing clinical, on the whole demo practice --------------------------------------------

def clinical_texts() -> list[str]:
    """Every piece of clinical or counselor-typed text in the database."""
    found: list[str] = []

    def add(values):
        for value in values:
            if isinstance(value, list):
                add(value)
            elif value:
                found.append(value)

    for columns in ((Revision.answers,), (Draft.answers,),
                    (ReviewComment.body, ReviewComment.quote), (Review.overall_comment,),
                    (Assignment.title, Assignment.instructions, Assignment.purpose,
                     Assignment.note, Assignment.prompts, Assignment.contact_reason),
                    (Exercise.title, Exercise.instructions, Exercise.purpose),
                    (CounselingSession.shared_summary, CounselingSession.private_notes,
                     CounselingSession.agenda, CounselingSession.perspectives,
                     CounselingSession.acknowledged, CounselingSession.next_steps),
                    (Agreement.text,), (AgreementFollowUp.note,), (Addendum.body,),
                    (SafetyScreening.note,), (Case.name, Case.safety_reason),
                    (CheckIn.note,), (Tracker.exceptions,),
                    (TrackerDay.note, TrackerDay.reflection),
                    (PlanItem.what, PlanItem.place, PlanItem.reflection),
                    (Commitment.text,), (CommitmentFollowUp.note,),
                    (JournalEntry.memory, JournalEntry.meant_then, JournalEntry.means_now)):
        for row in db.session.execute(select(*columns)):
            add(row)
    return found


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def leaks(clinical: list[str], message: str) -> list[str]:
    """Clinical texts of which a run of five words (or the whole, if shorter) is in the
    message."""
    said = " " + " ".join(words(message)) + " "
    found = []
    for text in clinical:
        parts = words(text)
        runs = [parts] if len(parts) < 5 else [parts[i:i + 5] for i in range(len(parts) - 4)]
        if any(f" {' '.join(run)} " in said for run in runs if run):
            found.append(text)
    return found


def test_no_message_of_the_demo_practice_holds_anything_clinical(app, runner, smtp_server):
    assert runner.invoke(args=["demo", "--password", "demo password 123"]).exit_code == 0
    counselor = db.session.scalars(select(User).where(
        User.email == "counselor@example.com")).one()
    clients.add_client(counselor, name="Robin Vale", email="robin@example.com")
    db.session.commit()
    # The demo's dates are from today: looking inward is due in three days, the joint
    # session is a week ahead at 18:00. Remind on the morning two days on (work due
    # tomorrow, overdue work, the digest), then six days on at 19:00 (the session).
    today = practice_today()
    for days, hour in ((2, 9), (6, 19)):
        moment = datetime.combine(today + timedelta(days=days), time(hour),
                                  practice_zone()).astimezone(UTC)
        with time_machine.travel(moment, tick=False):
            reminders.remind()
    assert deliver_outbox() > 0
    kinds = {row.kind for row in db.session.scalars(select(OutboxMessage))}
    assert kinds == {"invitation", "assignment_new", "review_sent", "work_submitted",
                     "work_due", "work_overdue", "session_reminder", "daily_digest",
                     "checkin_due"}

    clinical = clinical_texts()
    assert any("stopped listening" in t for t in clinical)  # the demo's letter is there
    assert any("Sunday" in t for t in clinical)  # and its agreements
    assert any("Sam's birthday" in t for t in clinical)  # and the tracker's days
    names = {u.email: u.name for u in db.session.scalars(select(User))}
    alex, sam = names["alex@example.com"], names["sam@example.com"]
    partner = {"alex@example.com": sam, "sam@example.com": alex}
    assert smtp_server.received
    for recipients, message in smtp_server.received:
        body = text_of(message)
        assert not leaks(clinical, body), (message["Subject"], leaks(clinical, body))
        for address in recipients:
            if address in partner:
                other_first, other_last = partner[address].split()
                assert not re.search(rf"\b({other_first}|{other_last})\b", body), body
        # No one's name at all: the messages greet no one and name no client.
        for name in names.values():
            assert name not in body
    reminded = [m for _, m in smtp_server.received if m.get_content_type() == "multipart/mixed"]
    assert {tuple(r) for r, m in smtp_server.received
            if m.get_content_type() == "multipart/mixed"} == {("alex@example.com",),
                                                              ("sam@example.com",)}
    for message in reminded:
        ics = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert len(ics) == 1
        assert "SUMMARY:Appointment" in ics[0].get_content()

