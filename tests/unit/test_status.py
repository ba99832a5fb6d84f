"""The assignment state machine."""

import pytest

from counsel.assignments import status
from counsel.assignments.status import IllegalTransition
from counsel.models import Assignment

ALL = set(status.LABELS)


def make(state):
    return Assignment(_status=state)


@pytest.mark.parametrize(("event", "start", "end"), [
    ("start_draft", "assigned", "in_progress"),
    ("submit", "in_progress", "submitted"),
    ("submit", "revision_requested", "submitted"),
    ("request_revision", "submitted", "revision_requested"),
    ("accept", "submitted", "completed"),
    ("withdraw", "assigned", "withdrawn"),
    ("withdraw", "in_progress", "withdrawn"),
    ("withdraw", "revision_requested", "withdrawn"),
    ("reopen", "submitted", "in_progress"),
])
def test_allowed_transitions(event, start, end):
    assignment = make(start)
    assert status.apply(assignment, event) == end == assignment.status


def test_every_other_transition_is_impossible():
    for event, moves in status.TRANSITIONS.items():
        for start in ALL - set(moves):
            assignment = make(start)
            with pytest.raises(IllegalTransition):
                status.apply(assignment, event)
            assert assignment.status == start


def test_completed_and_withdrawn_are_final():
    for final in ("completed", "withdrawn"):
        assert not any(status.allowed(make(final), event) for event in status.TRANSITIONS)


def test_status_cannot_be_set_directly():
    with pytest.raises(AttributeError):
        make("assigned").status = "completed"


def test_every_state_is_reachable_from_assigned():
    reached, frontier = {"assigned"}, ["assigned"]
    while frontier:
        state = frontier.pop()
        for moves in status.TRANSITIONS.values():
            if state in moves and moves[state] not in reached:
                reached.add(moves[state])
                frontier.append(moves[state])
    assert reached == ALL
