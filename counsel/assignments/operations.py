"""Assigning, drafting, submitting and reviewing. Plain functions of (actor, object, data):
they flush, record audit rows and raise on broken rules; views commit."""

import hashlib
import json
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, checkins
from ..cases import operations as cases
from ..extensions import db
from ..models import (
    Assignment,
    Case,
    Client,
    Draft,
    Exercise,
    Review,
    ReviewComment,
    Revision,
    Tracker,
    User,
    utcnow,
)
from ..models.types import unstorable
from ..models.work_records import TRACKER_LENGTHS
from ..notifications import messages
from ..pathway import operations as pathway
from ..pathway import stages
from . import status

MAX_ANSWER = 50_000
# Half of a UTF-16 pair: JSON can carry one ("\ud800"), UTF-8 cannot store it, and a
# stored one broke every page that showed the answer.

RUBRIC = {
    # For letters, drawn from the guide: what a sincere apology does.
    "specific": "Names specific actions",
    "ownership": "Owns them without excuses or blame",
    "changes": "States concrete changes",
    "respects_choice": "Respects the other person's choice (no pressure, no ultimatum)",
}
RUBRIC_LEVELS = {"met": "Met", "partly": "Partly", "not_yet": "Not yet"}


class WorkRefused(Exception):
    """A rule said no; ``message`` is for the person, in plain words."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


class DraftConflict(Exception):
    """The draft changed since the version the client's page was based on."""

    def __init__(self, draft: Draft):
        super().__init__("draft changed elsewhere")
        self.draft = draft


class EmptyAnswers(WorkRefused):
    """Some answers are empty; submitting needs the client's confirmation. ``prompts`` are
    the prompts left unanswered, in order."""

    def __init__(self, prompts: list[str]):
        super().__init__("Some answers are empty. Submit anyway, or keep writing?", "empty")
        self.prompts = prompts


# Joins the two texts when a client keeps both versions of an answer after a conflict.
BOTH_SEPARATOR = "\n\n———— The other version ————\n\n"
KEEP = ("mine", "theirs", "both")


def assign(counselor: User, client: Client, exercise: Exercise, *, due_date: date | None,
           note: str | None, case: Case | None = None,
           contact_reason: str | None = None, tracker_length: int | None = None,
           tracker_exceptions: str | None = None,
           tracker_starts_on: date | None = None) -> Assignment:
    """Give ``exercise`` to ``client`` in ``case``, or in the client's most recent open case
    when none is chosen; the safety flag's rule is cases.operations.case_for_work."""
    if not client.active:
        raise WorkRefused(f"{client.display_name}'s account is deactivated, so no work can be "
                          "assigned. Reactivate it first.", "inactive")
    try:
        case, contact_reason = cases.case_for_work(counselor, client, exercise, case,
                                                   contact_reason)
    except cases.CaseRefused as refused:
        raise WorkRefused(refused.message, refused.field) from refused
    assignment = Assignment(
        client=client, counselor=counselor, exercise=exercise, title=exercise.title,
        stage=exercise.stage, kind=exercise.kind, purpose=exercise.purpose,
        instructions=exercise.instructions, prompts=exercise.prompt_texts,
        due_date=due_date, note=note or None, _status="assigned",
        case_id=case.id if case is not None else None, contact_reason=contact_reason,
    )
    db.session.add(assignment)
    if exercise.kind == "tracker":  # a period from the client's today; the counselor may change it
        db.session.add(Tracker(assignment=assignment,
                               starts_on=tracker_starts_on or checkins.client_today(client),
                               length_days=tracker_length or TRACKER_LENGTHS[0],
                               exceptions=tracker_exceptions or None))
    db.session.flush()
    audit.record("assignment.create", assignment, client=client, actor=counselor)
    if contact_reason:
        # No client on this row: a partner's own access history must not reveal the flag.
        audit.record("assignment.contact_reason", assignment, actor=counselor)
    messages.assignment_given(assignment)
    return assignment


