"""Sending the outbox (skeleton: the delivery work fills this in)."""


def kick(app) -> None:
    """Ask for the outbox to be delivered soon, without blocking or failing the caller."""
