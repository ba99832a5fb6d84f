"""Private notes and screenings never reach a client (issue 8; PRODUCT.md privacy rules
1-3): signed in as each partner of a couple, as a client of another case of the same
counselor and as another counselor's client, walk every page a client can open with every
id in the scene (privacy_walk.py) and search every body for what that client must never
see. The same walk runs over the demo practice."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from counsel.assignments import operations
from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
    Addendum,
    Agreement,
    AgreementFollowUp,
    Assignment,
    CounselingSession,
    ExcerptConsent,
    Revision,
    SafetyScreening,
    SessionAttendee,
    Share,
    User,
    utcnow,
)
from counsel.reports import operations as reports
from counsel.reports.audiences import audiences_for
from counsel.session_log import signing

from .. import factories
from ..conftest import Auth
from .privacy_walk import client_rules, scene_ids, walk

SCREENING_CONCERNS = "Concerns noted: joint work only with care"
MIN_PAGES = 10  # pages with data each person's walk must have opened


def _work(client, *texts, draft=None, review=None):
    """An assignment with one revision per text, each but the last sent back with a
    review (``review`` words in its comment), and optionally a draft left open."""
    assignment = factories.AssignmentFactory(client=client)
    db.session.flush()
    user, counselor = client.user, client.counselor
    for n, text in enumerate(texts, start=1):
        operations.submit(user, assignment, [text, "second answer"],
                          assignment.draft.version if assignment.draft else None)
        if n < len(texts) or review:
            revision = assignment.latest_revision
            operations.add_comment(counselor, revision, prompt_index=0, quote=text, start=None,
                                   body=f"{review or 'REVIEW'}-{n}")
            operations.send_review(counselor, revision, decision="request_revision",
                                   overall_comment=f"{review or 'OVERALL'}-overall-{n}",
                                   rubric=None)
    if draft:
        operations.save_draft(user, assignment, [draft, ""],
                              assignment.draft.version if assignment.draft else None)
    db.session.flush()
    return assignment


def _session(case, counselor, attendees, n, *, days, signed=False, type_="individual",
             **fields):
    session = CounselingSession(
        case=case, counselor=counselor, starts_at=utcnow() + timedelta(days=days),
        format="video", type=type_, attendees=[SessionAttendee(client=c) for c in attendees],
        shared_summary=f"SUMMARY-{n}", private_notes=f"PRIVATE-NOTE-{n}", **fields)
    db.session.add(session)
    db.session.flush()
    if signed:
        signing.sign(counselor, session)
    return session


def build_scene(people) -> dict:
    counselor, other = people["counselor"], people["other_counselor"]
    alex, sam, jordan = people["alex"], people["sam"], people["jordan"]
    casey = factories.ClientFactory(counselor=counselor, user__email="casey@example.org")
    couple = factories.CaseFactory(counselor=counselor, partners=[alex, sam], name="A and S",
                                   safety_flagged_at=utcnow(), safety_reason="FLAG-REASON-1")
    own = {c: factories.CaseFactory(counselor=c.counselor, partners=[c], kind="individual")
           for c in (alex, sam, casey, jordan)}

    alex_letter = _work(alex, "ALEX-UNSHARED-1", "ALEX-SHARED-2", "ALEX-UNSHARED-3",
                        review="ALEX-REVIEW")
    _work(alex, draft="ALEX-DRAFT")
    sam_work = _work(sam, "SAM-UNSHARED-1", draft="SAM-DRAFT", review="SAM-REVIEW")
    _work(casey, "CASEY-WORK-1", review="CASEY-REVIEW")
    _work(jordan, "JORDAN-WORK-1", review="JORDAN-REVIEW")
    alex_letter.case_id = sam_work.case_id = couple.id
    revisions = {r.number: r for r in alex_letter.revisions}
    db.session.add_all([
        Share(case=couple, author=alex, recipient=sam, revision=revisions[2]),
        Share(case=couple, author=alex, recipient=sam, revision=revisions[1],
              withdrawn_at=utcnow()),
    ])
    for partner, outcome in ((alex, "no_concerns"), (sam, "concerns")):
        db.session.add(SafetyScreening(case=couple, client=partner, outcome=outcome,
                                       screened_on=(utcnow() - timedelta(days=30)).date(),
                                       note=f"SCREENING-NOTE-{partner.id}",
                                       recorded_by_id=counselor.id))

    _session(couple, counselor, [alex], 1, days=-21, signed=True)
    _session(couple, counselor, [sam], 2, days=-14)
    joint = _session(couple, counselor, [alex, sam], 3, days=-7, type_="joint",
                     agenda="AGENDA-3", perspectives="PERSPECTIVES-3",
                     acknowledged="ACKNOWLEDGED-3", next_steps="NEXT-STEPS-3")
    agreements = [Agreement(session=joint, case_id=couple.id, text=f"AGREEMENT-{who}",
                            binds=binds, follow_up_on=(utcnow() + timedelta(days=7)).date())
                  for who, binds in (("both", None), ("alex", alex), ("sam", sam))]
    db.session.add_all(agreements)
    db.session.flush()
    signing.sign(counselor, joint)
    signing.add_addendum(counselor, joint, "ADDENDUM-TEXT-1")
    later = _session(couple, counselor, [alex, sam], 4, days=-2, type_="joint",
                     agenda="AGENDA-4", next_steps="NEXT-STEPS-4")
    db.session.add(AgreementFollowUp(agreement_id=agreements[0].id, session=later, outcome="kept",
                                     note="FOLLOW-UP-NOTE-4"))
    _session(couple, counselor, [alex, sam], 5, days=7, type_="joint", agenda="AGENDA-5")
    _reports(couple, joint, alex_letter, sam_work)
    _session(own[casey], counselor, [casey], 6, days=-3, signed=True)
    jordans = _session(own[jordan], other, [jordan], 7, days=-3, signed=True)
    signing.add_addendum(other, jordans, "ADDENDUM-TEXT-2")
    db.session.commit()
    return {"alex": alex, "sam": sam, "casey": casey, "jordan": jordan}


def _reports(couple, joint, alex_letter, sam_work) -> None:
    """Issue 9: each version of the couple's report, rendered, the client versions marked
    shared at the joint session both attended. Alex agreed to quote revisions 2 (shared
    with sam) and 3 (not shared), sam agreed to quote theirs (not shared) and declined
    nothing else; alex declined revision 1. The counselor's file (with the flag's reason) is
    marked shared too, as no page allows: the portal must still never serve it."""
    counselor = couple.counselor
    revisions = {r.number: r for r in alex_letter.revisions}
    chosen = [revisions[2], revisions[3], sam_work.revisions[0]]
    reports.request_consent(counselor, couple, chosen + [revisions[1]])
    for consent in db.session.scalars(select(ExcerptConsent)):
        reports.decide_consent(consent.client.user, consent, "declined"
                               if consent.revision_id == revisions[1].id else "agreed")
    until = practice_today()
    for audience in audiences_for(couple):
        report = reports.request_report(counselor, couple, audience,
                                        until - timedelta(days=30), until,
                                        excerpts=[r.id for r in chosen + [revisions[1]]],
                                        narrative="NARRATIVE", next_steps="STEPS")
        reports.produce(report)
        assert report.ready, report.error
        if audience.for_clients:
            reports.mark_shared(counselor, report, joint)
        else:
            report.shared_session_id = joint.id
    db.session.flush()


def never_for_any_client() -> list[str]:
    """What no client may ever see: private notes, screenings (note and outcome), the
    flag's reason, addenda."""
    return ([s.private_notes for s in db.session.scalars(select(CounselingSession))
             if s.private_notes]
            + [s.note for s in db.session.scalars(select(SafetyScreening))]
            + [SCREENING_CONCERNS, "FLAG-REASON-1"]
            + list(db.session.scalars(select(Addendum.body))))


