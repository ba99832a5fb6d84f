"""Fixtures shared by every test: a migrated database per test run (SQLite or the
PostgreSQL named by COUNSEL_TEST_DATABASE_URL), a clean database per test, the app,
a client, factories and a sign-in helper."""

import contextvars
import os
import re
import shutil
import tempfile
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from counsel import create_app
from counsel.extensions import db

from . import factories

PG_URL = os.environ.get("COUNSEL_TEST_DATABASE_URL", "")
PASSWORD = factories.PASSWORD
# Email written as files (no SMTP server set) goes here, never into the checkout's instance/.
MAIL_FOLDER = tempfile.mkdtemp(prefix="counsel-test-outbox-")


@pytest.fixture(scope="session", autouse=True)
def instance_folder(tmp_path_factory):
    """Every app the tests make has this run's own instance folder, never the checkout's
    ``instance/``: what an app keeps there (the development secret, backups) stays in the
    run's temporary folder, two runs at once (scripts/test-all runs the SQLite and the
    PostgreSQL pass together) share nothing there, and a developer's
    ``instance/config.py`` does not reach the tests. (Servers and commands the tests start
    as subprocesses still have the checkout's folder: they get what they need through
    COUNSEL_* settings and must keep any file they write in the test's ``tmp_path``.)"""
    folder = tmp_path_factory.mktemp("instance", numbered=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
        yield folder


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    # Tests load the library themselves when they need it (and count what they load).
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "LOAD_LIBRARY_ON_UPGRADE": False})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """Yields a function that returns the URL of a clean, migrated database."""
    if PG_URL:
        server = make_url(PG_URL)
        name = f"counsel_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        # A fresh connection per clean-up: tests may terminate the app's connections.
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                "AND tablename <> 'alembic_version'"))]

        # Emptying tables row by row, with triggers and foreign-key checks off for this one
        # transaction (the audit trail and signed sessions refuse deletes otherwise), takes
        # a tenth of the time of a TRUNCATE, which makes new files for every table and index.
        # (The names are the schema's own tables, read from pg_tables above.)
        empty = ("SET LOCAL session_replication_role = replica; "  # noqa: S608
                 + " ".join(f'DELETE FROM "{t}";' for t in tables)  # noqa: S608
                 + " SELECT " + ", ".join(f"setval(pg_get_serial_sequence('\"{t}\"', 'id'), "
                                          "1, false)" for t in tables))

        def clean():
            with engine.begin() as conn:
                conn.exec_driver_sql(empty)
            return url

        yield clean
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        folder = tmp_path_factory.mktemp("db")
        template = folder / "template.sqlite"
        _migrate(f"sqlite:///{template}")
        counter = iter(range(1_000_000))

        def clean():
            path = folder / f"test-{next(counter)}.sqlite"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"

        yield clean


def make_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 64,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        # Tests deliver the outbox when they mean to (notifications.delivery), not after
        # every commit.
        "MAIL_AFTER_COMMIT": "none",
        "MAIL_OUTBOX_DIR": MAIL_FOLDER,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config():
    """Override in a test module to change the app's configuration."""
    return {}


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server does: its own app context,
    ``g`` and database session, never the test's."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(database, app_config):
    app = create_app(make_config(database(), **app_config))
    app.test_client_class = IsolatedClient
    with app.app_context():
        factories.bind(db.session)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Signs people in and out through the real sign-in form."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password=PASSWORD):
        response = self.client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.text
        return response

    def logout(self):
        return self.client.post("/sign-out")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def people(app):
    """The cast most access tests need: two counselors, their clients, an admin."""
    counselor = factories.CounselorFactory(email="counselor@example.org")
    other_counselor = factories.CounselorFactory(email="other@example.org")
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.org")
    sam = factories.ClientFactory(counselor=counselor, user__email="sam@example.org")
    jordan = factories.ClientFactory(counselor=other_counselor, user__email="jordan@example.org")
    admin = factories.AdminFactory(email="admin@example.org")
    db.session.commit()
    return {"counselor": counselor, "other_counselor": other_counselor, "alex": alex,
            "sam": sam, "jordan": jordan, "admin": admin}


def csrf_token_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; ``app_config`` can use its ``config``."""
    from .mail_server import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()
