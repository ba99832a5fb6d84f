"""Progress reports as a client meets them in the portal (issue 9), for
test_portal_reports.py and test_report_consent.py.

Alex and Sam are partners in a couple's case; Casey is another client of the same
counselor; Jordan is another counselor's client. Archived reports are stored rows (bytes,
hash) made directly, so the access tests need no renderer; ``reviewed_work`` and
``real_report`` go through the operations for the end-to-end checks."""

import hashlib
from datetime import timedelta

from counsel.assignments import operations as work
from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import CounselingSession, Report, SessionAttendee, utcnow
from counsel.reports import operations
from counsel.reports.audiences import audience_from_token

from .. import factories


def stored(case, audience, *, client=None, shared_at=None, status="ready", tag="x") -> Report:
    """An archived version with its own bytes, marked shared at ``shared_at`` (if given)
    exactly as mark_shared would leave it, whatever the rules say (the portal's loader
    must hold on its own)."""
    pdf = f"%PDF-1.7 test {tag}".encode()
    ready = status == "ready"
    report = Report(case=case, generated_by_id=case.counselor_id, audience=audience,
                    audience_client_id=client.id if client else None,
                    since=practice_today() - timedelta(days=30), until=practice_today(),
                    excerpts=[], narrative="", next_steps="", status=status,
                    generated_at=utcnow() if ready else None, pdf=pdf if ready else None,
                    sha256=hashlib.sha256(pdf).hexdigest() if ready else None,
                    size_bytes=len(pdf) if ready else None, page_count=2 if ready else None,
                    contents=[] if ready else None,
                    shared_session_id=shared_at.id if shared_at else None,
                    shared_marked_at=utcnow() if shared_at else None)
    db.session.add(report)
    db.session.flush()
    return report


def held(case, attendees, days_ago=3) -> CounselingSession:
    session = CounselingSession(case=case, counselor_id=case.counselor_id,
                                starts_at=utcnow() - timedelta(days=days_ago),
                                duration_minutes=50, format="video",
                                type="joint" if len(attendees) > 1 else "individual",
                                attendees=[SessionAttendee(client=c) for c in attendees])
    db.session.add(session)
    db.session.flush()
    return session


def build(people) -> dict:
    counselor, alex, sam = people["counselor"], people["alex"], people["sam"]
    jordan = people["jordan"]
    casey = factories.ClientFactory(counselor=counselor, user__email="casey@example.org")
    couple = factories.CaseFactory(counselor=counselor, partners=[alex, sam])
    caseys = factories.CaseFactory(counselor=counselor, partners=[casey])
    jordans = factories.CaseFactory(counselor=people["other_counselor"], partners=[jordan])
    joint_session = held(couple, [alex, sam])
    alex_alone = held(couple, [alex], days_ago=10)
    r = {
        "joint": stored(couple, "joint", shared_at=joint_session, tag="joint"),
        "alex": stored(couple, "partner", client=alex, shared_at=joint_session, tag="alex"),
        "sam": stored(couple, "partner", client=sam, shared_at=joint_session, tag="sam"),
        # never for a client, even if something marked it shared
        "counselor": stored(couple, "counselor", shared_at=joint_session, tag="file"),
        "unshared": stored(couple, "joint", tag="unshared"),
        # shared at a session only alex attended: sam never had it handed over
        "alex_session": stored(couple, "joint", shared_at=alex_alone, tag="alone"),
        "queued": stored(couple, "joint", shared_at=joint_session, status="queued"),
        "casey": stored(caseys, "client", client=casey, shared_at=held(caseys, [casey]),
                        tag="casey"),
        "jordan": stored(jordans, "client", client=jordan, shared_at=held(jordans, [jordan]),
                         tag="jordan"),
    }
    db.session.commit()
    return {"people": people | {"casey": casey}, "couple": couple, "reports": r,
            "joint_session": joint_session}


def reviewed_work(client, case, answers) -> object:
    """A revision of ``client``'s work in ``case`` with a sent review (what a report may
    quote, with consent)."""
    assignment = factories.AssignmentFactory(client=client, case=case)
    db.session.flush()
    revision = work.submit(client.user, assignment, answers, None)
    work.send_review(client.counselor, revision, decision="accept",
                     overall_comment="COUNSELOR-FEEDBACK", rubric=None)
    db.session.commit()
    return revision


def real_report(case, token, excerpts, shared_at=None) -> Report:
    """Generated through the operations and the renderer, as the counselor's page does."""
    since, until = practice_today() - timedelta(days=30), practice_today()
    report = operations.request_report(case.counselor, case, audience_from_token(case, token),
                                       since, until, excerpts=excerpts,
                                       narrative="NARRATIVE-TEXT", next_steps="NEXT-TEXT")
    operations.produce(report)
    assert report.ready, report.error
    if shared_at is not None:
        operations.mark_shared(case.counselor, report, shared_at)
    db.session.commit()
    return report
