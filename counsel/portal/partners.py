"""Sharing between partners (PRODUCT.md privacy rule 2): what a partner writes is theirs
and the counselor's, until the author shares one specific item with the other partner of an
open couple case: a submitted revision, a memory journal entry, or a quality-time plan (its
items as they stand whenever the partner looks). Only the author does this (the portal is
for clients alone, so a counselor never can); withdrawing hides it again. Plain functions
that flush, never commit, and record audit rows; and the queries that find shares by the
acting client."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, literal, select, true
from sqlalchemy.orm import aliased, joinedload

from .. import audit
from ..extensions import db
from ..models import (
    Assignment,
    Case,
    CaseMember,
    Client,
    JournalEntry,
    PlanItem,
    Revision,
    Share,
    User,
    utcnow,
)
from ..paging import Page, paged


class ShareRefused(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Partner:
    """Someone the client may share with: the other partner of one open couple case."""

    case: Case
    client: Client


def partners_of(client: Client) -> list[Partner]:
    """The other partner of each open couple case the client is in (one statement)."""
    mine, theirs = aliased(CaseMember), aliased(CaseMember)
    rows = db.session.execute(
        select(Case, Client).join(mine, mine.case_id == Case.id)
        .join(theirs, (theirs.case_id == Case.id) & (theirs.client_id != client.id))
        .join(Client, Client.id == theirs.client_id)
        .where(mine.client_id == client.id, Case.kind == "couple", Case.closed_at.is_(None))
        .options(joinedload(Client.user)).order_by(Case.id)).all()
    return [Partner(case, other) for case, other in rows]


def choose_partner(partners: list[Partner], case_id) -> Partner | None:
    """The partner of the case asked for, or the only one when none was asked for."""
    if case_id in (None, ""):
        return partners[0] if len(partners) == 1 else None
    return next((p for p in partners if str(p.case.id) == str(case_id)), None)


def _column(item):
    """The Share column that points at ``item``: a revision, a journal entry or a plan."""
    if isinstance(item, Revision):
        return Share.revision_id
    if isinstance(item, JournalEntry):
        return Share.journal_entry_id
    if isinstance(item, Assignment) and item.kind == "plan":
        return Share.plan_id
    raise TypeError(f"{type(item).__name__} cannot be shared")


def _author_of(item) -> int:
    return item.client_id if isinstance(item, Assignment) else item.assignment.client_id


def shared_thing(share: Share):
    """What ``share`` shows: its revision, journal entry or plan (an assignment)."""
    return share.revision or share.journal_entry or share.plan


def active_shares_of(author: Client, item) -> list[Share]:
    column = _column(item)
    return list(db.session.scalars(
        select(Share).where(Share.author_id == author.id, column == item.id,
                            Share.withdrawn_at.is_(None))
        .options(joinedload(Share.recipient).joinedload(Client.user)).order_by(Share.id)))


@dataclass(frozen=True)
class WorkSharing:
    """For the work page of a plan or a journal: whom the client may share with, and what
    of this assignment they share now (by plan, or by journal entry id)."""

    partners: list[Partner]
    shares: list[Share]

    def of_plan(self) -> list[Share]:
        return [s for s in self.shares if s.plan_id is not None]

    def of_entry(self, entry: JournalEntry) -> list[Share]:
        return [s for s in self.shares if s.journal_entry_id == entry.id]

    def unshared(self, shares: list[Share]) -> list[Partner]:
        shared = {s.recipient_id for s in shares}
        return [p for p in self.partners if p.client.id not in shared]


def records_and_sharing(assignment: Assignment, kind: str) -> tuple[list, WorkSharing]:
    """A plan's items or a journal's entries in date order, whom the client may share with,
    and the active shares of this plan or of these entries, in one statement (the work
    page's budget): every record beside every partner (one, or a few for a client in more
    than one couple's case) and that partner's share of it. Shares made in a case since
    closed are not here; the client withdraws those from "What you share"."""
    client = assignment.client
    mine, theirs = aliased(CaseMember), aliased(CaseMember)
    partner = (select(Case.id.label("case_id"), theirs.client_id.label("client_id"))
               .join(mine, mine.case_id == Case.id)
               .join(theirs, (theirs.case_id == Case.id) & (theirs.client_id != client.id))
               .where(mine.client_id == client.id, Case.kind == "couple",
                      Case.closed_at.is_(None)).subquery())
    if kind == "plan":
        model, order, which = PlanItem, (PlanItem.planned_on, PlanItem.id), \
            Share.plan_id == assignment.id
    else:
        model, order = JournalEntry, (JournalEntry.remembered_on, JournalEntry.id)
        which = Share.journal_entry_id == JournalEntry.id
    one = select(literal(1).label("one")).subquery()
    rows = db.session.execute(
        select(model, Case, Client, Share).select_from(one)
        .outerjoin(model, model.assignment_id == assignment.id)
        .outerjoin(partner, true())
        .outerjoin(Case, Case.id == partner.c.case_id)
        .outerjoin(Client, Client.id == partner.c.client_id)
        .outerjoin(Share, and_(Share.recipient_id == partner.c.client_id,
                               Share.author_id == client.id, Share.withdrawn_at.is_(None),
                               which))
        .options(joinedload(Client.user)).order_by(*order, partner.c.case_id, Share.id)).all()
    found, partners, shares = {}, {}, {}
    for record, case, other, made in rows:
        if record is not None:
            found.setdefault(record.id, record)
        if case is not None:
            partners.setdefault(case.id, Partner(case, other))
        if made is not None:
            shares.setdefault(made.id, made)
    ordered = sorted(partners.values(), key=lambda p: p.case.id)
    return list(found.values()), WorkSharing(ordered, sorted(shares.values(),
                                                              key=lambda s: s.id))


def share(author_user: User, author: Client, item, partner: Partner) -> Share:
    """Share ``item`` (a submitted revision, a journal entry or a plan) of the author's own
    work with ``partner``. A second share of the same item while the first is active is
    refused; so is a plan with nothing in it yet."""
    column = _column(item)
    if _author_of(item) != author.id:
        raise ShareRefused("Only your own work can be shared.", "not_yours")
    if column is Share.plan_id and db.session.scalar(
            select(PlanItem.id).where(PlanItem.assignment_id == item.id).limit(1)) is None:
        raise ShareRefused("There is nothing in this plan yet: add something to it first.",
                           "empty")
    # Serialize two confirmations of the same share (PostgreSQL; SQLite has one writer).
    db.session.execute(select(Client.id).where(Client.id == author.id).with_for_update())
    existing = db.session.scalars(
        select(Share).where(Share.author_id == author.id, column == item.id,
                            Share.recipient_id == partner.client.id,
                            Share.withdrawn_at.is_(None))).first()
    if existing is not None:
        raise ShareRefused(f"You already share this with {partner.client.display_name}. "
                           "Nothing changed.", "already")
    made = Share(case_id=partner.case.id, author_id=author.id, recipient_id=partner.client.id)
    setattr(made, column.key, item.id)
    db.session.add(made)
    db.session.flush()
    audit.record("share.create", item, client=author, actor=author_user,
                 detail=f"share {made.id}")
    return made


def withdraw(author_user: User, item: Share) -> None:
    if item.withdrawn_at is not None:
        raise ShareRefused("This was already withdrawn: your partner cannot see it. "
                           "Nothing changed.", "already_withdrawn")
    item.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("share.withdraw", shared_thing(item), client=item.author_id,
                 actor=author_user, detail=f"share {item.id}")


# --- loaders: by the acting client, in the query itself --------------------------------

def with_item():
    """The shared thing and whose it is, in the share's own statement (whichever of the
    three it is: the other two joins find nothing)."""
    return (joinedload(Share.revision).joinedload(Revision.assignment),
            joinedload(Share.journal_entry).joinedload(JournalEntry.assignment),
            joinedload(Share.plan),
            joinedload(Share.author).joinedload(Client.user))


SHARES_PER_PAGE = 50


def shared_with(recipient: Client, page: int = 1) -> Page:
    """Active shares made to the client, newest first, a page at a time."""
    return paged(
        select(Share).where(Share.recipient_id == recipient.id, Share.withdrawn_at.is_(None))
        .options(*with_item()).order_by(Share.shared_at.desc(), Share.id.desc()),
        page, SHARES_PER_PAGE)


def shared_by(author: Client, page: int = 1) -> Page:
    """The client's own active shares, newest first, a page at a time."""
    return paged(
        select(Share).where(Share.author_id == author.id, Share.withdrawn_at.is_(None))
        .options(joinedload(Share.revision).joinedload(Revision.assignment),
                 joinedload(Share.journal_entry).joinedload(JournalEntry.assignment),
                 joinedload(Share.plan),
                 joinedload(Share.recipient).joinedload(Client.user))
        .order_by(Share.shared_at.desc(), Share.id.desc()), page, SHARES_PER_PAGE)

