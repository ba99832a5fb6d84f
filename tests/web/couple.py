"""A couple's case with everything the partner pages can show or must hide, built through
the operations (as the views would) where there are operations.

The counselor has a couple's case for alex and sam, an individual case for casey (a third
client not in the couple's case), and jordan is on the other counselor's caseload with a
case and a session of their own. Every typed field has its own words (``text(tag)``), so a
test can say which one leaked.
"""

from datetime import date, timedelta

from counsel.assignments import operations
from counsel.extensions import db
from counsel.models import (
    Addendum,
    AgreementFollowUp,
    CounselingSession,
    SafetyScreening,
    SessionAttendee,
    utcnow,
)
from counsel.portal import partners
from counsel.session_log import signing

from .. import factories


def plain(tag: str) -> str:
    return f"plain {tag} words"


def _work(client, exercise, case, answers, text):
    assignment = factories.AssignmentFactory(client=client, exercise=exercise, case=case)
    db.session.flush()
    revision = operations.submit(client.user, assignment, answers, None)
    db.session.commit()
    return assignment, revision


def _session(case, starts_at, attendees, **fields):
    session = CounselingSession(case=case, counselor=case.counselor, starts_at=starts_at,
                                duration_minutes=50, format=fields.pop("format", "video"),
                                type="joint" if len(attendees) > 1 else "individual",
                                attendees=[SessionAttendee(client=c) for c in attendees],
                                **fields)
    db.session.add(session)
    db.session.flush()
    return session


def build(people, text=plain) -> dict:
    counselor, other = people["counselor"], people["other_counselor"]
    alex, sam, jordan = people["alex"], people["sam"], people["jordan"]
    alex.user.name, sam.user.name = "Alex Rivera", "Sam Okafor"
    casey = factories.ClientFactory(counselor=counselor, user__email="casey@example.org",
                                    user__name="Casey Lee")
    couple = factories.CaseFactory(counselor=counselor, partners=[alex, sam],
                                   name=text("casename"), safety_reason=text("safety"),
                                   safety_flagged_at=utcnow())
    casey_case = factories.CaseFactory(counselor=counselor, partners=[casey])
    jordan_case = factories.CaseFactory(counselor=other, partners=[jordan])
    exercise = factories.ExerciseFactory(
        owner=counselor, title=text("title"),
        prompts=[factories.ExercisePrompt(position=0, text=text("prompt1")),
                 factories.ExercisePrompt(position=1, text=text("prompt2"))])
    db.session.commit()

    shared, shared_rev = _work(alex, exercise, couple,
                               [text("shared1"), text("shared2")], text)
    # The counselor's review of the shared revision: never shown to sam.
    operations.add_comment(counselor, shared_rev, prompt_index=0, quote=text("shared1"),
                           start=None, body=text("comment"))
    operations.send_review(counselor, shared_rev, decision="request_revision",
                           overall_comment=text("overall"), rubric=None)
    db.session.commit()
    # The next draft of the shared work: never shared.
    operations.save_draft(alex.user, shared, [text("draft"), "x"], shared.draft.version)
    unshared, unshared_rev = _work(alex, exercise, couple,
                                   [text("alexprivate"), "second"], text)
    sam_work, sam_rev = _work(sam, exercise, couple, [text("samprivate"), "second"], text)
    casey_work, casey_rev = _work(casey, exercise, casey_case, [text("casey"), "x"], text)
    share = partners.share(alex.user, alex, shared_rev, partners.partners_of(alex)[0])
    db.session.commit()

    now = utcnow()
    for client in (alex, sam):
        db.session.add(SafetyScreening(case=couple, client=client,
                                       screened_on=date.today() - timedelta(days=20),
                                       outcome="no_concerns", note=text("screening"),
                                       recorded_by_id=counselor.id))
    joint = _session(couple, now - timedelta(days=7), [alex, sam],
                     shared_summary=text("summary"), private_notes=text("notes"),
                     agenda=text("agenda"), perspectives=text("perspectives"),
                     acknowledged=text("acknowledged"), next_steps=text("nextsteps"))
    both = factories.AgreementFactory(session=joint, text=text("agreeboth"), binds=None,
                                      follow_up_on=date.today() + timedelta(days=7))
    for_alex = factories.AgreementFactory(session=joint, text=text("agreealex"), binds=alex)
    for_sam = factories.AgreementFactory(session=joint, text=text("agreesam"), binds=sam)
    signing.sign(counselor, joint)
    db.session.commit()
    # Written by session_id: signing.add_addendum's Addendum(session=...) touches the signed
    # session's collection, and its version counter then trips the lock (told the lead).
    db.session.add(Addendum(session_id=joint.id, body=text("addendum"),
                            signed_by_id=counselor.id, content_hash="0" * 64))
    # A later individual session with sam: a follow-up of the joint agreement, signed.
    sam_alone = _session(couple, now - timedelta(days=2), [sam],
                         shared_summary=text("samsummary"), private_notes=text("samnotes"))
    # By id: through ``agreement=`` the signed session's agreement would count as changed.
    db.session.add(AgreementFollowUp(agreement_id=both.id, session=sam_alone, outcome="partly",
                                     note=text("followup")))
    db.session.flush()
    signing.sign(counselor, sam_alone)
    # Held but not signed yet: nothing of it reaches a client, its follow-up neither.
    unsigned = _session(couple, now - timedelta(days=1), [alex, sam],
                        shared_summary=text("unsignedsummary"), private_notes=text("draftnotes"))
    db.session.add(AgreementFollowUp(agreement_id=both.id, session=unsigned, outcome="not_kept",
                                     note=text("draftfollowup")))
    upcoming = _session(couple, now + timedelta(days=3), [alex, sam], format="in_person",
                        private_notes=text("plannotes"))
    cancelled = _session(couple, now + timedelta(days=4), [alex, sam],
                         cancelled_at=now, private_notes=text("cancelnotes"))
    casey_session = _session(casey_case, now - timedelta(days=3), [casey],
                             shared_summary=text("caseysummary"), private_notes=text("cnotes"))
    signing.sign(counselor, casey_session)
    jordan_session = _session(jordan_case, now - timedelta(days=3), [jordan],
                              shared_summary=text("jordansummary"), private_notes=text("jn"))
    factories.AgreementFactory(session=jordan_session, text=text("agreejordan"), binds=None)
    signing.sign(other, jordan_session)
    db.session.commit()
    return {
        "counselor": counselor, "other_counselor": other, "alex": alex, "sam": sam,
        "casey": casey, "jordan": jordan, "couple": couple, "casey_case": casey_case,
        "shared": shared, "shared_rev": shared_rev, "share": share,
        "unshared": unshared, "unshared_rev": unshared_rev,
        "sam_work": sam_work, "sam_rev": sam_rev, "casey_work": casey_work,
        "joint": joint, "sam_alone": sam_alone, "unsigned": unsigned, "upcoming": upcoming,
        "cancelled": cancelled, "casey_session": casey_session,
        "jordan_session": jordan_session,
        "agreements": {"both": both, "alex": for_alex, "sam": for_sam},
    }


# Words each partner must never receive, whatever page they open.
NEVER_FOR_CLIENTS = ("notes", "samnotes", "draftnotes", "plannotes", "cancelnotes", "cnotes",
                     "jn", "addendum", "screening", "safety", "casename", "unsignedsummary",
                     "draftfollowup")