def withdraw(counselor: User, assignment: Assignment) -> None:
    if not status.allowed(assignment, "withdraw"):
        raise WorkRefused("Only work that has not been submitted can be withdrawn.")
    status.apply(assignment, "withdraw")
    audit.record("assignment.withdraw", assignment, client=assignment.client, actor=counselor)
    db.session.flush()
    pathway.unlock_after(counselor, assignment)  # it may have been the last one open


def check_answers(assignment: Assignment, answers) -> list[str]:
    """Validate answers sent by a browser: one string per prompt, within limits."""
    if not isinstance(answers, list) or len(answers) != len(assignment.prompts) \
            or not all(isinstance(a, str) for a in answers):
        raise WorkRefused("The answers did not match this exercise's prompts.", "bad_answers")
    for number, answer in enumerate(answers, start=1):
        if len(answer) > MAX_ANSWER:
            raise WorkRefused(f"Answer {number} is longer than {MAX_ANSWER:,} characters. "
                              "Shorten it to save.", "too_long")
        if problem := unstorable(answer):
            raise WorkRefused(f"Answer {number} contains {problem} that cannot be stored. "
                              "Remove it to save.", "bad_character")
    return answers


def _unlocked(assignment: Assignment) -> None:
    """The one check of a locked stage: every save, submission and reopen passes here."""
    if (lock := stages.lock_on(assignment)) is not None:
        raise WorkRefused(f"This exercise is in the {assignment.stage_title} stage, which "
                          f"your counselor has not opened yet. {stages.opens_when(lock)} "
                          "Anything you wrote here is kept.", "locked")


def _editable(assignment: Assignment) -> None:
    if assignment.status == "withdrawn":
        raise WorkRefused("Your counselor withdrew this exercise, so it can no longer be "
                          "changed or submitted. Your text is still shown here.", "withdrawn")
    if assignment.status not in status.EDITABLE:
        raise WorkRefused("This is with your counselor now, so it cannot be changed.",
                          "not_editable")
    _unlocked(assignment)


def start_records(author: User, assignment: Assignment) -> None:
    """The one gate for what a client records on a structured exercise (tracker days, plan
    items, commitments and follow-ups, journal entries). These are kept over time, so
    unlike the writing they stay open after the client submits and after the counselor
    accepts: a no-contact period runs its length and a commitment is followed up for as
    long as it matters. Withdrawn work and a locked stage refuse them. The first record
    starts the work, as a first saved draft does."""
    if assignment.status == "withdrawn":
        raise WorkRefused("Your counselor withdrew this exercise, so nothing more can be "
                          "added to it. What you recorded is still shown here.", "withdrawn")
    _unlocked(assignment)
    if assignment.status == "assigned":
        status.apply(assignment, "start_draft")


def make_room(model, assignment: Assignment, most: int, message: str, code: str) -> None:
    """Refuse one more record of ``model`` on ``assignment`` once it holds ``most``: a work
    page shows every record with its own form, so what it holds is bounded."""
    held = db.session.scalar(select(func.count()).select_from(model)
                             .where(model.assignment_id == assignment.id))
    if held >= most:
        raise WorkRefused(message, code)


def save_draft(author: User, assignment: Assignment, answers, base_version: int | None) -> Draft:
    """Save the client's answers. ``base_version`` is the draft version their page started
    from (None before the first save); anything older than the stored one is a conflict."""
    _editable(assignment)
    answers = check_answers(assignment, answers)
    draft = assignment.draft
    if draft is None:
        if base_version not in (None, 0):
            raise WorkRefused("This page is out of date. Reload it.", "stale")
        draft = Draft(assignment=assignment, answers=answers)
        db.session.add(draft)
    elif base_version != draft.version:
        if draft.answers != answers:
            raise DraftConflict(draft)
        # The same text from an older page (a double click, a reply that never arrived):
        # nothing to overwrite, so nothing to resolve.
    elif draft.answers != answers:
        draft.answers = answers
        draft.updated_at = utcnow()
    if assignment.status == "assigned":
        status.apply(assignment, "start_draft")
    db.session.flush()
    audit.record("draft.save", draft, client=assignment.client, actor=author)
    return draft


