"""Cases and the session log for the benchmark practice (bench/seed.py builds the rest).

Every client has an individual case; about 10% of clients are paired into couple cases
(their work belongs to the couple's case). Each counselor's first couple case holds a year
of weekly sessions: 52 held (every fourth an individual session with one partner, the
rest joint and mediated with both), all signed but the latest, joint ones with one or two
agreements that the next session follows up, an addendum on every tenth; plus one next
week. Other cases have up to four recent sessions. Each partner of a couple was screened
before their first session; the year's couple and about half of the others have one
shared revision.

Sessions are inserted unsigned and signed afterwards with one UPDATE per session: the
database refuses parts (attendees, agreements, follow-ups) added to a signed session, as
it should. The content hash at signing is the real one (``signing.content_of``).
"""

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import bindparam, update

from counsel.models import (
    Addendum,
    Agreement,
    AgreementFollowUp,
    Case,
    CaseMember,
    CounselingSession,
    SafetyScreening,
    SessionAttendee,
    Share,
)
from counsel.session_log import signing

TABLES = (Case, CaseMember)  # inserted before assignments, which point at cases
SESSION_TABLES = (CounselingSession, SessionAttendee, Agreement, AgreementFollowUp, Addendum,
                  SafetyScreening, Share)
COUPLE_EVERY = 20  # two clients in every twenty of a counselor's clients are a couple
YEAR = 52
OTHER_SESSIONS_MOST = 4


