"""Connection settings every database connection gets (SECURITY.md 16), and the file
permissions of the SQLite database (SECURITY.md 22)."""

import contextlib
import fcntl
import functools
import os
import threading
import time

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import URL

PRIVATE = 0o600
BUSY_TIMEOUT_MS = 5000

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def sqlite_path(url: URL) -> str | None:
    """The file behind a SQLite URL; None for other databases and in-memory ones."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or url.database.startswith("file:") or url.query.get("mode") == "memory":
        return None
    return os.path.abspath(url.database)


def make_private(path: str) -> None:
    """Create the database file 0600 before SQLite does, and take group and world access
    away from one that exists. SQLite gives the -wal and -shm files the database file's
    permissions, so they follow; the umask would otherwise make all three 0644."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.exists(name) and os.stat(name).st_mode & 0o777 != PRIVATE:
            os.chmod(name, PRIVATE)


def _begin(queue, connection):
    """Requests that write (POST...) start with BEGIN IMMEDIATE: they wait for the write
    lock up front (up to busy_timeout) instead of reading first and then failing at once,
    without waiting, when another writer committed in between (WAL's busy snapshot).

    Everything else keeps pysqlite's default (BEGIN before the first change), so page
    views never queue behind one another and a long-lived session (the CLI, tests) keeps
    seeing other connections' commits. Unlike the full recipe in SQLAlchemy's SQLite docs
    (isolation_level=None plus our own BEGIN for every transaction), the driver's
    transaction handling is left as it is: it sees the transaction we opened and does not
    open another."""
    if has_request_context() and request.method not in READS:
        if queue is not None:
            queue.enter(connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class WriteQueue:
    """Writers to one SQLite file take turns through a lock file before BEGIN IMMEDIATE.

    SQLite's busy handler retries a locked database with sleeps that grow to 100 ms, so
    under many writers a save that keeps losing the race waited over a second (50 writers
    flat out: slowest 1.1 s), while the others went through. A waiter on this lock is
    woken within a millisecond of its release instead, and the slowest save stayed
    within a few hundred milliseconds. It holds no data: the lock file only orders
    writers, across threads (one descriptor each) and gunicorn's worker processes.

    The wait is bounded by ``busy_timeout``; past it the transaction goes on to SQLite's
    own lock (which answers "database is locked", a 503, as before). The lock is given
    back when the transaction commits or rolls back, and by the kernel if the process dies.
    """

    POLL = 0.001  # seconds between tries

    def __init__(self, path: str, timeout: float):
        self.path, self.timeout = path, timeout
        self.local = threading.local()

    def _descriptor(self) -> int:
        fd = getattr(self.local, "fd", None)
        if fd is None:
            fd = self.local.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE)
        return fd

    def enter(self, connection) -> None:
        fd, deadline = self._descriptor(), time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(self.POLL)
            else:
                connection.info["write_queue"] = fd
                return

    @staticmethod
    def leave(connection) -> None:
        fd = connection.info.pop("write_queue", None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)


def init_app(app: Flask) -> None:
    from .extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            path = sqlite_path(engine.url)
            if path:
                # Before each new connection, so the file exists 0600 by the time SQLite
                # opens it, yet creating the app alone (``flask --help``) creates nothing.
                event.listen(engine, "do_connect", lambda *_args: make_private(path))
            queue = WriteQueue(path + "-writers", BUSY_TIMEOUT_MS / 1000) if path else None
            event.listen(engine, "begin", functools.partial(_begin, queue))
            event.listen(engine, "commit", WriteQueue.leave)
            event.listen(engine, "rollback", WriteQueue.leave)
