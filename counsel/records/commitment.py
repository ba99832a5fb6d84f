"""The commitment exercise's records: concrete changes a client commits to, each followed up
on a schedule (kept, partly, not yet), the history kept for good.

When a follow-up is due, in one place (``follow_up_due``): the first ``every_days`` after
the commitment was made (``starts_on``, the client's own day); after that, ``every_days``
after the latest follow-up. Due on the client's today is "due"; a due day that has passed
without one is "overdue".

A commitment can be changed while it has no follow-ups; once it has one it stays as it was
made, so its history reads true (and nothing here deletes one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from .. import audit, checkins
from ..assignments.operations import WorkRefused, make_room, start_records
from ..extensions import db
from ..models import COMMITMENT_OUTCOMES, Assignment, Commitment, CommitmentFollowUp, User
from ..models.types import unstorable

TEXT_LENGTH = 500
NOTE_LENGTH = 1000
EVERY_DAYS_MOST = 90
MOST_COMMITMENTS = 20  # on one assignment: a page a client can still take in


# -- when a follow-up is due --------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    next_due: date
    state: str  # "upcoming", "due" (today), "overdue" (a due day passed)

    @property
    def needs_one(self) -> bool:
        return self.state in ("due", "overdue")


def follow_up_due(starts_on: date, every_days: int, latest: date | None, today: date) -> Due:
    """When the next follow-up of a commitment made on ``starts_on`` is due, and whether it
    is due or overdue, for a client whose latest follow-up was for ``latest`` (None: none
    yet) and whose local day is ``today``."""
    since = starts_on if latest is None else max(starts_on, latest)
    next_due = since + timedelta(days=every_days)
    state = "upcoming" if next_due > today else "due" if next_due == today else "overdue"
    return Due(next_due, state)


# -- reading ------------------------------------------------------------------------------

# A page lists each commitment's latest follow-ups (half a year of weekly ones); the counts
# cover them all. Follow-ups are one a day at most, but a page must not grow for ever.
HISTORY_SHOWN = 26


@dataclass(frozen=True)
class Shown:
    """One commitment as the pages show it: its latest ``HISTORY_SHOWN`` follow-ups newest
    first, how many there are in all, the counts of each outcome, when the next is due."""

    commitment: Commitment
    newest_first: list[CommitmentFollowUp]
    counts: dict[str, int]
    due: Due
    total: int

    @property
    def earlier(self) -> int:
        return self.total - len(self.newest_first)

    @property
    def changeable(self) -> bool:
        return not self.newest_first


def shown(commitment: Commitment, today: date) -> Shown:
    follow_ups = commitment.follow_ups  # oldest first (the relationship's order)
    counts = {outcome: 0 for outcome in COMMITMENT_OUTCOMES}
    for follow_up in follow_ups:
        counts[follow_up.outcome] += 1
    latest = follow_ups[-1].taken_on if follow_ups else None
    return Shown(commitment, list(reversed(follow_ups[-HISTORY_SHOWN:])), counts,
                 follow_up_due(commitment.starts_on, commitment.every_days, latest, today),
                 len(follow_ups))


def commitments_of(assignment: Assignment) -> list[Commitment]:
    """The assignment's commitments in the order made, each with its follow-ups, in one
    statement (outer-joined, so a commitment without any is there too)."""
    return list(db.session.scalars(
        select(Commitment).outerjoin(Commitment.follow_ups)
        .where(Commitment.assignment_id == assignment.id)
        .options(contains_eager(Commitment.follow_ups))
        .order_by(Commitment.id, CommitmentFollowUp.taken_on)
        .execution_options(populate_existing=True)).unique())


def context(assignment: Assignment, **given) -> dict:
    """What the client's work page and the counselor's pages show: every commitment with
    its schedule, next due state and history, judged on the client's own day. ``given``
    carries a refused form back (``add``, or ``edit``/``follow_up`` as (commitment id,
    form)) to show it with its errors and everything typed."""
    today = checkins.client_today(assignment.client)
    return {"today": today, "given": given,
            "commitments": [shown(c, today) for c in commitments_of(assignment)],
            "most": MOST_COMMITMENTS, "outcomes": COMMITMENT_OUTCOMES}


# -- the client's changes -----------------------------------------------------------------

def _check(text: str, every_days: int) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkRefused("Write what you commit to, in your own words.", "text")
    if len(text) > TEXT_LENGTH:
        raise WorkRefused(f"Keep a commitment to {TEXT_LENGTH} characters; your text is "
                          f"still here.", "text")
    if problem := unstorable(text):
        raise WorkRefused(f"This contains {problem} that cannot be stored. Remove it to "
                          f"save.", "text")
    if isinstance(every_days, bool) or not isinstance(every_days, int) \
            or not 1 <= every_days <= EVERY_DAYS_MOST:
        raise WorkRefused(f"Enter a number of days from 1 to {EVERY_DAYS_MOST}.", "every_days")
    return text


def add(author: User, assignment: Assignment, *, text: str, every_days: int,
        today: date) -> Commitment:
    """A new commitment, made on the client's ``today`` (its first follow-up is due
    ``every_days`` later)."""
    start_records(author, assignment)
    text = _check(text, every_days)
    make_room(Commitment, assignment, MOST_COMMITMENTS,
              f"This exercise holds up to {MOST_COMMITMENTS} commitments. Follow up on the "
              f"ones you have, or change one that has no follow-up yet.", "text")
    commitment = Commitment(assignment=assignment, text=text, every_days=every_days,
                            starts_on=today)
    db.session.add(commitment)
    db.session.flush()
    audit.record("commitment.create", commitment, client=assignment.client,
                 actor=author, detail=f"every {every_days} days")
    return commitment


def edit(author: User, commitment: Commitment, *, text: str, every_days: int) -> Commitment:
    """Change a commitment's words or schedule: only while it has no follow-up."""
    assignment = commitment.assignment
    start_records(author, assignment)
    text = _check(text, every_days)
    if db.session.scalar(select(CommitmentFollowUp.id).where(
            CommitmentFollowUp.commitment_id == commitment.id).limit(1)) is not None:
        raise WorkRefused("This commitment has a follow-up, so it stays as you made it and "
                          "its history reads true. For a new change, add a new commitment.",
                          "followed_up")
    commitment.text, commitment.every_days = text, every_days
    db.session.flush()
    audit.record("commitment.edit", commitment, client=assignment.client, actor=author,
                 detail=f"every {every_days} days")
    return commitment


