"""SQLite writers take turns through a lock file (counsel/database.py WriteQueue): a write
request holds it from BEGIN IMMEDIATE until its transaction ends, whatever way it ends;
page views never take it."""

import fcntl
import os
import time

import pytest
from sqlalchemy import text

from counsel import create_app, database
from counsel.extensions import db

from ..conftest import PG_URL, make_config

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite only")


@pytest.fixture
def sqlite_app(tmp_path):
    path = tmp_path / "queue.sqlite"
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        db.session.execute(text("CREATE TABLE notes (body TEXT)"))
        db.session.commit()
        db.session.remove()
    yield app, str(path) + "-writers"
    with app.app_context():
        db.engine.dispose()


def held(lock_path) -> bool:
    """Whether someone holds the writers' lock (tried from a descriptor of our own)."""
    fd = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@pytest.mark.parametrize("ending", ["commit", "rollback", "error"])
def test_a_write_request_holds_the_turn_until_its_transaction_ends(sqlite_app, ending):
    app, lock_path = sqlite_app
    with app.test_request_context("/", method="POST"):
        db.session.execute(text("INSERT INTO notes VALUES ('x')"))
        assert held(lock_path)
        if ending == "commit":
            db.session.commit()
        elif ending == "rollback":
            db.session.rollback()
        else:
            with pytest.raises(Exception):  # noqa: B017 - any failure ends the transaction
                db.session.execute(text("INSERT INTO no_such_table VALUES (1)"))
            db.session.rollback()
        assert not held(lock_path)
        db.session.remove()


def test_page_views_never_take_a_turn(sqlite_app):
    app, lock_path = sqlite_app
    with app.test_request_context("/", method="GET"):
        db.session.execute(text("SELECT count(*) FROM notes")).scalar()
        assert not os.path.exists(lock_path) or not held(lock_path)
        db.session.remove()


def test_a_writer_waits_for_the_turn_then_goes_on(sqlite_app):
    """Someone else holding the turn past busy_timeout does not stop the write: it goes on
    to SQLite's own lock (here free), so a stuck holder never hangs every writer."""
    app, lock_path = sqlite_app
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with app.test_request_context("/", method="POST"):
            started = time.monotonic()
            db.session.execute(text("INSERT INTO notes VALUES ('y')"))
            db.session.commit()
            waited = time.monotonic() - started
            db.session.remove()
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    bound = database.BUSY_TIMEOUT_MS / 1000
    assert bound - 0.5 < waited < bound + 3
