"""The counselor's unsent review as a draft: the overall comment, rubric and decision are
saved as they are typed (by the review page's script, or with every button the page
posts), and removing a passage comment can be undone until the review is sent.

The unsent Review row is the draft's home: it already holds exactly these fields, there is
one per revision, the client never sees it before ``sent_at``, and sending simply stamps
it. A separate table would hold the same columns twice and need copying on send.
"""

from .. import audit
from ..extensions import db
from ..models import Review, ReviewComment, Revision, User, utcnow
from .operations import RUBRIC, RUBRIC_LEVELS, _reviewable, review_for

DECISIONS = ("accept", "request_revision")


class ReviewConflict(Exception):
    """The draft changed (in another tab) since the version the page was based on."""

    def __init__(self, review: Review):
        super().__init__("review draft changed elsewhere")
        self.review = review


def draft_fields(overall_comment: str | None, decision: str | None,
                 rubric: dict | None) -> dict:
    """What a browser sent, reduced to what a review may hold: unknown rubric keys and
    levels, and unknown decisions, are dropped."""
    rubric = {k: v for k, v in (rubric or {}).items()
              if k in RUBRIC and isinstance(v, str) and v in RUBRIC_LEVELS} or None
    return {"overall_comment": overall_comment or None,
            "decision": decision if decision in DECISIONS else None, "rubric": rubric}


def _held(review: Review) -> dict:
    return {"overall_comment": review.overall_comment, "decision": review.decision,
            "rubric": review.rubric or None}


def save_review_draft(counselor: User, revision: Revision, fields: dict,
                      base_version: int | None) -> Review:
    """Keep the unsent review's fields. ``base_version`` is the review version the page
    started from (0 before there was one). A stale page conflicts only when the stored
    draft holds something else; an empty stored draft (say, one a passage comment
    started) has nothing to lose."""
    _reviewable(revision)
    review = review_for(counselor, revision)
    held = _held(review)
    if base_version != review.version and held != fields and any(held.values()):
        raise ReviewConflict(review)
    if held != fields:
        for name, value in fields.items():
            setattr(review, name, value)
        review.updated_at = utcnow()
    db.session.flush()
    audit.record("review.draft_save", review, client=revision.assignment.client,
                 actor=counselor)
    return review


def remove_comment(counselor: User, comment: ReviewComment) -> None:
    """Set the comment aside; it stays restorable until the review is sent."""
    _reviewable(comment.review.revision)
    comment.removed_at = utcnow()
    db.session.flush()
    db.session.expire(comment.review, ["comments", "removed_comments"])
    audit.record("review.comment_remove", comment,
                 client=comment.review.revision.assignment.client, actor=counselor)


def restore_comment(counselor: User, comment: ReviewComment) -> None:
    """Undo a removal: the same comment, on the same passage, with the same words."""
    _reviewable(comment.review.revision)
    comment.removed_at = None
    db.session.flush()
    db.session.expire(comment.review, ["comments", "removed_comments"])
    audit.record("review.comment_restore", comment,
                 client=comment.review.revision.assignment.client, actor=counselor)
