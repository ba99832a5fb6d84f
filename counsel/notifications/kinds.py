"""Every kind of email counsel sends, in one list. A feature that sends a new kind adds it
here (with its two templates, ``mail/<name>.txt`` and ``mail/<name>.html``), and the
preferences page, the unsubscribe link and the tests pick it up.

No kind carries clinical content (no exercise text, answers, comments, notes, or the other
partner's name): an email can be read by the wrong person. Subjects are discreet: a client's
are the practice's one subject (``MAIL_SUBJECT``) unless ``MAIL_SUBJECTS`` sets one for
the kind."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Kind:
    name: str
    # How the preferences page names it: what the person gets the message about.
    label: str
    roles: tuple[str, ...]
    # The subject when the practice sets none; None means the practice's discreet subject.
    subject: str | None = None
    # Invitations and password resets are asked for: they always go, with no unsubscribe.
    optional: bool = True
    # The person may choose to get it in the daily digest instead of at once.
    digest: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("invitation", "Your invitation to set a password", ("client", "counselor"),
         optional=False),
    Kind("password_reset", "Password reset links you ask for",
         ("client", "counselor", "admin"), subject="Your sign-in link", optional=False),
    Kind("assignment_new", "When your counselor gives you new work", ("client",)),
    Kind("review_sent", "When your counselor responds to work you sent", ("client",)),
    Kind("work_due", "The day before work is due", ("client",)),
    Kind("work_overdue", "When work is past its due date", ("client",)),
    Kind("checkin_due", "When a short check-in is due", ("client",)),
    Kind("session_reminder", "A day before a session, with a calendar entry", ("client",)),
    Kind("work_submitted", "When a client sends you work to review", ("counselor",),
         subject="Work is waiting for your review", digest=True),
    Kind("daily_digest", "Each morning, how much waits for you (counts only)", ("counselor",),
         subject="What waits for you today"),
)

BY_NAME = {kind.name: kind for kind in KINDS}


def kind(name: str) -> Kind:
    return BY_NAME[name]


def for_role(role: str) -> list[Kind]:
    """The kinds a person in this role can receive, in the list's order."""
    return [k for k in KINDS if role in k.roles]


def subject(kind: Kind) -> str:
    overrides = current_app.config["MAIL_SUBJECTS"] or {}
    return overrides.get(kind.name) or kind.subject or current_app.config["MAIL_SUBJECT"]
