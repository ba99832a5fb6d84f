"""Submitting asks first when answers are empty; a client may take a submission back
until the counselor opens it; after a conflict the client keeps, per answer, their own
text, the other version, or both."""

import pytest
from sqlalchemy import select

from counsel.assignments import operations, status
from counsel.assignments.operations import BOTH_SEPARATOR
from counsel.extensions import db
from counsel.models import Assignment, AuditEvent

from ..conftest import Auth
from .workflow import current_version, fresh, letter, save, submit, work_url

PROMPTS = ("What happened?", "What will change?", "What do you hope for?")


@pytest.fixture
def three(people, auth):
    assignment = letter(people, prompts=PROMPTS)
    auth.login(people["alex"].user)
    return assignment


# --- empty answers ------------------------------------------------------------------------

def test_submit_with_empty_answers_asks_first_and_keeps_the_text(client, three):
    response = submit(client, three, ["It was me.", "", "  \n"])
    assert response.status_code == 200
    assert "Some answers are empty" in response.text
    confirm = response.text[response.text.index("data-confirm-empty"):]
    assert "<li>What will change?</li><li>What do you hope for?</li>" in confirm
    assert "<li>What happened?</li>" not in confirm
    assert 'value="submit_anyway"' in confirm and "Keep writing" in confirm
    assert "It was me.</textarea>" in response.text
    assignment = fresh(Assignment, three.id)
    assert assignment.revisions == [] and assignment.status == "in_progress"
    assert assignment.draft.answers == ["It was me.", "", "  \n"], "the text is saved"
    assert f'name="base_version" type="hidden" value="{assignment.draft.version}"' \
        in response.text

    keep_writing = submit(client, three, ["It was me.", "", "  \n"], action="save")
    assert keep_writing.status_code == 302 and fresh(Assignment, three.id).revisions == []
    anyway = submit(client, three, ["It was me.", "", "  \n"], action="submit_anyway")
    assert anyway.status_code == 302
    assignment = fresh(Assignment, three.id)
    assert [r.number for r in assignment.revisions] == [1]
    assert assignment.status == "submitted"


def test_submit_with_every_answer_goes_straight_in(client, three):
    response = submit(client, three, ["One.", "Two.", "Three."])
    assert response.status_code == 302
    assert [r.number for r in fresh(Assignment, three.id).revisions] == [1]


def test_the_work_page_has_the_on_page_confirmation_for_the_script(client, three):
    page = client.get(work_url(three)).text
    assert "data-confirm-empty" in page and "data-empty-prompts" in page
    panel = page[page.index("data-confirm-empty"):]
    assert panel.split(">", 1)[0].rstrip().endswith("hidden")


def test_the_operation_refuses_empty_answers_unless_allowed(people, three):
    with pytest.raises(operations.EmptyAnswers) as refused:
        operations.submit(people["alex"].user, three, ["One.", "", "Three."], 0)
    assert refused.value.prompts == ["What will change?"]
    db.session.rollback()


# --- reopening ------------------------------------------------------------------------------

def test_reopen_before_the_counselor_opens_it(client, three):
    submit(client, three, ["One.", "Two.", "Three."])
    page = client.get(work_url(three)).text
    assert "Take it back and keep writing" in page
    response = client.post(work_url(three) + "/reopen")
    assert response.status_code == 302
    assignment = fresh(Assignment, three.id)
    assert assignment.status == "in_progress"
    assert [r.number for r in assignment.revisions] == [1]
    assert assignment.revisions[0].answers == ["One.", "Two.", "Three."]
    assert assignment.draft.answers == ["One.", "Two.", "Three."]
    page = client.get(work_url(three)).text
    assert "One.</textarea>" in page and "as revision 2" in page
    assert submit(client, three, ["One, and more.", "Two.", "Three."]).status_code == 302
    assignment = fresh(Assignment, three.id)
    assert [r.number for r in assignment.revisions] == [1, 2]
    assert assignment.revisions[0].answers == ["One.", "Two.", "Three."]
    assert assignment.status == "submitted" and assignment.submission_opened_at is None
    assert "assignment.reopen" in db.session.scalars(select(AuditEvent.action)).all()


def test_reopen_is_refused_once_the_counselor_opened_it(app, client, people, three):
    submit(client, three, ["One.", "Two.", "Three."])
    counselor = app.test_client()
    Auth(counselor).login(people["counselor"])
    assert counselor.get(f"/assignments/{three.id}/revisions/1").status_code == 200
    assert fresh(Assignment, three.id).submission_opened_at is not None
    assert "Take it back" not in client.get(work_url(three)).text
    response = client.post(work_url(three) + "/reopen", follow_redirects=True)
    assert "already opened this submission" in response.text
    assignment = fresh(Assignment, three.id)
    assert assignment.status == "submitted" and len(assignment.revisions) == 1


