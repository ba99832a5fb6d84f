"""Delivering the outbox through a real SMTP server on loopback (tests/mail_server.py):
a committed change's message arrives once, with both parts and the right headers, and its
bodies are cleared; a rolled-back change sends nothing; a server that is down, slow or busy
leaves the message queued for a later attempt (with backoff, up to MAIL_MAX_ATTEMPTS) and
raises nothing; a refused address fails at once while the run's other messages go; a
header that would hold a line break is refused; `flask --app counsel send-mail` says what
it did. Concurrent senders, the background paths and .eml files: test_mail_senders.py."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import MailPreference, OutboxMessage, utcnow
from counsel.notifications import background, delivery, kinds, outbox, tokens

from .. import factories
from ..servers import free_port

CONTEXT = {"portal_url": "https://counsel.example.org/portal", "due_date": "3 December"}


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.config


def queued(email: str, kind: str = "assignment_new", *, context=CONTEXT, **user) -> int:
    """A client with this address (and ``user``'s other fields), and one message to them,
    committed."""
    client = factories.ClientFactory(user__email=email, **{f"user__{k}": v
                                                           for k, v in user.items()})
    db.session.flush()
    message = outbox.queue(kind, client.user, context=context)
    db.session.commit()
    return message.id


def state(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def later(minutes: float):
    """The clock moved on, as between two cron runs."""
    return time_machine.travel(utcnow() + timedelta(minutes=minutes), tick=True)


def plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n").strip()


def html(message) -> str:
    return message.get_body(("html",)).get_content().replace("\r\n", "\n").strip()


def test_a_committed_message_arrives_once_with_both_parts_and_its_headers(app, smtp_server):
    first = queued("alex@example.org")
    reset = queued("sam@example.org", "password_reset",
                   context={"reset_url": "https://counsel.example.org/reset/tok3n",
                            "minutes": 60})
    rows = {i: state(i) for i in (first, reset)}
    bodies = {i: (r.text_body, r.html_body, r.message_id, r.user) for i, r in rows.items()}

    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed, counts.problem) == (2, 0, 0, None)
    assert smtp_server.connections == 1  # one connection for the run
    (got,) = smtp_server.messages_to("alex@example.org")
    (rcpt, _), _ = smtp_server.received
    assert rcpt == ["alex@example.org"]
    text, body_html, message_id, user = bodies[first]
    assert got["From"] == "counsel <no-reply@counsel.invalid>"
    assert got["To"] == "alex@example.org"
    assert got["Subject"] == app.config["MAIL_SUBJECT"]
    assert got["Message-ID"] == message_id and got["Date"]
    assert got["Auto-Submitted"] == "auto-generated"
    unsubscribe = tokens.unsubscribe_url(user, kinds.kind("assignment_new"))
    assert got["List-Unsubscribe"] == f"<{unsubscribe}>"
    # As mail clients read it: the link itself on the line, not RFC 2047 encoded words.
    head = smtp_server.raw[0].split(b"\r\n\r\n")[0]
    assert f"\r\nList-Unsubscribe: <{unsubscribe}>\r\n".encode() in head
    assert b"=?" not in head
    assert got["List-Unsubscribe-Post"] is None
    assert got.get_content_type() == "multipart/alternative"
    assert plain(got) == text.strip() and "due 3 December" in plain(got)
    assert html(got) == body_html.strip() and "<html" in html(got).lower()

    (reset_mail,) = smtp_server.messages_to("sam@example.org")
    assert reset_mail["Subject"] == "Your sign-in link"
    assert reset_mail["List-Unsubscribe"] is None  # asked for: no unsubscribe
    assert "https://counsel.example.org/reset/tok3n" in plain(reset_mail)

    for message_id in (first, reset):
        row = state(message_id)
        assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
        assert row.sent_at is not None
        # The outbox is not an archive, and the reset link is a credential.
        assert (row.text_body, row.html_body, row.ics) == (None, None, None)

    again = delivery.deliver_due()
    assert (again.sent, again.retry, again.failed) == (0, 0, 0)
    assert len(smtp_server.received) == 2


def test_the_message_is_plain_ascii_in_short_lines_for_any_mail_server(app, smtp_server):
    app.config.update(PRACTICE_NAME="Cabinet Éloïse — Genève",
                      MAIL_FROM="Cabinet Éloïse <bonjour@example.org>",
                      MAIL_SUBJECTS={"assignment_new": "Des nouvelles de votre thérapeute"})
    queued("alex@example.org")
    assert delivery.deliver_due().sent == 1
    raw = smtp_server.raw[0].decode("ascii")  # 7-bit: quoted-printable where needed
    head, _, body = raw.partition("\r\n\r\n")
    assert [line for line in body.split("\r\n") if len(line) > 76] == []
    ((_, got),) = smtp_server.received
    assert got["Subject"] == "Des nouvelles de votre thérapeute"
    assert got["From"] == "Cabinet Éloïse <bonjour@example.org>"
    assert "Cabinet Éloïse — Genève" in plain(got) and "Cabinet Éloïse" in html(got)


def test_a_session_reminder_carries_its_calendar_entry(app, smtp_server):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"
    client = factories.ClientFactory(user__email="alex@example.org")
    db.session.flush()
    message = outbox.queue("session_reminder", client.user, ics=ics, context={
        "when": "Tuesday 1 December, 10:00", "duration_minutes": 50, "format_label": "video"})
    db.session.commit()
    message_id = message.id
    assert delivery.deliver_due().sent == 1
    (got,) = smtp_server.messages_to("alex@example.org")
    assert got.get_content_type() == "multipart/mixed"
    assert "Tuesday 1 December" in plain(got) and "Tuesday 1 December" in html(got)
    (attachment,) = list(got.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "appointment.ics"
    assert attachment.get_content().replace("\r\n", "\n") == ics.replace("\r\n", "\n")
    assert state(message_id).ics is None


def test_a_rolled_back_change_sends_nothing(app, smtp_server):
    client = factories.ClientFactory(user__email="alex@example.org")
    db.session.commit()
    assert outbox.queue("assignment_new", client.user, context=CONTEXT) is not None
    db.session.rollback()
    assert db.session.scalars(select(OutboxMessage)).all() == []
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (0, 0, 0)
    assert smtp_server.received == []


def test_a_server_that_is_down_leaves_the_message_queued_until_it_is_back(app, smtp_server,
                                                                          caplog):
    smtp_server.stop()
    message_id = queued("alex@example.org")
    first = queued("sam@example.org")
    before = utcnow()
    counts = delivery.deliver_due()  # raises nothing
    assert (counts.sent, counts.retry, counts.failed, counts.problem) == (0, 1, 0, None)
    row = state(message_id)
    assert (row.status, row.attempts, row.last_error) == ("queued", 1,
                                                          "ConnectionRefusedError")
    assert before + timedelta(minutes=1) <= row.next_attempt_at \
        <= utcnow() + timedelta(minutes=1.1)
    assert row.text_body and row.html_body  # kept for the next attempt
    # The run stopped at the first message: the server is down for the others as well.
    assert (state(first).status, state(first).attempts) == ("queued", 0)

    smtp_server.start()
    # Not due yet (the other message is: it was never tried).
    assert delivery.deliver_due().sent == 1
    assert state(message_id).status == "queued"
    with later(minutes=2):
        counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (1, 0, 0)
    assert len(smtp_server.messages_to("alex@example.org")) == 1
    assert len(smtp_server.messages_to("sam@example.org")) == 1
    row = state(message_id)
    assert (row.status, row.attempts, row.text_body) == ("sent", 2, None)
    with later(minutes=30):
        assert delivery.deliver_due().sent == 0
    assert len(smtp_server.received) == 2
    assert "alex@example.org" not in caplog.text and "due 3 December" not in caplog.text


def test_waits_grow_and_a_message_is_given_up_after_the_last_attempt(app, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp_server.stop()
    message_id = queued("alex@example.org")
    waits = []
    for minutes in (0, 2, 5):
        with later(minutes):
            start = utcnow()
            delivery.deliver_due()
            waits.append(state(message_id).next_attempt_at - start)
    assert timedelta(minutes=1) <= waits[0] <= timedelta(minutes=1.11)
    assert timedelta(minutes=2) <= waits[1] <= timedelta(minutes=2.21)
    row = state(message_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "ConnectionRefusedError (given up after 3 attempts)"
    assert (row.text_body, row.html_body) == (None, None)
    smtp_server.start()
    with later(minutes=60):
        assert delivery.deliver_due().sent == 0
    assert smtp_server.received == []


def test_the_wait_between_attempts_is_at_most_six_hours(app, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 30
    smtp_server.stop()
    message_id = queued("alex@example.org")
    state(message_id).attempts = 20
    db.session.commit()
    start = utcnow()
    assert delivery.deliver_due().retry == 1
    wait = state(message_id).next_attempt_at - start
    assert timedelta(hours=6) <= wait <= timedelta(hours=6.61)


def test_a_refused_address_fails_at_once_and_the_others_still_go(app, smtp_server, caplog):
    smtp_server.refused.add("gone@example.org")
    ids = [queued(a) for a in ("alex@example.org", "gone@example.org", "sam@example.org")]
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (2, 0, 1)
    gone = state(ids[1])
    assert (gone.status, gone.attempts) == ("failed", 1)
    assert gone.last_error == "SMTPRecipientsRefused 550"
    assert (gone.text_body, gone.html_body) == (None, None)
    assert [state(i).status for i in (ids[0], ids[2])] == ["sent", "sent"]
    assert smtp_server.connections == 1  # the refusal did not cost the connection
    with later(minutes=600):
        assert delivery.deliver_due().sent == 0
    assert smtp_server.messages_to("gone@example.org") == []
    assert len(smtp_server.received) == 2
    assert "gone@example.org" not in caplog.text


def test_the_counselor_sees_a_refused_address_on_the_clients_page(app, client, auth,
                                                                  smtp_server):
    smtp_server.refused.add("gone@example.org")
    first = queued("gone@example.org")
    gone = state(first).user.client
    delivery.deliver_due()
    auth.login(gone.counselor)
    notice = "was refused by their mail server: check the address with them"
    page = client.get(f"/clients/{gone.id}").text
    assert notice in page and "The last email to gone@example.org" in page
    # The counselor puts the address right; the next email is delivered: no notice.
    smtp_server.refused.clear()
    outbox.queue("review_sent", gone.user, context=CONTEXT)
    db.session.commit()
    assert delivery.deliver_due().sent == 1
    assert notice not in client.get(f"/clients/{gone.id}").text


def test_a_busy_mailbox_is_tried_again_later(app, smtp_server):
    smtp_server.deferred.add("busy@example.org")
    busy, other = queued("busy@example.org"), queued("alex@example.org")
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (1, 1, 0)
    row = state(busy)
    assert (row.status, row.last_error) == ("queued", "SMTPRecipientsRefused 451")
    assert state(other).status == "sent"
    smtp_server.deferred.clear()
    with later(minutes=2):
        assert delivery.deliver_due().sent == 1
    assert len(smtp_server.messages_to("busy@example.org")) == 1
    assert state(busy).status == "sent"


def test_a_server_slower_than_the_timeout_is_tried_again_later(app, smtp_server):
    app.config["MAIL_TIMEOUT_SECONDS"] = 1
    smtp_server.delay = 2
    slow, after = queued("alex@example.org"), queued("sam@example.org")
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (0, 1, 0)
    row = state(slow)
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "TimeoutError")
    assert state(after).attempts == 0  # the run did not wait on the slow server again
    smtp_server.delay = 0
    with later(minutes=2):
        assert delivery.deliver_due().sent == 2
    assert len(smtp_server.messages_to("alex@example.org")) == 1
    assert len(smtp_server.messages_to("sam@example.org")) == 1


def test_a_server_that_hangs_up_after_each_message_is_called_again(app, smtp_server):
    smtp_server.hang_up_after_each = True
    ids = [queued(f"person{n}@example.net") for n in range(3)]
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (3, 0, 0)
    assert smtp_server.connections == 3
    assert all(state(i).status == "sent" for i in ids)
    assert all(len(smtp_server.messages_to(f"person{n}@example.net")) == 1 for n in range(3))


def test_content_the_server_refuses_fails_at_once(app, smtp_server):
    smtp_server.reject_content = True
    message_id = queued("alex@example.org")
    assert delivery.deliver_due().failed == 1
    row = state(message_id)
    assert (row.status, row.last_error, row.text_body) == ("failed", "SMTPDataError 554", None)


def test_a_refused_sender_stops_the_run_and_is_tried_again(app, smtp_server):
    """The practice's sender address or account, not the message: the same for every
    message, so the run stops rather than spending every message's attempts."""
    smtp_server.refused_senders.add("no-reply@counsel.invalid")
    first, second = queued("alex@example.org"), queued("sam@example.org")
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (0, 1, 0)
    assert state(first).last_error == "SMTPSenderRefused 550"
    assert (state(second).status, state(second).attempts) == ("queued", 0)
    smtp_server.refused_senders.clear()
    with later(minutes=2):
        assert delivery.deliver_due().sent == 2


def test_an_unknown_mail_security_stops_the_run_and_loses_nothing(app, runner, smtp_server):
    app.config["MAIL_SECURITY"] = "ssl"
    message_id = queued("alex@example.org")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "(MAIL_SECURITY must be starttls, tls or none)" in result.output
    assert (state(message_id).status, state(message_id).attempts) == ("queued", 0)


@pytest.mark.parametrize("change", ["no email", "safe address", "turned off", "inactive"])
def test_a_message_the_person_no_longer_wants_is_not_sent(app, smtp_server, change):
    """A client who turns email off for their safety while a message waits for its next
    attempt (the server was down) gets nothing, and a safe address given since gets
    nothing meant for the old one."""
    smtp_server.stop()
    message_id = queued("alex@example.org")
    delivery.deliver_due()
    smtp_server.start()
    user = state(message_id).user
    if change == "no email":
        user.client.mail_safety = "none"
    elif change == "safe address":
        user.client.mail_safety, user.client.safe_email = "safe_address", "safe@example.org"
    elif change == "turned off":
        db.session.add(MailPreference(user_id=user.id, kind="assignment_new", setting="off"))
    else:
        user.active = False
    db.session.commit()
    with later(minutes=2):
        counts = delivery.deliver_due()
    assert (counts.sent, counts.failed) == (0, 1)
    row = state(message_id)
    assert (row.status, row.last_error) == ("failed", delivery.CHANGED)
    assert (row.text_body, row.html_body) == (None, None)
    assert smtp_server.received == []


def test_a_name_with_a_line_break_adds_no_header(app, smtp_server):
    """People's names are never put in a header: To is the bare address."""
    message_id = queued("alex@example.org", name="Alex\r\nBcc: evil@example.org")
    assert delivery.deliver_due().sent == 1
    ((rcpt, got),) = smtp_server.received
    assert rcpt == ["alex@example.org"]
    assert got["Bcc"] is None and got["To"] == "alex@example.org"
    assert not any("Alex" in str(value) or "evil" in str(value) for value in got.values())
    assert state(message_id).status == "sent"


@pytest.mark.parametrize(("field", "value", "error"), [
    ("subject", "News\r\nBcc: evil@example.org", "the Subject header would hold a line break"),
    ("subject", "News\r\n", "the Subject header would hold a line break"),
    ("subject", "News\nBcc: evil@example.org", "the Subject header would hold a line break"),
    ("to_address", "alex@example.org\r\nBcc: evil@example.org",
     "the To header would hold a line break"),
    ("to_address", "alex@example.org, evil@example.org", "the To header is not one valid"),
    ("to_address", "Evil <evil@example.org>", "the To header is not one valid"),
])
def test_a_header_that_would_hold_a_line_break_or_a_second_address_is_refused(
        app, smtp_server, field, value, error):
    """The forms refuse such an address; delivery refuses it again, whatever stored it."""
    if field == "to_address":
        bad = queued(value)
    else:
        bad = queued("alex@example.org")
        setattr(state(bad), field, value)
        db.session.commit()
    queued("sam@example.org")
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (1, 0, 1)
    row = state(bad)
    assert row.status == "failed" and row.last_error.startswith(f"Not sent: {error}")
    assert (row.text_body, row.html_body) == (None, None)
    assert [rcpt for rcpt, _ in smtp_server.received] == [["sam@example.org"]]
    assert all(m["Bcc"] is None for _, m in smtp_server.received)


def test_a_subject_the_practice_set_with_a_line_break_is_refused(app, smtp_server):
    app.config["MAIL_SUBJECTS"] = {"assignment_new": "Hello\r\nBcc: evil@example.org"}
    message_id = queued("alex@example.org")
    assert delivery.deliver_due().failed == 1
    assert state(message_id).last_error == "Not sent: the Subject header would hold a line break"
    assert smtp_server.received == []


def test_a_sender_that_stopped_mid_message_leaves_it_to_the_next_run(app, smtp_server):
    stale, fresh, spent = (queued(a) for a in ("alex@example.org", "sam@example.org",
                                                "jo@example.org"))
    for message_id, minutes, attempts in ((stale, 11, 1), (fresh, 1, 1), (spent, 11, 8)):
        row = state(message_id)
        row.status, row.claimed_by, row.attempts = "sending", "a-dead-sender", attempts
        row.claimed_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (1, 0, 1)
    assert (state(stale).status, state(stale).attempts) == ("sent", 2)
    assert state(fresh).status == "sending"  # still someone else's
    assert state(spent).status == "failed"
    assert state(spent).last_error == "Given up: the sender stopped while sending it"
    assert [rcpt for rcpt, _ in smtp_server.received] == [["alex@example.org"]]


def test_send_mail_prints_what_it_did(app, runner, smtp_server):
    smtp_server.refused.add("gone@example.org")
    for address in ("alex@example.org", "gone@example.org"):
        queued(address)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output == "Email: 1 sent, 0 to retry later, 1 failed.\n"
    smtp_server.stop()
    queued("sam@example.org")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output == "Email: 0 sent, 1 to retry later, 0 failed.\n"


def test_send_mail_without_a_database_says_so_and_raises_nothing(app, runner):
    from counsel import create_app

    from ..conftest import make_config

    broken = create_app(make_config(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"))
    counts = delivery.deliver_due(broken)
    assert counts.problem == "OperationalError" and counts.sent == 0
    with broken.app_context():  # as `flask` runs it
        result = broken.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "Delivering stopped early (OperationalError)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("mail_from", ["counsel <no-reply@example.org>\r\nBcc: evil@example.org",
                                       "one@example.org, two@example.org", "no address"])
def test_a_wrong_sender_address_stops_the_run_and_loses_nothing(app, runner, smtp_server,
                                                                 mail_from):
    app.config["MAIL_FROM"] = mail_from
    message_id = queued("alex@example.org")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "Delivering stopped early (MAIL_FROM must be one valid address" in result.output
    row = state(message_id)
    assert (row.status, row.attempts, row.last_error) == ("queued", 0, None)
    assert smtp_server.received == []
    app.config["MAIL_FROM"] = "The practice <hello@example.org>"
    assert delivery.deliver_due().sent == 1
    ((rcpt, got),) = smtp_server.received
    assert got["From"] == "The practice <hello@example.org>" and got["Bcc"] is None


def test_a_kick_never_fails_the_commit(app, smtp_server, monkeypatch, caplog):
    """Whatever goes wrong in starting delivery, the change is committed and its message
    waits in the outbox."""
    def broken(app):
        raise RuntimeError("no threads left")

    app.config["MAIL_AFTER_COMMIT"] = "thread"
    monkeypatch.setattr(background, "_thread_for", broken)
    message_id = queued("alex@example.org")
    assert state(message_id).status == "queued"
    assert "delivery could not be started now (RuntimeError)" in caplog.text
    assert delivery.deliver_due().sent == 1
