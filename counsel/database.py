"""Connection settings every database connection gets (SECURITY.md 16)."""

from flask import Flask, has_request_context, request
from sqlalchemy import event

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _begin(connection):
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    from .extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _begin)
