"""Demo cases and sessions for ``flask demo`` (issue 8): an individual case for every demo
client; "Alex & Sam", a couple's case with a safety screening of each partner, two
individual sessions, a signed joint mediated session with agreements and an addendum, a
later session that follows the agreements up, and one coming up next week; a revision
Alex shared with Sam; and Jordan's individual case with the other counselor.

Dates are relative to the day the demo is first built (practice time, stored in UTC), and
a second run changes nothing, as with the demo's assignments. The session log is written
at the model level, and signed and corrected through ``session_log.signing``, which records
the audit rows a counselor's signing would.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from .assignments import demo as demo_work
from .clock import practice_today, practice_zone
from .extensions import db
from .models import (
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CaseMember,
    Client,
    CounselingSession,
    Exercise,
    Revision,
    SafetyScreening,
    SessionAttendee,
    Share,
    User,
)
from .session_log import signing

COUPLE_NAME = "Alex & Sam"

SESSIONS = {
    "alex": dict(
        shared_summary="We talked about what brought you here and what you hope to get from "
        "counseling. You named listening as the thing you most want to work on. Before next "
        "time: finish the second draft of your letter, without sending it.",
        private_notes="Alex is motivated but quick to explain rather than own. Watch for "
        "'but' after every apology. No sign of coercion or fear of Sam; screened today."),
    "sam": dict(
        shared_summary="You described the last year as lonely, and said you are not sure yet "
        "whether you want to rebuild. That is a fair place to start. You will prepare for the "
        "joint session with the exercise I gave you.",
        private_notes="Sam is guarded and tired rather than angry. Wants to be heard before "
        "anything else. Screened today: feels safe with Alex, no history of threats."),
    "joint": dict(
        shared_summary="Our first session together. Each of you described the last year in "
        "your own words and the other listened without interrupting. You agreed on a weekly "
        "check-in and on one change each, to look at again in two weeks.",
        private_notes="Good session. Sam softened when Alex repeated back what Sam said "
        "without defending. Alex still drifts to work stress; redirect next time. Consider "
        "the trust-rebuilding stage in a month if the check-ins hold.",
        agenda="1. How each of you sees the last year. 2. What each of you needs now. "
        "3. One small, concrete step each.",
        perspectives="Alex: felt pulled between work and home and did not notice how far "
        "apart things had drifted. Sam: felt invisible for months and stopped raising things "
        "because nothing changed.",
        acknowledged="Alex acknowledged putting work first and brushing Sam's worries aside. "
        "Sam acknowledged going quiet instead of saying how bad it had become.",
        next_steps="Start the Sunday check-in this week. Alex finishes the letter with me "
        "first. Review both agreements in two weeks."),
    "follow_up": dict(
        shared_summary="We looked back at the agreements from our first joint session. The "
        "Sunday check-ins happened twice out of two; the evenings without phones were harder. "
        "We talked about what got in the way and kept both agreements going.",
        private_notes="Check-ins are working. Alex defensive about the phone slip; name it "
        "gently next time. Sam more open today, laughed once."),
    "upcoming": dict(
        agenda="How the check-ins feel now; Sam's agreement to say when something bothers "
        "them; whether to start on the rebuilding-trust exercises."),
}
ADDENDUM = ("Correction: the session ran 60 minutes, not 50. The agreements and the summary "
            "stand as written.")
SCREENINGS = {
    "alex": "Asked about conflict, fear and control at home. No violence, threats or "
            "monitoring reported. Alex understands sessions can stop at any time.",
    "sam": "Seen alone. Sam reports feeling safe with Alex; no violence, threats or "
           "controlling behavior; no protective order. Joint work is fine.",
}
JORDAN = dict(
    shared_summary="We mapped out what ended the relationship as you see it and chose the "
    "first reflection exercise.",
    private_notes="Jordan is still very angry; keep the focus on their own part for now.")


def add_demo_cases(people: dict[str, User]) -> None:
    counselor, other = people["counselor@example.com"], people["other@example.com"]
    alex, sam = people["alex@example.com"].client, people["sam@example.com"].client
    jordan = people["jordan@example.com"].client
    for client in (alex, sam):
        individual_case(client)
    jordan_case = individual_case(jordan)
    if _couple_case(counselor, alex, sam) is not None:
        return
    case = Case(counselor=counselor, name=COUPLE_NAME, kind="couple",
                members=[CaseMember(client=alex, position=1), CaseMember(client=sam, position=2)])
    db.session.add(case)
    db.session.flush()
    _link_work(case, [alex, sam])
    _link_work(jordan_case, [jordan])
    _couple_sessions(counselor, case, alex, sam)
    _share(case, alex, sam)
    _session(other, jordan_case, _local(days=-6, hour=10), "video", "individual", [jordan],
             **JORDAN, sign=True)
    db.session.flush()


def individual_case(client: Client) -> Case:
    """The client's individual case: the one that exists (from the migration, or made when
    the client was added), or a new one named after them."""
    case = db.session.scalars(
        select(Case).join(CaseMember).where(CaseMember.client_id == client.id,
                                            Case.kind == "individual",
                                            Case.counselor_id == client.counselor_id)
        .order_by(Case.id).limit(1)).first()
    if case is None:
        case = Case(counselor_id=client.counselor_id, name=client.user.name, kind="individual",
                    members=[CaseMember(client=client, position=1)])
        db.session.add(case)
        db.session.flush()
    return case


def _couple_case(counselor: User, alex: Client, sam: Client) -> Case | None:
    return db.session.scalars(
        select(Case).join(CaseMember).where(Case.counselor_id == counselor.id,
                                            Case.kind == "couple",
                                            CaseMember.client_id.in_((alex.id, sam.id)))
        .limit(1)).first()


def _local(*, days: int, hour: int, minute: int = 0) -> datetime:
    """A time of day in the practice's zone, ``days`` from today, as UTC for storage."""
    day: date = practice_today() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), practice_zone()).astimezone(UTC)


