"""The demo's progress report (issue 9): the joint version for Alex and Sam, covering the
last 30 days and marked as shared at their latest joint session, with Alex's shared letter
quoted by Alex's consent. It is rendered and archived like any other, so Alex and
Sam can each download it from their portal. A second run adds nothing."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import practice_today
from ..demo_cases import COUPLE_NAME
from ..extensions import db
from ..models import Case, CounselingSession, ExcerptConsent, Report, Share, User, utcnow
from .audiences import audience_from_token
from .operations import mark_shared, produce, request_report

NARRATIVE = ("Alex and Sam came to counseling after a hard year. In this first month each "
             "of you has looked honestly at your own part, and in our first joint session "
             "you listened to each other without interrupting, which is not easy.")
NEXT_STEPS = ("Keep the Sunday check-ins going. We will look at how the agreements went at "
              "our next joint session, and begin the rebuilding-trust stage when you are "
              "both ready.")


def add_demo_report(counselor: User) -> None:
    case = db.session.scalars(select(Case).where(Case.counselor_id == counselor.id,
                                                 Case.name == COUPLE_NAME)).first()
    if case is None or db.session.scalars(
            select(Report.id).where(Report.case_id == case.id).limit(1)).first():
        return
    joint = db.session.scalars(
        select(CounselingSession).where(CounselingSession.case_id == case.id,
                                        CounselingSession.type == "joint",
                                        CounselingSession.starts_at <= utcnow())
        .order_by(CounselingSession.starts_at.desc()).limit(1)).first()
    share = db.session.scalars(select(Share).where(Share.case_id == case.id).limit(1)).first()
    if joint is None:
        return
    excerpts = []
    if share is not None and share.revision_id:
        db.session.add(ExcerptConsent(revision_id=share.revision_id, client_id=share.author_id,
                                      requested_by_id=counselor.id, decision="agreed",
                                      decided_at=utcnow()))
        excerpts.append(share.revision_id)
    db.session.flush()
    until = practice_today()
    report = request_report(counselor, case, audience_from_token(case, "joint"),
                            until - timedelta(days=30), until, excerpts=excerpts,
                            narrative=NARRATIVE, next_steps=NEXT_STEPS)
    produce(report)
    if report.ready:
        mark_shared(counselor, report, joint)
    db.session.flush()
