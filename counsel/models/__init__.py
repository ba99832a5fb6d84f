"""Typed models, one module per aggregate. Importing this package registers them all."""

from .accounts import ROLES, Client, Invitation, LoginSession, User
from .audit import AuditEvent
from .types import UTCDateTime, utcnow

__all__ = [
    "ROLES",
    "AuditEvent",
    "Client",
    "Invitation",
    "LoginSession",
    "UTCDateTime",
    "User",
    "utcnow",
]