def followed_up_on(commitment: Commitment, day: date) -> bool:
    return db.session.scalar(select(CommitmentFollowUp.id).where(
        CommitmentFollowUp.commitment_id == commitment.id,
        CommitmentFollowUp.taken_on == day)) is not None


def _already(day: date) -> WorkRefused:
    return WorkRefused(f"You already followed up on this commitment for {day:%d %b %Y}. "
                       f"Choose another day.", "taken_on")


def follow_up(author: User, commitment: Commitment, *, taken_on: date, outcome: str,
              note: str | None, today: date) -> CommitmentFollowUp:
    """How the commitment went as of ``taken_on``: a day from when it was made up to the
    client's ``today``, one per day."""
    assignment = commitment.assignment
    start_records(author, assignment)
    if outcome not in COMMITMENT_OUTCOMES:
        raise WorkRefused("Choose how it went: kept, partly or not yet.", "outcome")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LENGTH:
        raise WorkRefused(f"Keep the note to {NOTE_LENGTH} characters; your text is still "
                          f"here.", "note")
    if note and (problem := unstorable(note)):
        raise WorkRefused(f"This contains {problem} that cannot be stored. Remove it to "
                          f"save.", "note")
    if taken_on > today:
        raise WorkRefused(f"That day has not come yet: a follow-up can be for today "
                          f"({today:%d %b %Y}) or a day before.", "taken_on")
    if taken_on < commitment.starts_on:
        raise WorkRefused(f"You made this commitment on {commitment.starts_on:%d %b %Y}: "
                          f"choose that day or a later one.", "taken_on")
    if followed_up_on(commitment, taken_on):
        raise _already(taken_on)
    made = CommitmentFollowUp(commitment=commitment, taken_on=taken_on, outcome=outcome,
                              note=note)
    db.session.add(made)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same day, sent twice at once
        raise _already(taken_on) from error
    audit.record("commitment.follow_up", made, client=assignment.client, actor=author,
                 detail=f"commitment {commitment.id}, {taken_on.isoformat()}")
    return made
