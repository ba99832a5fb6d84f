"""A fresh install's `flask db upgrade` loads the guide's library, once."""

import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from counsel import create_app
from counsel.extensions import db
from counsel.library.loader import read_guide
from counsel.models import Exercise

from ..conftest import PG_URL


@pytest.fixture
def fresh_url(tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL database when the suite
    runs on PostgreSQL."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    server = make_url(PG_URL)
    name = f"counsel_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def library_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Exercise)
                             .where(Exercise.owner_id.is_(None)))


def test_a_freshly_migrated_database_has_the_library(fresh_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_url,
                      "SECRET_KEY": "x" * 40})
    with app.app_context():
        upgrade()
        assert library_count() == len(read_guide()) >= 10
        upgrade()  # nothing to apply: nothing loaded twice
        assert library_count() == len(read_guide())
        db.session.remove()
        db.engine.dispose()


def test_the_library_can_be_left_out_of_an_upgrade(fresh_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_url,
                      "SECRET_KEY": "x" * 40, "LOAD_LIBRARY_ON_UPGRADE": False})
    with app.app_context():
        upgrade()
        assert library_count() == 0
        db.session.remove()
        db.engine.dispose()
