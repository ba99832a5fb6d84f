"""Read-side queries of the report pages: the work a counselor may quote, the case's
archive, and the sessions a report can be marked as shared at. One statement each."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload, load_only, selectinload

from ..extensions import db
from ..models import (
    Assignment,
    Case,
    CaseMember,
    Client,
    CounselingSession,
    ExcerptConsent,
    Report,
    Review,
    Revision,
    utcnow,
)
from ..paging import Page, paged
from ..session_log.queries import local_midnight

ARCHIVE_PAGE = 20
SESSION_CHOICES = 40
# A report with its case and the case's partners (whose access history records its views
# and downloads): the report and case in one statement, the partners in a second.
WITH_PARTNERS = joinedload(Report.case).selectinload(Case.members) \
    .joinedload(CaseMember.client).joinedload(Client.user)


@dataclass(frozen=True)
class ExcerptChoice:
    revision_id: int
    number: int
    title: str
    client_id: int
    submitted_at: datetime
    decision: str | None  # None: asked, no answer yet
    asked: bool


def excerpt_choices(case: Case, since: date, until: date) -> list[ExcerptChoice]:
    """Reviewed revisions of the case submitted in the period, with their consent state."""
    rows = db.session.execute(
        select(Revision.id, Revision.number, Assignment.title, Assignment.client_id,
               Revision.submitted_at, ExcerptConsent.decision, ExcerptConsent.id)
        .join(Revision.assignment).join(Revision.review)
        .outerjoin(ExcerptConsent, ExcerptConsent.revision_id == Revision.id)
        .where(Assignment.case_id == case.id, Review.sent_at.is_not(None),
               Revision.submitted_at >= local_midnight(since),
               Revision.submitted_at < local_midnight(until + timedelta(days=1)))
        .order_by(Revision.submitted_at.desc(), Revision.id.desc()).limit(200))
    return [ExcerptChoice(r[0], r[1], r[2], r[3], r[4], r[5], r[6] is not None) for r in rows]


def archive(case: Case, page: int = 1) -> Page:
    """The case's generated reports, newest first, without their bytes."""
    return paged(select(Report).where(Report.case_id == case.id)
                 .options(defer(Report.pdf), defer(Report.narrative),
                          defer(Report.next_steps))
                 .order_by(Report.requested_at.desc(), Report.id.desc()), page, ARCHIVE_PAGE)


def sessions_to_share_at(case: Case) -> list[CounselingSession]:
    """The case's latest sessions that have begun and are not cancelled (a report is
    handed over at a session that took place), newest first, with who attended."""
    return list(db.session.scalars(
        select(CounselingSession)
        .where(CounselingSession.case_id == case.id, CounselingSession.cancelled_at.is_(None),
               CounselingSession.starts_at <= utcnow())
        .order_by(CounselingSession.starts_at.desc()).limit(SESSION_CHOICES)
        .options(load_only(CounselingSession.case_id, CounselingSession.starts_at,
                           CounselingSession.type, CounselingSession.cancelled_at),
                 selectinload(CounselingSession.attendees))))


def revisions_of_case(case: Case, ids: list[int]) -> list[Revision]:
    """Reviewed revisions of this case among ``ids``, with their assignment (for asking
    their authors' consent)."""
    if not ids:
        return []
    return list(db.session.scalars(
        select(Revision).join(Revision.assignment).join(Revision.review)
        .where(Revision.id.in_(ids), Assignment.case_id == case.id,
               Review.sent_at.is_not(None))
        .options(defer(Revision.answers), selectinload(Revision.assignment))))
