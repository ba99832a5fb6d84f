"""What a report can draw on, for one case and date range, loaded once and redacted per
audience in Python. Each list is one statement (two with its children), whatever the size
of the case, so a year's report costs what a month's does in queries.

The session columns read here are the shared ones only: private notes are never selected,
so no report can hold them, whatever a template does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, load_only

from ..assignments import status
from ..assignments.queries import LIST_ONLY
from ..extensions import db
from ..models import (
    MEDIATION_OUTLINE,
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CounselingSession,
    ExcerptConsent,
    Review,
    Revision,
    Share,
)
from ..session_log.queries import local_midnight
from .audiences import Audience

# The shared parts of a session: what an attendee may read once it is signed.
SHARED_SESSION_COLUMNS = (CounselingSession.case_id, CounselingSession.starts_at,
                          CounselingSession.duration_minutes, CounselingSession.format,
                          CounselingSession.type, CounselingSession.shared_summary,
                          CounselingSession.signed_at, CounselingSession.cancelled_at,
                          *(getattr(CounselingSession, key) for key in MEDIATION_OUTLINE))


@dataclass
class Facts:
    """Everything in range for the case, before redaction."""

    case: Case
    since: date
    until: date
    excerpt_ids: list[int] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return local_midnight(self.since)

    @property
    def end(self) -> datetime:
        """The end of ``until`` (exclusive), in UTC."""
        return local_midnight(self.until + timedelta(days=1))

    @cached_property
    def assignments(self) -> list[Assignment]:
        """Work that was open at some time in the range: given before its end, and either
        still expected or last changed within it. Withdrawn work is not progress."""
        return list(db.session.scalars(
            select(Assignment)
            .where(Assignment.case_id == self.case.id, Assignment.created_at < self.end,
                   Assignment.status != "withdrawn",
                   or_(Assignment.status.not_in(["completed"]),
                       Assignment.updated_at >= self.start))
            .order_by(Assignment.created_at, Assignment.id).options(*LIST_ONLY)))

    @cached_property
    def _shared(self) -> list[tuple[int, int, int]]:
        """(revision id, recipient id, assignment id) of each share not withdrawn: one
        statement for both maps below."""
        return list(db.session.execute(
            select(Share.revision_id, Share.recipient_id, Revision.assignment_id)
            .join(Revision, Revision.id == Share.revision_id)
            .where(Share.case_id == self.case.id, Share.withdrawn_at.is_(None))))

    @cached_property
    def shares(self) -> dict[int, set[int]]:
        """Revision id -> the clients it is shared with now (withdrawn shares are gone)."""
        shared: dict[int, set[int]] = {}
        for revision_id, recipient_id, _assignment_id in self._shared:
            shared.setdefault(revision_id, set()).add(recipient_id)
        return shared

    @cached_property
    def shared_assignments(self) -> dict[int, set[int]]:
        """Assignment id -> the clients one of its revisions is shared with."""
        result: dict[int, set[int]] = {}
        for _revision_id, recipient_id, assignment_id in self._shared:
            result.setdefault(assignment_id, set()).add(recipient_id)
        return result

    @cached_property
    def _held(self) -> list[CounselingSession]:
        """Not cancelled sessions in range, signed or not, oldest first, with who attended
        and the agreements made there, each with its follow-ups recorded in signed sessions
        up to the end of the range: one statement for everything about sessions."""
        signed_by_end = select(CounselingSession.id).where(
            CounselingSession.signed_at.is_not(None), CounselingSession.starts_at < self.end)
        follow_ups = Agreement.follow_ups.and_(AgreementFollowUp.session_id.in_(signed_by_end))
        return list(db.session.scalars(
            select(CounselingSession)
            .where(CounselingSession.case_id == self.case.id,
                   CounselingSession.starts_at >= self.start,
                   CounselingSession.starts_at < self.end,
                   CounselingSession.cancelled_at.is_(None))
            .order_by(CounselingSession.starts_at, CounselingSession.id)
            .options(load_only(*SHARED_SESSION_COLUMNS),
                     joinedload(CounselingSession.attendees),
                     joinedload(CounselingSession.agreements).joinedload(follow_ups)
                     .joinedload(AgreementFollowUp.session)
                     .load_only(CounselingSession.starts_at))).unique())

    @property
    def sessions(self) -> list[CounselingSession]:
        """Signed sessions in range: only a signed summary is final."""
        return [s for s in self._held if s.signed_at is not None]

    @property
    def unsigned_sessions(self) -> int:
        """Held in range but not signed yet: their summaries are drafts, left out."""
        return sum(s.signed_at is None and not s.upcoming for s in self._held)

    @cached_property
    def excerpts(self) -> list[Revision]:
        """The chosen revisions of this case that have a sent review and whose author
        agreed to have them quoted."""
        if not self.excerpt_ids:
            return []
        return list(db.session.scalars(
            select(Revision).join(Revision.assignment).join(Revision.review)
            .join(ExcerptConsent, and_(ExcerptConsent.revision_id == Revision.id,
                                       ExcerptConsent.client_id == Assignment.client_id))
            .where(Revision.id.in_(self.excerpt_ids), Assignment.case_id == self.case.id,
                   Review.sent_at.is_not(None), ExcerptConsent.decision == "agreed")
            .order_by(Revision.submitted_at, Revision.id)
            .options(joinedload(Revision.assignment).load_only(
                Assignment.client_id, Assignment.title, Assignment.stage, Assignment.prompts),
                joinedload(Revision.review).load_only(Review.decision, Review.sent_at))))


def visible(audience: Audience, author_id: int, shared_with: set[int]) -> bool:
    """May this version show a piece of ``author_id``'s work? Their own version and the
    counselor's file may; any other version only if the author shared it with every
    reader who is not the author."""
    if author_id in {c.id for c in audience.authors}:
        return True
    others = audience.reader_ids - {author_id}
    return bool(others) and others <= shared_with


def session_visible(audience: Audience, session: CounselingSession) -> bool:
    """A session's shared parts reach a version only if every reader attended it."""
    attended = {a.client_id for a in session.attendees}
    return audience.reader_ids <= attended


def agreement_visible(audience: Audience, agreement: Agreement) -> bool:
    """As on the portal: an agreement binds one client or (None) everyone in the case."""
    if not audience.for_clients or agreement.binds_client_id is None:
        return True
    return audience.reader_ids == {agreement.binds_client_id}


OPEN_OR_WAITING = status.OPEN | {"submitted"}
