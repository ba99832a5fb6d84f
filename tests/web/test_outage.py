"""The database going away: a save answers 503 with the text kept, and the app recovers
without a restart (SECURITY.md 16)."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from counsel.assignments import operations
from counsel.extensions import db

from .workflow import letter, save, work_url


def _outage(*args, **kwargs):
    raise OperationalError("UPDATE drafts", {}, ConnectionError("server closed the connection"))


@pytest.fixture
def alex_work(people, auth):
    assignment = letter(people)
    auth.login(people["alex"].user)
    return assignment


def test_a_save_during_an_outage_answers_503_and_keeps_the_text(client, alex_work,
                                                               monkeypatch):
    monkeypatch.setattr(operations, "save_draft", _outage)
    words = "Written while the database was down. שלום 🌧"
    page = client.post(work_url(alex_work), data={"answers-0": words, "base_version": 0,
                                                   "action": "save"})
    assert page.status_code == 503
    assert words in page.text and "could not save this just now" in page.text
    autosave = save(client, alex_work, [words])
    assert autosave.status_code == 503 and autosave.json["error"] == "unavailable"
    monkeypatch.undo()
    assert save(client, alex_work, [words]).status_code == 200


def test_the_app_recovers_when_postgresql_drops_every_connection(app, client, alex_work):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert client.get(work_url(alex_work)).status_code == 200
    db.session.remove()
    name = db.engine.url.database
    admin = create_engine(db.engine.url.set(database="postgres"), poolclass=NullPool)
    with admin.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :name"), {"name": name}).scalar()
    admin.dispose()
    assert killed >= 1
    assert save(client, alex_work, ["after the restart"]).status_code == 200
    assert client.get(work_url(alex_work)).status_code == 200
