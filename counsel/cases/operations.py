"""Opening, renaming, closing and reopening cases; the safety flag; the private safety
screenings. Plain functions of (actor, object, data): they flush, record audit rows and
raise ``CaseRefused`` on a broken rule; views commit.

Audit rows about the safety flag and screenings name the case but no client, so they never
appear in a partner's own access history: a partner must not learn from "who viewed my
record" that a flag was set or a screening recorded (PRODUCT.md "Safety")."""

from datetime import date

from .. import audit
from ..clock import practice_today
from ..extensions import db
from ..models import (
    SCREENING_OUTCOMES,
    Case,
    CaseMember,
    Client,
    Exercise,
    SafetyScreening,
    User,
    utcnow,
)
from ..models.types import unstorable
from ..permissions import cases_of_client

NAME_MAX = 120
REASON_MAX = 5000
NOTE_MAX = 10_000
SCREENING_YEARS_BACK = 5


class CaseRefused(Exception):
    """A rule said no; ``message`` is for the counselor, in plain words."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _text(value: str | None, what: str, most: int, field: str, *, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise CaseRefused(f"Enter {what}.", field)
        return None
    if len(value) > most:
        raise CaseRefused(f"Keep {what} to {most:,} characters.", field)
    if problem := unstorable(value):
        raise CaseRefused(f"{what.capitalize()} contains {problem}. Remove it and try again.",
                          field)
    return value


def record_for_partners(action: str, case: Case, actor: User) -> None:
    """One row per partner, so each partner's access history shows what was done with
    the case that holds their work (one statement, whatever the number of partners)."""
    audit.record_each(action, case, case.partners, actor=actor)


def open_case(counselor: User, name: str, clients: list[Client]) -> Case:
    """An individual case for one client, a couple's case for two different clients; each
    must be an active client on the counselor's own caseload."""
    name = _text(name, "a name for the case", NAME_MAX, "name", required=True)
    if not clients:
        raise CaseRefused("Choose the client this case is for.", "partner_one")
    if len(clients) > 2:
        raise CaseRefused("A case has one client or two partners.", "partner_two")
    if len(clients) == 2 and clients[0].id == clients[1].id:
        raise CaseRefused("Choose two different people for a couple, or only one for an "
                          "individual case.", "partner_two")
    for client in clients:
        if client.counselor_id != counselor.id:
            raise CaseRefused("Choose clients from your own caseload.", "partner_one")
        if not client.active:
            raise CaseRefused(f"{client.display_name}'s account is deactivated. Reactivate it "
                              "before opening a case.", "partner_one")
    case = Case(counselor_id=counselor.id, name=name,
                kind="couple" if len(clients) == 2 else "individual",
                members=[CaseMember(client=c, position=i + 1) for i, c in enumerate(clients)])
    db.session.add(case)
    db.session.flush()
    record_for_partners("case.create", case, counselor)
    return case


def rename(counselor: User, case: Case, name: str) -> None:
    case.name = _text(name, "a name for the case", NAME_MAX, "name", required=True)
    db.session.flush()
    record_for_partners("case.update", case, counselor)


def close_case(counselor: User, case: Case) -> None:
    if not case.is_open:
        raise CaseRefused("This case is already closed.")
    case.closed_at = utcnow()
    db.session.flush()
    record_for_partners("case.close", case, counselor)


def reopen_case(counselor: User, case: Case) -> None:
    if case.is_open:
        raise CaseRefused("This case is already open.")
    inactive = [c.display_name for c in case.partners if not c.active]
    if inactive:
        raise CaseRefused(f"{' and '.join(inactive)}'s account is deactivated. Reactivate it "
                          "before reopening the case.")
    case.closed_at = None
    db.session.flush()
    record_for_partners("case.reopen", case, counselor)


def set_safety_flag(counselor: User, case: Case, reason: str) -> None:
    """Set (or restate) the flag; the reason is required and shown with it."""
    case.safety_reason = _text(reason, "the reason for the safety flag", REASON_MAX, "reason",
                               required=True)
    case.safety_flagged_at = utcnow()
    db.session.flush()
    audit.record("case.flag", case, actor=counselor)


def clear_safety_flag(counselor: User, case: Case) -> None:
    if not case.flagged:
        raise CaseRefused("This case has no safety flag.")
    case.safety_flagged_at = None
    db.session.flush()
    audit.record("case.unflag", case, actor=counselor)


def record_screening(counselor: User, case: Case, client: Client, screened_on: date | None,
                     outcome: str, note: str | None) -> SafetyScreening:
    """The counselor's private record of screening one partner; never shown to a partner."""
    if client is None or client.id not in {m.client_id for m in case.members}:
        raise CaseRefused("Choose a partner in this case.", "client")
    if screened_on is None:
        raise CaseRefused("Enter the date of the screening.", "screened_on")
    today = practice_today()
    if screened_on > today:
        raise CaseRefused("The screening date is in the future. Record a screening once it "
                          "has taken place.", "screened_on")
    if screened_on < _years_before(today, SCREENING_YEARS_BACK):
        raise CaseRefused(f"The screening date is more than {SCREENING_YEARS_BACK} years ago. "
                          "Check the year.", "screened_on")
    if outcome not in SCREENING_OUTCOMES:
        raise CaseRefused("Choose the outcome of the screening.", "outcome")
    screening = SafetyScreening(case_id=case.id, client_id=client.id, screened_on=screened_on,
                                outcome=outcome, recorded_by_id=counselor.id,
                                note=_text(note, "the note", NOTE_MAX, "note", required=False))
    db.session.add(screening)
    db.session.flush()
    audit.record("screening.create", screening, actor=counselor)
    return screening


NEEDS_CONTACT_REASON = (
    "{name} is in a case with a safety flag, and this exercise leads to contact with the "
    "other person. Write why it is right to assign it now, or choose another exercise.")


def case_for_work(counselor: User, client: Client, exercise: Exercise, case: Case | None,
                  contact_reason: str | None) -> tuple[Case | None, str | None]:
    """The case new work for ``client`` belongs to, and the reason to keep with it.

    A chosen case must be one of the counselor's open cases holding the client; with none
    chosen it is the client's most recently opened open case (None for a client in no
    case). While the client is in ANY open flagged case, an exercise that leads to contact
    needs a reason (PRODUCT.md "Safety")."""
    if case is not None:
        if case.counselor_id != counselor.id or not case.is_open or \
                client.id not in {m.client_id for m in case.members}:
            raise CaseRefused(f"Choose one of your open cases that {client.display_name} is "
                              "in, or leave the case for counsel to choose.", "case")
    else:
        case = latest_open_case(client)
    reason = _text(contact_reason, "the reason", REASON_MAX, "contact_reason", required=False)
    if exercise.leads_to_contact and not reason and in_open_flagged_case(client):
        raise CaseRefused(NEEDS_CONTACT_REASON.format(name=client.display_name),
                          "contact_reason")
    return case, reason


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def latest_open_case(client: Client) -> Case | None:
    """The client's most recently opened case that is still open."""
    return db.session.scalars(
        cases_of_client(client).where(Case.closed_at.is_(None))
        .order_by(Case.opened_at.desc(), Case.id.desc()).limit(1)).first()


def in_open_flagged_case(client: Client) -> bool:
    return db.session.scalar(
        cases_of_client(client).with_only_columns(Case.id)
        .where(Case.closed_at.is_(None), Case.safety_flagged_at.is_not(None))
        .limit(1)) is not None