class CaseSeeder:
    """Adds rows to ``seeder.rows`` (a bench.seed.Seeder); ids are chosen here."""

    def __init__(self, seeder):
        self.s = seeder
        self.rng = seeder.rng
        for model in (*TABLES, *SESSION_TABLES):
            seeder.rows.setdefault(model, [])
        self.case_of: dict[int, int] = {}  # client id -> the case their work belongs to
        self.couples: list[tuple[dict, list[dict]]] = []
        self.individual: list[tuple[dict, dict]] = []
        self.to_sign: list[dict] = []

    def _add(self, model, row: dict) -> dict:
        rows = self.s.rows[model]
        row["id"] = len(rows) + 1
        rows.append(row)
        return row

    def _case(self, counselor_id: int, name: str, kind: str, members: list[dict]) -> dict:
        case = self._add(Case, {"counselor_id": counselor_id, "name": name, "kind": kind,
                                "opened_at": min(m["created_at"] for m in members),
                                "closed_at": None, "safety_flagged_at": None,
                                "safety_reason": None})
        for position, client in enumerate(members, start=1):
            self._add(CaseMember, {"case_id": case["id"], "client_id": client["id"],
                                   "position": position})
        return case

    def build_cases(self, clients: list[dict], names: dict[int, str]) -> None:
        """Before the assignments: which case each client's work belongs to."""
        by_counselor: dict[int, list[dict]] = {}
        for client in clients:
            by_counselor.setdefault(client["counselor_id"], []).append(client)
            case = self._case(client["counselor_id"], names[client["id"]], "individual",
                              [client])
            self.case_of[client["id"]] = case["id"]
            self.individual.append((case, client))
        for counselor_id, theirs in by_counselor.items():
            for i in range(0, len(theirs) - 1, COUPLE_EVERY):
                pair = theirs[i:i + 2]
                name = " & ".join(names[c["id"]] for c in pair)
                case = self._case(counselor_id, name[:120], "couple", pair)
                self.couples.append((case, pair))
                for client in pair:
                    self.case_of[client["id"]] = case["id"]

    def build_sessions(self, now, revisions_of: dict[int, list[int]]) -> None:
        """After the assignments and revisions (shares point at revisions)."""
        year_cases = set()
        for case, pair in self.couples:
            first_of_counselor = case["counselor_id"] not in year_cases
            year_cases.add(case["counselor_id"])
            if first_of_counselor:
                first = self._year(case, pair, now)
            else:
                first = self._few(case, pair, now)
            for client in pair:
                self._add(SafetyScreening, {
                    "case_id": case["id"], "client_id": client["id"],
                    "screened_on": (first - timedelta(days=3)).date(),
                    "outcome": "no_concerns", "note": self.rng.choice(self.s.paragraphs),
                    "recorded_by_id": case["counselor_id"], "created_at": first})
            author, recipient = pair
            if revisions_of.get(author["id"]) and (first_of_counselor or self.rng.random() < .5):
                self._add(Share, {"case_id": case["id"], "author_id": author["id"],
                                  "recipient_id": recipient["id"],
                                  "revision_id": revisions_of[author["id"]][-1],
                                  "shared_at": now - timedelta(days=2), "withdrawn_at": None})
        for case, client in self.individual:
            self._few(case, [client], now)

    def _year(self, case: dict, pair: list[dict], now):
        starts = [now - timedelta(weeks=YEAR - w) for w in range(YEAR)]  # the last: 1 week ago
        previous = []
        for week, at in enumerate(starts):
            joint = week % 4 != 3
            attendees = pair if joint else [pair[(week // 4) % 2]]
            session = self._session(case, attendees, at, joint, sign=week < YEAR - 1)
            for agreement in previous:
                self._add(AgreementFollowUp, {
                    "agreement_id": agreement["id"], "session_id": session["id"],
                    "outcome": self.rng.choice(("kept", "partly", "not_kept")),
                    "note": self.rng.choice(self.s.paragraphs)[:200], "created_at": at})
            previous = []
            if joint:
                follow_up_on = (starts[week + 1] if week + 1 < YEAR else now).date()
                for binds in self.rng.sample([None, *(c["id"] for c in pair)],
                                             self.rng.randint(1, 2)):
                    previous.append(self._add(Agreement, {
                        "session_id": session["id"], "case_id": case["id"],
                        "text": self.rng.choice(self.s.paragraphs)[:300],
                        "binds_client_id": binds, "follow_up_on": follow_up_on,
                        "created_at": at}))
            if week % 10 == 5:
                session["addendum"] = True
        self._session(case, pair, now + timedelta(days=7), True, sign=False)
        return starts[0]

    def _few(self, case: dict, members: list[dict], now):
        count = self.rng.randint(0, OTHER_SESSIONS_MOST)
        first = now - timedelta(weeks=count + 1)
        for n in range(count):
            at = now - timedelta(weeks=count - n, hours=self.rng.randint(0, 48))
            self._session(case, members, at, len(members) == 2, sign=n < count - 1)
        return first

    def _session(self, case, attendees, at, joint, *, sign):
        text = self.s.paragraphs
        session = self._add(CounselingSession, {
            "case_id": case["id"], "counselor_id": case["counselor_id"], "starts_at": at,
            "duration_minutes": 50, "format": self.rng.choice(("in_person", "video")),
            "type": "joint" if joint else "individual",
            "shared_summary": self.rng.choice(text), "private_notes": self.rng.choice(text),
            **{field: (self.rng.choice(text)[:400] if joint else None)
               for field in ("agenda", "perspectives", "acknowledged", "next_steps")},
            "screening_confirmed_at": None, "cancelled_at": None, "created_at": at,
            "updated_at": at, "version": 1, "signed_at": None, "signed_by_id": None,
            "content_hash": None})
        for client in attendees:
            self._add(SessionAttendee, {"session_id": session["id"], "client_id": client["id"]})
        if sign:
            self.to_sign.append(session)
        return session

    def signatures(self) -> list[dict]:
        """One row per signed session for ``sign``, hashed as signing.sign would, and the
        addenda written after signing."""
        rows = self.s.rows
        attendees, agreements, follow_ups = {}, {}, {}
        for a in rows[SessionAttendee]:
            attendees.setdefault(a["session_id"], []).append(SimpleNamespace(**a))
        for a in rows[Agreement]:
            agreements.setdefault(a["session_id"], []).append(SimpleNamespace(**a))
        for f in rows[AgreementFollowUp]:
            follow_ups.setdefault(f["session_id"], []).append(SimpleNamespace(**f))
        signed = []
        for session in self.to_sign:
            sid = session["id"]
            view = SimpleNamespace(**{k: v for k, v in session.items() if k != "addendum"},
                                   attendees=attendees.get(sid, []),
                                   agreements=agreements.get(sid, []),
                                   follow_ups=follow_ups.get(sid, []))
            at = session["starts_at"] + timedelta(hours=2)
            signed.append({"b_id": sid, "signed_at": at, "signed_by_id": session["counselor_id"],
                           "content_hash": signing.content_hash(view)})
            if session.pop("addendum", False):
                self._add(Addendum, {"session_id": sid, "body": self.rng.choice(self.s.paragraphs),
                                     "signed_by_id": session["counselor_id"],
                                     "signed_at": at + timedelta(days=1),
                                     "content_hash": f"{sid:064x}"})
        for session in rows[CounselingSession]:
            session.pop("addendum", None)
        return signed


def sign(connection, signed: list[dict], batch: int = 5_000) -> None:
    table = CounselingSession.__table__
    statement = update(table).where(table.c.id == bindparam("b_id")).values(
        signed_at=bindparam("signed_at"), signed_by_id=bindparam("signed_by_id"),
        content_hash=bindparam("content_hash"))
    for start in range(0, len(signed), batch):
        connection.execute(statement, signed[start:start + batch])
