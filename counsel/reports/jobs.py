"""Generating reports on an RQ worker when ``COUNSEL_REDIS_URL`` is set, so a long render
never holds a web worker; without it, reports render in the request.

Run the worker with ``flask --app counsel worker`` (README); it also sends email (the
jobs on ``MAIL_QUEUE``, see counsel.notifications.background). The job only carries the
report's id: the text stays in the database, never in Redis, and a job that fails leaves
only the exception's type there and in the worker's log (a database error's message can
quote what was being written).

The worker is RQ's SimpleWorker: jobs run in the worker process itself. The renderer
already runs each report in a bounded child of its own forkserver, and a work horse forked
per job would start (and warm) that forkserver again for every report, seconds each, and
inherit the worker's database connections.
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app, has_app_context
from redis import Redis, RedisError
from rq import Callback, Queue, SimpleWorker

from ..extensions import db
from ..models import Report
from .operations import mark_failed
from .render import warm_up

logger = logging.getLogger("counsel.reports")

# A job that is not picked up within a day is dropped, and the report stays "queued";
# the failure callback marks a job that raised, timed out or was abandoned by a worker
# that died as failed.
QUEUED_TTL = 24 * 3600
NOT_GENERATED = "The report could not be generated. Try again, or a shorter period."
NO_WORKER = ("The report could not be sent to the report worker. Try again; if it keeps "
             "failing, tell your administrator.")


class JobFailed(Exception):
    """What RQ records for a job that raised: the report and the error's type only."""


def enabled(app: Flask) -> bool:
    return bool(app.config.get("REDIS_URL"))


def queue(app: Flask) -> Queue:
    return Queue(app.config["REPORT_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


def enqueue(report: Report) -> None:
    """Hand the committed, queued report to the worker. If Redis cannot be reached the
    report is marked failed at once (with a message) rather than waiting forever."""
    app = current_app
    try:
        queue(app).enqueue_call(
            run, args=(report.id,), timeout=app.config["REPORT_TIMEOUT_SECONDS"] + 30,
            ttl=QUEUED_TTL, result_ttl=0, failure_ttl=7 * 24 * 3600,
            description=f"progress report {report.id}", on_failure=Callback(failed))
    except RedisError as error:
        logger.error("Report %s could not be queued: %s", report.id, type(error).__name__)
        mark_failed(report, NO_WORKER)
        db.session.commit()


def run(report_id: int) -> str:
    """The job: render the report and store it (in an app context of its own when the
    worker was started without one, e.g. by ``rq worker``)."""
    if not has_app_context():
        from .. import create_app

        with create_app().app_context():
            return run(report_id)
    from .operations import produce

    try:
        report = db.session.get(Report, report_id)
        if report is None or report.status != "queued":
            return "nothing to do"
        produce(report)
        db.session.commit()
        return report.status
    except Exception as error:
        db.session.rollback()
        raise JobFailed(f"report {report_id}: {type(error).__name__}") from None
    finally:
        db.session.remove()  # the worker lives on: no identity map carried to the next job


def failed(job, connection, exc_type, exc_value, traceback) -> None:
    """The job raised, timed out, or its worker died with it (RQ calls this when it
    cleans the abandoned job up): say so on the report."""
    def mark():
        db.session.rollback()
        try:
            report = db.session.get(Report, job.args[0])
            if report is not None and report.status == "queued":
                mark_failed(report, NOT_GENERATED)
                db.session.commit()
        finally:
            db.session.remove()

    if has_app_context():
        mark()
    else:
        from .. import create_app

        with create_app().app_context():
            mark()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(burst):
    """Run an RQ worker that sends email and generates progress reports (needs
    COUNSEL_REDIS_URL)."""
    app = current_app
    if not enabled(app):
        raise click.ClickException("Set COUNSEL_REDIS_URL (e.g. redis://127.0.0.1:6379/0) "
                                   "to run the report worker.")
    q = queue(app)
    try:
        q.connection.ping()
    except RedisError as error:
        # Not the URL itself: it may hold Redis's password.
        raise click.ClickException("The Redis server in COUNSEL_REDIS_URL does not answer "
                                   f"({type(error).__name__}).") from None
    warm_up()  # safe here: a SimpleWorker never forks after this
    # Email first: its jobs take seconds, and must not wait behind a long report.
    mail = Queue(app.config["MAIL_QUEUE"], connection=q.connection)
    SimpleWorker([mail, q], connection=q.connection).work(burst=burst)