def _digest(answers: list[str]) -> str:
    return hashlib.sha256(json.dumps(answers).encode()).hexdigest()


def empty_prompts(assignment: Assignment, answers: list[str]) -> list[str]:
    return [prompt for prompt, answer in zip(assignment.prompts, answers, strict=True)
            if not answer.strip()]


def merge_answers(mine: list[str], theirs: list[str], keep: list[str]) -> list[str]:
    """The client's choice per answer after a conflict: their own text, the other
    version, or both joined with a separator that says where the other one starts."""
    merged = []
    for own, other, choice in zip(mine, theirs, keep, strict=True):
        if choice == "theirs":
            merged.append(other)
        elif choice == "both" and own != other:
            merged.append(own.rstrip("\n") + BOTH_SEPARATOR + other if own.strip() else other)
        else:
            merged.append(own)
    return merged


def submit(author: User, assignment: Assignment, answers, base_version: int | None, *,
           allow_empty: bool = False) -> Revision:
    """Save the answers, then freeze them as the next numbered revision. With some answers
    empty and no ``allow_empty``, the draft is saved (flushed) and EmptyAnswers raised:
    one tap must not send half-finished work."""
    draft = save_draft(author, assignment, answers, base_version)
    if not any(a.strip() for a in draft.answers):
        raise WorkRefused("There is nothing to submit yet. Write at least one answer first.",
                          "blank")
    if not allow_empty and (empty := empty_prompts(assignment, draft.answers)):
        raise EmptyAnswers(empty)
    latest = assignment.latest_revision
    if latest is not None and latest.content_hash == _digest(draft.answers):
        raise WorkRefused("Nothing has changed since your last submission. Make your "
                          "changes, then submit.", "unchanged")
    number = (db.session.scalar(select(func.max(Revision.number))
                                .where(Revision.assignment_id == assignment.id)) or 0) + 1
    revision = Revision(assignment=assignment, number=number, answers=list(draft.answers),
                        content_hash=_digest(draft.answers))
    db.session.add(revision)
    status.apply(assignment, "submit")
    assignment.submission_opened_at = None
    db.session.flush()
    audit.record("revision.submit", revision, client=assignment.client, actor=author)
    messages.work_submitted(revision)
    return revision


