"""Second layers of protection in views and templates, each tested with the other layer
taken away (patched out), so removing either one fails a test. The loaders and operations
are tested on their own in tests/unit/test_layers.py."""

import pytest
from sqlalchemy import select

from counsel.assignments import operations
from counsel.assignments import views as assignment_views
from counsel.assignments.operations import WorkRefused
from counsel.extensions import db
from counsel.models import Assignment, Client, Exercise, ReviewComment
from counsel.portal import work as portal_work

from .. import factories
from ..conftest import Auth
from .workflow import fresh, letter, save, submit, work_url


@pytest.fixture
def exercises(people):
    own = factories.ExerciseFactory(owner=people["counselor"], title="Mine")
    others = factories.ExerciseFactory(owner=people["other_counselor"], title="Not mine")
    db.session.commit()
    return {"own": own, "others": others}


def no_assignments():
    db.session.expire_all()
    return db.session.scalars(select(Assignment)).all() == []


# --- assigning: the form's choices, and the loaders behind them ------------------------------

@pytest.fixture
def choices_list_everything(monkeypatch):
    """The form's choices layer gone: every client and exercise in the practice offered."""
    def everything(form):
        form.client.choices = [(c.id, c.user.name) for c in db.session.scalars(select(Client))]
        form.exercise.choices = [(e.id, e.title) for e in db.session.scalars(select(Exercise))]

    monkeypatch.setattr(assignment_views, "_assign_choices", everything)


@pytest.fixture
def loaders_find_anything(monkeypatch):
    """The loader layer gone: ids looked up by bare primary key."""
    monkeypatch.setattr(assignment_views, "client_for_counselor",
                        lambda client_id: db.session.get(Client, client_id))
    monkeypatch.setattr(assignment_views, "exercise_for_counselor",
                        lambda exercise_id: db.session.get(Exercise, exercise_id))


def test_with_every_choice_offered_the_loader_still_refuses_another_caseload(
        client, auth, people, exercises, choices_list_everything):
    auth.login(people["counselor"])
    other_client = client.post("/assign", data={"client": people["jordan"].id,
                                                "exercise": exercises["own"].id})
    assert other_client.status_code == 404
    other_exercise = client.post("/assign", data={"client": people["alex"].id,
                                                  "exercise": exercises["others"].id})
    assert other_exercise.status_code == 404
    assert no_assignments()
    mine = client.post("/assign", data={"client": people["alex"].id,
                                        "exercise": exercises["own"].id})
    assert mine.status_code == 302, "the patch itself works"


def test_with_loaders_finding_anything_the_choices_still_refuse(
        client, auth, people, exercises, loaders_find_anything):
    auth.login(people["counselor"])
    for data in ({"client": people["jordan"].id, "exercise": exercises["own"].id},
                 {"client": people["alex"].id, "exercise": exercises["others"].id}):
        response = client.post("/assign", data=data)
        assert response.status_code == 200 and "Not a valid choice" in response.text
    assert no_assignments()
    mine = client.post("/assign", data={"client": people["alex"].id,
                                        "exercise": exercises["own"].id})
    assert mine.status_code == 302, "the patch itself works"


def test_deactivated_clients_are_not_offered(client, auth, people, exercises):
    """The choices leave a deactivated client out."""
    people["sam"].user.active = False
    db.session.commit()
    auth.login(people["counselor"])
    response = client.post("/assign", data={"client": people["sam"].id,
                                            "exercise": exercises["own"].id})
    assert response.status_code == 200 and "Not a valid choice" in response.text
    assert no_assignments()


def test_operations_refuse_work_for_a_deactivated_client(people, exercises):
    """The second layer on its own: operations.assign refuses, whatever the form offered."""
    people["sam"].user.active = False
    db.session.commit()
    with pytest.raises(WorkRefused) as refused:
        operations.assign(people["counselor"], people["sam"], exercises["own"], due_date=None,
                          note=None)
    assert refused.value.code == "inactive"
    db.session.rollback()
    assert no_assignments()


# --- removing a comment: the view finds it only in this revision's review --------------------

def _open_review_with_comment(app, people, client_key, counselor_key):
    assignment = letter(people, client_key=client_key)
    browser = app.test_client()
    Auth(browser).login(people[client_key].user)
    submit(browser, assignment, ["I am sorry I stopped listening."])
    revision = fresh(Assignment, assignment.id).revisions[-1]
    comment = operations.add_comment(people[counselor_key], revision, prompt_index=0,
                                     quote="sorry", start=None, body="x")
    db.session.commit()
    return assignment, comment, browser