def _session(counselor, case, starts_at, format_, type_, attendees, *, sign=False, **fields):
    session = CounselingSession(case=case, counselor=counselor, starts_at=starts_at,
                                duration_minutes=50, format=format_, type=type_,
                                attendees=[SessionAttendee(client=c) for c in attendees],
                                **fields)
    db.session.add(session)
    db.session.flush()
    if sign:
        signing.sign(counselor, session)
    return session


def _couple_sessions(counselor: User, case: Case, alex: Client, sam: Client) -> None:
    first = _local(days=-21, hour=17)
    second = _local(days=-14, hour=17)
    _session(counselor, case, first, "in_person", "individual", [alex], **SESSIONS["alex"],
             sign=True)
    db.session.add(SafetyScreening(case=case, client=alex, screened_on=_day(first),
                                   outcome="no_concerns", note=SCREENINGS["alex"],
                                   recorded_by_id=counselor.id))
    sam_session = _session(counselor, case, second, "video", "individual", [sam],
                           **SESSIONS["sam"])
    db.session.add(SafetyScreening(case=case, client=sam, screened_on=_day(second),
                                   outcome="no_concerns", note=SCREENINGS["sam"],
                                   recorded_by_id=counselor.id))
    preparing = db.session.scalars(select(Assignment).join(Assignment.exercise).where(
        Assignment.client_id == sam.id,
        Exercise.slug == "preparing-for-mediated-session")).first()
    if preparing is not None:  # given in Sam's session, for the joint one
        preparing.session_id = sam_session.id
    signing.sign(counselor, sam_session)

    joint = _session(counselor, case, _local(days=-7, hour=18), "in_person", "joint",
                     [alex, sam], **SESSIONS["joint"])
    follow_up_day = practice_today() - timedelta(days=2)
    both = Agreement(session=joint, case_id=case.id, follow_up_on=follow_up_day,
                     text="Every Sunday evening, twenty minutes to check in with each other: "
                          "how the week felt, one thing that helped, one thing that hurt.")
    phones = Agreement(session=joint, case_id=case.id, binds=alex, follow_up_on=follow_up_day,
                       text="Alex leaves the phone in another room from 8 pm on weeknights.")
    speak_up = Agreement(session=joint, case_id=case.id, binds=sam,
                         follow_up_on=practice_today() + timedelta(days=7),
                         text="Sam says when something bothers them within a day, even briefly, "
                              "instead of letting it build up.")
    db.session.add_all([both, phones, speak_up])
    db.session.flush()
    signing.sign(counselor, joint)
    signing.add_addendum(counselor, joint, ADDENDUM)

    later = _session(counselor, case, _local(days=-2, hour=18), "video", "joint",
                     [alex, sam], **SESSIONS["follow_up"])
    db.session.add_all([
        AgreementFollowUp(agreement_id=both.id, session=later, outcome="kept",
                          note="Both Sundays happened; Sam said the second one felt easier."),
        AgreementFollowUp(agreement_id=phones.id, session=later, outcome="partly",
                          note="Three evenings out of five; work calls got in the way twice."),
    ])
    _session(counselor, case, _local(days=7, hour=18), "in_person", "joint", [alex, sam],
             **SESSIONS["upcoming"])


def _link_work(case: Case, clients: list[Client]) -> None:
    """Alex's and Sam's demo work is all about the relationship: it belongs to the couple's
    case; Jordan's to Jordan's own."""
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.client_id.in_([c.id for c in clients]))):
        assignment.case_id = case.id


def _share(case: Case, alex: Client, sam: Client) -> None:
    """Alex shares the letter's accepted revision (the latest one) with Sam."""
    revision = db.session.scalars(
        select(Revision).join(Revision.assignment)
        .where(Assignment.client_id == alex.id).order_by(Revision.id.desc()).limit(1)).first()
    if revision is None:  # the demo's work was removed: give Alex a submitted letter again
        letter = demo_work._assign(case.counselor, alex, "apology-letter")
        letter.case_id = case.id
        revision = demo_work._submit(letter, demo_work.LETTER[-1])
    db.session.add(Share(case=case, author=alex, recipient=sam, revision=revision))


def _day(moment: datetime) -> date:
    return moment.astimezone(practice_zone()).date()
