"""The partner part of the scene (see scene.py): alex and sam in a couple's case; sam
shared a submitted revision with alex; a signed joint session with a shared summary, the
mediated outline and an agreement binding both, followed up in a later signed session.
Kept apart so that the pages of issue 8 are one call and a few lines in scene.py."""

from datetime import timedelta

from counsel.assignments import operations
from counsel.extensions import db
from counsel.models import AgreementFollowUp, CounselingSession, SessionAttendee, utcnow
from counsel.portal import partners
from counsel.session_log import signing

from .. import factories


def build(people, scene, text) -> dict:
    counselor, alex, sam = people["counselor"], people["alex"], people["sam"]
    couple = factories.CaseFactory(counselor=counselor, partners=[alex, sam])
    work = factories.AssignmentFactory(client=sam, exercise=scene["reviewed"].exercise,
                                       case=couple)
    db.session.flush()
    revision = operations.submit(sam.user, work, [text("samanswer"), "x"], None)
    share = partners.share(sam.user, sam, revision, partners.partners_of(sam)[0])
    now = utcnow()

    def session(days, **fields):
        held = CounselingSession(case=couple, counselor=counselor, type="joint",
                                 starts_at=now - timedelta(days=days), format="video",
                                 attendees=[SessionAttendee(client=c) for c in (alex, sam)],
                                 **fields)
        db.session.add(held)
        db.session.flush()
        return held

    joint = session(7, shared_summary=text("summary"), private_notes=text("notes"),
                    agenda=text("agenda"), perspectives=text("perspectives"),
                    acknowledged=text("acknowledged"), next_steps=text("nextsteps"))
    agreement = factories.AgreementFactory(session=joint, text=text("agreement"), binds=None)
    signing.sign(counselor, joint)
    later = session(1, shared_summary="later")
    db.session.add(AgreementFollowUp(agreement_id=agreement.id, session=later,
                                     outcome="kept", note=text("followup")))
    db.session.flush()
    signing.sign(counselor, later)
    db.session.commit()
    return {"sam": sam, "partner_share": share, "partner_revision": revision, "joint": joint}
