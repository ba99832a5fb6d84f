"""Every main page runs the same number of SQL statements for a small caseload as for a
large one, and at most 8 (issue 7; 12 before the session, its user and their client
record came in one statement). A page whose count grows with the data has an N+1
somewhere; a page above 8 loads in too many steps. Timings are bench/practice.py's job.

Adding a page is one line in PAGES: (name, role, url builder, method)."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from bench.sessions_seed import report_of_case, year_of_sessions
from counsel import create_app
from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
    Assignment,
    AuditEvent,
    CheckIn,
    CheckInSchedule,
    Commitment,
    CommitmentFollowUp,
    Draft,
    PlanItem,
    Review,
    ReviewComment,
    Revision,
    Tracker,
    TrackerDay,
    utcnow,
)

from .. import factories
from ..conftest import Auth, IsolatedClient, make_config
from . import partner_world, plans_world

MOST = 8
# Pages allowed more, and why. The dashboard gathers nine things (the caseload's size and
# flagged cases, this week's sessions with the sessions to sign (one statement), work
# waiting, overdue work, clients by stage, check-ins due, broken no-contact days) besides
# the sign-in and its audit row. A report's preview adds to its 8 the records of the
# tracker, plan and commitment work in the period (days, items, commitments and
# follow-ups: one statement for the three kinds; the joint version shows shared plans from
# it), and a person's version or the counselor's file the check-ins charted as well.
MOST_FOR = {"dashboard": 9, "report preview": 9, "report preview, counselor's file": 10}
SMALL = {"clients": 3, "revisions": 2, "comments": 1, "partners": 1, "weeks": 4}
LARGE = {"clients": 60, "revisions": 6, "comments": 4, "partners": 20, "weeks": 52}
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


def practice(clients, revisions, comments, partners=0, weeks=0):
    """A counselor with ``clients`` clients. The first has work in every status (``clients
    // 3`` times over); the others have work waiting for review and overdue work, which is
    what the counselor's lists show. With ``partners``, the first is also in a couple's case
    that many sessions and shares deep (see partner_world); with ``weeks``, the second and
    third are in a couple's case with a session a week (bench/sessions_seed.py). The
    counselor has prepared the first client's couple's case's progress report (a year:
    every session, agreement and share of it) and generated it once (a tiny stand-in PDF),
    marked shared at a session both partners attended (the client's /my/reports lists it).
    Returns the ids the pages need."""
    counselor = factories.CounselorFactory()
    exercise = factories.ExerciseFactory(owner=counselor)
    overdue = practice_today() - timedelta(days=2)
    first, made = None, []
    for n in range(clients):
        client = factories.ClientFactory(counselor=counselor)
        db.session.flush()
        kinds = WORK * max(1, clients // 3) if n == 0 else ("submitted", "assigned")
        work = {s: _assignment(client, exercise, s, revisions, comments, overdue)
                for s in kinds}
        for _ in range(3):
            db.session.add(AuditEvent(action="client.view", actor=counselor, client_id=client.id,
                                      target_type="clients", target_id="-"))
        first = first or (client, work)
        made.append(client)
    db.session.commit()
    client, work = first
    # Check-ins: every client on a weekly schedule (due, missed or not yet, in turn), the
    # first with a check-in a week for ``weeks`` weeks (or a few).
    for n, other in enumerate(made):
        db.session.add(CheckInSchedule(client=other, updated_by=counselor,
                                       starts_on=practice_today() - timedelta(days=n % 3 * 7)))
    for week in range(max(weeks, 3)):
        db.session.add(CheckIn(client=client, ratings={"trust": week % 11, "hope": 5},
                               taken_on=practice_today() - timedelta(days=7 * week + 1)))
    db.session.commit()
    # A no-contact tracker for every client, twenty days in, with a broken day yesterday
    # (the dashboard lists it), a plan and a commitment for the first client.
    for other in made:
        _structured(other, counselor)
    # A no-contact tracker for the first client, a check-in on most days of ``weeks * 2``.
    tracker = _tracker(client, counselor, weeks * 2 or 6)
    db.session.commit()
    # A couple's case with a session a week (agreements and follow-ups) for ``weeks``.
    sessions = year_of_sessions(counselor, made[1:3], weeks) if weeks else {}
    couple = partner_world.add(client, counselor, exercise, partners) if partners else {}
    structured = {}
    if partners:  # the couple's report shows the structured work too
        structured = _structured(client, counselor, couple["couple_case"], days=partners * 2,
                                 rows=partners * 2)
        db.session.commit()
    report = report_of_case(counselor, couple["couple_case"], couple["session"], days=365) \
        if partners else {}
    # A plan and a journal (2 or 40 items and memories) each way, shared with the client.
    records = plans_world.practice(client, couple["couple_case"], 2 * partners) \
        if partners else {}
    return {"counselor": counselor, "client": client.user, "client_id": client.id,
            "assignment": work["completed"].id, "revisions": revisions,
            "work": work["revision_requested"].id, "draft": work["in_progress"],
            "tracker": tracker.id,
            **({"commitment": structured["commitment"].id} if structured else {}),
            **{f"open_{k}" if k == "session" else k: v for k, v in sessions.items()},
            **couple, **report, **records}


def _structured(client, counselor, case_id=None, days=20, rows=3):
    """A tracker ``days`` in (one broken day, yesterday), a plan with ``rows`` items and
    1 + ``rows`` // 4 commitments with ``rows`` follow-ups each, for ``client`` (in
    ``case_id``, if given). Returns the three assignments by kind."""
    today = practice_today()
    work = {}
    for kind, stage in (("tracker", "no-contact"), ("plan", "reconnection"),
                        ("commitment", "rebuilding-trust")):
        exercise = factories.ExerciseFactory(owner=counselor, kind=kind, stage=stage)
        work[kind] = factories.AssignmentFactory(client=client, exercise=exercise,
                                                 _status="in_progress")
        work[kind].case_id = case_id
    tracker = Tracker(assignment=work["tracker"], starts_on=today - timedelta(days=days),
                      length_days=max(30, days + 1))
    commitments = [Commitment(assignment=work["commitment"], text=f"call first {n}",
                              starts_on=today - timedelta(days=days))
                   for n in range(1 + rows // 4)]
    db.session.add_all([tracker, *commitments])
    for n in range(days):
        db.session.add(TrackerDay(tracker=tracker, day=tracker.starts_on + timedelta(days=n),
                                  outcome="broke" if n == days - 1 else "kept", urge=n % 11,
                                  note="a note"))
    for n in range(rows):
        db.session.add(PlanItem(assignment=work["plan"], what=f"walk {n}", status="done",
                                planned_on=today - timedelta(days=n), reflection="good"))
        db.session.add_all(CommitmentFollowUp(commitment=commitment, outcome="kept",
                                              taken_on=today - timedelta(days=n))
                           for commitment in commitments)
    return work


def _tracker(client, counselor, days):
    """A tracker assignment of ``days`` days so far (every fifth broken, every seventh
    missing), with a reflection on each broken day."""
    exercise = factories.ExerciseFactory(owner=counselor, kind="tracker", stage="no-contact")
    assignment = _assignment(client, exercise, "in_progress", 0, 0, None)
    start = practice_today() - timedelta(days=days)
    tracker = Tracker(assignment=assignment, starts_on=start, length_days=min(120, days + 30),
                      exceptions="School pick-ups.")
    db.session.add(tracker)
    for n in range(days):
        if n % 7 == 6:
            continue
        broke = n % 5 == 4
        db.session.add(TrackerDay(tracker=tracker, day=start + timedelta(days=n),
                                  outcome="broke" if broke else "kept", urge=n % 11,
                                  note=f"day {n}", late=n % 3 == 0,
                                  reflection="why" if broke else None))
    return assignment


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
    ("case page", "counselor", lambda w: f"/cases/{w['case']}", None),
    ("case page, shares", "counselor", lambda w: f"/cases/{w['couple_case']}", None),
    ("client home", "client", lambda w: "/my/", None),
    ("client home, all completed work", "client", lambda w: "/my/?done=all", None),
    ("client work page", "client", lambda w: f"/my/assignments/{w['work']}", None),
    ("client access history", "client", lambda w: "/my/access", None),
    ("client check-ins", "client", lambda w: "/my/checkins", None),
    ("check-in schedule", "counselor", lambda w: f"/clients/{w['client_id']}/checkins", None),
    ("autosave", "client", lambda w: f"/my/assignments/{w['draft'].id}/draft", _autosave),
    ("client sessions", "client", lambda w: "/my/sessions", None),
    ("client session page", "client", lambda w: f"/my/sessions/{w['session']}", None),
    ("client agreements", "client", lambda w: "/my/agreements", None),
    ("shared with you", "client", lambda w: "/my/shared", None),
    ("shared item", "client", lambda w: f"/my/shared/{w['share']}", None),
    ("share confirmation", "client", lambda w: f"/my/assignments/{w['work']}/revisions/1/share",
     None),
    ("client revision page", "client", lambda w: f"/my/assignments/{w['work']}/revisions/1",
     None),
    ("client reports", "client", lambda w: "/my/reports", None),
    ("client report download", "client", lambda w: f"/my/reports/{w['report']}/pdf", None),
    ("consent page", "client", lambda w: f"/my/consents/{w['consent']}", None),
    ("calendar page", "counselor", lambda w: "/calendar", None),
    ("calendar feed", "counselor", lambda w: f"/calendar/{w['feed_token']}.ics", None),
    ("session page", "counselor", lambda w: f"/sessions/{w['open_session']}", None),
    ("signed session page", "counselor", lambda w: f"/sessions/{w['signed']}", None),
    ("session list", "counselor", lambda w: "/sessions/", None),
    ("session list, one case", "counselor", lambda w: f"/sessions/?show=past&case_id={w['case']}",
     None),
    ("sessions to sign, all", "counselor", lambda w: "/dashboard/unsigned", None),
    ("new session", "counselor", lambda w: f"/cases/{w['case']}/sessions/new", None),
    ("report prepare", "counselor", lambda w: f"/cases/{w['couple_case']}/report", None),
    ("report preview", "counselor",
     lambda w: f"/cases/{w['couple_case']}/report/preview?audience=joint", None),
    ("report preview, counselor's file", "counselor",
     lambda w: f"/cases/{w['couple_case']}/report/preview?audience=counselor", None),
    ("report page", "counselor", lambda w: f"/reports/{w['report']}", None),
    ("report download", "counselor", lambda w: f"/reports/{w['report']}/pdf", None),
    ("email notifications", "counselor", lambda w: "/account/notifications", None),
    ("client's email safety", "counselor", lambda w: f"/clients/{w['client_id']}/email-safety",
     None),
    ("client email notifications", "client", lambda w: "/account/notifications", None),
    ("unsubscribe", "client", lambda w: _unsubscribe(w), None),
    ("forgot password", "client", lambda w: "/forgot-password", None),
    ("client pathway", "counselor", lambda w: f"/clients/{w['client_id']}/pathway", None),
    ("caseload at one stage", "counselor",
     lambda w: "/clients/?status=active&stage=reflection", None),
    ("client's own pathway", "client", lambda w: "/my/pathway", None),
    ("client tracker work page", "client", lambda w: f"/my/assignments/{w['tracker']}", None),
    ("tracker assignment page", "counselor", lambda w: f"/assignments/{w['tracker']}", None),
    ("client commitment page", "client", lambda w: f"/my/assignments/{w['commitment']}",
     None),
    ("commitment assignment page", "counselor",
     lambda w: f"/assignments/{w['commitment']}", None),
    # Quality-time plans and memory journals (issue 11): their work and assignment pages,
    # sharing them, and the partner's shared with the client.
    ("client plan page", "client", lambda w: f"/my/assignments/{w['plan']}", None),
    ("client journal page", "client", lambda w: f"/my/assignments/{w['journal']}", None),
    ("plan assignment page", "counselor", lambda w: f"/assignments/{w['plan']}", None),
    ("journal assignment page", "counselor", lambda w: f"/assignments/{w['journal']}", None),
    ("plan share confirmation", "client", lambda w: f"/my/assignments/{w['plan']}/plan/share",
     None),
    ("memory share confirmation", "client",
     lambda w: f"/my/assignments/{w['journal']}/journal/{w['memory']}/share", None),
    ("shared plan", "client", lambda w: f"/my/shared/{w['shared_plan']}", None),
    ("shared memory", "client", lambda w: f"/my/shared/{w['shared_memory']}", None),
]


def _unsubscribe(w):
    from counsel.notifications import kinds, tokens

    return "/unsubscribe/" + tokens.unsubscribe_token(w["client"], kinds.kind("review_sent"))


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


@pytest.fixture(scope="module")
def worlds(database):
    """The small and the large practice, built once for every page of this module: building
    them is most of the test's time, and opening a page adds only audit rows and sign-in
    sessions, which no page's statement count depends on. (On PostgreSQL a function-scoped
    ``app`` empties the shared test database: this module's other tests come after these.)"""
    app = create_app(make_config(database()))
    app.test_client_class = IsolatedClient
    with app.app_context():
        factories.bind(db.session)
        yield app, practice(**SMALL), practice(**LARGE)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(("name", "role", "url", "body"), PAGES, ids=[p[0] for p in PAGES])
def test_statements_do_not_grow_with_the_caseload(worlds, name, role, url, body):
    app, small, large = worlds
    few = statements_for(app, small, role, url, body)
    many = statements_for(app, large, role, url, body)
    assert len(few) == len(many), f"{name}: {len(few)} -> {len(many)}\n" + "\n".join(many)
    most = MOST_FOR.get(name, MOST)
    assert len(many) <= most, f"{name}: {len(many)} statements\n" + "\n".join(many)


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
