"""Delivering the outbox soon after a commit that queued mail, out of the request's way.

With ``REDIS_URL`` set, an RQ job on ``MAIL_QUEUE`` runs ``deliver_due`` on the worker
(``flask --app counsel worker``). A marker key makes a burst of commits add one job, not
one each: the job deletes it before it looks for mail, so a commit after that adds the
next job. If Redis does not answer, the message waits in the database for ``send-mail``.

Without Redis, one daemon thread per process delivers; a kick wakes it, and kicks that
come while it works make one more run, not one each. It stops after a minute of quiet
and starts again at the next kick. A process that ends (a CLI command that queued mail)
first lets a run in progress finish, for up to EXIT_WAIT_SECONDS.

``MAIL_AFTER_COMMIT = "none"`` turns both off (the tests, or a practice that runs
``send-mail`` from cron only)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
import weakref

from flask import Flask, current_app, has_app_context
from redis import Redis, RedisError
from rq import Queue

logger = logging.getLogger("counsel.mail")

# How long a queued job keeps others from being added: a worker that is down does not
# collect a pile of jobs, and after this a commit adds one again.
PENDING_SECONDS = 300
IDLE_SECONDS = 60
EXIT_WAIT_SECONDS = 15


def kick(app: Flask) -> None:
    try:
        if app.config["MAIL_AFTER_COMMIT"] == "none":
            return
        if app.config.get("REDIS_URL"):
            _enqueue(app)
        else:
            _thread_for(app).wake()
    except Exception as error:  # never in the request's way: send-mail delivers it later
        logger.warning("Email was queued but delivery could not be started now (%s); "
                       "it waits for the next run.", type(error).__name__)


# RQ


def queue(app: Flask) -> Queue:
    connections = app.extensions.setdefault("counsel_mail_redis", {})
    url = app.config["REDIS_URL"]
    if url not in connections:
        # Short timeouts: a Redis that does not answer must not hold the request.
        connections[url] = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    return Queue(app.config["MAIL_QUEUE"], connection=connections[url])


def pending_key(app: Flask) -> str:
    return f"counsel:{app.config['MAIL_QUEUE']}:delivery-pending"


def _enqueue(app: Flask) -> None:
    q = queue(app)
    key = pending_key(app)
    try:
        if not q.connection.set(key, "1", nx=True, ex=PENDING_SECONDS):
            return  # a job is waiting already, and it has not looked for mail yet
        try:
            q.enqueue_call(run_job, args=(key,), timeout=3600, ttl=3600, result_ttl=0,
                           failure_ttl=24 * 3600, description="deliver the outbox")
        except Exception:
            q.connection.delete(key)
            raise
    except RedisError as error:
        logger.warning("Email was queued but Redis does not answer (%s); it waits for "
                       "`flask --app counsel send-mail`.", type(error).__name__)


def run_job(key: str | None = None) -> str:
    """The RQ job: deliver what is due (in an app context of its own when the worker was
    started without one, e.g. by ``rq worker``)."""
    from .delivery import deliver_due

    if not has_app_context():
        from .. import create_app

        with create_app().app_context():
            return run_job(key)
    if key:
        with contextlib.suppress(RedisError):  # else it expires by itself
            queue(current_app).connection.delete(key)
    counts = deliver_due(current_app._get_current_object())
    return str(counts)


# The thread


class _Thread:
    def __init__(self, app: Flask):
        self.app = app
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.due = threading.Event()
        self.idle = threading.Event()  # nothing asked for and no run going on
        self.idle.set()
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        with self.lock:
            self.idle.clear()
            self.due.set()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="counsel-mail",
                                               daemon=True)
                self.thread.start()

    def _loop(self) -> None:
        from .delivery import deliver_due

        while True:
            if not self.due.wait(IDLE_SECONDS):
                with self.lock:
                    if not self.due.is_set():
                        self.thread = None
                        return
                continue
            self.due.clear()  # a kick from now on makes one more run
            try:
                deliver_due(self.app)
            finally:
                with self.lock:
                    if not self.due.is_set():
                        self.idle.set()


_threads_lock = threading.Lock()
_threads: weakref.WeakSet[_Thread] = weakref.WeakSet()


def _thread_for(app: Flask) -> _Thread:
    with _threads_lock:
        sender = app.extensions.get("counsel_mail_thread")
        if sender is None or sender.pid != os.getpid():  # none yet, or forked: a new one
            sender = app.extensions["counsel_mail_thread"] = _Thread(app)
            if not _threads:  # the first: the exit hook once per process
                atexit.register(_finish_at_exit)
            _threads.add(sender)
        return sender


def _finish_at_exit() -> None:
    """A process that queued mail and ends (a CLI command, a web worker stopping) first
    lets its delivery thread finish, within EXIT_WAIT_SECONDS: a daemon thread is
    otherwise stopped mid-message, and its claim waits STALE minutes for another sender."""
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    for sender in list(_threads):
        if sender.pid == os.getpid():
            sender.idle.wait(max(0.0, deadline - time.monotonic()))