def test_a_comment_from_another_counselors_review_is_404(app, client, auth, people):
    """The operation alone would allow it (that review is open too): only the view's
    scoping to this revision's review refuses."""
    mine, _, _ = _open_review_with_comment(app, people, "alex", "counselor")
    _, theirs, _ = _open_review_with_comment(app, people, "jordan", "other_counselor")
    auth.login(people["counselor"])
    response = client.post(f"/assignments/{mine.id}/revisions/1/comments/{theirs.id}/delete")
    assert response.status_code == 404
    assert fresh(ReviewComment, theirs.id) is not None


def test_a_comment_from_another_revision_of_the_same_work_is_404(app, client, auth, people):
    assignment, earlier, alex = _open_review_with_comment(app, people, "alex", "counselor")
    operations.send_review(people["counselor"], fresh(Assignment, assignment.id).revisions[0],
                           decision="request_revision", overall_comment="More.", rubric=None)
    db.session.commit()
    submit(alex, assignment, ["I am sorry. Second try."])
    auth.login(people["counselor"])
    response = client.post(f"/assignments/{assignment.id}/revisions/2/comments/"
                           f"{earlier.id}/delete")
    assert response.status_code == 404
    assert fresh(ReviewComment, earlier.id) is not None


# --- the client's page: the template shows feedback only once the work is back ---------------

def test_work_page_hides_feedback_while_the_work_is_with_the_counselor(client, auth, people,
                                                                       monkeypatch):
    """With ``feedback`` ignoring whether a review was sent (patched), the template's own
    status check still keeps an unsent review off the page."""
    def every_review(assignment):
        revision = assignment.revisions[-1]
        answers, numbered = portal_work.commented(revision.answers, revision.review.comments)
        return {"revision": revision, "review": revision.review, "answers": answers,
                "numbered": numbered}

    assignment, _, _ = _open_review_with_comment(client.application, people, "alex",
                                                 "counselor")
    review = fresh(Assignment, assignment.id).revisions[0].review
    review.overall_comment = "UNSENT OVERALL"
    review.comments[0].body = "UNSENT COMMENT"
    db.session.commit()
    monkeypatch.setattr(portal_work, "feedback", every_review)
    auth.login(people["alex"].user)
    page = client.get(work_url(assignment))
    assert page.status_code == 200 and "I am sorry" in page.text
    assert "UNSENT" not in page.text and "<mark" not in page.text


# --- a refused save hands back only the person's own work ------------------------------------

def test_an_expired_save_to_another_clients_work_shows_nothing_of_theirs(app, client, auth,
                                                                         people):
    """The CSRF refusal runs before the view's loader, so the rescue page must do its own
    scoping: Alex posting to Sam's work gets back Alex's words only."""
    sams = letter(people, client_key="sam", prompts=("SAM'S PROMPT",))
    sam = app.test_client()
    Auth(sam).login(people["sam"].user)
    assert save(sam, sams, ["SAM'S PRIVATE DRAFT"]).status_code == 200
    auth.login(people["alex"].user)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(work_url(sams), data={"answers-0": "Alex typed this",
                                                 "base_version": 1, "action": "save",
                                                 "csrf_token": "expired"})
    assert response.status_code == 400 and "Alex typed this" in response.text
    for theirs in ("SAM'S PRIVATE DRAFT", "SAM&#39;S PRIVATE DRAFT", "SAM'S PROMPT",
                   "SAM&#39;S PROMPT", sams.title):
        assert theirs not in response.text
    assert fresh(Assignment, sams.id).draft.answers == ["SAM'S PRIVATE DRAFT"]


def test_with_every_choice_offered_a_deactivated_client_gets_no_work(
        client, auth, people, exercises, choices_list_everything):
    """The view shows the operation's refusal on the page (no 500, nothing assigned)."""
    people["sam"].user.active = False
    db.session.commit()
    auth.login(people["counselor"])
    response = client.post("/assign", data={"client": people["sam"].id,
                                            "exercise": exercises["own"].id,
                                            "note": "Take your time."})
    assert response.status_code == 200
    assert "deactivated, so no work can be assigned" in response.text
    assert "Take your time." in response.text
    assert no_assignments()
