"""A year of weekly counseling sessions in one couple's case (issue 8): each with both
partners attending, an agreement, and a follow-up of the week before's; all signed but the
last few, one of which is today and one is a week ago (so the dashboard lists have rows).
Used by bench/practice.py and tests/web/test_query_counts.py."""

from datetime import timedelta

from sqlalchemy import update

from counsel.extensions import db
from counsel.models import (
    Agreement,
    AgreementFollowUp,
    Case,
    CaseMember,
    CounselingSession,
    SessionAttendee,
    utcnow,
)


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
