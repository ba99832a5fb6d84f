"""Reports generated on the RQ worker (``COUNSEL_REDIS_URL`` set), against the real Redis
on this machine: the page says the PDF is being prepared until ``flask --app counsel
worker --burst`` (a real subprocess, on this test's database) has made it; a render that
fails, a job that raises and a job whose worker died all leave the report "failed" with a
message; a Redis that cannot be reached fails the report at once. Every test has a queue
of its own, and every key it made is deleted afterwards."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
import redis
from rq import SimpleWorker
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import (
    AuditEvent,
    CounselingSession,
    Report,
    ReportPreparation,
    SessionAttendee,
    utcnow,
)
from counsel.reports import jobs, operations
from counsel.session_log import signing

from .. import factories, rq_queues
from ..servers import ROOT, clean_environment, free_port

REDIS_URL = os.environ.get("COUNSEL_TEST_REDIS_REPORTS", "redis://127.0.0.1:6379/3")


def _redis() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        connection.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":  # CI has Redis: the tests must not vanish there
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {type(error).__name__}")
        pytest.skip(f"Redis at {REDIS_URL} does not answer ({type(error).__name__}); "
                    "these tests need a real Redis")
    return connection


@pytest.fixture
def queue_name():
    """A queue of this test's own; afterwards its jobs and every key naming the queue or
    one of its jobs are deleted, and the test fails if any is left."""
    connection = _redis()
    name = f"counsel-test-{uuid.uuid4().hex}"
    yield name
    left = rq_queues.clear(connection, name)
    connection.close()
    assert not left, left


@pytest.fixture
def app_config(queue_name):
    return {"REDIS_URL": REDIS_URL, "REPORT_QUEUE": queue_name}


@pytest.fixture
def prepared(people, auth):
    """alex and sam's case with a signed joint session, its report prepared by their
    counselor, who is signed in."""
    counselor, alex, sam = people["counselor"], people["alex"], people["sam"]
    case = factories.CaseFactory(counselor=counselor, partners=[alex, sam])
    db.session.flush()
    held = CounselingSession(case=case, counselor=counselor, type="joint", format="video",
                             starts_at=utcnow() - timedelta(days=3), duration_minutes=50,
                             shared_summary="Workersummary words", private_notes="Hidden",
                             attendees=[SessionAttendee(client=c) for c in (alex, sam)])
    db.session.add(held)
    db.session.flush()
    signing.sign(counselor, held)
    prep = operations.preparation_for(counselor, case)
    operations.save_preparation(counselor, case, prep, since=prep.since, until=prep.until,
                                audience="joint", excerpts=[], narrative="Narrated",
                                next_steps="", allowed_excerpts=set())
    db.session.commit()
    auth.login(counselor)
    return {"case_id": case.id, "version": prep.version, "preparation_id": prep.id}


def generate(client, prepared) -> Report:
    response = client.post(f"/cases/{prepared['case_id']}/report/generate",
                           data={"audience": "joint", "version": prepared["version"]})
    assert response.status_code == 302, response.text
    report = db.session.scalars(select(Report)).one()
    assert response.location == f"/reports/{report.id}"
    return report


def failure_audited(report: Report) -> bool:
    row = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.failed")).one()
    return (row.target_id, row.actor_id, row.outcome) == (
        str(report.id), report.generated_by_id, "failed")


def state(report_id: int) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report_id)


def run_worker(app, *options: str, **settings: str) -> subprocess.CompletedProcess:
    """``flask --app counsel worker --burst`` as deployed: its own process, configured by
    environment variables only, on this test's database and queue."""
    db.session.commit()
    db.session.remove()  # no open read while the worker writes (SQLite)
    env = clean_environment(COUNSEL_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                            COUNSEL_REDIS_URL=app.config["REDIS_URL"],
                            COUNSEL_REPORT_QUEUE=app.config["REPORT_QUEUE"],
                            # The worker also takes email jobs: from a queue of this test's
                            # own, never the shared default one.
                            COUNSEL_MAIL_QUEUE=app.config["REPORT_QUEUE"] + "-mail",
                            COUNSEL_SECRET_KEY="a-secret-key-for-the-worker-subprocess",
                            **settings)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "counsel", "worker",
                           "--burst", *options], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_queued_until_the_worker_makes_it(app, client, prepared):
    report = generate(client, prepared)
    assert report.status == "queued" and report.pdf is None
    assert len(jobs.queue(app)) == 1
    page = client.get(f"/reports/{report.id}")
    assert page.status_code == 200
    assert 'role="status" id="report-status"' in page.text
    assert "being prepared" in page.text and "js/report-status.js" in page.text
    assert client.get(f"/reports/{report.id}/status").json == {"status": "queued",
                                                               "error": None}
    waiting = client.get(f"/reports/{report.id}/pdf")
    assert waiting.status_code == 302 and waiting.location == f"/reports/{report.id}"

    done = run_worker(app)
    assert done.returncode == 0, done.stderr
    assert "Workersummary" not in done.stdout + done.stderr  # no clinical text in its log
    report = state(report.id)
    assert report.status == "ready" and report.sha256 and report.page_count >= 1
    assert len(jobs.queue(app)) == 0
    assert client.get(f"/reports/{report.id}/status").json == {"status": "ready",
                                                               "error": None}
    page = client.get(f"/reports/{report.id}")
    assert "report-status" not in page.text and "Download the PDF" in page.text
    pdf = client.get(f"/reports/{report.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.data == report.pdf


def test_a_report_no_worker_takes_says_the_worker_may_be_down(app, client, prepared):
    report = generate(client, prepared)
    assert "may not be running" not in client.get(f"/reports/{report.id}").text
    report.requested_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    page = client.get(f"/reports/{report.id}")
    assert "being prepared" in page.text and "The worker may not be running" in page.text


def test_a_render_that_fails_on_the_worker_says_why(app, client, prepared, people):
    # A narrative of hundreds of pages cannot render within the worker's one second.
    prep = db.session.get(ReportPreparation, prepared["preparation_id"])
    operations.save_preparation(people["counselor"], prep.case, prep, since=prep.since,
                                until=prep.until, audience="joint", excerpts=[],
                                narrative="Longnarrative words " * 20_000, next_steps="",
                                allowed_excerpts=set())
    db.session.commit()
    report = generate(client, {**prepared, "version": prep.version})
    done = run_worker(app, COUNSEL_REPORT_TIMEOUT_SECONDS="1")
    assert done.returncode == 0, done.stderr
    assert "Longnarrative" not in done.stdout + done.stderr
    report = state(report.id)
    assert report.status == "failed" and report.pdf is None
    assert "took longer than 1 second" in report.error
    assert failure_audited(report)
    status = client.get(f"/reports/{report.id}/status").json
    assert status == {"status": "failed", "error": report.error}
    page = client.get(f"/reports/{report.id}")
    assert 'role="alert"' in page.text and "took longer than 1 second" in page.text
    assert "report-status" not in page.text


def test_a_job_that_raises_marks_its_report_failed_and_keeps_no_text(app, client, prepared,
                                                                     monkeypatch):
    report = generate(client, prepared)

    def broken(report, detail=None):
        raise RuntimeError("Workersummary words from a database error")

    monkeypatch.setattr(operations, "produce", broken)
    queue = jobs.queue(app)
    db.session.remove()
    # In this process, so the patch applies; the worker's Ctrl-C handlers are pytest's after.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    report = state(report.id)
    assert report.status == "failed" and report.error == jobs.NOT_GENERATED
    assert failure_audited(report)
    failed = FailedJobRegistry(queue=queue)
    (job_id,) = failed.get_job_ids()
    recorded = queue.fetch_job(job_id).latest_result().exc_string
    assert "JobFailed: report" in recorded and "RuntimeError" in recorded
    assert "Workersummary" not in recorded
    page = client.get(f"/reports/{report.id}")
    assert jobs.NOT_GENERATED in page.text


def test_a_job_whose_worker_died_is_marked_failed_when_rq_cleans_it_up(app, client, prepared):
    report = generate(client, prepared)
    queue = jobs.queue(app)
    # A worker takes the job and dies before finishing it: RQ finds the job abandoned
    # once its execution's heartbeat has expired, and calls the failure callback.
    worker = SimpleWorker([queue], connection=queue.connection)
    worker.register_birth()
    job, _ = worker.dequeue_job_and_maintain_ttl(timeout=1)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    assert state(report.id).status == "queued"
    db.session.remove()
    queue.started_job_registry.cleanup(timestamp=time.time() + 7 * 24 * 3600)
    worker.register_death()
    report = state(report.id)
    assert report.status == "failed" and report.error == jobs.NOT_GENERATED
    assert failure_audited(report)
    assert job.id in FailedJobRegistry(queue=queue).get_job_ids()
    assert client.get(f"/reports/{report.id}/status").json["status"] == "failed"


def test_a_redis_that_does_not_answer_fails_the_report_at_once(app, client, prepared):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    report = generate(client, prepared)
    report = state(report.id)
    assert report.status == "failed" and report.error == jobs.NO_WORKER
    assert failure_audited(report)
    assert jobs.NO_WORKER in client.get(f"/reports/{report.id}").text


def test_the_worker_command_needs_a_redis_that_answers(app, runner):
    app.config["REDIS_URL"] = ""
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1 and "Set COUNSEL_REDIS_URL" in result.output
    app.config["REDIS_URL"] = f"redis://:secretword@127.0.0.1:{free_port()}/0"
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1 and "does not answer (ConnectionError)" in result.output
    assert "secretword" not in result.output and "Traceback" not in result.output
