"""The assignment state machine: the one place status changes, with the allowed
transitions as data.

    assigned -> in progress -> submitted -> revision requested -> submitted ... -> completed
    assigned / in progress / revision requested -> withdrawn
    submitted -> in progress ("reopen": only while the counselor has not opened it; the
                 submitted revision stays in the history, the next one gets the next number)
"""

from ..models import Assignment, utcnow

TRANSITIONS: dict[str, dict[str, str]] = {
    "start_draft": {"assigned": "in_progress"},
    "submit": {"in_progress": "submitted", "revision_requested": "submitted"},
    "request_revision": {"submitted": "revision_requested"},
    "accept": {"submitted": "completed"},
    # Guarded by operations.reopen: allowed only before the counselor opens the submission.
    "reopen": {"submitted": "in_progress"},
    "withdraw": {"assigned": "withdrawn", "in_progress": "withdrawn",
                 "revision_requested": "withdrawn"},
}

LABELS = {
    "assigned": "Assigned",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "revision_requested": "Revision requested",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
}

# The client may write in these states.
EDITABLE = frozenset({"assigned", "in_progress", "revision_requested"})
# Work still expected from the client; these can be overdue.
OPEN = EDITABLE


class IllegalTransition(Exception):
    def __init__(self, assignment: Assignment, event: str):
        super().__init__(f"cannot {event} an assignment that is {assignment.status}")
        self.status = assignment.status
        self.event = event


def allowed(assignment: Assignment, event: str) -> bool:
    return assignment.status in TRANSITIONS[event]


def apply(assignment: Assignment, event: str) -> str:
    """Move the assignment along ``event``, or raise IllegalTransition."""
    targets = TRANSITIONS[event]
    if assignment.status not in targets:
        raise IllegalTransition(assignment, event)
    assignment._status = targets[assignment.status]
    assignment.updated_at = utcnow()
    return assignment.status