def shared_parts_not_for(client) -> list[str]:
    """The shared summary and mediated outline of every session the client did not attend,
    and of every session not yet signed (attendees read them once it is signed)."""
    texts = []
    for session in db.session.scalars(select(CounselingSession)):
        attended = client.id in {a.client_id for a in session.attendees}
        if not (attended and session.signed):
            texts += [text for text in (session.shared_summary, session.agenda,
                                        session.perspectives, session.acknowledged,
                                        session.next_steps) if text]
    return texts


def not_for(scene, person: str) -> list[str]:
    """The scene's words that belong to someone else, for one person."""
    others = {"alex": ["SAM-", "CASEY-", "JORDAN-"],
              "sam": ["ALEX-UNSHARED", "ALEX-DRAFT", "ALEX-REVIEW", "CASEY-", "JORDAN-"],
              "casey": ["ALEX-", "SAM-", "JORDAN-"],
              "jordan": ["ALEX-", "SAM-", "CASEY-"]}[person]
    return never_for_any_client() + shared_parts_not_for(scene[person]) + others


def _assert_nothing_leaks(result, forbidden):
    leaks = {needle: result.search(needle)[:3] for needle in forbidden if result.search(needle)}
    assert not leaks, leaks


@pytest.mark.parametrize("person", ["alex", "sam", "casey", "jordan"])
def test_no_client_page_holds_anything_of_anyone_else(app, client, people, person):
    scene = build_scene(people)
    ids = scene_ids()
    Auth(client).login(scene[person].user)
    result = walk(app, client, ids)
    assert result.pages_with_data >= MIN_PAGES
    _assert_nothing_leaks(result, not_for(scene, person))
    # not vacuous: the walk does reach pages showing this person's own words
    own = {"alex": "ALEX-UNSHARED-1", "sam": "SAM-UNSHARED-1", "casey": "CASEY-WORK-1",
           "jordan": "JORDAN-WORK-1"}[person]
    assert result.search(own), f"{person}'s own revision is on no page the walk opened"
    assert result.search(f"{own.split('-')[0]}-REVIEW-1")
    # and, once the portal has the pages, what this person may read of sessions and shares
    arguments = {name for rule in client_rules(app) for name in rule.arguments}
    if "session_id" in arguments and person in ("alex", "sam"):
        assert result.search("SUMMARY-3") and result.search("AGENDA-3")
    if "share_id" in arguments and person == "sam":
        assert result.search("ALEX-SHARED-2")


