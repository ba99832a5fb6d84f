"""The partner side of the query-count practice (test_query_counts.practice): the first
client in a couple's case with a partner, ``n`` signed joint sessions (each with two
agreements and a follow-up of the one before), ``n`` upcoming ones, ``n`` revisions shared
each way, and the counselor's calendar feed. Returns the ids the pages need."""

from datetime import timedelta

from counsel.extensions import db
from counsel.models import (
    Agreement,
    AgreementFollowUp,
    CounselingSession,
    Draft,
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
    received = None
    for i in range(n):
        for author, recipient in ((partner, client), (client, partner)):
            work = factories.AssignmentFactory(client=author, exercise=exercise, case=couple,
                                               _status="submitted")
            db.session.add(Draft(assignment=work, answers=["a", "b"]))
            revision = Revision(assignment=work, number=1, answers=[f"shared {i}", "b"],
                                content_hash=f"s{i}")
            db.session.add(revision)
            db.session.flush()
            share = Share(case_id=couple.id, author_id=author.id, recipient_id=recipient.id,
                          revision_id=revision.id)
            db.session.add(share)
            db.session.flush()
            if recipient is client:
                received = received or share
    token = calendar.new_feed(counselor)
    db.session.commit()
    return {"session": first.id, "share": received.id, "feed_token": token,
            "couple_case": couple.id}
