"""The assignment state machine, checked against a complete, hand-written list of its
moves: adding, removing or redirecting any move in counsel/assignments/status.py fails one
of these tests, so it must be a deliberate change to this list too. (A forbidden set
derived from the table under test could never fail.)"""

import itertools

import pytest

from counsel.assignments import status
from counsel.assignments.status import IllegalTransition
from counsel.models import Assignment

STATES = ["assigned", "in_progress", "submitted", "revision_requested", "completed",
          "withdrawn"]
EVENTS = ["start_draft", "submit", "request_revision", "accept", "withdraw", "reopen"]

# Every allowed move, (event, from, to). Nothing else is allowed.
MOVES = {
    ("start_draft", "assigned", "in_progress"),
    ("submit", "in_progress", "submitted"),
    ("submit", "revision_requested", "submitted"),
    ("request_revision", "submitted", "revision_requested"),
    ("accept", "submitted", "completed"),
    ("withdraw", "assigned", "withdrawn"),
    ("withdraw", "in_progress", "withdrawn"),
    ("withdraw", "revision_requested", "withdrawn"),
    # Only before the counselor opens the submission; operations.reopen guards that part.
    ("reopen", "submitted", "in_progress"),
}
# The client may write in these; they are also the states work can be overdue in.
EDITABLE = {"assigned", "in_progress", "revision_requested"}
ALLOWED = {(event, start): end for event, start, end in MOVES}


def test_the_table_is_exactly_the_list():
    table = {(event, start, end) for event, moves in status.TRANSITIONS.items()
             for start, end in moves.items()}
    assert table == MOVES


def test_states_and_events_are_exactly_these():
    assert list(status.LABELS) == STATES
    assert set(status.TRANSITIONS) == set(EVENTS)


def test_editable_and_open_states():
    assert status.EDITABLE == EDITABLE
    assert status.OPEN == EDITABLE


@pytest.mark.parametrize(("state", "event"), list(itertools.product(STATES, EVENTS)))
def test_apply_moves_exactly_the_listed_pairs(state, event):
    assignment = Assignment(_status=state)
    if (event, state) in ALLOWED:
        assert status.allowed(assignment, event)
        assert status.apply(assignment, event) == ALLOWED[(event, state)]
        assert assignment.status == ALLOWED[(event, state)]
    else:
        assert not status.allowed(assignment, event)
        with pytest.raises(IllegalTransition) as refused:
            status.apply(assignment, event)
        assert (refused.value.status, refused.value.event) == (state, event)
        assert assignment.status == state


def test_completed_and_withdrawn_are_final():
    for final in ("completed", "withdrawn"):
        assignment = Assignment(_status=final)
        assert not any(status.allowed(assignment, event) for event in status.TRANSITIONS)


def test_status_cannot_be_set_directly():
    with pytest.raises(AttributeError):
        Assignment(_status="assigned").status = "completed"


def test_every_state_is_reachable_from_assigned():
    reached, frontier = {"assigned"}, ["assigned"]
    while frontier:
        state = frontier.pop()
        for moves in status.TRANSITIONS.values():
            if state in moves and moves[state] not in reached:
                reached.add(moves[state])
                frontier.append(moves[state])
    assert reached == set(STATES)
