"""Every main page runs the same number of SQL statements for a small caseload as for a
large one, and at most 8 (issue 7; 12 before the session, its user and their client
record came in one statement). A page whose count grows with the data has an N+1
somewhere; a page above 8 loads in too many steps. Timings are bench/practice.py's job.

Adding a page is one line in PAGES: (name, role, url builder, method)."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
    AgreementFollowUp,
    Assignment,
    AuditEvent,
    Draft,
    Review,
    ReviewComment,
    Revision,
    SafetyScreening,
    Share,
    utcnow,
)

from .. import factories
from ..conftest import Auth

MOST = 8
SMALL = {"clients": 3, "revisions": 2, "comments": 1, "sessions": 2}
LARGE = {"clients": 60, "revisions": 6, "comments": 4, "sessions": 52}
# status of each assignment every client gets, and whether it has revisions
WORK = ("submitted", "completed", "revision_requested", "in_progress", "assigned")


def _assignment(client, exercise, status, revisions, comments, due):
    assignment = Assignment(client=client, counselor=client.counselor, exercise=exercise,
                            title=exercise.title, stage=exercise.stage, kind=exercise.kind,
                            purpose=exercise.purpose, instructions=exercise.instructions,
                            prompts=exercise.prompt_texts, _status=status, due_date=due)
    db.session.add(assignment)
    if status != "assigned":
        db.session.add(Draft(assignment=assignment, answers=["draft", "draft"]))
    if status in ("assigned", "in_progress"):
        return assignment
    for number in range(1, revisions + 1):
        revision = Revision(assignment=assignment, number=number, content_hash=f"{number}",
                            answers=[f"answer one, revision {number}", "answer two"])
        db.session.add(revision)
        if status == "submitted" and number == revisions:
            break
        last = number == revisions
        review = Review(revision=revision, counselor=client.counselor, sent_at=utcnow(),
                        overall_comment="overall", decision="accept" if last and
                        status == "completed" else "request_revision")
        db.session.add(review)
        for n in range(comments):
            db.session.add(ReviewComment(review=review, prompt_index=n % 2, start=0, end=6,
                                         quote="answer", body=f"comment {n}"))
    return assignment


def _couple_case(counselor, first, second, work, sessions):
    """The first two clients' case: their work, ``sessions`` weekly signed sessions with an
    agreement each (followed up at the next), a screening each and a shared revision."""
    case = factories.CaseFactory(counselor=counselor, partners=[c for c in (first, second) if c],
                                 safety_flagged_at=utcnow(), safety_reason="flag")
    db.session.flush()
    for assignment in work.values():
        assignment.case_id = case.id
    start = utcnow() - timedelta(weeks=sessions)
    held, previous = [], None
    for week in range(sessions):
        session = factories.CounselingSessionFactory(case=case,
                                                     starts_at=start + timedelta(weeks=week))
        agreement = factories.AgreementFactory(session=session)
        if previous is not None:
            db.session.add(AgreementFollowUp(agreement=previous, session=session,
                                             outcome="kept"))
        held.append(session)
        previous = agreement
    for client in case.partners:
        db.session.add(SafetyScreening(case=case, client=client, screened_on=practice_today(),
                                       outcome="no_concerns", recorded_by_id=counselor.id))
    revision = work["completed"].revisions[0] if work["completed"].revisions else None
    if revision is not None and second is not None:
        db.session.add(Share(case=case, author=first, recipient=second, revision=revision))
    db.session.flush()
    for session in held:  # signed once their agreements and follow-ups are in
        session.signed_at = utcnow()
        session.signed_by_id = counselor.id
    db.session.flush()
    return case


def practice(clients, revisions, comments, sessions=2):
    """A counselor with ``clients`` clients. The first has work in every status (``clients
    // 3`` times over); the others have work waiting for review and overdue work, which is
    what the counselor's lists show. The first two share a case with ``sessions`` signed
    sessions. Returns the ids the pages need."""
    counselor = factories.CounselorFactory()
    exercise = factories.ExerciseFactory(owner=counselor)
    overdue = practice_today() - timedelta(days=2)
    first, second = None, None
    for n in range(clients):
        client = factories.ClientFactory(counselor=counselor)
        db.session.flush()
        kinds = WORK * max(1, clients // 3) if n == 0 else ("submitted", "assigned")
        work = {s: _assignment(client, exercise, s, revisions, comments, overdue)
                for s in kinds}
        for _ in range(3):
            db.session.add(AuditEvent(action="client.view", actor=counselor, client_id=client.id,
                                      target_type="clients", target_id="-"))
        if first is not None and second is None:
            second = client
        first = first or (client, work)
    client, work = first
    case = _couple_case(counselor, client, second, work, sessions)
    db.session.commit()
    return {"counselor": counselor, "client": client.user, "client_id": client.id,
            "case_id": case.id,
            "assignment": work["completed"].id, "revisions": revisions,
            "work": work["revision_requested"].id, "draft": work["in_progress"]}


def _autosave(w):
    return {"json": {"answers": ["saved again", "draft"], "base_version": w["draft"].draft
                     .version}}


PAGES = [
    ("dashboard", "counselor", lambda w: "/dashboard/", None),
    ("waiting for review, all", "counselor", lambda w: "/dashboard/waiting", None),
    ("overdue, all", "counselor", lambda w: "/dashboard/overdue", None),
    ("caseload", "counselor", lambda w: "/clients/", None),
    ("caseload search", "counselor", lambda w: "/clients/?q=e&status=active", None),
    ("client page", "counselor", lambda w: f"/clients/{w['client_id']}", None),
    ("access history", "counselor", lambda w: f"/clients/{w['client_id']}/access", None),
    ("assignment page", "counselor", lambda w: f"/assignments/{w['assignment']}", None),
    ("review page", "counselor",
     lambda w: f"/assignments/{w['assignment']}/revisions/{w['revisions']}", None),
    ("compare page", "counselor", lambda w: f"/assignments/{w['assignment']}/compare", None),
    ("library", "counselor", lambda w: "/library/", None),
    ("cases", "counselor", lambda w: "/cases/?status=all", None),
    ("cases search", "counselor", lambda w: "/cases/?q=e&status=open", None),
    ("case page", "counselor", lambda w: f"/cases/{w['case_id']}", None),
    ("client home", "client", lambda w: "/my/", None),
    ("client home, all completed work", "client", lambda w: "/my/?done=all", None),
    ("client work page", "client", lambda w: f"/my/assignments/{w['work']}", None),
    ("client access history", "client", lambda w: "/my/access", None),
    ("autosave", "client", lambda w: f"/my/assignments/{w['draft'].id}/draft", _autosave),
]


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_for(app, world, role, url, body) -> list[str]:
    client = app.test_client()
    Auth(client).login(world[role])
    path = url(world)
    with counting() as statements:
        response = client.get(path) if body is None else client.post(path, **body(world))
    assert response.status_code == 200, (path, response.status_code)
    return statements


@pytest.mark.parametrize(("name", "role", "url", "body"), PAGES, ids=[p[0] for p in PAGES])
def test_statements_do_not_grow_with_the_caseload(app, name, role, url, body):
    small = practice(**SMALL)
    large = practice(**LARGE)
    few = statements_for(app, small, role, url, body)
    many = statements_for(app, large, role, url, body)
    assert len(few) == len(many), f"{name}: {len(few)} -> {len(many)}\n" + "\n".join(many)
    assert len(many) <= MOST, f"{name}: {len(many)} statements\n" + "\n".join(many)


def test_a_signed_in_request_loads_session_user_and_client_record_in_one_statement(app):
    """Every signed-in request pays for this: one statement, not one per object."""
    from counsel.auth import sessions

    person = factories.ClientFactory().user
    db.session.commit()
    with app.test_request_context("/my/"):
        token = sessions.start(person)
        db.session.commit()
        db.session.expunge_all()
        with counting() as statements:
            user = sessions.load(token)
            shown = (user.display_name, user.client.counselor_id, user.is_client)
    assert user.id == person.id and shown[2]
    assert len(statements) == 1, "\n".join(statements)
