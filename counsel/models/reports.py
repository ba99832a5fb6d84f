"""Progress reports: the counselor's preparation of one (kept, so nothing typed is lost),
every report generated (archived with its exact bytes, never re-rendered), and each
client's consent to quote a piece of their reviewed work in reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .accounts import Client, User
from .assignments import Revision
from .cases import Case
from .session_log import CounselingSession
from .types import UTCDateTime, utcnow

# Who a version of the report is for. "partner" and "client" name one client of the case
# (``audience_client_id``); "joint" is both partners of a couple; "counselor" is the
# counselor's own file, never given to a client.
REPORT_AUDIENCES = {
    "joint": "Joint, for both partners",
    "partner": "For one partner",
    "client": "For the client",
    "counselor": "Counselor's file",
}
REPORT_STATUSES = {"queued": "Being prepared", "ready": "Ready", "failed": "Failed"}
CONSENT_DECISIONS = {"agreed": "Agreed", "declined": "Declined"}
# How the archive names what a report holds (Report.contents).
CONTENT_WORDS = {"assignments": "assignments", "revisions": "excerpts",
                 "counseling_sessions": "sessions", "agreements": "agreements",
                 "agreement_follow_ups": "follow-ups"}


class ReportPreparation(db.Model):
    """What the counselor has chosen for the next report of a case: one per counselor and
    case, saved with every step so nothing typed is lost. ``version`` rises with each save
    so a preview can be generated only from what it showed."""

    __tablename__ = "report_preparations"
    __table_args__ = (UniqueConstraint("case_id", "counselor_id",
                                       name="uq_report_preparations_case_counselor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    # "joint", "counselor", or "partner:<client id>" / "client:<client id>"
    audience: Mapped[str] = mapped_column(String(40))
    # Revision ids the counselor chose to quote (each shown only with its author's consent).
    excerpts: Mapped[list] = mapped_column(JSON, default=list)
    narrative: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Report(db.Model):
    """One generated version of a progress report, kept exactly as generated: the PDF's
    bytes, their SHA-256, who generated it, when, for whom, from what, and the records it
    holds. Downloading it again serves these bytes; nothing re-renders."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_case_id_requested_at", "case_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    generated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    audience: Mapped[str] = mapped_column(String(16))
    audience_client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    # What the counselor wrote and chose, as it was when generation was asked for.
    narrative: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    excerpts: Mapped[list] = mapped_column(JSON, default=list)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(String(300))
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None]
    page_count: Mapped[int | None]
    # The records the report holds: [["counseling_sessions", 12], ["revisions", 40], ...]
    contents: Mapped[list | None] = mapped_column(JSON)
    # The session it was handed over at; the clients it is for (never the counselor's
    # file) can then download it from their portal if they attended that session.
    shared_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("counseling_sessions.id"), index=True)
    shared_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    generated_by: Mapped[User] = relationship()
    audience_client: Mapped[Client | None] = relationship()
    shared_session: Mapped[CounselingSession | None] = relationship()

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    @property
    def for_clients(self) -> bool:
        return self.audience != "counselor"

    @property
    def audience_title(self) -> str:
        if self.audience_client is not None:
            return f"{REPORT_AUDIENCES[self.audience]}: {self.audience_client.name}"
        return REPORT_AUDIENCES[self.audience]

    @property
    def status_title(self) -> str:
        return REPORT_STATUSES[self.status]

    @property
    def content_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for kind, _id in self.contents or []:
            counts[kind] = counts.get(kind, 0) + 1
        return [(word, counts[kind]) for kind, word in CONTENT_WORDS.items() if kind in counts]


class ExcerptConsent(db.Model):
    """A counselor's request to quote one revision in progress reports, and its author's
    answer. The author may change their answer at any time; reports already generated
    stay as they were."""

    __tablename__ = "excerpt_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    revision: Mapped[Revision] = relationship()
    client: Mapped[Client] = relationship()

    @property
    def agreed(self) -> bool:
        return self.decision == "agreed"
