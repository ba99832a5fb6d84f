"""The partner side of the query-count practice (test_query_counts.practice): the first
client in a couple's case with a partner, ``n`` signed joint sessions (each with two
agreements and a follow-up of the one before), ``n`` upcoming ones, ``n`` revisions shared
each way, ``n`` progress reports handed over at those sessions and ``n`` requests to quote
the client's work (every other one answered), and the counselor's calendar feed. Returns
the ids the pages need."""

import hashlib
from datetime import timedelta

from sqlalchemy import select

from counsel.extensions import db
from counsel.models import (
    Agreement,
    AgreementFollowUp,
    CounselingSession,
    Draft,
    ExcerptConsent,
    Report,
    Review,
    Revision,
    SessionAttendee,
    Share,
    utcnow,
)
from counsel.session_log import calendar, signing

from .. import factories


def add(client, counselor, exercise, n: int) -> dict:
    partner = factories.ClientFactory(counselor=counselor)
    couple = factories.CaseFactory(counselor=counselor, partners=[client, partner])
    db.session.flush()
    now = utcnow()
    previous = None
    first = None
    for i in range(n):
        held = CounselingSession(case=couple, counselor=counselor, type="joint", format="video",
                                 starts_at=now - timedelta(days=7 * (i + 1)),
                                 shared_summary=f"summary {i}", private_notes=f"notes {i}",
                                 attendees=[SessionAttendee(client=c) for c in (client, partner)])
        db.session.add(held)
        db.session.flush()
        for binds in (None, client.id):
            db.session.add(Agreement(session_id=held.id, case_id=couple.id, text=f"a {i}",
                                     binds_client_id=binds))
        if previous is not None:
            db.session.add(AgreementFollowUp(agreement_id=previous, session_id=held.id,
                                             outcome="kept", note="ok"))
        db.session.flush()
        db.session.refresh(held)
        signing.sign(counselor, held)
        previous = held.agreements[0].id
        first = first or held
        db.session.add(CounselingSession(
            case=couple, counselor=counselor, type="joint", format="in_person",
            starts_at=now + timedelta(days=i + 1),
            attendees=[SessionAttendee(client=c) for c in (client, partner)]))
    received, own = None, []
    for i in range(n):
        for author, recipient in ((partner, client), (client, partner)):
            work = factories.AssignmentFactory(client=author, exercise=exercise, case=couple,
                                               _status="submitted")
            db.session.add(Draft(assignment=work, answers=["a", "b"]))
            revision = Revision(assignment=work, number=1, answers=[f"shared {i}", "b"],
                                content_hash=f"s{i}")
            db.session.add(revision)
            # reviewed, so a report can quote it (bench.sessions_seed.report_of_case)
            db.session.add(Review(revision=revision, counselor=counselor, sent_at=utcnow(),
                                  decision="accept"))
            db.session.flush()
            share = Share(case_id=couple.id, author_id=author.id, recipient_id=recipient.id,
                          revision_id=revision.id)
            db.session.add(share)
            db.session.flush()
            if recipient is client:
                received = received or share
            else:
                own.append(revision)
    report = _reports(couple, counselor, client, own, n)
    token = calendar.new_feed(counselor)
    db.session.commit()
    return {"session": first.id, "share": received.id, "feed_token": token,
            "couple_case": couple.id, "report": report.id,
            "consent": db.session.scalars(select(ExcerptConsent.id).where(
                ExcerptConsent.client_id == client.id).limit(1)).first()}


def _reports(couple, counselor, client, revisions, n):
    """``n`` joint reports, each shared at one of the signed joint sessions, and a request
    to quote each of ``revisions`` (every other one answered). Returns the newest report."""
    shared_at = list(db.session.scalars(select(CounselingSession.id).where(
        CounselingSession.case_id == couple.id, CounselingSession.signed_at.is_not(None))))
    now, report = utcnow(), None
    for i in range(n):
        pdf = f"%PDF-1.7 test {i}".encode()
        report = Report(case_id=couple.id, generated_by_id=counselor.id, audience="joint",
                        since=(now - timedelta(days=30 + i)).date(), until=now.date(),
                        excerpts=[], status="ready", generated_at=now - timedelta(days=i),
                        pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf),
                        page_count=2, contents=[], shared_session_id=shared_at[i],
                        shared_marked_at=now)
        db.session.add(report)
    for i, revision in enumerate(revisions):
        db.session.add(ExcerptConsent(revision_id=revision.id, client_id=client.id,
                                      requested_by_id=counselor.id,
                                      decision="agreed" if i % 2 else None,
                                      decided_at=now if i % 2 else None))
    db.session.flush()
    return report