def _demo_forbidden(reader: User) -> list[str]:
    """The demo's words a reader must not see: every private note, screening note and
    addendum; and the sentences of another client's revisions that were not shared with
    the reader (the shared revision of Alex's letter repeats sentences of earlier ones)."""
    forbidden = [sentence for text in never_for_any_client() + shared_parts_not_for(reader.client)
                 for sentence in _sentences(text)]
    shared = [answer for share in db.session.scalars(select(Share).where(
        Share.recipient_id == reader.client.id, Share.withdrawn_at.is_(None)))
        for answer in share.revision.answers]
    for revision in db.session.scalars(select(Revision)):
        if revision.assignment.client_id == reader.client.id:
            continue
        forbidden += [s for answer in revision.answers for s in _sentences(answer)
                      if not any(s in text for text in shared)]
    return forbidden


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in text.replace("\n", " ").split(". ") if len(s.strip()) > 25]


@pytest.mark.parametrize("email", ["alex@example.com", "sam@example.com",
                                   "jordan@example.com"])
def test_the_demo_shows_no_client_anything_private(app, client, runner, email):
    result = runner.invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    reader = db.session.scalars(select(User).where(User.email == email)).one()
    Auth(client).login(reader, password="demo password 123")
    visited = walk(app, client, scene_ids())
    assert visited.pages_with_data >= 5
    forbidden = _demo_forbidden(reader)
    assert len(forbidden) > 20
    _assert_nothing_leaks(visited, forbidden)
    if email != "jordan@example.com":  # jordan has nothing submitted in the demo
        own = reader.client.id
        mine = db.session.scalars(select(Revision).join(Revision.assignment).where(
            Assignment.client_id == own)).first()
        assert visited.search(_sentences(mine.answers[0])[0])


def test_the_walk_sees_a_leak_when_there_is_one(app, client, people):
    """The search is not vacuous: a private note copied into a field the client does see
    (the counselor's note on an assignment) is found."""
    scene = build_scene(people)
    assignment = db.session.scalars(select(Assignment).where(
        Assignment.client_id == scene["alex"].id)).first()
    assignment.note = "copied: PRIVATE-NOTE-3"
    db.session.commit()
    Auth(client).login(scene["alex"].user)
    result = walk(app, client, scene_ids())
    assert result.search("PRIVATE-NOTE-3")
