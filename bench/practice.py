"""Page benchmark at practice scale: 20 counselors, 2,000 clients, 50,000 assignments,
~100,000 revisions with reviews and comments, ~1,000,000 audit rows.

Seeds the practice into the database it is given (bulk inserts; it says how long that
took), serves counsel with gunicorn (4 sync workers) on 127.0.0.1, signs in as a real
counselor and a real client through the sign-in form, and drives every main page with wrk.
For each page it prints requests/s, p50, p95 and the cost relative to ``/health`` measured
in the same round (1x = as cheap as SELECT 1), the median over the rounds. Then the
autosave targets: 50 writers saving every second, and 50 writers saving flat out.

    .venv/bin/python bench/practice.py                        # fresh SQLite file
    .venv/bin/python bench/practice.py --pg                   # PostgreSQL on 127.0.0.1
    .venv/bin/python bench/practice.py --scale 0.1 --seconds 3

Needs wrk (apt-get install -y wrk). Adding a page is one line in PAGES.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import NamedTuple

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import load, seed  # noqa: E402
from bench.records_seed import plans_and_journals  # noqa: E402
from bench.sessions_seed import report_of_case  # noqa: E402
from counsel import create_app  # noqa: E402
from counsel.extensions import db  # noqa: E402
from counsel.models import (  # noqa: E402
    Assignment,
    CaseMember,
    Client,
    CounselingSession,
    Revision,
    SessionAttendee,
    User,
)

PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/counsel_bench"


@dataclass
class Targets:
    """Who signs in and which records the pages show: busy ones, chosen after seeding."""

    counselor: str
    client: str
    client_id: int
    assignment_id: int
    revision_number: int
    work_id: int
    autosave: list  # (assignment id, number of prompts), one per wrk connection
    writers: list  # (client email, assignment id, number of prompts)
    # The counselor's case with the most sessions (a year of weekly sessions) and its
    # latest signed joint session; a partner in that case, who attended it, signs in as
    # the "partner" role for the client's session pages.
    case_id: int = 0
    session_id: int = 0
    partner: str = ""
    # A ready joint report of that case (30 days, rendered once), shared at that session.
    report_id: int = 0
    # The client's no-contact tracker, 90 days into a 120-day period (tracker_of).
    tracker_id: int = 0
    # The partner's plan, journal and commitments (30 items, memories and follow-ups; 10
    # commitments), and the other partner's plan and a memory,
    # shared with them (bench/records_seed.py).
    plan_id: int = 0
    commitment_id: int = 0
    journal_id: int = 0
    memory_id: int = 0
    shared_plan_id: int = 0
    shared_memory_id: int = 0


class Page(NamedTuple):
    name: str
    role: str  # "counselor", "client" or "partner" (Targets.partner): whose cookie wrk sends
    url: object  # Targets -> path
    autosave: bool = False


PAGES = [
    Page("dashboard", "counselor", lambda t: "/dashboard/"),
    Page("caseload", "counselor", lambda t: "/clients/"),
    Page("client page", "counselor", lambda t: f"/clients/{t.client_id}"),
    Page("assignment page", "counselor", lambda t: f"/assignments/{t.assignment_id}"),
    Page("review page", "counselor",
         lambda t: f"/assignments/{t.assignment_id}/revisions/{t.revision_number}"),
    Page("compare page", "counselor", lambda t: f"/assignments/{t.assignment_id}/compare"),
    Page("library", "counselor", lambda t: "/library/"),
    Page("cases", "counselor", lambda t: "/cases/"),
    Page("client home", "client", lambda t: "/my/"),
    Page("client work page", "client", lambda t: f"/my/assignments/{t.work_id}"),
    Page("autosave", "client", lambda t: f"/my/assignments/{t.autosave[0][0]}/draft", True),
    Page("case page", "counselor", lambda t: f"/cases/{t.case_id}"),
    Page("session page", "counselor", lambda t: f"/sessions/{t.session_id}"),
    Page("session list", "counselor", lambda t: "/sessions/"),
    Page("calendar page", "counselor", lambda t: "/calendar"),
    Page("client revision page", "client",
         lambda t: f"/my/assignments/{t.assignment_id}/revisions/{t.revision_number}"),
    # A partner in the case with a year of sessions: these pages have something to show.
    Page("client sessions", "partner", lambda t: "/my/sessions"),
    Page("client agreements", "partner", lambda t: "/my/agreements"),
    Page("shared with you", "partner", lambda t: "/my/shared"),
    Page("session list, one case", "counselor", lambda t: f"/sessions/?case_id={t.case_id}"),
    # Progress reports of the year's case (its preparation is saved: the last 30 days).
    Page("report prepare", "counselor", lambda t: f"/cases/{t.case_id}/report"),
    Page("report preview", "counselor",
         lambda t: f"/cases/{t.case_id}/report/preview?audience=joint"),
    Page("report page", "counselor", lambda t: f"/reports/{t.report_id}"),
    Page("report download", "counselor", lambda t: f"/reports/{t.report_id}/pdf"),
    Page("client reports", "partner", lambda t: "/my/reports"),
    # Email choices (issue 10): each person's own page.
    Page("email notifications", "counselor", lambda t: "/account/notifications"),
    Page("client email notifications", "client", lambda t: "/account/notifications"),
    # The stage pathway (issue 11): the counselor's page of one client, the caseload at one
    # stage (the dashboard's "Clients by stage" links), and the client's own.
    Page("client pathway", "counselor", lambda t: f"/clients/{t.client_id}/pathway"),
    Page("caseload at one stage", "counselor",
         lambda t: "/clients/?status=active&stage=reflection"),
    Page("client's own pathway", "client", lambda t: "/my/pathway"),
    # Check-ins (issue 11): a year of weekly ratings, charted on both sides.
    Page("client check-ins", "client", lambda t: "/my/checkins"),
    Page("check-in schedule", "counselor", lambda t: f"/clients/{t.client_id}/checkins"),
    # The no-contact tracker (issue 11): 90 days of check-ins, the strip and the table.
    Page("client tracker work page", "client", lambda t: f"/my/assignments/{t.tracker_id}"),
    Page("tracker assignment page", "counselor", lambda t: f"/assignments/{t.tracker_id}"),
    # Quality-time plans and memory journals (issue 11): 30 items and memories each, the
    # partner's own and the other partner's shared with them.
    Page("client plan page", "partner", lambda t: f"/my/assignments/{t.plan_id}"),
    Page("client journal page", "partner", lambda t: f"/my/assignments/{t.journal_id}"),
    Page("plan assignment page", "counselor", lambda t: f"/assignments/{t.plan_id}"),
    Page("journal assignment page", "counselor", lambda t: f"/assignments/{t.journal_id}"),
    Page("plan share confirmation", "partner",
         lambda t: f"/my/assignments/{t.plan_id}/plan/share"),
    Page("memory share confirmation", "partner",
         lambda t: f"/my/assignments/{t.journal_id}/journal/{t.memory_id}/share"),
    Page("shared plan", "partner", lambda t: f"/my/shared/{t.shared_plan_id}"),
    Page("client commitment page", "partner",
         lambda t: f"/my/assignments/{t.commitment_id}"),
    Page("commitment assignment page", "counselor",
         lambda t: f"/assignments/{t.commitment_id}"),
    Page("shared memory", "partner", lambda t: f"/my/shared/{t.shared_memory_id}"),
]


def prepare(url: str, scale: float, reuse: bool, fresh_pg: bool) -> Targets:
    if url.startswith("postgresql"):
        _create_pg_database(url, drop=fresh_pg)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "s" * 40})
    with app.app_context():
        upgrade()
        if not reuse:
            started = time.perf_counter()
            rows = seed.seed(scale)
            print(f"seeded in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{v:,} {k}" for k, v in rows.items()), flush=True)
        targets = choose_targets()
        targets.tracker_id = tracker_of(targets.client_id)
        db.engine.dispose()
    return targets


def _create_pg_database(url: str, drop: bool) -> None:
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if drop:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": parsed.database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()


def choose_targets() -> Targets:
    revisions = (select(Revision.assignment_id, func.count().label("n"))
                 .group_by(Revision.assignment_id).subquery())
    assignment, number = db.session.execute(
        select(Assignment, revisions.c.n).join(revisions, revisions.c.assignment_id
                                               == Assignment.id)
        .join(Assignment.client).join(Client.user)
        .where(Assignment.counselor_id == 1, User.active.is_(True))
        .order_by(revisions.c.n.desc(), Assignment.id).limit(1)).one()
    client = assignment.client
    editable = db.session.scalars(select(Assignment).where(
        Assignment.client_id == client.id,
        Assignment.status.in_(("assigned", "in_progress", "revision_requested")))
        .order_by(Assignment.status.desc(), Assignment.id)).all()
    writers = db.session.execute(
        select(User.email, func.min(Assignment.id)).join(Client, Client.user_id == User.id)
        .join(Assignment, Assignment.client_id == Client.id)
        .where(User.active.is_(True), Client.id != client.id,
               Assignment.status.in_(("assigned", "in_progress")))
        .group_by(User.email).order_by(User.email).limit(50)).all()
    prompts = {a.id: len(a.prompts) for a in db.session.scalars(
        select(Assignment).where(Assignment.id.in_([w[1] for w in writers])))}
    return Targets(
        counselor=db.session.get(User, 1).email, client=client.user.email,
        client_id=client.id, assignment_id=assignment.id, revision_number=number,
        work_id=editable[0].id, autosave=[(a.id, len(a.prompts)) for a in editable[:4]],
        writers=[(email, aid, prompts[aid]) for email, aid in writers], **year_case())


def tracker_of(client_id: int) -> int:
    """The target client's no-contact tracker assignment, made the first time: 90 days into
    a 120-day period, a check-in on most days (some broken, with a reflection, some late).
    Returns its assignment id."""
    from datetime import timedelta

    from counsel import checkins
    from counsel.models import Exercise, Tracker, TrackerDay

    found = db.session.scalar(select(Tracker.assignment_id).join(Tracker.assignment)
                              .where(Assignment.client_id == client_id).limit(1))
    if found is not None:
        return found
    client = db.session.get(Client, client_id)
    exercise = db.session.scalars(select(Exercise).where(Exercise.kind == "tracker")
                                  .order_by(Exercise.id).limit(1)).first()
    if exercise is None:
        raise SystemExit("This database has no no-contact tracker exercise: seed it again.")
    today = checkins.client_today(client)
    assignment = Assignment(client=client, counselor=client.counselor, exercise=exercise,
                            title=exercise.title, stage=exercise.stage, kind=exercise.kind,
                            purpose=exercise.purpose, instructions=exercise.instructions,
                            prompts=exercise.prompt_texts, _status="in_progress")
    tracker = Tracker(assignment=assignment, starts_on=today - timedelta(days=90),
                      length_days=120, exceptions="School pick-ups, by text only.")
    db.session.add_all([assignment, tracker])
    for n in range(90):
        if n % 9 == 8:
            continue  # missing
        broke = n % 13 == 12
        db.session.add(TrackerDay(tracker=tracker, day=tracker.starts_on + timedelta(days=n),
                                  outcome="broke" if broke else "kept", urge=n % 11,
                                  note=f"Day {n + 1}.", late=n % 5 == 0,
                                  reflection="What led to it." if broke else None))
    db.session.commit()
    return assignment.id


def year_case() -> dict:
    """The counselor's case with the most sessions, its latest signed joint session, and
    an active partner who attended it (none in a database seeded before the session log:
    seed it again)."""
    case_id = db.session.execute(
        select(CounselingSession.case_id).where(CounselingSession.counselor_id == 1)
        .group_by(CounselingSession.case_id)
        .order_by(func.count().desc(), CounselingSession.case_id).limit(1)).scalar()
    if case_id is None:
        raise SystemExit("This database has no counseling sessions: seed it again "
                         "(without --reuse).")
    session_id = db.session.execute(
        select(CounselingSession.id).where(CounselingSession.case_id == case_id,
                                           CounselingSession.type == "joint",
                                           CounselingSession.signed_at.is_not(None))
        .order_by(CounselingSession.starts_at.desc()).limit(1)).scalar_one()
    partner = db.session.execute(
        select(User.email).join(Client, Client.user_id == User.id)
        .join(CaseMember, CaseMember.client_id == Client.id)
        .join(SessionAttendee, SessionAttendee.client_id == Client.id)
        .where(CaseMember.case_id == case_id, SessionAttendee.session_id == session_id,
               User.active.is_(True))
        .order_by(CaseMember.position).limit(1)).scalar_one()
    report = report_of_case(db.session.get(User, 1), case_id, session_id, render=True)
    return {"case_id": case_id, "session_id": session_id, "partner": partner,
            "report_id": report["report"], **plans_and_journals(case_id, partner)}


def run_pages(server, targets: Targets, pages, seconds: float, rounds: int) -> None:
    cookies = {role: load.Browser(server.port).sign_in(email, seed.PASSWORD)
               for role, email in (("counselor", targets.counselor), ("client", targets.client),
                                   ("partner", targets.partner))}
    csrf, _ = cookies["client"].work_page(f"/my/assignments/{targets.work_id}")
    for page in pages:  # every page must answer 200 before it is timed
        if not page.autosave:
            status, _ = cookies[page.role].request("GET", page.url(targets))
            if status != 200:
                raise SystemExit(f"{page.name}: GET {page.url(targets)} answered {status}")
    results = {page.name: [] for page in pages}
    for round_number in range(1, rounds + 1):
        health = load.wrk(server.port, "/health", "", seconds)
        # each wrk thread saves from the draft version its page would start from
        autosave = [(aid, prompts, cookies["client"].work_page(f"/my/assignments/{aid}")[1])
                    for aid, prompts in targets.autosave]
        for page in pages:
            result = load.wrk(server.port, page.url(targets), cookies[page.role].cookie,
                              seconds, csrf=csrf,
                              autosave=autosave if page.autosave else None)
            result["cost"] = health["rps"] / result["rps"] if result["rps"] else float("inf")
            results[page.name].append(result)
        print(f"round {round_number}/{rounds} done; /health {health['rps']:.0f} req/s, "
              f"p50 {health['p50']:.1f} ms", flush=True)
    print(f"\n{'page':18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'cost':>7} {'failed':>7}")
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p95", "cost")}
        failed = sum(r["errors"] for r in runs)
        print(f"{name:18} {med['rps']:8.1f} {med['p50']:8.1f} {med['p95']:8.1f} "
              f"{med['cost']:6.1f}x {failed:7d}")


def run_writers(server, targets: Targets, seconds: float, flat_out: bool) -> None:
    sessions = []
    for email, aid, prompts in targets.writers:
        browser = load.Browser(server.port).sign_in(email, seed.PASSWORD)
        csrf, version = browser.work_page(f"/my/assignments/{aid}")
        sessions.append({"browser": browser, "csrf": csrf, "aid": aid, "prompts": prompts,
                         "version": version})
    modes = [("every second", 1.0)] + ([("flat out", None)] if flat_out else [])
    for label, period in modes:
        r = load.writers(server.port, sessions, seconds, period)
        print(f"autosave, {len(sessions)} writers {label:12}: {r['saves']} saves, "
              f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, slowest {r['max']:.0f} ms, "
              f"failed {r['failed']} {r['failures'] or ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--pg", action="store_true",
                        help=f"use (and drop and recreate) {PG_BENCH}")
    parser.add_argument("--reuse", action="store_true", help="the database is already seeded")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 2,000 clients")
    parser.add_argument("--seconds", type=float, default=5, help="per page per round")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    parser.add_argument("--writer-seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    args = parser.parse_args()
    load.require_wrk()
    url = PG_BENCH if args.pg else args.database or \
        f"sqlite:///{tempfile.mkdtemp(prefix='counsel-bench-')}/practice.sqlite"
    print(f"database: {make_url(url).render_as_string(hide_password=True)}", flush=True)
    targets = prepare(url, args.scale, args.reuse, fresh_pg=args.pg and not args.reuse)
    wanted = set(args.pages.split(",")) if args.pages else None
    pages = [p for p in PAGES if wanted is None or p.name in wanted]
    server = load.Server(url, threads=args.threads)
    try:
        if pages:
            run_pages(server, targets, pages, args.seconds, args.rounds)
        if args.writer_seconds:
            run_writers(server, targets, args.writer_seconds,
                        flat_out=url.startswith("sqlite"))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
