"""Every "may this person see or change this object" rule, and the loaders views use.

Loaders filter by the acting user inside the query itself, so another person's id finds
nothing; a miss is recorded as a refused access and answered with 404 (PRODUCT.md rule 6).
Templates call the same predicates through the ``can`` global.
"""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from . import audit
from .extensions import db
from .inputs import MAX_ID
from .models import (
    Assignment,
    Case,
    CaseMember,
    Client,
    Commitment,
    CounselingSession,
    ExcerptConsent,
    Exercise,
    JournalEntry,
    PlanItem,
    Report,
    Revision,
    SessionAttendee,
    Share,
    User,
)


def role_required(*roles):
    """For a blueprint's ``before_request``: other roles get 403, no data."""
    if current_user.is_authenticated and current_user.role not in roles:
        audit.record_now("access.wrong_role", outcome="denied", detail=",".join(roles))
        abort(403)


def refuse(target_type: str, target_id) -> None:
    audit.record_now("access.refused", target_type=target_type, target_id=target_id)
    abort(404)


def one_or_404(statement, target_type: str, target_id):
    if isinstance(target_id, int) and not 0 <= target_id <= MAX_ID:
        # No row has such an id, and the database refuses to compare with one (a form's
        # number field is not bounded like a URL's id).
        refuse(target_type, None)
    obj = db.session.scalars(statement).first()
    if obj is None:
        refuse(target_type, target_id)
    return obj


# --- clients -----------------------------------------------------------------------------

def caseload_query(counselor: User):
    return select(Client).where(Client.counselor_id == counselor.id)


def client_for_counselor(client_id: int) -> Client:
    """A client on the signed-in counselor's caseload, or 404; with their account, which
    every client page shows (name, sign-up state), in the same statement."""
    return one_or_404(
        caseload_query(current_user).where(Client.id == client_id)
        .options(joinedload(Client.user)), "clients", client_id
    )


def own_client_record() -> Client:
    """The signed-in client's own record."""
    client = current_user.client
    if client is None:
        abort(404)
    return client


def can_view_client(user: User, client: Client) -> bool:
    if user.is_counselor:
        return client.counselor_id == user.id
    if user.is_client:
        return client.user_id == user.id
    return False


# --- exercises -----------------------------------------------------------------------------

def visible_exercises(counselor: User):
    """The current library and the counselor's own exercises."""
    return select(Exercise).where(
        Exercise.retired_at.is_(None),
        (Exercise.owner_id.is_(None)) | (Exercise.owner_id == counselor.id),
    )


def exercise_for_counselor(exercise_id: int) -> Exercise:
    return one_or_404(visible_exercises(current_user).where(Exercise.id == exercise_id),
                      "exercises", exercise_id)


def own_exercise(exercise_id: int) -> Exercise:
    """One of the signed-in counselor's own exercises (library ones cannot be edited)."""
    return one_or_404(select(Exercise).where(Exercise.id == exercise_id,
                                             Exercise.owner_id == current_user.id),
                      "exercises", exercise_id)


def can_edit_exercise(user: User, exercise: Exercise) -> bool:
    return user.is_counselor and exercise.owner_id == user.id


# --- assignments ---------------------------------------------------------------------------

def assignment_for_counselor(assignment_id: int, *options) -> Assignment:
    """``options`` are loader options for what the page shows (see assignments.queries)."""
    return one_or_404(
        select(Assignment).join(Assignment.client)
        .where(Assignment.id == assignment_id, Client.counselor_id == current_user.id)
        .options(*options),
        "assignments", assignment_id)


def assignment_for_client(assignment_id: int, *options) -> Assignment:
    """One of the signed-in client's own assignments."""
    client = own_client_record()
    return one_or_404(
        select(Assignment).where(Assignment.id == assignment_id,
                                 Assignment.client_id == client.id).options(*options),
        "assignments", assignment_id)


def revision_of(assignment: Assignment, number: int, *options) -> Revision:
    return one_or_404(
        select(Revision).where(Revision.assignment_id == assignment.id,
                               Revision.number == number).options(*options),
        "revisions", f"{assignment.id}/{number}")


def commitment_of(assignment: Assignment, commitment_id: int, *options) -> Commitment:
    """One of ``assignment``'s commitments (the caller has loaded the assignment through
    its own loader); another assignment's commitment is a refused access."""
    return one_or_404(
        select(Commitment).where(Commitment.id == commitment_id,
                                 Commitment.assignment_id == assignment.id).options(*options),
        "commitments", f"{assignment.id}/{commitment_id}")


