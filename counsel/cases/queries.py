"""Read-side queries for the case pages and the caseload. Each list is one statement,
whatever the size of the case (a year of weekly sessions with agreements): the case page
runs a fixed handful of them, never one per session, agreement or partner."""

from collections import defaultdict
from dataclasses import dataclass, field

from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..assignments.queries import LIST_ONLY
from ..extensions import db
from ..models import (
    STAGES,
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CaseMember,
    Client,
    CounselingSession,
    JournalEntry,
    SafetyScreening,
    Share,
)
from ..models import Revision as RevisionModel
from ..paging import Page, paged
from ..permissions import cases_of, cases_of_client
from ..search import like_pattern, person_matches

LATEST_SESSIONS = 20
LATEST_AGREEMENTS = 30
WITH_PARTNERS = selectinload(Case.members).joinedload(CaseMember.client).joinedload(Client.user)


def partner_matches(search: str):
    """Ids of cases with a partner whose name, preferred name or email matches."""
    return (select(CaseMember.case_id).join(CaseMember.client).join(Client.user)
            .where(person_matches(search)))


def filtered_cases(search: str, status: str):
    """The counselor's cases as a statement for paging: open ones first, newest first."""
    query = cases_of(current_user).order_by(Case.closed_at.is_not(None),
                                            Case.opened_at.desc(), Case.id.desc())
    if search:
        query = query.where(or_(Case.name.ilike(like_pattern(search), escape="\\"),
                                Case.id.in_(partner_matches(search))))
    if status == "open":
        query = query.where(Case.closed_at.is_(None))
    elif status == "closed":
        query = query.where(Case.closed_at.is_not(None))
    elif status == "flagged":
        query = query.where(Case.safety_flagged_at.is_not(None))
    return query


def cases_page(search: str, status: str, page: int, size: int) -> Page:
    """A page of cases, each with its partners (two statements)."""
    return paged(filtered_cases(search, status).options(WITH_PARTNERS), page, size)


def cases_of_client_list(client: Client) -> list[Case]:
    """The client's cases for their page, open ones first (one statement)."""
    return db.session.scalars(
        cases_of_client(client).where(Case.counselor_id == current_user.id)
        .order_by(Case.closed_at.is_not(None), Case.opened_at.desc(), Case.id.desc())).all()


@dataclass
class PartnerWork:
    client: Client
    # (stage key, stage title, assignments) in guide order, stages with work only
    stages: list = field(default_factory=list)
    screenings: list = field(default_factory=list)
    shared: list = field(default_factory=list)


def partner_work(case: Case) -> list[PartnerWork]:
    """For each partner: their assignments in this case by guide stage, their screenings
    and what they have shared. Three statements for the whole case."""
    work = {m.client_id: PartnerWork(m.client) for m in case.members}
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.case_id == case.id)
        .order_by(Assignment.created_at, Assignment.id).options(*LIST_ONLY)).all()
    by_partner_and_stage = defaultdict(list)
    for assignment in assignments:
        by_partner_and_stage[assignment.client_id, assignment.stage].append(assignment)
    for stage, title in STAGES.items():
        for client_id, partner in work.items():
            if in_stage := by_partner_and_stage.get((client_id, stage)):
                partner.stages.append((stage, title, in_stage))
    for screening in db.session.scalars(
            select(SafetyScreening).where(SafetyScreening.case_id == case.id)
            .order_by(SafetyScreening.screened_on.desc(), SafetyScreening.id.desc())):
        if screening.client_id in work:
            work[screening.client_id].screenings.append(screening)
    # A share is of a revision, a memory journal entry or a plan (an assignment itself).
    shared_work = func.coalesce(RevisionModel.assignment_id, JournalEntry.assignment_id,
                                Share.plan_id)
    shares = db.session.execute(
        select(Share.author_id, Share.shared_at, RevisionModel.number,
               JournalEntry.remembered_on, Assignment.id, Assignment.title)
        .outerjoin(RevisionModel, RevisionModel.id == Share.revision_id)
        .outerjoin(JournalEntry, JournalEntry.id == Share.journal_entry_id)
        .join(Assignment, Assignment.id == shared_work)
        .where(Share.case_id == case.id, Share.withdrawn_at.is_(None),
               Share.author_id.in_(list(work)))
        .order_by(Share.shared_at.desc(), Share.id.desc())).all()
    for row in shares:
        work[row.author_id].shared.append(row)
    return list(work.values())


def latest_sessions(case: Case) -> Page:
    """The case's latest sessions, newest first, with how many there are (one statement)."""
    return paged(select(CounselingSession).where(CounselingSession.case_id == case.id)
                 .order_by(CounselingSession.starts_at.desc(), CounselingSession.id.desc()),
                 1, LATEST_SESSIONS)


def open_agreements(case: Case) -> Page:
    """Agreements made in the case's signed sessions, newest first: rows of (agreement,
    session date, latest follow-up outcome, its date). One statement."""
    latest_id = (select(func.max(AgreementFollowUp.id))
                 .where(AgreementFollowUp.agreement_id == Agreement.id)
                 .correlate(Agreement).scalar_subquery())
    outcome = (select(AgreementFollowUp.outcome).where(AgreementFollowUp.id == latest_id)
               .correlate(Agreement).scalar_subquery())
    followed = (select(AgreementFollowUp.created_at).where(AgreementFollowUp.id == latest_id)
                .correlate(Agreement).scalar_subquery())
    return paged(
        select(Agreement, CounselingSession.starts_at, outcome.label("outcome"),
               followed.label("followed_at"))
        .join(Agreement.session)
        .where(Agreement.case_id == case.id, CounselingSession.signed_at.is_not(None))
        .order_by(CounselingSession.starts_at.desc(), Agreement.id.desc()),
        1, LATEST_AGREEMENTS, rows=True)



def open_cases_with(client_id: int | None) -> list[Case]:
    """The counselor's open cases (those holding ``client_id`` when given), newest first,
    with their partners: for choosing a case on the assign form."""
    query = (cases_of(current_user).where(Case.closed_at.is_(None))
             .order_by(Case.opened_at.desc(), Case.id.desc()).options(WITH_PARTNERS))
    if client_id:
        query = query.where(Case.id.in_(select(CaseMember.case_id)
                                        .where(CaseMember.client_id == client_id)))
    return db.session.scalars(query).all()
