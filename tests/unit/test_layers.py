"""Second layers of protection, each tested on its own.

Where two layers guard the same thing (a loader and a form's choices, a view's check and a
template's), the web tests pass as long as either holds, so removing one goes unnoticed.
These tests call each layer directly: the loaders in permissions.py, the portal's
``feedback``, and the review operations' own checks.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from counsel import permissions
from counsel.assignments import operations, review_drafts
from counsel.assignments.operations import WorkRefused
from counsel.extensions import db
from counsel.models import AuditEvent, ReviewComment
from counsel.portal.work import feedback

from .. import factories


@pytest.fixture
def acting_as(app, monkeypatch):
    """Run loaders as ``user`` inside a request, as a view would."""

    @contextmanager
    def acting(user):
        with app.test_request_context():
            monkeypatch.setattr(permissions, "current_user", user)
            yield

    return acting


def submitted(people, client_key="alex", answers=("I am sorry I stopped listening.",)):
    client = people[client_key]
    exercise = factories.ExerciseFactory(
        owner=client.counselor,
        prompts=[factories.ExercisePrompt(position=n, text=f"Prompt {n}")
                 for n in range(len(answers))])
    assignment = factories.AssignmentFactory(client=client, exercise=exercise)
    db.session.commit()
    revision = operations.submit(client.user, assignment, list(answers), None)
    db.session.commit()
    return assignment, revision


def refusals(target_type):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused", AuditEvent.target_type == target_type)).all()


# --- the portal shows only sent reviews ------------------------------------------------------

def test_feedback_ignores_an_unsent_review_with_comments(people):
    assignment, revision = submitted(people)
    operations.add_comment(people["counselor"], revision, prompt_index=0, quote="sorry",
                           start=None, body="UNSENT")
    db.session.commit()
    assert revision.review.comments and revision.review.sent_at is None
    assert feedback(assignment) is None


def test_feedback_is_the_latest_sent_review_never_a_later_unsent_one(people):
    assignment, first = submitted(people)
    operations.add_comment(people["counselor"], first, prompt_index=0, quote="sorry",
                           start=None, body="SENT")
    operations.send_review(people["counselor"], first, decision="request_revision",
                           overall_comment="Sent overall.", rubric=None)
    db.session.commit()
    second = operations.submit(people["alex"].user, assignment, ["I am sorry. I listen now."],
                               assignment.draft.version)
    operations.add_comment(people["counselor"], second, prompt_index=0, quote="listen",
                           start=None, body="UNSENT")
    db.session.commit()
    shown = feedback(assignment)
    assert shown["revision"] is first and shown["review"] is first.review
    assert [c.body for c in shown["review"].comments] == ["SENT"]


# --- loaders filter by the acting person in the query ----------------------------------------

def test_client_for_counselor_finds_only_the_caseload(people, acting_as):
    with acting_as(people["counselor"]):
        assert permissions.client_for_counselor(people["alex"].id) is people["alex"]
        with pytest.raises(NotFound):
            permissions.client_for_counselor(people["jordan"].id)
    with acting_as(people["admin"]), pytest.raises(NotFound):
        permissions.client_for_counselor(people["alex"].id)
    assert [r.target_id for r in refusals("clients")] == [str(people["jordan"].id),
                                                          str(people["alex"].id)]


def test_exercise_for_counselor_finds_the_library_and_own_only(people, acting_as):
    own = factories.ExerciseFactory(owner=people["counselor"])
    library = factories.ExerciseFactory(owner=None, slug="shared")
    others = factories.ExerciseFactory(owner=people["other_counselor"])
    retired = factories.ExerciseFactory(owner=people["counselor"])
    retired.retired_at = retired.created_at
    db.session.commit()
    with acting_as(people["counselor"]):
        assert permissions.exercise_for_counselor(own.id) is own
        assert permissions.exercise_for_counselor(library.id) is library
        for hidden in (others, retired):
            with pytest.raises(NotFound):
                permissions.exercise_for_counselor(hidden.id)
        assert permissions.own_exercise(own.id) is own
        for not_own in (library, others):
            with pytest.raises(NotFound):
                permissions.own_exercise(not_own.id)


def test_assignment_loaders_are_scoped_to_the_counselor_and_the_client(people, acting_as):
    alex_work, _ = submitted(people)
    sam_work, _ = submitted(people, "sam")
    with acting_as(people["counselor"]):
        assert permissions.assignment_for_counselor(alex_work.id) is alex_work
    for outsider in (people["other_counselor"], people["alex"].user, people["admin"]):
        with acting_as(outsider), pytest.raises(NotFound):
            permissions.assignment_for_counselor(alex_work.id)
    with acting_as(people["alex"].user):
        assert permissions.assignment_for_client(alex_work.id) is alex_work
        with pytest.raises(NotFound):
            permissions.assignment_for_client(sam_work.id)
    with acting_as(people["counselor"]), pytest.raises(NotFound):
        permissions.assignment_for_client(alex_work.id)


def test_revision_of_is_scoped_to_its_assignment(people):
    alex_work, alex_first = submitted(people, answers=("Alex's words.",))
    jordan_work, _ = submitted(people, "jordan", answers=("Jordan's words.",))
    operations.send_review(people["other_counselor"], jordan_work.revisions[0],
                           decision="request_revision", overall_comment="More.", rubric=None)
    db.session.commit()
    operations.submit(people["jordan"].user, jordan_work, ["Jordan's second words."],
                      jordan_work.draft.version)
    db.session.commit()
    assert permissions.revision_of(alex_work, 1) is alex_first
    assert permissions.revision_of(jordan_work, 2).answers == ["Jordan's second words."]
    with pytest.raises(NotFound):
        permissions.revision_of(alex_work, 2)
    assert refusals("revisions")[0].target_id == f"{alex_work.id}/2"


# --- the review operations check the revision themselves -------------------------------------

def test_comments_cannot_be_removed_once_the_review_is_sent(people):
    _, revision = submitted(people)
    comment = operations.add_comment(people["counselor"], revision, prompt_index=0,
                                     quote="sorry", start=None, body="x")
    operations.send_review(people["counselor"], revision, decision="accept",
                           overall_comment=None, rubric=None)
    db.session.commit()
    with pytest.raises(WorkRefused) as refused:
        review_drafts.remove_comment(people["counselor"], comment)
    assert refused.value.code == "sent"
    db.session.rollback()
    assert db.session.get(ReviewComment, comment.id) is not None


def test_comments_on_an_earlier_revision_cannot_be_removed(people):
    assignment, first = submitted(people)
    old = operations.add_comment(people["counselor"], first, prompt_index=0, quote="sorry",
                                 start=None, body="x")
    operations.send_review(people["counselor"], first, decision="request_revision",
                           overall_comment="More.", rubric=None)
    db.session.commit()
    operations.submit(people["alex"].user, assignment, ["Second try."], assignment.draft.version)
    db.session.commit()
    first.review.sent_at = None  # only "not the latest" is left to refuse it
    with pytest.raises(WorkRefused) as refused:
        review_drafts.remove_comment(people["counselor"], old)
    assert refused.value.code == "not_latest"
    db.session.rollback()


@pytest.mark.parametrize("state", ["sent", "earlier"])
def test_comments_and_reviews_refused_on_closed_revisions(people, state):
    assignment, first = submitted(people)
    operations.send_review(people["counselor"], first, decision="request_revision",
                           overall_comment="More.", rubric=None)
    db.session.commit()
    if state == "earlier":
        operations.submit(people["alex"].user, assignment, ["Second try."],
                          assignment.draft.version)
        first.review.sent_at = None  # only "not the latest" is left to refuse it
    for attempt in (
        lambda: operations.add_comment(people["counselor"], first, prompt_index=0,
                                       quote="sorry", start=None, body="late"),
        lambda: operations.send_review(people["counselor"], first, decision="accept",
                                       overall_comment=None, rubric=None),
    ):
        with pytest.raises(WorkRefused) as refused:
            attempt()
        assert refused.value.code == ("sent" if state == "sent" else "not_latest")
    db.session.rollback()


# --- the review operations check their input, whatever the form let through -----------------

def test_send_review_refuses_a_decision_the_form_did_not_offer(people):
    assignment, revision = submitted(people)
    with pytest.raises(WorkRefused) as refused:
        operations.send_review(people["counselor"], revision, decision="complete",
                               overall_comment="Fine.", rubric=None)
    assert refused.value.code == "no_decision"
    db.session.rollback()
    assert assignment.status == "submitted"


def test_send_review_keeps_only_known_rubric_ratings(people):
    _, revision = submitted(people)
    review = operations.send_review(
        people["counselor"], revision, decision="accept", overall_comment=None,
        rubric={"ownership": "met", "specific": "excellent", "made_up": "met"})
    assert review.rubric == {"ownership": "met"}


@pytest.mark.parametrize("index", [-1, 1, 99])
def test_add_comment_refuses_an_answer_that_does_not_exist(people, index):
    _, revision = submitted(people)
    with pytest.raises(WorkRefused) as refused:
        operations.add_comment(people["counselor"], revision, prompt_index=index,
                               quote="sorry", start=None, body="x")
    assert refused.value.code == "no_prompt"
