"""The SQLite database and its -wal/-shm files hold records: 0600, never world-readable
(SECURITY.md 22)."""

import os
import stat

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counsel import create_app
from counsel.database import sqlite_path
from counsel.extensions import db

from ..conftest import make_config


@pytest.fixture
def loose_umask():
    """The usual umask, under which SQLite on its own creates files 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _write(path):
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            connection.commit()
            modes = {suffix: _mode(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")}
        db.engine.dispose()
    return modes


def test_a_fresh_database_and_its_wal_and_shm_are_0600(tmp_path, loose_umask):
    assert _write(tmp_path / "instance" / "fresh.sqlite") == {"": 0o600, "-wal": 0o600,
                                                              "-shm": 0o600}


def test_an_existing_world_readable_database_is_made_private(tmp_path, loose_umask):
    path = tmp_path / "old.sqlite"
    _write(path)
    for name in (path, tmp_path / "old.sqlite-wal"):
        if name.exists():
            os.chmod(name, 0o644)
    assert _write(path) == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_only_real_files_are_touched():
    assert sqlite_path(make_url("sqlite://")) is None
    assert sqlite_path(make_url("sqlite:///:memory:")) is None
    assert sqlite_path(make_url("postgresql+psycopg://u@h/db")) is None
    assert sqlite_path(make_url("sqlite:////srv/counsel.sqlite")) == "/srv/counsel.sqlite"
