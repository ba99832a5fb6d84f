"""Who delivers the outbox, against a real SMTP server on loopback: two senders at once
(two threads with app contexts of their own, and two `flask --app counsel send-mail`
processes) send each message exactly once; after a commit, the background thread of the
web process delivers without `send-mail`, and never holds the commit up; with Redis
(the real one on this machine, a queue of this test's own), a commit adds one job and
`flask --app counsel worker --burst` delivers it, and a Redis that does not answer leaves
the message for `send-mail`; with no mail server, messages become .eml files only their
owner can read."""

import email
import email.policy
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest
import redis
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import OutboxMessage
from counsel.notifications import background, delivery, outbox

from .. import factories, rq_queues
from ..servers import ROOT, clean_environment, free_port

CONTEXT = {"portal_url": "https://counsel.example.org/portal", "due_date": "3 December"}
REDIS_URL = os.environ.get("COUNSEL_TEST_REDIS_REPORTS", "redis://127.0.0.1:6379/3")


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.config


def queue_for(*addresses: str) -> list[int]:
    """A client per address and a message to each, committed together."""
    messages = []
    for address in addresses:
        client = factories.ClientFactory(user__email=address)
        db.session.flush()
        messages.append(outbox.queue("assignment_new", client.user, context=CONTEXT))
    db.session.commit()
    return [m.id for m in messages]


def statuses() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()