def test_opening_an_older_revision_does_not_count(app, client, people, three):
    submit(client, three, ["One.", "Two.", "Three."])
    assignment = fresh(Assignment, three.id)
    operations.send_review(people["counselor"], assignment.revisions[0],
                           decision="request_revision", overall_comment="More.", rubric=None)
    db.session.commit()
    submit(client, three, ["One more.", "Two.", "Three."])
    counselor = app.test_client()
    Auth(counselor).login(people["counselor"])
    counselor.get(f"/assignments/{three.id}/revisions/1")
    assert fresh(Assignment, three.id).submission_opened_at is None
    assert client.post(work_url(three) + "/reopen").status_code == 302
    assert fresh(Assignment, three.id).status == "in_progress"


def test_reopen_only_from_submitted(client, three):
    client.post(work_url(three) + "/reopen", follow_redirects=True)
    assert fresh(Assignment, three.id).status == "assigned"
    assert status.TRANSITIONS["reopen"] == {"submitted": "in_progress"}


def test_reopen_route_access(app, client, people, three):
    submit(client, three, ["One.", "Two.", "Three."])
    url = work_url(three) + "/reopen"
    for who, expected in (("sam", 404), ("jordan", 404), ("counselor", 403), ("admin", 403)):
        person = people[who].user if who in ("sam", "jordan") else people[who]
        browser = app.test_client()
        Auth(browser).login(person)
        assert browser.post(url).status_code == expected, who
    assert fresh(Assignment, three.id).status == "submitted"
    assert app.test_client().post(url).status_code in (302, 401)
    assert fresh(Assignment, three.id).status == "submitted"


# --- conflicts, per answer --------------------------------------------------------------------

def test_conflict_page_offers_a_choice_per_differing_answer(client, three):
    save(client, three, ["other 1", "same", "other 3"])
    response = client.post(work_url(three), data={
        "answers-0": "mine 1", "answers-1": "same", "answers-2": "mine 3",
        "base_version": "0", "action": "save"})
    assert response.status_code == 409
    assert 'name="keep-0"' in response.text and 'name="keep-2"' in response.text
    assert 'name="keep-1"' not in response.text, "identical answers need no choice"
    assert 'value="resolve"' in response.text
    resolved = client.post(work_url(three), data={
        "answers-0": "mine 1", "answers-1": "same", "answers-2": "mine 3",
        "base_version": str(current_version(three)), "action": "resolve",
        "keep-0": "theirs", "keep-2": "both"})
    assert resolved.status_code == 302
    assert fresh(Assignment, three.id).draft.answers == [
        "other 1", "same", "mine 3" + BOTH_SEPARATOR + "other 3"]


def test_resolving_against_a_version_that_moved_on_is_a_conflict_again(client, three):
    save(client, three, ["v1", "", ""])
    base = current_version(three)
    save(client, three, ["v2 from elsewhere", "", ""], version=base)
    response = client.post(work_url(three), data={
        "answers-0": "mine", "answers-1": "", "answers-2": "", "base_version": str(base),
        "action": "resolve", "keep-0": "both"})
    assert response.status_code == 409
    assert fresh(Assignment, three.id).draft.answers == ["v2 from elsewhere", "", ""]


def test_merge_answers():
    merge = operations.merge_answers
    assert merge(["a", "b", "c", "", "x"], ["A", "B", "C", "D", "x"],
                 ["mine", "theirs", "both", "both", "both"]) == [
        "a", "B", "c" + BOTH_SEPARATOR + "C", "D", "x"]
    assert merge(["a\n\n"], ["A"], ["both"]) == ["a" + BOTH_SEPARATOR + "A"]


def test_reopen_loses_to_a_counselor_who_opened_it_a_moment_before(client, people, three):
    from sqlalchemy import update

    from counsel.models import utcnow

    submit(client, three, ["One.", "Two.", "Three."])
    assignment = fresh(Assignment, three.id)
    assert assignment.submission_opened_at is None  # what the client's request saw
    db.session.execute(update(Assignment.__table__).where(Assignment.__table__.c.id == three.id)
                       .values(submission_opened_at=utcnow()))
    with pytest.raises(operations.WorkRefused, match="just opened"):
        operations.reopen(people["alex"].user, assignment)
    db.session.rollback()
    assert fresh(Assignment, three.id).status == "submitted"