def plan_item_of(assignment: Assignment, item_id: int, *options) -> PlanItem:
    """An item of this plan (an item of another assignment is refused like a stranger's)."""
    return one_or_404(select(PlanItem).where(PlanItem.id == item_id,
                                             PlanItem.assignment_id == assignment.id)
                      .options(*options), "plan_items", item_id)


def journal_entry_of(assignment: Assignment, entry_id: int, *options) -> JournalEntry:
    """An entry of this journal (an entry of another assignment is refused)."""
    return one_or_404(select(JournalEntry).where(JournalEntry.id == entry_id,
                                                 JournalEntry.assignment_id == assignment.id)
                      .options(*options), "journal_entries", entry_id)


# --- cases and sessions ------------------------------------------------------------------

def cases_of(counselor: User):
    return select(Case).where(Case.counselor_id == counselor.id)


def case_for_counselor(case_id: int, *options) -> Case:
    """One of the signed-in counselor's cases, or 404; with its partners."""
    return one_or_404(
        cases_of(current_user).where(Case.id == case_id)
        .options(joinedload(Case.members).joinedload(CaseMember.client)
                 .joinedload(Client.user), *options),
        "cases", case_id)


def session_for_counselor(session_id: int, *options) -> CounselingSession:
    """One of the signed-in counselor's counseling sessions, or 404."""
    return one_or_404(
        select(CounselingSession).where(CounselingSession.id == session_id,
                                        CounselingSession.counselor_id == current_user.id)
        .options(*options),
        "counseling_sessions", session_id)


def cases_of_client(client: Client):
    """The cases a client is (or was) a partner in."""
    return select(Case).join(CaseMember).where(CaseMember.client_id == client.id)


def share_of_author(author: Client, share_id: int, *options) -> Share:
    """One of the client's own shares (active or withdrawn), or 404."""
    return one_or_404(select(Share).where(Share.id == share_id, Share.author_id == author.id)
                      .options(*options), "shares", share_id)


def share_for_recipient(recipient: Client, share_id: int, *options) -> Share:
    """A share made to the client (active or withdrawn: the view tells them apart), or 404."""
    return one_or_404(select(Share).where(Share.id == share_id,
                                          Share.recipient_id == recipient.id)
                      .options(*options), "shares", share_id)


# --- progress reports --------------------------------------------------------------------

def report_for_counselor(report_id: int, *options) -> Report:
    """A report of one of the signed-in counselor's cases, or 404."""
    return one_or_404(
        select(Report).join(Report.case)
        .where(Report.id == report_id, Case.counselor_id == current_user.id).options(*options),
        "reports", report_id)


def reports_for_client(client: Client):
    """The versions handed to the client: ready, for them (their own version, or the joint
    one of a case they are a partner in), and marked shared at a session they attended.
    Never the counselor's file, never the other partner's version."""
    return (select(Report)
            .join(SessionAttendee, and_(SessionAttendee.session_id == Report.shared_session_id,
                                        SessionAttendee.client_id == client.id))
            .where(Report.status == "ready",
                   or_(and_(Report.audience.in_(["partner", "client"]),
                            Report.audience_client_id == client.id),
                       and_(Report.audience == "joint",
                            Report.case_id.in_(select(CaseMember.case_id)
                                               .where(CaseMember.client_id == client.id))))))


def report_for_client(client: Client, report_id: int, *options) -> Report:
    return one_or_404(reports_for_client(client).where(Report.id == report_id)
                      .options(*options), "reports", report_id)


def consent_for_client(client: Client, consent_id: int, *options) -> ExcerptConsent:
    """A request to quote one of the client's own revisions, asked of them, or 404."""
    return one_or_404(select(ExcerptConsent).where(ExcerptConsent.id == consent_id,
                                                   ExcerptConsent.client_id == client.id)
                      .options(*options), "excerpt_consents", consent_id)


PREDICATES = {"view_client": can_view_client, "edit_exercise": can_edit_exercise}


def can(action: str, obj) -> bool:
    """Template helper: ``{% if can('view_client', client) %}``."""
    return current_user.is_authenticated and PREDICATES[action](current_user, obj)


def with_role(*roles):
    """Decorator form of ``role_required`` for a single view."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            role_required(*roles)
            return view(*args, **kwargs)
        return wrapped
    return decorator
