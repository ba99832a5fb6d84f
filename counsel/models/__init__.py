"""Typed models, one module per aggregate. Importing this package registers them all."""

from .accounts import ROLES, Client, Invitation, LoginSession, User
from .assignments import Assignment, Draft, Review, ReviewComment, Revision
from .audit import AuditEvent
from .library import KINDS, STAGES, Exercise, ExercisePrompt
from .types import UTCDateTime, utcnow

__all__ = [
    "KINDS",
    "ROLES",
    "STAGES",
    "Assignment",
    "Draft",
    "Exercise",
    "ExercisePrompt",
    "Review",
    "ReviewComment",
    "Revision",
    "AuditEvent",
    "Client",
    "Invitation",
    "LoginSession",
    "UTCDateTime",
    "User",
    "utcnow",
]
