"""Delivering the outbox in the message tests, through the real delivery code."""

from sqlalchemy import update

from counsel.extensions import db
from counsel.models import OutboxMessage, utcnow
from counsel.notifications import delivery


def deliver_outbox() -> int:
    """Send every queued message once; returns how many were sent. Messages queued while a
    test travelled forward in time are made due now first."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "queued")
                       .values(next_attempt_at=utcnow()))
    db.session.commit()
    counts = delivery.deliver_due()
    assert counts.retry == counts.failed == 0 and counts.problem is None, str(counts)
    return counts.sent
