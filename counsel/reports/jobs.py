"""Generating reports on an RQ worker when ``COUNSEL_REDIS_URL`` is set, so a long render
never holds a web worker; without it, reports render in the request.

Run the worker with ``flask --app counsel worker`` (README). The job only carries the
report's id: the text stays in the database, never in Redis.
"""

from __future__ import annotations

import click
from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Callback, Queue, Worker

from ..extensions import db
from ..models import Report

# A job that is not picked up within a day is dropped, and the report stays "queued";
# the failure callback marks a job that died (timed out, killed) as failed.
QUEUED_TTL = 24 * 3600


def enabled(app: Flask) -> bool:
    return bool(app.config.get("REDIS_URL"))


def queue(app: Flask) -> Queue:
    return Queue(app.config["REPORT_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


def enqueue(report: Report) -> None:
    app = current_app
    queue(app).enqueue_call(
        run, args=(report.id,), timeout=app.config["REPORT_TIMEOUT_SECONDS"] + 30,
        ttl=QUEUED_TTL, result_ttl=0, failure_ttl=7 * 24 * 3600,
        description=f"progress report {report.id}", on_failure=Callback(failed))


def run(report_id: int) -> str:
    """The job: render the report and store it (in an app context of its own when the
    worker was started without one, e.g. by ``rq worker``)."""
    if not has_app_context():
        from .. import create_app

        with create_app().app_context():
            return run(report_id)
    from .operations import produce

    # The worker forks a process per job: never reuse the parent's pooled connections.
    db.engine.dispose(close=False)
    report = db.session.get(Report, report_id)
    if report is None or report.status != "queued":
        return "nothing to do"
    produce(report)
    db.session.commit()
    return report.status


def failed(job, connection, exc_type, exc_value, traceback) -> None:
    """The job died outside ``produce`` (killed, timed out): say so on the report."""
    def mark():
        report = db.session.get(Report, job.args[0])
        if report is not None and report.status == "queued":
            report.status = "failed"
            report.error = "The report could not be generated. Try again, or a shorter period."
            db.session.commit()

    if has_app_context():
        mark()
    else:
        from .. import create_app

        with create_app().app_context():
            mark()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst):
    """Run an RQ worker that generates progress reports (needs COUNSEL_REDIS_URL)."""
    app = current_app
    if not enabled(app):
        raise click.ClickException("Set COUNSEL_REDIS_URL (e.g. redis://127.0.0.1:6379/0) "
                                   "to run the report worker.")
    q = queue(app)
    Worker([q], connection=q.connection).work(burst=burst)
