"""Delivering the outbox in the message tests, through the real delivery code."""

from counsel.notifications import delivery


def deliver_outbox() -> int:
    """Send every queued message once; returns how many were sent."""
    counts = delivery.deliver_due()
    assert counts.retry == counts.failed == 0 and counts.problem is None, str(counts)
    return counts.sent
