"""Read-side queries shared by the dashboard, the caseload and the portal."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Assignment, Client, Revision, User
from . import status


def is_overdue(today: date):
    """SQL condition: work still expected from the client whose due date has passed."""
    return (Assignment.due_date < today) & Assignment.status.in_(status.OPEN)


def waiting_for_review(counselor: User) -> list[tuple[Assignment, object]]:
    """Submitted work on the counselor's caseload with when it came in, oldest first."""
    latest = (select(Revision.assignment_id, func.max(Revision.submitted_at).label("at"))
              .group_by(Revision.assignment_id).subquery())
    rows = db.session.execute(
        select(Assignment, latest.c.at)
        .join(latest, latest.c.assignment_id == Assignment.id)
        .join(Assignment.client)
        .where(Client.counselor_id == counselor.id, Assignment.status == "submitted")
        .order_by(latest.c.at)
        .options(selectinload(Assignment.client).selectinload(Client.user),
                 selectinload(Assignment.revisions))
    ).all()
    return [(row[0], row[1]) for row in rows]


def overdue(counselor: User, today: date) -> list[Assignment]:
    return db.session.scalars(
        select(Assignment).join(Assignment.client)
        .where(Client.counselor_id == counselor.id, is_overdue(today))
        .order_by(Assignment.due_date)
        .options(selectinload(Assignment.client).selectinload(Client.user))
    ).all()


def clients_with_overdue_work(today: date):
    return select(Assignment.client_id).where(is_overdue(today))
