"""Sharing between partners (PRODUCT.md privacy rule 2): what a partner writes is theirs
and the counselor's, until the author shares one specific revision with the other partner
of an open couple case. Only the author does this (the portal is for clients alone, so a
counselor never can); withdrawing hides it again. Plain functions that flush, never
commit, and record audit rows; and the queries that find shares by the acting client."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from .. import audit
from ..extensions import db
from ..models import Case, CaseMember, Client, Revision, Share, User, utcnow
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


def active_shares_of_revision(author: Client, revision: Revision) -> list[Share]:
    return list(db.session.scalars(
        select(Share).where(Share.author_id == author.id, Share.revision_id == revision.id,
                            Share.withdrawn_at.is_(None))
        .options(joinedload(Share.recipient).joinedload(Client.user)).order_by(Share.id)))


def share(author_user: User, author: Client, revision: Revision, partner: Partner) -> Share:
    """Share a submitted revision of the author's own work with ``partner``. A second
    share of the same revision while the first is active is refused."""
    if revision.assignment.client_id != author.id:
        raise ShareRefused("Only your own work can be shared.", "not_yours")
    # Serialize two confirmations of the same share (PostgreSQL; SQLite has one writer).
    db.session.execute(select(Client.id).where(Client.id == author.id).with_for_update())
    existing = db.session.scalars(
        select(Share).where(Share.author_id == author.id, Share.revision_id == revision.id,
                            Share.recipient_id == partner.client.id,
                            Share.withdrawn_at.is_(None))).first()
    if existing is not None:
        raise ShareRefused(f"You already share this with {partner.client.display_name}. "
                           "Nothing changed.", "already")
    item = Share(case_id=partner.case.id, author_id=author.id,
                 recipient_id=partner.client.id, revision_id=revision.id)
    db.session.add(item)
    db.session.flush()
    audit.record("share.create", revision, client=author, actor=author_user,
                 detail=f"share {item.id}")
    return item


def withdraw(author_user: User, item: Share) -> None:
    if item.withdrawn_at is not None:
        raise ShareRefused("This was already withdrawn: your partner cannot see it. "
                           "Nothing changed.", "already_withdrawn")
    item.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("share.withdraw", item.revision, client=item.author_id, actor=author_user,
                 detail=f"share {item.id}")


# --- loaders: by the acting client, in the query itself --------------------------------

def with_item():
    return (joinedload(Share.revision).joinedload(Revision.assignment),
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
                 joinedload(Share.recipient).joinedload(Client.user))
        .order_by(Share.shared_at.desc(), Share.id.desc()), page, SHARES_PER_PAGE)

