"""Every response that shows clinical text records a view (SECURITY.md 14), including
pages re-rendered after a refusal, a conflict or an expired form (issue 6, section 4)."""

import pytest
from sqlalchemy import func, select

from counsel.extensions import db
from counsel.models import AuditEvent, Review

from .workflow import letter, save, submitted_letter, work_url

ANSWER = "I am sorry I stopped listening. I will listen now."


def views(action: str, target_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.target_id == str(target_id),
        AuditEvent.outcome == "success"))


@pytest.fixture
def submitted(app, people):
    return submitted_letter(app, people, ANSWER)[0]


@pytest.fixture
def review_url(client, auth, people, submitted):
    auth.login(people["counselor"])
    return f"/assignments/{submitted.id}/revisions/1"


def _revision_id(assignment):
    db.session.expire_all()
    return assignment.revisions[0].id


def test_first_view_of_the_review_page_is_recorded_once(client, review_url, submitted):
    revision_id = _revision_id(submitted)
    assert client.get(review_url).status_code == 200
    assert views("revision.view", revision_id) == 1


@pytest.mark.parametrize("data", [
    {"prompt_index": 0, "quote": "words not in the answer", "body": "keep this"},
    {"prompt_index": 0, "quote": "", "body": ""},
], ids=["refused-comment", "invalid-comment"])
def test_review_page_after_a_refused_comment_is_recorded(client, review_url, submitted, data):
    revision_id = _revision_id(submitted)
    response = client.post(review_url + "/comments", data=data)
    assert response.status_code == 422 and ANSWER in response.text
    assert views("revision.view", revision_id) == 1


def test_review_page_after_a_refused_send_is_recorded_and_keeps_nothing_else(
        client, review_url, submitted, people):
    revision_id = _revision_id(submitted)
    response = client.post(review_url + "/send", data={"decision": "request_revision"})
    assert response.status_code == 422 and ANSWER in response.text
    assert views("revision.view", revision_id) == 1
    row = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "revision.view")).one()
    assert row.actor_id == people["counselor"].id and row.client_id == people["alex"].id
    assert row.detail is None
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0, \
        "the refused send's half-made review is not committed with the audit row"
    invalid = client.post(review_url + "/send", data={"decision": "maybe"})
    assert invalid.status_code == 422 and views("revision.view", revision_id) == 2


@pytest.fixture
def alex_letter(people, auth):
    assignment = letter(people, prompts=("What happened?", "What will change?"))
    auth.login(people["alex"].user)
    return assignment


def test_work_page_after_invalid_input_is_recorded(client, alex_letter):
    response = client.post(work_url(alex_letter), data={
        "answers-0": "ж" * 50_001, "answers-1": "kept", "base_version": 0, "action": "save"})
    assert response.status_code == 422
    assert views("assignment.view", alex_letter.id) == 1


def test_work_page_after_a_refused_submit_is_recorded(client, alex_letter):
    response = client.post(work_url(alex_letter), data={
        "answers-0": "", "answers-1": "", "base_version": 0, "action": "submit"})
    assert response.status_code == 409
    assert views("assignment.view", alex_letter.id) == 1


def test_conflict_page_is_recorded(client, alex_letter):
    save(client, alex_letter, ["saved elsewhere", ""])
    save(client, alex_letter, ["saved elsewhere twice", ""], version=1)
    before = views("assignment.view", alex_letter.id)
    response = client.post(work_url(alex_letter), data={
        "answers-0": "typed here", "answers-1": "", "base_version": "1", "action": "save"})
    assert response.status_code == 409 and "saved elsewhere twice" in response.text
    assert views("assignment.view", alex_letter.id) == before + 1
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.view"))
    assert all(r.detail is None for r in rows)


def test_work_page_handed_back_after_an_expired_form_is_recorded(app, client, alex_letter):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(work_url(alex_letter), data={
        "answers-0": "an hour of writing", "answers-1": "", "base_version": 0,
        "action": "save", "csrf_token": "expired-token"})
    assert response.status_code == 400 and "an hour of writing" in response.text
    assert views("assignment.view", alex_letter.id) == 1


def test_work_page_view_is_recorded_once(client, alex_letter):
    assert client.get(work_url(alex_letter)).status_code == 200
    assert views("assignment.view", alex_letter.id) == 1
