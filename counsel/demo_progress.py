"""Demo progress for ``flask demo`` (issue 11): eight weeks of weekly check-ins for Alex and
Sam (Sam's latest is overdue, so the dashboard shows a missed one); Alex's no-contact
tracker twenty days in, with a broken day five days ago (the dashboard lists it) and a
missed day, and commitments followed up weekly for three weeks; Sam's quality-time plan
(one item done, one skipped, one to come) and a memory journal of two memories.

Dates are relative to the day the demo is first built (the client's own day), and a second
run changes nothing, as with the rest of the demo. Check-ins, tracker days and commitments
go through the same functions the pages use, so they are checked and audited like live
data; the tracker's past days are then marked as given on the day (a real client would
have checked in daily, not late). Plan items and memories are written at the model level,
as the demo's sessions are, in an assignment dated three weeks back.
"""

from datetime import timedelta

from sqlalchemy import select

from . import checkins
from .assignments import demo as demo_work
from .extensions import db
from .models import Assignment, CheckInSchedule, JournalEntry, PlanItem, User
from .records import commitment as commitments
from .records import tracker as trackers

WEEKS = 8
# Each week's ratings (trust, communication, hope), oldest first: slow progress with a dip.
ALEX_RATINGS = ((2, 3, 4), (3, 3, 4), (3, 4, 5), (4, 4, 5), (3, 4, 4), (4, 5, 6),
                (5, 5, 6), (5, 6, 7))
SAM_RATINGS = ((1, 2, 3), (2, 2, 3), (2, 3, 3), (2, 3, 4), (3, 4, 4), (3, 3, 4),
               (4, 4, 5), (4, 5, 5))
NOTES = {("alex@example.com", 4): "A hard week: the anniversary.",
         ("sam@example.com", 6): "Felt heard in the joint session."}


def _checkins(counselor: User, user: User, ratings, last_days_ago: int) -> None:
    client = user.client
    today = checkins.client_today(client)
    first = today - timedelta(days=last_days_ago + 7 * (len(ratings) - 1))
    checkins.save_schedule(counselor, client, None, every_days=7,
                           scales=list(checkins.DEFAULTS["scales"]), starts_on=first,
                           active=True, time_zone=None)
    for week, values in enumerate(ratings):
        day = first + timedelta(days=7 * week)
        checkins.add_checkin(client, day, dict(zip(checkins.DEFAULTS["scales"], values,
                                                   strict=True)),
                             NOTES.get((user.email, week)))


def add_demo_progress(people: dict[str, User]) -> None:
    counselor = people["counselor@example.com"]
    alex, sam = people["alex@example.com"], people["sam@example.com"]
    if db.session.scalars(select(CheckInSchedule.id)
                          .where(CheckInSchedule.client_id == alex.client.id)).first():
        return
    _checkins(counselor, alex, ALEX_RATINGS, last_days_ago=2)
    _checkins(counselor, sam, SAM_RATINGS, last_days_ago=9)
    _tracker(counselor, alex)
    _commitments(counselor, alex)
    _plan_and_journal(counselor, sam)
    db.session.flush()


# Alex's period: day 20 is today (not checked in yet); day 9 was missed, day 15 broken.
TRACKER_DAYS = 20
MISSED, BROKEN = 9, 15
URGES = (8, 7, 7, 6, 6, 5, 6, 5, 4, 0, 4, 4, 3, 5, 9, 6, 5, 4, 3)


def _tracker(counselor: User, alex: User) -> None:
    assignment = db.session.scalars(select(Assignment).where(
        Assignment.client_id == alex.client.id, Assignment.kind == "tracker")).first()
    if assignment is None:
        return
    today = checkins.client_today(alex.client)
    tracker = trackers.load(assignment)
    trackers.change_settings(counselor, assignment, tracker,
                             starts_on=today - timedelta(days=TRACKER_DAYS - 1),
                             length_days=30, exceptions="Messages about the children's "
                             "school pick-ups, kept short.")
    assignment.due_date = tracker.starts_on + timedelta(days=tracker.length_days - 1)
    for number, urge in enumerate(URGES, start=1):
        if number == MISSED:
            continue
        day = tracker.starts_on + timedelta(days=number - 1)
        outcome = "broke" if number == BROKEN else "exception" if number == 6 else "kept"
        note = {BROKEN: "Sam's birthday. I sent a message; I knew I shouldn't.",
                6: "Confirmed Friday's pick-up time, nothing else."}.get(number)
        checked = trackers.check_in(alex, assignment, tracker, day=day, outcome=outcome,
                                    urge=urge, note=note, today=today)
        checked.late = False  # given on the day, in the story the demo tells
    trackers.add_reflection(alex, assignment, tracker,
                            day=tracker.starts_on + timedelta(days=BROKEN - 1),
                            text="I told myself it was only kind. It was really to see if "
                                 "she would answer. Next time I will write it in my notes "
                                 "instead, and bring it to session.")


def _commitments(counselor: User, alex: User) -> None:
    work = demo_work._assign(counselor, alex.client, "positive-change-commitment", due_in=14)
    today = checkins.client_today(alex.client)
    made_on = today - timedelta(days=21)
    phone = commitments.add(alex, work, text="Leave my phone in another room from 8 pm.",
                            every_days=7, today=made_on)
    listen = commitments.add(alex, work, text="When something upsets me, say so that day "
                             "instead of going quiet.", every_days=7, today=made_on)
    for week, (first, second) in enumerate((("kept", "not_yet"), ("partly", "partly"),
                                            ("kept", "kept")), start=1):
        day = made_on + timedelta(days=7 * week)
        commitments.follow_up(alex, phone, taken_on=day, outcome=first, note=None, today=day)
        commitments.follow_up(alex, listen, taken_on=day, outcome=second,
                              note="Said it the next morning, calmly." if week == 2 else None,
                              today=day)


def _plan_and_journal(counselor: User, sam: User) -> None:
    today = checkins.client_today(sam.client)
    three_weeks = timedelta(days=21)
    plan = demo_work._assign(counselor, sam.client, "quality-time-plan", due_in=14)
    journal = demo_work._assign(counselor, sam.client, "shared-memories", due_in=14)
    for work in (plan, journal):
        work.created_at -= three_weeks
        work._status = "in_progress"
    db.session.add_all([
        PlanItem(assignment=plan, what="A walk by the river, phones left in the car",
                 planned_on=today - timedelta(days=12), at_time="Saturday morning",
                 place="The river path", status="done",
                 reflection="Easier than I feared. We laughed about the dog."),
        PlanItem(assignment=plan, what="Cook the dish from our first holiday",
                 planned_on=today - timedelta(days=5), at_time="7 pm", place="At home",
                 status="skipped"),
        PlanItem(assignment=plan, what="An hour at the bookshop café",
                 planned_on=today + timedelta(days=4), at_time="After work",
                 place="Corner Books"),
        JournalEntry(assignment=journal, remembered_on=today.replace(year=today.year - 9),
                     memory="Painting the first flat together, paint in our hair.",
                     meant_then="That we could build something from nothing.",
                     means_now="That we were a team once, and could be again."),
        JournalEntry(assignment=journal, remembered_on=today.replace(year=today.year - 4),
                     memory="The night drive home when the car broke down.",
                     meant_then="Panic, then laughing at ourselves.",
                     means_now="We are good in a crisis; it is the quiet weeks we lose."),
    ])