def reopen(author: User, assignment: Assignment) -> None:
    """Back to writing, while the counselor has not opened the submission yet. The
    submitted revision stays as it is; the next submission is the next revision."""
    _unlocked(assignment)
    if not status.allowed(assignment, "reopen") or assignment.submission_opened_at:
        raise WorkRefused("Your counselor has already opened this submission, so it can no "
                          "longer be taken back. They will answer it.", "opened")
    # The check and the change in one statement: a counselor opening it at this very
    # moment either wins (nothing changes here) or finds it reopened.
    claimed = db.session.execute(
        update(Assignment).where(Assignment.id == assignment.id,
                                 Assignment._status == "submitted",
                                 Assignment.submission_opened_at.is_(None))
        .values(updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise WorkRefused("Your counselor has just opened this submission, so it can no "
                          "longer be taken back.", "opened")
    status.apply(assignment, "reopen")
    db.session.flush()
    audit.record("assignment.reopen", assignment, client=assignment.client, actor=author)


def open_submission(assignment: Assignment, revision: Revision) -> None:
    """Note when the counselor first opens the latest submission; from then on the client
    can no longer reopen it. One guarded statement, so a reopen racing it cannot both win."""
    if assignment.submission_opened_at is None and assignment.status == "submitted" \
            and assignment.latest_revision is revision:
        db.session.execute(
            update(Assignment).where(Assignment.id == assignment.id,
                                     Assignment._status == "submitted",
                                     Assignment.submission_opened_at.is_(None))
            .values(submission_opened_at=utcnow())
            .execution_options(synchronize_session=False))
        db.session.expire(assignment, ["submission_opened_at"])


# --- reviews -------------------------------------------------------------------------------

def review_for(counselor: User, revision: Revision) -> Review:
    """The counselor's review of this revision, started if there is none yet. Two requests
    starting it at the same moment (a double click, two tabs) meet at the unique
    revision_id: the later one is refused and must roll back."""
    if revision.review is None:
        db.session.add(Review(revision=revision, counselor=counselor))
        try:
            db.session.flush()
        except IntegrityError as error:
            raise WorkRefused("This review changed in another tab or window at the same "
                              "moment. Reload the page to see it.", "busy") from error
    return revision.review


def _reviewable(revision: Revision) -> None:
    review = revision.review
    if review is not None and review.sent_at is not None:
        raise WorkRefused("This review has been sent and can no longer be changed.", "sent")
    if revision.assignment.status != "submitted" or \
            revision.assignment.latest_revision is not revision:
        raise WorkRefused("Only the latest submitted revision can be reviewed.", "not_latest")


def anchor(answer: str, quote: str, start: int | None) -> tuple[int, int]:
    """Where ``quote`` sits in ``answer``: at ``start`` if it is really there, else its
    first occurrence. Raises WorkRefused when the passage is not in the answer."""
    if quote and start is not None and start >= 0 and answer[start:start + len(quote)] == quote:
        return start, start + len(quote)
    found = answer.find(quote) if quote else -1
    if found < 0:
        raise WorkRefused("That passage is not in this answer. Select or paste words "
                          "exactly as the client wrote them.", "no_passage")
    return found, found + len(quote)


def add_comment(counselor: User, revision: Revision, *, prompt_index: int, quote: str,
                start: int | None, body: str) -> ReviewComment:
    _reviewable(revision)
    if not 0 <= prompt_index < len(revision.answers):
        raise WorkRefused("Choose which answer the comment is about.", "no_prompt")
    begin, end = anchor(revision.answers[prompt_index], quote, start)
    review = review_for(counselor, revision)
    comment = ReviewComment(review=review, prompt_index=prompt_index, start=begin, end=end,
                            quote=revision.answers[prompt_index][begin:end], body=body)
    db.session.add(comment)
    db.session.flush()
    db.session.expire(review, ["comments"])
    audit.record("review.comment", comment, client=revision.assignment.client, actor=counselor)
    return comment


def send_review(counselor: User, revision: Revision, *, overall_comment: str | None,
                rubric: dict | None, decision: str) -> Review:
    """Send the review to the client and move the assignment on."""
    _reviewable(revision)
    if decision not in ("accept", "request_revision"):
        raise WorkRefused("Choose whether to accept this work or ask for a revision.",
                          "no_decision")
    review = review_for(counselor, revision)
    if decision == "request_revision" and not (overall_comment or review.comments):
        raise WorkRefused("Tell the client what to change: add an overall comment or "
                          "comment on a passage.", "no_feedback")
    # Claim the sending in one conditional UPDATE: of two requests sending at once, the
    # second waits for the first's row lock (PostgreSQL) or write lock (SQLite), then
    # finds sent_at set and is refused, so the review is sent, and the status moved, once.
    sent_at = utcnow()
    claim = db.session.execute(
        update(Review).where(Review.id == review.id, Review.sent_at.is_(None))
        .values(sent_at=sent_at).execution_options(synchronize_session=False))
    if claim.rowcount != 1:
        raise WorkRefused("This review has been sent and can no longer be changed.", "sent")
    review.overall_comment = overall_comment or None
    review.rubric = {k: v for k, v in (rubric or {}).items() if k in RUBRIC and
                     v in RUBRIC_LEVELS} or None
    review.decision = decision
    review.sent_at = sent_at
    status.apply(revision.assignment, "accept" if decision == "accept" else "request_revision")
    db.session.flush()
    audit.record("review.send", review, client=revision.assignment.client, actor=counselor,
                 detail=decision)
    if decision == "accept":
        pathway.unlock_after(counselor, revision.assignment)
    messages.review_sent(review)
    return review
