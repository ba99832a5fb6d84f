"""Seeds a whole practice through bulk inserts (SQLAlchemy Core executemany on the app's own
tables), so a practice of 2,000 clients takes seconds, not the minutes the ORM would.

The shape follows a real practice: every client has 25 assignments in every status, most
of them completed after one to five revisions, each revision but the one waiting for
review has a sent review with comments, and the audit trail holds about 500 rows per
client. Every client has an individual case, one in ten is a partner in a couple's case,
and each counselor's first couple's case has a year of weekly sessions (seed_cases.py
says more). Everything is generated from a fixed random seed, so two runs seed the same data.
"""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text

from bench import seed_cases
from counsel.auth.passwords import hash_password
from counsel.extensions import db
from counsel.library.loader import sync_library
from counsel.models import (
    Assignment,
    AuditEvent,
    CheckIn,
    CheckInSchedule,
    Client,
    Draft,
    Exercise,
    Review,
    ReviewComment,
    Revision,
    User,
)

PASSWORD = "benchmark password 1"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
# status -> (weight, fewest revisions, most revisions)
STATUSES = {"assigned": (12, 0, 0), "in_progress": (12, 0, 0), "submitted": (4, 1, 3),
            "revision_requested": (12, 1, 3), "completed": (55, 1, 5), "withdrawn": (5, 0, 0)}
SAMPLE = ("I felt that when we talked about the weekend it was hard to say what I meant and "
         "I want to own the part I played in how it went because it matters to me that you "
         "know I am trying to change how I listen and how I answer")
WORDS = SAMPLE.split()
AUDIT_ACTIONS = ("client.view", "assignment.view", "revision.view", "draft.save",
                 "portal.home.view", "caseload.view", "dashboard.view", "review.comment")


def counts(scale: float) -> dict[str, int]:
    clients = max(2, round(2000 * scale))
    return {"counselors": max(1, round(20 * scale)), "clients": clients,
            "assignments_per_client": 25, "audit_rows": round(1_000_000 * scale)}


