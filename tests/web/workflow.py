"""Shared steps for the exercise and review tests."""

from datetime import timedelta

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import Assignment, Draft

from .. import factories


def letter(people, client_key="alex", prompts=("Write your letter.",), kind="letter"):
    """An assignment for one of the counselor's clients, committed."""
    client = people[client_key]
    exercise = factories.ExerciseFactory(
        owner=client.counselor, kind=kind, stage="apology",
        prompts=[factories.ExercisePrompt(position=n, text=t) for n, t in enumerate(prompts)])
    assignment = factories.AssignmentFactory(client=client, exercise=exercise,
                                             due_date=practice_today() + timedelta(days=3))
    db.session.commit()
    return assignment


def work_url(assignment):
    return f"/my/assignments/{assignment.id}"


def save(client, assignment, answers, version=None):
    """The autosave endpoint, as the script calls it."""
    return client.post(work_url(assignment) + "/draft",
                       json={"answers": answers, "base_version": version})


def current_version(assignment) -> int:
    db.session.expire_all()
    draft = db.session.get(Assignment, assignment.id).draft
    return draft.version if draft else 0


def submit(client, assignment, answers, action="submit"):
    """The Submit button; "submit_anyway" is the answer to "some answers are empty"."""
    data = {f"answers-{n}": a for n, a in enumerate(answers)}
    return client.post(work_url(assignment), data={**data, "action": action,
                                                   "base_version": current_version(assignment)})


def submitted_letter(app, people, answer):
    """A letter Alex has submitted once, and Alex's own signed-in browser."""
    from ..conftest import Auth

    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    submit(alex, assignment, [answer])
    return assignment, alex


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


__all__ = ["Draft", "current_version", "fresh", "letter", "save", "submit", "submitted_letter",
           "work_url"]