def wait_until(check, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def arrived_once(smtp_server, addresses) -> bool:
    counts = [len(smtp_server.messages_to(a)) for a in addresses]
    assert all(n <= 1 for n in counts), counts
    return all(n == 1 for n in counts)


def test_two_senders_at_once_send_each_message_once(app, smtp_server):
    addresses = [f"client{n}@example.net" for n in range(30)]
    queue_for(*addresses)
    smtp_server.delay = 0.03  # each message takes a while: the runs overlap
    db.session.remove()
    start, results = threading.Barrier(2), []

    def sender():
        start.wait()
        results.append(delivery.deliver_due(app))  # an app context of its own

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [r.problem for r in results] == [None, None]
    assert sum(r.sent for r in results) == 30
    assert all(r.sent > 0 for r in results), results  # both took part
    assert sum(r.retry + r.failed for r in results) == 0
    assert arrived_once(smtp_server, addresses) and len(smtp_server.received) == 30
    assert statuses() == ["sent"] * 30


def test_two_send_mail_processes_at_once_send_each_message_once(app, smtp_server):
    addresses = [f"client{n}@example.net" for n in range(30)]
    queue_for(*addresses)
    smtp_server.delay = 0.05
    db.session.remove()
    env = clean_environment(COUNSEL_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                            COUNSEL_SECRET_KEY="a-secret-key-for-the-send-mail-processes",
                            COUNSEL_MAIL_SERVER="127.0.0.1",
                            COUNSEL_MAIL_PORT=str(smtp_server.port),
                            COUNSEL_MAIL_SECURITY="none")
    runs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "counsel", "send-mail"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = [int(out.split("Email: ")[1].split(" sent")[0]) for out, _ in outputs]
    assert sum(sent) == 30, outputs
    assert arrived_once(smtp_server, addresses) and len(smtp_server.received) == 30
    assert statuses() == ["sent"] * 30
    for out, err in outputs:
        assert "@example.net" not in out + err


def test_after_a_commit_the_background_thread_delivers(app, smtp_server, monkeypatch):
    monkeypatch.setattr(background, "IDLE_SECONDS", 0.5)
    app.config["MAIL_AFTER_COMMIT"] = "thread"
    smtp_server.delay = 1.5  # a slow server must not hold the commit up
    began = time.monotonic()
    queue_for("alex@example.org")
    assert time.monotonic() - began < 1
    sender = app.extensions["counsel_mail_thread"]
    assert sender.thread is not None
    wait_until(lambda: arrived_once(smtp_server, ["alex@example.org"]))
    smtp_server.delay = 0
    # Commits in a row: each message once, however the kicks fall together.
    addresses = [f"client{n}@example.net" for n in range(5)]
    for address in addresses:
        queue_for(address)
    wait_until(lambda: arrived_once(smtp_server, addresses))
    wait_until(lambda: statuses() == ["sent"] * 6)
    wait_until(lambda: sender.thread is None)  # quiet for a while: it stops
    assert len(smtp_server.received) == 6
    queue_for("sam@example.org")  # and starts again at the next commit
    wait_until(lambda: arrived_once(smtp_server, ["sam@example.org"]))
    wait_until(lambda: sender.thread is None)


def test_a_process_that_ends_lets_its_delivery_thread_finish(app, smtp_server):
    """A command that queued mail (the demo, reminders) and ends at once still delivers:
    the thread is not stopped mid-message."""
    client = factories.ClientFactory(user__email="alex@example.org")
    db.session.commit()
    smtp_server.delay = 1  # the run is still going when the script ends
    script = textwrap.dedent(f"""
        from counsel import create_app
        from counsel.extensions import db
        from counsel.models import User
        from counsel.notifications import outbox
        with create_app().app_context():
            outbox.queue("assignment_new", db.session.get(User, {client.user.id}),
                         context={{"portal_url": "https://counsel.example.org/portal"}})
            db.session.commit()
        """)
    db.session.remove()
    env = clean_environment(COUNSEL_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                            COUNSEL_SECRET_KEY="a-secret-key-for-the-script-process",
                            COUNSEL_MAIL_SERVER="127.0.0.1",
                            COUNSEL_MAIL_PORT=str(smtp_server.port),
                            COUNSEL_MAIL_SECURITY="none", COUNSEL_MAIL_AFTER_COMMIT="thread")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert arrived_once(smtp_server, ["alex@example.org"])
    assert statuses() == ["sent"]


def test_none_after_commit_leaves_delivery_to_send_mail(app, smtp_server):
    assert app.config["MAIL_AFTER_COMMIT"] == "none"
    queue_for("alex@example.org")
    time.sleep(0.5)
    assert smtp_server.received == [] and statuses() == ["queued"]
    assert "counsel_mail_thread" not in app.extensions


# RQ


def _redis() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        connection.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {type(error).__name__}")
        pytest.skip(f"Redis at {REDIS_URL} does not answer ({type(error).__name__})")
    return connection


@pytest.fixture
def queue_name():
    """Queues of this test's own (mail, and reports for the worker); afterwards every key
    naming them or their jobs is deleted."""
    connection = _redis()
    name = f"counsel-test-mail-{uuid.uuid4().hex}"
    yield name
    left = rq_queues.clear(connection, name, name + "-reports")
    connection.close()
    assert not left, left


@pytest.fixture
def redis_app(app, queue_name):
    app.config.update(REDIS_URL=REDIS_URL, MAIL_QUEUE=queue_name,
                      REPORT_QUEUE=queue_name + "-reports", MAIL_AFTER_COMMIT="thread")
    return app


def test_a_commit_adds_one_job_and_the_worker_delivers(redis_app, smtp_server, caplog):
    app = redis_app
    mail_queue = background.queue(app)
    queue_for("alex@example.org")
    assert len(mail_queue) == 1
    assert mail_queue.connection.exists(background.pending_key(app))
    queue_for("sam@example.org")
    assert len(mail_queue) == 1  # the waiting job will find both
    assert statuses() == ["queued", "queued"] and smtp_server.received == []
    assert "counsel_mail_thread" not in app.extensions  # the worker's job, not a thread

    db.session.remove()
    env = clean_environment(COUNSEL_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                            COUNSEL_REDIS_URL=REDIS_URL, COUNSEL_MAIL_QUEUE=app.config[
                                "MAIL_QUEUE"], COUNSEL_REPORT_QUEUE=app.config["REPORT_QUEUE"],
                            COUNSEL_SECRET_KEY="a-secret-key-for-the-worker-subprocess",
                            COUNSEL_MAIL_SERVER="127.0.0.1",
                            COUNSEL_MAIL_PORT=str(smtp_server.port),
                            COUNSEL_MAIL_SECURITY="none")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "counsel", "worker",
                           "--burst"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert arrived_once(smtp_server, ["alex@example.org", "sam@example.org"])
    assert statuses() == ["sent", "sent"]
    assert len(mail_queue) == 0
    assert not mail_queue.connection.exists(background.pending_key(app))
    assert "@example.org" not in done.stdout + done.stderr
    queue_for("jo@example.org")  # the job has run: the next commit adds another
    assert len(mail_queue) == 1


def test_a_redis_that_does_not_answer_leaves_the_message_for_send_mail(redis_app, smtp_server,
                                                                       caplog):
    app = redis_app
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    began = time.monotonic()
    queue_for("alex@example.org")  # the commit goes through
    assert time.monotonic() - began < 3
    assert statuses() == ["queued"]
    assert "Redis does not answer (ConnectionError)" in caplog.text
    assert "alex@example.org" not in caplog.text
    assert delivery.deliver_due().sent == 1
    assert arrived_once(smtp_server, ["alex@example.org"])


# Without a mail server


def eml_files(folder) -> list:
    return sorted(p for p in folder.iterdir() if p.name.endswith(".eml"))


def test_without_a_mail_server_messages_become_private_eml_files(app, tmp_path, caplog):
    folder = tmp_path / "outbox"
    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(folder))
    first, second = queue_for("alex@example.org", "sam@example.org")
    texts = {}
    for message_id in (first, second):
        row = db.session.get(OutboxMessage, message_id)
        texts[row.to_address] = (row.text_body, row.html_body, row.message_id, row.subject)
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (2, 0, 0)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = eml_files(folder)
    assert len(files) == 2 and sorted(os.listdir(folder)) == [f.name for f in files]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text, html, message_id, subject = texts[message["To"]]
        assert message["Message-ID"] == message_id and message["Subject"] == subject
        assert message["From"] == app.config["MAIL_FROM"]
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert body.strip() == text.strip()
        assert message.get_body(("html",)).get_content().replace("\r\n", "\n").strip() \
            == html.strip()
    assert statuses() == ["sent", "sent"]
    assert all(db.session.get(OutboxMessage, i).text_body is None for i in (first, second))
    # Said once per run, with the folder; never an address, a body or a link.
    notes = [r.getMessage() for r in caplog.records if ".eml files" in r.getMessage()]
    assert notes == [f"No MAIL_SERVER is set: email is written as .eml files to {folder} "
                     "instead of being sent."]
    assert "example.org" not in caplog.text and "counsel.example.org" not in caplog.text


def test_the_eml_files_go_to_the_instance_outbox_by_default(app, tmp_path):
    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR="")
    app.instance_path = str(tmp_path / "instance")
    queue_for("alex@example.org")
    assert delivery.deliver_due().sent == 1
    folder = tmp_path / "instance" / "outbox"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (path,) = eml_files(folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_outbox_folder_that_cannot_be_written_keeps_the_message_queued(app, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(blocker / "outbox"))
    (message_id,) = queue_for("alex@example.org")
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry) == (0, 1)
    row = db.session.get(OutboxMessage, message_id)
    assert (row.status, row.last_error) == ("queued", "NotADirectoryError")
    assert row.text_body
