"""Read-side queries shared by the dashboard, the caseload and the portal.

Lists here never load answer text: numbers and dates come from SQL (issue 7), and the
large copied columns (instructions, prompts) are deferred where a list does not show them.
"""

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import defer, joinedload, selectinload

from ..extensions import db
from ..models import Assignment, Client, Review, Revision, User
from ..paging import Page, paged
from ..permissions import refuse
from . import status

# What a list of assignments shows: title, status, dates; never the copied instructions.
LIST_ONLY = (defer(Assignment.instructions), defer(Assignment.prompts),
             defer(Assignment.purpose), defer(Assignment.note))
# Whose work it is, in the same query (many-to-one: one row each, no extra round trip).
WITH_CLIENT = joinedload(Assignment.client).joinedload(Client.user)


def with_revisions(client: bool = True):
    """Loader options for a page listing an assignment's revisions and their reviews: the
    revisions (without their answers) with their reviews and reviewers joined in, then the
    comments: two statements. The client and their account (many-to-one) are joined into
    the assignment's own statement unless the page is the client's own."""
    revisions = selectinload(Assignment.revisions)
    review = revisions.joinedload(Revision.review)
    options = (revisions.defer(Revision.answers), review.joinedload(Review.counselor),
               review.selectinload(Review.comments))
    if client:
        options += (WITH_CLIENT,)
    return options


# The review page: a revision with its review in one statement, then the comments.
WITH_REVIEW = (joinedload(Revision.review), selectinload(Revision.review, Review.comments))
# The compare page: the numbers of every revision, never their answers.
NUMBERS_ONLY = (selectinload(Assignment.revisions).load_only(Revision.number),)


def two_revisions(assignment: Assignment, old: int, new: int) -> tuple[Revision, Revision]:
    """Revisions ``old`` and ``new`` of ``assignment`` with their answers, in one
    statement; a number the assignment does not have is a refused access (404)."""
    found = {r.number: r for r in db.session.scalars(
        select(Revision).where(Revision.assignment_id == assignment.id,
                               Revision.number.in_((old, new))))}
    for number in (old, new):
        if number not in found:
            refuse("revisions", f"{assignment.id}/{number}")
    return found[old], found[new]


def is_overdue(today: date):
    """SQL condition: work still expected from the client whose due date has passed."""
    return (Assignment.due_date < today) & Assignment.status.in_(status.OPEN)


def latest_submission():
    """(number, submitted_at) of an assignment's latest revision, as correlated subqueries
    that use the (assignment_id, number) unique index instead of scanning revisions."""
    number = (select(func.max(Revision.number)).where(Revision.assignment_id == Assignment.id)
              .correlate(Assignment).scalar_subquery())
    at = (select(Revision.submitted_at).where(Revision.assignment_id == Assignment.id,
                                              Revision.number == number)
          .correlate(Assignment).scalar_subquery())
    return number.label("number"), at.label("at")


def revision_count():
    return (select(func.count()).where(Revision.assignment_id == Assignment.id)
            .correlate(Assignment).scalar_subquery().label("revisions"))


def waiting_for_review(counselor: User, page: int = 1, size: int = 10) -> Page:
    """Submitted work on the counselor's caseload, oldest first: rows of (assignment,
    latest revision number, submitted at)."""
    number, at = latest_submission()
    return paged(
        select(Assignment, number, at).join(Assignment.client)
        .where(Client.counselor_id == counselor.id, Assignment.status == "submitted")
        .order_by(at, Assignment.id)
        .options(*LIST_ONLY, WITH_CLIENT),
        page, size, rows=True)


def overdue(counselor: User, today: date, page: int = 1, size: int = 10) -> Page:
    return paged(
        select(Assignment).join(Assignment.client)
        .where(Client.counselor_id == counselor.id, is_overdue(today))
        .order_by(Assignment.due_date, Assignment.id)
        .options(*LIST_ONLY, WITH_CLIENT),
        page, size)


def clients_with_overdue_work(today: date):
    return select(Assignment.client_id).where(is_overdue(today))


def for_client(client: Client, page: int = 1, size: int = 25) -> Page:
    """A client's assignments, newest first, with their number of revisions."""
    return paged(select(Assignment, revision_count())
                 .where(Assignment.client_id == client.id)
                 .order_by(Assignment.created_at.desc(), Assignment.id.desc())
                 .options(*LIST_ONLY), page, size, rows=True)


# --- the client's home: open and waiting work are short by nature, still never unbounded ---

def _clients(client: Client):
    return select(Assignment).where(Assignment.client_id == client.id).options(*LIST_ONLY)


def to_do(client: Client, most: int = 50, *columns) -> list:
    """Open work, revisions asked for first, then by due date (undated last); with
    ``columns``, rows of (assignment, *columns)."""
    statement = (_clients(client).where(Assignment.status.in_(status.OPEN))
                 .order_by(case((Assignment.status == "revision_requested", 0), else_=1),
                           Assignment.due_date.is_(None), Assignment.due_date, Assignment.id)
                 .limit(most))
    if columns:
        return db.session.execute(statement.add_columns(*columns)).all()
    return db.session.scalars(statement).all()


def with_counselor(client: Client, most: int = 50) -> list:
    """Submitted work as (assignment, submitted at), oldest first."""
    _, at = latest_submission()
    return db.session.execute(
        _clients(client).add_columns(at).where(Assignment.status == "submitted")
        .order_by(at, Assignment.id).limit(most)).all()


def completed(client: Client, page: int, size: int) -> Page:
    return paged(_clients(client).where(Assignment.status == "completed")
                 .order_by(Assignment.updated_at.desc(), Assignment.id.desc()), page, size)
