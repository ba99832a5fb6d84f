"""Backups and restores (SECURITY.md 18): a backup taken while the app writes holds every
row committed before it began, restores into a fresh database, and is an owner-only file.
Runs on SQLite, and on PostgreSQL when COUNSEL_TEST_DATABASE_URL is set."""

import os
import re
import stat
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from counsel import backup, create_app
from counsel.extensions import db
from counsel.models import AuditEvent, User

from .. import factories
from ..conftest import make_config

NAME = re.compile(r"^counsel-\d{8}T\d{6}Z(-\d+)?\.(sqlite|pgdump)$")


@pytest.fixture
def url(app):
    """The test database's URL; skips on PostgreSQL without matching pg_dump/pg_restore."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        try:
            backup.pg_tool("pg_dump", url)
            backup.pg_tool("pg_restore", url)
        except backup.BackupError as missing:
            pytest.skip(f"PostgreSQL client tools unusable here: {missing}")
    return url


@pytest.fixture
def fresh_app(url, tmp_path):
    """An app on a brand-new, empty database of the same kind: no tables at all."""
    if url.get_backend_name() == "sqlite":
        yield create_app(make_config(f"sqlite:///{tmp_path / 'fresh' / 'counsel.sqlite'}"))
        return
    name = f"counsel_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    fresh = create_app(make_config(url.set(database=name).render_as_string(
        hide_password=False)))
    yield fresh
    with fresh.app_context():
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Writer(threading.Thread):
    """Commits audit rows one at a time on its own connection, as a busy app would."""

    def __init__(self, url):
        super().__init__(daemon=True)
        args = {"timeout": 30} if url.get_backend_name() == "sqlite" else {}
        self.engine = create_engine(url, poolclass=NullPool, connect_args=args)
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            deadline = time.monotonic() + 60
            while not self.stop.is_set() and time.monotonic() < deadline:
                with self.engine.begin() as connection:
                    row_id = connection.execute(insert(AuditEvent).returning(AuditEvent.id), [{
                        "at": datetime.now(UTC), "action": "test.write", "outcome": "success"}
                    ]).scalar_one()
                self.committed.append(row_id)
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            self.engine.dispose()

    def wait_for(self, count):
        deadline = time.monotonic() + 30
        while len(self.committed) < count and time.monotonic() < deadline and self.is_alive():
            time.sleep(0.01)
        assert len(self.committed) >= count, self.error


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_backup_during_writes_restores_every_row_committed_before_it(app, url, fresh_app,
                                                                      tmp_path, people):
    with db.engine.begin() as connection:  # some bulk, so the copy takes a moment
        connection.execute(insert(AuditEvent), [
            {"at": datetime.now(UTC), "action": "test.bulk", "outcome": "success",
             "detail": "x" * 150} for _ in range(5_000)])
    writer = Writer(url)
    writer.start()
    try:
        writer.wait_for(30)
        before = list(writer.committed)
        path = backup.backup(app, tmp_path / "backups")
        writer.wait_for(len(before) + 30)  # the app went on writing
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None
    assert NAME.match(path.name), path.name
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700

    with fresh_app.app_context():
        assert backup.restore(fresh_app, path) is None
        restored = set(db.session.scalars(select(AuditEvent.id).where(
            AuditEvent.action == "test.write")))
        emails = set(db.session.scalars(select(User.email)))
        bulk = db.session.scalar(select(func.count()).where(AuditEvent.action == "test.bulk"))
        db.session.remove()
    assert set(before) <= restored, "every row committed before the backup began"
    assert restored <= set(writer.committed)
    assert restored == {i for i in writer.committed if i <= max(restored)}, "one snapshot"
    assert emails == {p.email for p in people.values()} and bulk == 5_000


def test_backup_and_restore_commands(app, url, runner, tmp_path, people):
    app.instance_path = str(tmp_path / "instance")  # where --force keeps the old database
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    path = result.output.split("Backup written to ")[1].strip()
    assert NAME.match(os.path.basename(path)) and _mode(path) == 0o600
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "backup.create")).one().detail == os.path.basename(path)

    factories.CounselorFactory(email="after@example.org")
    db.session.commit()
    refused = runner.invoke(args=["restore", path])
    assert refused.exit_code != 0
    assert "already holds" in refused.output and "--force" in refused.output
    assert db.session.scalars(select(User).where(User.email == "after@example.org")).first()

    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a backup")
    mismatch = runner.invoke(args=["restore", "--force", str(wrong)])
    assert mismatch.exit_code != 0 and "is not a" in mismatch.output

    db.session.remove()
    forced = runner.invoke(args=["restore", "--force", path])
    assert forced.exit_code == 0, forced.output
    saved = forced.output.split("backed up to ")[1].split()[0]
    assert saved.startswith(str(tmp_path / "instance" / "backups")) and _mode(saved) == 0o600
    db.session.remove()
    assert not db.session.scalars(select(User).where(User.email == "after@example.org")).first()
    assert "alex@example.org" in set(db.session.scalars(select(User.email)))
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "backup.restore")).one()


def test_default_folder_is_in_the_instance_folder(app, url, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    first, second = backup.backup(app), backup.backup(app)
    assert first.parent == tmp_path / "instance" / "backups" and _mode(first) == 0o600
    assert first != second and NAME.match(second.name), "two in one second get two names"



def test_an_in_memory_database_is_refused_with_a_reason(tmp_path):
    app = create_app(make_config("sqlite://"))
    file = tmp_path / "copy.sqlite"
    file.write_bytes(backup.SQLITE_MAGIC + b"rest")
    with app.app_context():
        with pytest.raises(backup.BackupError, match="no SQLite database file"):
            backup.backup(app, tmp_path)
        with pytest.raises(backup.BackupError, match="in-memory"):
            backup.restore(app, file)
        db.engine.dispose()
