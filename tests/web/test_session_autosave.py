"""Nothing the counselor types on the session page is lost: the text autosaves as JSON with
a version (a stale tab is a conflict, never an overwrite), bad input is refused with a
message, and a post refused as expired or signed out hands the text back."""

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Agreement, AuditEvent, CounselingSession

from .. import factories
from ..conftest import csrf_token_from
from .session_world import couple_case, session_form


@pytest.fixture
def session(people):
    session = factories.CounselingSessionFactory(case=couple_case(people))
    db.session.commit()
    return session


@pytest.fixture
def url(session, auth, people):
    auth.login(people["counselor"])
    return f"/sessions/{session.id}/autosave"


def stored(session_id) -> CounselingSession:
    db.session.expire_all()
    return db.session.get(CounselingSession, session_id)


def test_autosave_keeps_the_text_and_returns_the_new_version(client, session, url):
    response = client.post(url, json={"private_notes": "First thoughts",
                                      "shared_summary": "We met", "base_version": 1})
    assert response.status_code == 200, response.text
    version = response.json["version"]
    assert version == 2 and response.json["private_notes"] == "First thoughts"
    assert stored(session.id).private_notes == "First thoughts"
    response = client.post(url, json={"private_notes": "First thoughts, then more",
                                      "shared_summary": "We met", "base_version": version})
    assert response.status_code == 200 and response.json["version"] == 3
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("session.autosave") == 2


def test_a_stale_tab_gets_a_conflict_with_the_stored_text(client, session, url):
    assert client.post(url, json={"private_notes": "Tab A", "base_version": 1}).status_code == 200
    response = client.post(url, json={"private_notes": "Tab B", "base_version": 1})
    assert response.status_code == 409
    assert response.json["error"] == "conflict" and response.json["private_notes"] == "Tab A"
    assert stored(session.id).private_notes == "Tab A"
    assert "session.draft_conflict" in db.session.scalars(select(AuditEvent.action)).all()
    # The same text from an old page is no conflict: nothing to lose.
    assert client.post(url, json={"private_notes": "Tab A", "base_version": 1}).status_code == 200


@pytest.mark.parametrize(("body", "message"), [
    ({"private_notes": "x" * 50_001}, "longer than 50,000"),
    ({"shared_summary": "bad \ud800 half"}, "cannot be stored"),
    ({"private_notes": 5}, "could not be read"),
    (["not", "an", "object"], "could not be read"),
])
def test_bad_autosaves_are_refused_with_a_message(client, session, url, body, message):
    if isinstance(body, dict):
        body = {**body, "base_version": 1}
    response = client.post(url, json=body)
    assert response.status_code == 422 and message in response.json["message"]
    assert stored(session.id).private_notes is None


def test_autosave_saves_only_text(client, session, url, people):
    response = client.post(url, json={"private_notes": "ok", "base_version": 1,
                                      "signed_at": "2020-01-01", "type": "individual",
                                      "counselor_id": people["other_counselor"].id})
    assert response.status_code == 200
    session = stored(session.id)
    assert (session.signed_at, session.type, session.counselor_id) == (
        None, "joint", people["counselor"].id)


def test_the_page_wires_the_autosave(client, session, url):
    page = client.get(f"/sessions/{session.id}").text
    assert f'data-session-autosave-url="{url}"' in page
    assert "js/draft-saver.js" in page and "js/session-notes.js" in page
    assert 'name="session_version"' in page and "data-save-status" in page


@pytest.mark.parametrize("route", ["", "/agreements", "/addenda", "/assign"])
def test_an_expired_page_hands_the_text_back_on_the_session_page(app, client, session, url,
                                                                 people, route):
    app.config["WTF_CSRF_ENABLED"] = True
    data = {**session_form(people, private_notes="An hour of careful notes"),
            "text": "We agreed to walk on Sundays", "body": "A careful correction",
            "note": "A note for the work", "csrf_token": "expired"}
    response = client.post(f"/sessions/{session.id}{route}", data=data)
    assert response.status_code == 400
    assert "this page had expired" in response.text
    expected = {"": "An hour of careful notes", "/agreements": "We agreed to walk on Sundays",
                "/addenda": "A careful correction", "/assign": "A note for the work"}[route]
    assert expected in response.text
    assert csrf_token_from(response.text)
    session = stored(session.id)
    assert session.private_notes is None and session.version == 1
    assert db.session.scalars(select(Agreement)).all() == []
    autosave = client.post(url, json={"private_notes": "x"})
    assert autosave.status_code == 400 and autosave.json["error"] == "csrf"


def test_a_signed_out_post_hands_the_text_back(client, auth, session, url, people):
    auth.logout()
    response = client.post(f"/sessions/{session.id}",
                           data=session_form(people, private_notes="Words I must not lose"))
    assert response.status_code == 401 and "Words I must not lose" in response.text
    autosave = client.post(url, json={"private_notes": "x"})
    assert autosave.status_code == 401 and autosave.json["error"] == "signed_out"
