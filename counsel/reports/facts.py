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

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from ..assignments import status
from ..assignments.queries import LIST_ONLY
from ..extensions import db
from ..models import (
    MEDIATION_OUTLINE,
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CheckIn,
    Commitment,
    CommitmentFollowUp,
    CounselingSession,
    ExcerptConsent,
    PlanItem,
    Review,
    Revision,
    Share,
    Tracker,
    TrackerDay,
)
from ..session_log.queries import local_midnight
from .audiences import Audience

# A year of daily check-ins stays a chart: each client's latest this many in range.
CHECKINS_MOST = 120

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
    def work(self) -> list[Assignment]:
        """The case's work given before the end of the range and not withdrawn, whenever it
        was completed: where each partner is on the pathway (pathway.stages.current_stage)
        counts work completed before the range too. One statement, for this and
        ``assignments``."""
        return list(db.session.scalars(
            select(Assignment)
            .where(Assignment.case_id == self.case.id, Assignment.created_at < self.end,
                   Assignment.status != "withdrawn")
            .order_by(Assignment.created_at, Assignment.id).options(*LIST_ONLY)))

    @property
    def assignments(self) -> list[Assignment]:
        """Work that was open at some time in the range: given before its end, and either
        still expected or last changed within it. Withdrawn work is not progress."""
        return [a for a in self.work
                if a.status != "completed" or a.updated_at >= self.start]

    @cached_property
    def _shared(self) -> list[tuple[int | None, int | None, int, int | None]]:
        """(revision id, plan id, recipient id, the revision's assignment id) of each share
        of a revision or a plan not withdrawn: one statement for the maps below."""
        return list(db.session.execute(
            select(Share.revision_id, Share.plan_id, Share.recipient_id,
                   Revision.assignment_id)
            .outerjoin(Revision, Revision.id == Share.revision_id)
            .where(Share.case_id == self.case.id, Share.withdrawn_at.is_(None),
                   or_(Share.revision_id.is_not(None), Share.plan_id.is_not(None)))))

    @cached_property
    def shares(self) -> dict[int, set[int]]:
        """Revision id -> the clients it is shared with now (withdrawn shares are gone)."""
        shared: dict[int, set[int]] = {}
        for revision_id, _plan_id, recipient_id, _assignment_id in self._shared:
            if revision_id is not None:
                shared.setdefault(revision_id, set()).add(recipient_id)
        return shared

    @cached_property
    def shared_assignments(self) -> dict[int, set[int]]:
        """Assignment id -> the clients one of its revisions is shared with."""
        result: dict[int, set[int]] = {}
        for revision_id, _plan_id, recipient_id, assignment_id in self._shared:
            if revision_id is not None:
                result.setdefault(assignment_id, set()).add(recipient_id)
        return result

    @cached_property
    def shared_plans(self) -> dict[int, set[int]]:
        """Plan (assignment) id -> the clients its author shared the plan with."""
        result: dict[int, set[int]] = {}
        for _revision_id, plan_id, recipient_id, _assignment_id in self._shared:
            if plan_id is not None:
                result.setdefault(plan_id, set()).add(recipient_id)
        return result

    # -- the structured exercises and check-ins (issue 11) --------------------------------
    # Check-ins are one statement; the three kinds' records one more, asked only when the
    # range holds work of those kinds.

    @cached_property
    def checkins(self) -> dict[int, tuple[list[CheckIn], int]]:
        """Client id -> (their latest CHECKINS_MOST check-ins in the range, oldest first;
        how many they gave in the range), for the case's partners: one statement."""
        partners = [c.id for c in self.case.partners]
        if not partners:
            return {}
        ranked = (select(CheckIn.id,
                         func.row_number().over(partition_by=CheckIn.client_id,
                                                order_by=CheckIn.taken_on.desc()).label("n"),
                         func.count().over(partition_by=CheckIn.client_id).label("total"))
                  .where(CheckIn.client_id.in_(partners), CheckIn.taken_on >= self.since,
                         CheckIn.taken_on <= self.until).subquery())
        result: dict[int, tuple[list[CheckIn], int]] = {}
        for checkin, total in db.session.execute(
                select(CheckIn, ranked.c.total).join(ranked, ranked.c.id == CheckIn.id)
                .where(ranked.c.n <= CHECKINS_MOST)
                .order_by(CheckIn.client_id, CheckIn.taken_on)):
            result.setdefault(checkin.client_id, ([], total))[0].append(checkin)
        return result

    @cached_property
    def _records(self) -> list[tuple]:
        """(Tracker, TrackerDay, PlanItem, Commitment, CommitmentFollowUp) rows, each part
        None where it does not apply, for the tracker, plan and commitment work open in the
        range: one statement for all three kinds. An assignment is of one kind, so its rows
        are its days, its items or its commitments' follow-ups, never a product of them."""
        ids = [a.id for a in self.assignments if a.kind in ("tracker", "plan", "commitment")]
        if not ids:
            return []
        return list(db.session.execute(
            select(Tracker, TrackerDay, PlanItem, Commitment, CommitmentFollowUp)
            .select_from(Assignment)
            .outerjoin(Tracker, Tracker.assignment_id == Assignment.id)
            .outerjoin(TrackerDay, TrackerDay.tracker_id == Tracker.id)
            .outerjoin(PlanItem, PlanItem.assignment_id == Assignment.id)
            .outerjoin(Commitment, Commitment.assignment_id == Assignment.id)
            .outerjoin(CommitmentFollowUp, CommitmentFollowUp.commitment_id == Commitment.id)
            .where(Assignment.id.in_(ids))
            .order_by(Assignment.id, Tracker.id, TrackerDay.day, PlanItem.planned_on,
                      PlanItem.id, Commitment.starts_on, Commitment.id,
                      CommitmentFollowUp.taken_on)))

    @staticmethod
    def _collect(pairs, collection: str) -> list:
        """The parents of (parent, child) rows in order, each with its children set as its
        loaded ``collection`` (so reading it asks the database nothing)."""
        children: dict = {}
        for parent, child in pairs:
            if parent is None:
                continue
            kids = children.setdefault(parent, [])
            if child is not None and child not in kids:
                kids.append(child)
        for parent, kids in children.items():
            set_committed_value(parent, collection, kids)
        return list(children)

    @cached_property
    def trackers(self) -> list[Tracker]:
        """The no-contact periods of tracker work open in the range that overlap it, with
        their days, earliest first."""
        found = self._collect(((row[0], row[1]) for row in self._records), "days")
        return sorted((t for t in found if t.starts_on <= self.until and t.starts_on
                       + timedelta(days=t.length_days - 1) >= self.since),
                      key=lambda t: (t.starts_on, t.id))

    @cached_property
    def plan_items(self) -> dict[int, list[PlanItem]]:
        """Plan (assignment) id -> its items by day, for plans open in the range."""
        result: dict[int, list[PlanItem]] = {}
        for item in dict.fromkeys(row[2] for row in self._records if row[2] is not None):
            result.setdefault(item.assignment_id, []).append(item)
        return result

    @cached_property
    def commitments(self) -> list[Commitment]:
        """Commitments of commitment work open in the range made by its end, each with its
        follow-ups (oldest first)."""
        found = self._collect(((row[3], row[4]) for row in self._records), "follow_ups")
        return sorted((c for c in found if c.starts_on <= self.until),
                      key=lambda c: (c.starts_on, c.id))

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
