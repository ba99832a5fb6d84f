"""A year of weekly counseling sessions in one couple's case (issue 8): each with both
partners attending, an agreement, and a follow-up of the week before's; all signed but the
last few, one of which is today and one is a week ago (so the dashboard lists have rows).
And a progress report of such a case (issue 9): a saved preparation and one ready joint
report. Used by bench/practice.py and tests/web/test_query_counts.py."""

import hashlib
from datetime import timedelta

from sqlalchemy import or_, select, update

from counsel.extensions import db
from counsel.models import (
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CaseMember,
    CounselingSession,
    ExcerptConsent,
    Report,
    Review,
    Revision,
    SessionAttendee,
    utcnow,
)

TINY_PDF = b"%PDF-1.4\n%tiny stand-in: the pages only serve the stored bytes\n%%EOF\n"


def year_of_sessions(counselor, partners, weeks: int = 52, flagged: bool = True) -> dict:
    """Returns {"case": id, "session": the latest session's id, "signed": a signed one's}."""
    now = utcnow()
    case = Case(counselor_id=counselor.id, name="A year of sessions", kind="couple",
                members=[CaseMember(client_id=p.id, position=i + 1)
                         for i, p in enumerate(partners)],
                safety_flagged_at=now if flagged else None,
                safety_reason="Seeded flag" if flagged else None)
    db.session.add(case)
    db.session.flush()
    sessions, previous = [], None
    for week in range(weeks):
        starts = now - timedelta(weeks=weeks - 1 - week, hours=-1 if week == weeks - 1 else 2)
        session = CounselingSession(
            case_id=case.id, counselor_id=counselor.id, starts_at=starts, duration_minutes=50,
            format="in_person", type="joint", shared_summary=f"Week {week} summary",
            private_notes=f"Week {week} notes",
            attendees=[SessionAttendee(client_id=p.id) for p in partners])
        db.session.add(session)
        db.session.flush()
        agreement = Agreement(session_id=session.id, case_id=case.id,
                              text=f"Week {week} agreement")
        db.session.add(agreement)
        if previous is not None:
            db.session.add(AgreementFollowUp(agreement_id=previous.id, session_id=session.id,
                                             outcome="partly" if week % 2 else "not_kept"))
        db.session.flush()
        sessions.append(session)
        previous = agreement
    # Signed by statement, after their parts exist (the triggers refuse parts afterwards).
    signed = [s.id for s in sessions[:-3]]
    db.session.execute(update(CounselingSession).where(CounselingSession.id.in_(signed))
                       .values(signed_at=now, signed_by_id=counselor.id, content_hash="0" * 64,
                               version=CounselingSession.version + 1))
    db.session.commit()
    return {"case": case.id, "session": sessions[-1].id, "signed": signed[-1]}


def _quotable(counselor, case, most: int = 3) -> list[int]:
    """Up to ``most`` reviewed revisions of the case that their authors agreed (or now
    agree) to have quoted: the excerpts a preparation chooses."""
    rows = db.session.execute(
        select(Revision, ExcerptConsent.decision).join(Revision.assignment)
        .join(Revision.review)
        .outerjoin(ExcerptConsent, ExcerptConsent.revision_id == Revision.id)
        .where(Assignment.case_id == case.id, Review.sent_at.is_not(None),
               or_(ExcerptConsent.id.is_(None), ExcerptConsent.decision == "agreed"))
        .order_by(Revision.id).limit(most)).all()
    for revision, decision in rows:
        if decision is None:
            db.session.add(ExcerptConsent(revision=revision,
                                          client_id=revision.assignment.client_id,
                                          requested_by_id=counselor.id, decision="agreed",
                                          decided_at=utcnow()))
    return [revision.id for revision, _ in rows]


def report_of_case(counselor, case_id: int, shared_at_session: int | None = None, *,
                   days: int = 30, render: bool = False) -> dict:
    """The counselor's saved preparation of the case's report (the last ``days`` days,
    joint version) and one ready joint report of the same period, marked shared at
    ``shared_at_session`` if given.
    ``render`` makes the report through counsel.reports.operations (a real PDF: call it
    from a script guarded by ``if __name__ == "__main__"``, the renderer forks); otherwise
    it stores TINY_PDF. Kept if they exist. Returns {"preparation": id, "report": id}."""
    from counsel.clock import practice_today
    from counsel.reports import operations
    from counsel.reports.audiences import audience_from_token

    case = db.session.get(Case, case_id)
    prep = operations.preparation_for(counselor, case)
    if prep.id is None:
        prep.since = prep.until - timedelta(days=days)
        prep.audience = "joint"
        prep.excerpts = _quotable(counselor, case)
        prep.narrative = "Both partners have kept their weekly sessions."
        prep.next_steps = "Keep to the agreements; begin the next stage."
        db.session.add(prep)
    report = db.session.scalars(select(Report).where(
        Report.case_id == case_id, Report.audience == "joint", Report.status == "ready")
        .order_by(Report.id.desc())).first()
    if report is None:
        today = practice_today()
        report = operations.request_report(
            counselor, case, audience_from_token(case, "joint"), today - timedelta(days=days),
            today, excerpts=[], narrative=prep.narrative, next_steps=prep.next_steps)
        if render:
            operations.produce(report)
            if not report.ready:
                raise RuntimeError(f"the report could not be rendered: {report.error}")
        else:
            report.pdf, report.sha256 = TINY_PDF, hashlib.sha256(TINY_PDF).hexdigest()
            report.size_bytes, report.page_count, report.contents = len(TINY_PDF), 1, []
            report.status, report.generated_at = "ready", utcnow()
        if shared_at_session:
            report.shared_session_id, report.shared_marked_at = shared_at_session, utcnow()
    db.session.commit()
    return {"preparation": prep.id, "report": report.id}
