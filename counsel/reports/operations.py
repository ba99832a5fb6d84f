"""Changes around progress reports: saving the preparation, asking for and answering
consent to quote work, generating a version (in the request or on a worker) and storing
it in the archive, marking where it was shared. Plain functions: they flush, never commit,
and record audit rows."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from .. import audit
from ..clock import practice_today
from ..extensions import db
from ..models import (
    Case,
    CounselingSession,
    ExcerptConsent,
    Report,
    ReportPreparation,
    Revision,
    User,
    utcnow,
)
from . import render
from .audiences import (
    Audience,
    UnknownAudience,
    audience_from_token,
    audience_of_report,
    audiences_for,
)
from .document import build, pdf_html

DEFAULT_DAYS = 30


class ReportRefused(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _readers_or_partners(audience: Audience) -> list:
    """Whose access history shows a report: its readers, or both partners for the
    counselor's file (it is about them too)."""
    return audience.readers or audience.case.partners


def _audience(report: Report) -> Audience:
    return audience_of_report(report.case, report.audience, report.audience_client_id)


def preparation_for(counselor: User, case: Case) -> ReportPreparation:
    """The counselor's saved preparation for the case, or a new one (not yet added) for
    the last 30 days and the first version of the report."""
    prep = db.session.scalars(select(ReportPreparation).where(
        ReportPreparation.case_id == case.id,
        ReportPreparation.counselor_id == counselor.id)).first()
    if prep is None:
        today = practice_today()
        prep = ReportPreparation(case=case, counselor_id=counselor.id,
                                 since=today - timedelta(days=DEFAULT_DAYS), until=today,
                                 audience=audiences_for(case)[0].token, excerpts=[],
                                 narrative="", next_steps="")
    return prep


def save_preparation(actor: User, case: Case, prep: ReportPreparation, *, since: date,
                     until: date, audience: str, excerpts: list[int], narrative: str | None,
                     next_steps: str | None, allowed_excerpts: set[int]) -> None:
    if until < since:
        raise ReportRefused("The end of the period is before its start.", "until")
    try:
        audience_from_token(case, audience)
    except UnknownAudience as unknown:
        raise ReportRefused("Choose one of this case's versions.", "audience") from unknown
    prep.since, prep.until, prep.audience = since, until, audience
    # Only reviewed work of this case can be chosen; anything else is ignored.
    prep.excerpts = sorted({i for i in excerpts if i in allowed_excerpts})
    prep.narrative, prep.next_steps = narrative or "", next_steps or ""
    prep.updated_at = utcnow()
    db.session.add(prep)
    db.session.flush()
    audit.record("report.prepare", case, actor=actor)


def request_consent(actor: User, case: Case, revisions: list[Revision]) -> int:
    """Ask each author whether their revision may be quoted; returns how many were
    asked. A revision already asked about (whatever the answer) is not asked again."""
    asked = set(db.session.scalars(select(ExcerptConsent.revision_id).where(
        ExcerptConsent.revision_id.in_([r.id for r in revisions]))))
    count = 0
    for revision in revisions:
        if revision.id in asked:
            continue
        consent = ExcerptConsent(revision=revision, client_id=revision.assignment.client_id,
                                 requested_by_id=actor.id)
        db.session.add(consent)
        db.session.flush()
        audit.record("report.consent_request", revision, client=revision.assignment.client_id,
                     actor=actor)
        count += 1
    return count


def decide_consent(actor: User, consent: ExcerptConsent, decision: str) -> None:
    """The author's answer; they may change it at any time. Reports already generated
    keep what they hold: they are archived exactly as shared."""
    if decision not in ("agreed", "declined"):
        raise ReportRefused("Choose whether to agree or not.")
    consent.decision, consent.decided_at = decision, utcnow()
    audit.record("report.consent", consent.revision, client=consent.client_id, actor=actor,
                 detail=decision)


def request_report(actor: User, case: Case, audience: Audience, since: date, until: date, *,
                   excerpts: list[int], narrative: str | None,
                   next_steps: str | None, detail: str | None = None) -> Report:
    """The archive's row for a new version, waiting to be rendered. ``detail`` goes on
    its audit rows (the command line says "command line")."""
    if until < since:
        raise ReportRefused("The end of the period is before its start.", "until")
    report = Report(case=case, generated_by_id=actor.id, audience=audience.kind,
                    audience_client_id=audience.client.id if audience.client else None,
                    since=since, until=until, excerpts=list(excerpts),
                    narrative=narrative or "", next_steps=next_steps or "", status="queued")
    db.session.add(report)
    db.session.flush()
    audit.record_each("report.generate", report, _readers_or_partners(audience), actor=actor,
                      detail=detail)
    return report


def produce(report: Report, detail: str | None = None) -> Report:
    """Build the version's HTML and render it in a bounded child process, then store the
    bytes, their hash and the records it holds. A render that fails (too long, too big)
    leaves the report "failed" with a message for the counselor; nothing is half-stored."""
    generated_at = utcnow()
    document = build(report.case, _audience(report), report.since, report.until,
                     excerpts=report.excerpts, narrative=report.narrative,
                     next_steps=report.next_steps, generated_at=generated_at)
    html = pdf_html(document, render.ASSET_ORIGIN)
    try:
        rendered = render.render_pdf(html, **render.limits_from(current_app))
    except render.RenderError as failure:
        mark_failed(report, failure.message, detail)
        return report
    report.pdf = rendered.pdf
    report.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    report.size_bytes, report.page_count = len(rendered.pdf), rendered.pages
    report.contents = document.records
    report.generated_at, report.status, report.error = generated_at, "ready", None
    return report


def mark_failed(report: Report, message: str, detail: str | None = None) -> None:
    """The report could not be made (a render out of bounds, a job that died, a worker
    that could not be reached): the message for the counselor, and an audit row."""
    report.status, report.error = "failed", message[:300]
    audit.record("report.failed", report, actor=report.generated_by_id, outcome="failed",
                 detail=detail)


def record_download(actor: User, report: Report, client=None) -> None:
    """Every download of an archived report is audited; the bytes are served as stored."""
    if client is not None:
        audit.record("report.download", report, client=client, actor=actor)
    else:
        audit.record_each("report.download", report, _readers_or_partners(_audience(report)),
                          actor=actor)


def record_view(actor: User, report: Report) -> None:
    """Opening a report's page is a view of it: in the access history of those it is for
    (both partners for the counselor's file), as a download is."""
    audit.record_each("report.view", report, _readers_or_partners(_audience(report)),
                      actor=actor)


def mark_shared(actor: User, report: Report, session: CounselingSession) -> None:
    """Record that the report was handed over at ``session``. Its readers can then
    download it from their portal, if they attended that session."""
    if not report.ready:
        raise ReportRefused("Only a report that is ready can be marked as shared.")
    if not report.for_clients:
        raise ReportRefused("The counselor's file is never shared with clients.")
    if session.case_id != report.case_id or session.cancelled_at is not None:
        raise ReportRefused("Choose a session of this case.", "session_id")
    if session.upcoming:
        raise ReportRefused("That session has not taken place yet: mark the report as "
                            "shared once it has.", "session_id")
    audience = _audience(report)
    attended = {a.client_id for a in session.attendees}
    if not audience.reader_ids <= attended:
        raise ReportRefused("Everyone this version is for must have attended that "
                            "session.", "session_id")
    report.shared_session_id, report.shared_marked_at = session.id, utcnow()
    audit.record_each("report.share", report, audience.readers, actor=actor)
