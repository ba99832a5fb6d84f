"""Where a client is on the pathway: the first stage with open work, else the furthest
stage with completed work; withdrawn work never counts."""

import pytest

from counsel.pathway.stages import ORDER, current_stage, previous


@pytest.mark.parametrize(("work", "expected"), [
    ([], None),
    ([("apology", "withdrawn")], None),
    ([("reflection", "assigned")], "reflection"),
    ([("apology", "in_progress"), ("reflection", "submitted")], "reflection"),
    ([("understanding", "completed"), ("apology", "revision_requested")], "apology"),
    # open work earlier than completed work: the client is back at the earlier stage
    ([("apology", "completed"), ("understanding", "assigned")], "understanding"),
    ([("understanding", "completed"), ("no-contact", "completed")], "no-contact"),
    ([("understanding", "completed"), ("moving-forward", "withdrawn")], "understanding"),
    ([("reflection", "completed"), ("reflection", "submitted")], "reflection"),
])
def test_current_stage(work, expected):
    assert current_stage(work) == expected


def test_the_stages_run_in_the_guides_order():
    assert ORDER[0] == "understanding" and ORDER[-1] == "moving-forward"
    assert previous("understanding") is None and previous("reflection") == "understanding"
