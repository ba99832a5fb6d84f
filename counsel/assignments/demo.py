"""Demo work for ``flask demo``: assignments in every status, an apology letter from Alex
with three revisions and its reviews, work waiting for review, and overdue work.
Built through the real operations, so it follows the same rules as live data."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import practice_today
from ..extensions import db
from ..models import Assignment, Exercise, User
from . import operations as ops

LETTER = [
    "Sam, I'm sorry for how things ended. I know I hurt you and I wish it had gone "
    "differently. I was under a lot of pressure at work.",
    "Sam, I'm sorry for the months when I stopped listening to you. When you told me you "
    "felt alone, I changed the subject or picked up my phone. I let work come first every "
    "time, and I made you feel like you didn't matter.",
    "Sam, I'm sorry for the months when I stopped listening to you. When you told me you "
    "felt alone, I changed the subject or picked up my phone. I let work come first every "
    "time, and I made you feel like you didn't matter. That was my doing, not the job's.\n\n"
    "I have started seeing a counselor on my own, and I leave my phone in another room in "
    "the evenings. I'm not asking you for anything. Whatever you decide, I wanted you to "
    "know that I understand what I did.",
]


def _library(slug: str) -> Exercise:
    return db.session.scalars(select(Exercise).where(
        Exercise.slug == slug, Exercise.retired_at.is_(None))).one()


def _assign(counselor, client, slug, due_in=None, note=None):
    due = practice_today() + timedelta(days=due_in) if due_in is not None else None
    return ops.assign(counselor, client, _library(slug), due_date=due, note=note)


def _write(assignment, *texts):
    draft = assignment.draft
    answers = list(texts) + [""] * (len(assignment.prompts) - len(texts))
    return ops.save_draft(assignment.client.user, assignment, answers,
                          draft.version if draft else None)


def _submit(assignment, *texts):
    draft = _write(assignment, *texts)
    return ops.submit(assignment.client.user, assignment, draft.answers, draft.version,
                      allow_empty=True)


def add_demo_work(people: dict[str, User]) -> None:
    counselor, other = people["counselor@example.com"], people["other@example.com"]
    alex, sam = people["alex@example.com"].client, people["sam@example.com"].client
    jordan = people["jordan@example.com"].client
    if db.session.scalars(select(Assignment.id).where(Assignment.client_id == alex.id)).first():
        return

    letter = _assign(counselor, alex, "apology-letter", due_in=-10,
                     note="Take your time with this. We'll read it together before anything "
                          "is decided about sending it.")
    first = _submit(letter, LETTER[0])
    ops.add_comment(counselor, first, prompt_index=0, quote="I wish it had gone differently",
                    start=None, body="What exactly do you wish had gone differently? Name it.")
    ops.add_comment(counselor, first, prompt_index=0, quote="I was under a lot of pressure at "
                    "work", start=None, body="This reads as an excuse. Can you own it instead?")
    ops.send_review(counselor, first, decision="request_revision", rubric={
        "specific": "not_yet", "ownership": "not_yet", "changes": "not_yet",
        "respects_choice": "partly"}, overall_comment="A brave start. Let's make it specific.")
    second = _submit(letter, LETTER[1])
    ops.send_review(counselor, second, decision="request_revision", rubric={
        "specific": "met", "ownership": "partly", "changes": "not_yet",
        "respects_choice": "partly"}, overall_comment="Much clearer. What will you do "
        "differently, and can you make it clear you expect nothing back?")
    third = _submit(letter, LETTER[2])
    ops.send_review(counselor, third, decision="accept", rubric={
        "specific": "met", "ownership": "met", "changes": "met", "respects_choice": "met"},
        overall_comment="This is honest and respectful. Let's talk about next steps in session.")

    looking = _assign(counselor, alex, "looking-inward", due_in=3)
    _write(looking, "I think I avoided hard conversations because my parents never had them.")
    _assign(counselor, alex, "no-contact-period")  # its period: demo_progress
    memories = _assign(counselor, alex, "shared-memories")
    ops.withdraw(counselor, memories)

    _submit(_assign(counselor, sam, "why-it-ended", due_in=-1),
            "We stopped talking about anything that mattered.", "Trust went first, then "
            "the rest.")
    trust = _assign(counselor, sam, "transparency-and-communication", due_in=5)
    revision = _submit(trust, "I want us to be honest about money from now on.")
    ops.send_review(counselor, revision, decision="request_revision", overall_comment="Say "
                    "more about what honesty would look like day to day.", rubric=None)
    _assign(counselor, sam, "preparing-for-mediated-session", due_in=7,
            note="For our joint session next week.")
    vulnerable = _assign(counselor, sam, "embracing-vulnerability", due_in=-4)
    _write(vulnerable, "It is hard for me to say when I'm scared.")

    _assign(other, jordan, "why-it-ended", due_in=10)