class Seeder:
    """Builds rows in plain dicts with ids chosen here, then inserts them in batches."""

    def __init__(self, scale: float, rng_seed: int = 7):
        self.n = counts(scale)
        self.rng = random.Random(rng_seed)
        # in the order they are inserted (foreign keys)
        self.rows: dict = {t: [] for t in (User, Client, *seed_cases.TABLES, Assignment,
                                           Draft, Revision, Review, ReviewComment,
                                           *seed_cases.SESSION_TABLES, CheckInSchedule,
                                           CheckIn)}
        self.paragraphs = [self._paragraph() for _ in range(400)]
        self.cases = seed_cases.CaseSeeder(self)
        self.revisions_of: dict[int, list[int]] = {}  # client id -> revision ids

    def _paragraph(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(40, 110))) + "."

    def _answers(self, prompts: int) -> list[str]:
        return [self.rng.choice(self.paragraphs) for _ in range(prompts)]

    def _when(self, days_ago_max: int = 365) -> datetime:
        return NOW - timedelta(minutes=self.rng.randint(60, days_ago_max * 24 * 60))

    def build(self, exercises: list, password_hash: str) -> None:
        users, clients = self.rows[User], self.rows[Client]
        for c in range(1, self.n["counselors"] + 1):
            users.append({"id": c, "email": f"counselor{c}@bench.example.org",
                          "name": f"Counselor {c}", "role": "counselor",
                          "password_hash": password_hash, "active": True, "created_at": NOW})
        for k in range(1, self.n["clients"] + 1):
            uid = self.n["counselors"] + k
            users.append({"id": uid, "email": f"client{k}@bench.example.org",
                          "name": f"Client {k:04d}", "role": "client",
                          "password_hash": password_hash, "active": k % 50 != 0,
                          "created_at": NOW})
            clients.append({"id": k, "user_id": uid, "preferred_name": None, "phone": None,
                            "pronouns": None, "counselor_id": (k - 1) % self.n["counselors"] + 1,
                            "created_at": self._when()})
        names = {c["id"]: u["name"] for c, u in zip(clients, users[self.n["counselors"]:],
                                                    strict=True)}
        self.cases.build_cases(clients, names)
        for client in clients:
            for _ in range(self.n["assignments_per_client"]):
                self._assignment(client, self.rng.choice(exercises))
        self.cases.build_sessions(NOW, self.revisions_of)
        self._checkins(clients)

    def _checkins(self, clients: list[dict]) -> None:
        """Every client on weekly check-ins for a year, given most weeks (a few missed)."""
        for client in clients:
            start = TODAY - timedelta(days=364 - client["id"] % 7)
            self.rows[CheckInSchedule].append({
                "id": client["id"], "client_id": client["id"], "every_days": 7,
                "scales": ["trust", "communication", "hope"], "starts_on": start,
                "active": True, "updated_by_id": client["counselor_id"], "updated_at": NOW,
                "version": 1})
            for week in range(52):
                if self.rng.random() < .15:
                    continue
                self.rows[CheckIn].append({
                    "id": len(self.rows[CheckIn]) + 1, "client_id": client["id"],
                    "taken_on": start + timedelta(days=7 * week),
                    "ratings": {name: self.rng.randint(2, 9)
                                for name in ("trust", "communication", "hope")},
                    "note": None, "created_at": NOW})

    def _assignment(self, client: dict, exercise: dict) -> None:
        rng = self.rng
        statuses = list(STATUSES)
        status = rng.choices(statuses, weights=[STATUSES[s][0] for s in statuses])[0]
        aid = len(self.rows[Assignment]) + 1
        created = self._when()
        open_work = status in ("assigned", "in_progress", "revision_requested")
        due = (TODAY + timedelta(days=rng.randint(-20, 30))) if open_work and rng.random() < .7 \
            else None
        self.rows[Assignment].append({
            "id": aid, "client_id": client["id"], "counselor_id": client["counselor_id"],
            "exercise_id": exercise["id"], "title": exercise["title"], "stage": exercise["stage"],
            "kind": exercise["kind"], "purpose": exercise["purpose"],
            "instructions": exercise["instructions"], "prompts": exercise["prompts"],
            "due_date": due, "note": None, "_status": status, "created_at": created,
            "updated_at": created, "case_id": self.cases.case_of[client["id"]],
            "session_id": None, "contact_reason": None})
        prompts = len(exercise["prompts"])
        if status not in ("assigned", "withdrawn"):
            self.rows[Draft].append({"id": len(self.rows[Draft]) + 1, "assignment_id": aid,
                                     "answers": self._answers(prompts), "version": 1,
                                     "updated_at": created})
        _, low, high = STATUSES[status]
        revisions = rng.randint(low, high)
        for number in range(1, revisions + 1):
            rid = len(self.rows[Revision]) + 1
            at = created + timedelta(days=number * 2)
            self.rows[Revision].append({"id": rid, "assignment_id": aid, "number": number,
                                        "answers": self._answers(prompts),
                                        "content_hash": f"{rid:064x}", "submitted_at": at})
            self.revisions_of.setdefault(client["id"], []).append(rid)
            if status == "submitted" and number == revisions:
                continue  # waiting for review
            review_id = len(self.rows[Review]) + 1
            accept = status == "completed" and number == revisions
            self.rows[Review].append({
                "id": review_id, "revision_id": rid, "counselor_id": client["counselor_id"],
                "overall_comment": rng.choice(self.paragraphs), "rubric": None,
                "decision": "accept" if accept else "request_revision",
                "created_at": at, "sent_at": at + timedelta(hours=20)})
            for _ in range(rng.randint(0, 2)):
                self.rows[ReviewComment].append({
                    "id": len(self.rows[ReviewComment]) + 1, "review_id": review_id,
                    "prompt_index": 0, "start": 0, "end": 20,
                    "quote": self.rows[Revision][-1]["answers"][0][:20],
                    "body": rng.choice(self.paragraphs), "created_at": at})

    def audit_batches(self, batch: int = 20_000):
        """About 1 million rows per 2,000 clients, spread over the year, in batches."""
        rng, total = self.rng, self.n["audit_rows"]
        clients = self.rows[Client]
        for start in range(0, total, batch):
            rows = []
            for i in range(start, min(total, start + batch)):
                client = clients[rng.randrange(len(clients))] if i % 10 else None
                actor = client["counselor_id"] if client and i % 3 else \
                    (client["user_id"] if client else rng.randint(1, self.n["counselors"]))
                rows.append({"id": i + 1, "at": self._when(), "actor_id": actor,
                             "action": AUDIT_ACTIONS[i % len(AUDIT_ACTIONS)],
                             "target_type": "clients" if client else None,
                             "target_id": str(client["id"]) if client else None,
                             "client_id": client["id"] if client else None,
                             "outcome": "success", "ip": "127.0.0.1", "detail": None})
            yield rows


def _exercises() -> list[dict]:
    rows = db.session.scalars(select(Exercise).where(Exercise.retired_at.is_(None))).all()
    return [{"id": e.id, "title": e.title, "stage": e.stage, "kind": e.kind,
             "purpose": e.purpose, "instructions": e.instructions,
             "prompts": e.prompt_texts} for e in rows]


def _insert(connection, model, rows, batch: int = 10_000) -> None:
    table = model.__table__
    if model is Assignment:  # the mapped attribute is _status; the column is status
        rows = [{("status" if k == "_status" else k): v for k, v in r.items()} for r in rows]
    for start in range(0, len(rows), batch):
        connection.execute(insert(table), rows[start:start + batch])


def seed(scale: float, **shape: int) -> dict[str, int]:
    """Fill an empty, migrated database (inside an app context). Returns row counts.
    ``shape`` overrides counts() (bench/report.py: one couple with 60 assignments each)."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise SystemExit("The database already has users: give an empty one, or --reuse it.")
    sync_library()
    db.session.commit()
    seeder = Seeder(scale)
    seeder.n.update(shape)
    seeder.build(_exercises(), hash_password(PASSWORD))
    signatures = seeder.cases.signatures()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA synchronous=OFF")  # seeding only; one transaction
    for model, rows in seeder.rows.items():
        _insert(connection, model, rows)
    seed_cases.sign(connection, signatures)
    audit_rows = 0
    for rows in seeder.audit_batches():
        _insert(connection, AuditEvent, rows)
        audit_rows += len(rows)
    if connection.dialect.name == "postgresql":
        for model in (*seeder.rows, AuditEvent):
            name = model.__tablename__
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                    f"(SELECT max(id) FROM {name}))"))
    db.session.commit()
    if connection.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
    result = {model.__tablename__: len(rows) for model, rows in seeder.rows.items()}
    return result | {"audit_events": audit_rows}

