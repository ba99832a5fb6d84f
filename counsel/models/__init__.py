"""Typed models, one module per aggregate. Importing this package registers them all."""

from .accounts import INVITATION_PURPOSES, ROLES, Client, Invitation, LoginSession, User
from .assignments import Assignment, Draft, Review, ReviewComment, Revision
from .audit import AuditEvent
from .cases import CASE_KINDS, SCREENING_OUTCOMES, Case, CaseMember, SafetyScreening, Share
from .library import KINDS, STAGES, Exercise, ExercisePrompt
from .notifications import (
    MAIL_SAFETY,
    OUTBOX_STATUSES,
    PREFERENCE_SETTINGS,
    MailPreference,
    OutboxMessage,
)
from .progress import CHECKIN_EVERY_DAYS, CHECKIN_SCALES, CheckIn, CheckInSchedule, StageSetting
from .reports import (
    CONSENT_DECISIONS,
    REPORT_AUDIENCES,
    REPORT_STATUSES,
    ExcerptConsent,
    Report,
    ReportPreparation,
)
from .session_log import (
    FOLLOW_UP_OUTCOMES,
    FORMATS,
    MEDIATION_OUTLINE,
    SESSION_TYPES,
    Addendum,
    Agreement,
    AgreementFollowUp,
    CalendarFeed,
    CounselingSession,
    SessionAttendee,
    SessionLocked,
)
from .types import UTCDateTime, utcnow

__all__ = [
    "CHECKIN_EVERY_DAYS",
    "CHECKIN_SCALES",
    "CheckIn",
    "CheckInSchedule",
    "StageSetting",
    "INVITATION_PURPOSES",
    "MAIL_SAFETY",
    "OUTBOX_STATUSES",
    "PREFERENCE_SETTINGS",
    "MailPreference",
    "OutboxMessage",
    "CONSENT_DECISIONS",
    "REPORT_AUDIENCES",
    "REPORT_STATUSES",
    "ExcerptConsent",
    "Report",
    "ReportPreparation",
    "CASE_KINDS",
    "FOLLOW_UP_OUTCOMES",
    "FORMATS",
    "MEDIATION_OUTLINE",
    "SCREENING_OUTCOMES",
    "SESSION_TYPES",
    "Addendum",
    "Agreement",
    "AgreementFollowUp",
    "CalendarFeed",
    "Case",
    "CaseMember",
    "CounselingSession",
    "SafetyScreening",
    "SessionAttendee",
    "SessionLocked",
    "Share",
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
