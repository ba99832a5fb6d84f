"""When a commitment's follow-up is due (records.commitment.follow_up_due): the first
``every_days`` after the day it was made, then ``every_days`` after the latest follow-up;
"due" on that day, "overdue" once it has passed; and the day is the client's own."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from flask import Flask

from counsel import checkins
from counsel.records.commitment import follow_up_due

MADE = date(2026, 3, 2)


@pytest.mark.parametrize(("every", "latest", "today", "expected"), [
    # none yet: due every_days after the day it was made
    (7, None, MADE, (date(2026, 3, 9), "upcoming")),
    (7, None, date(2026, 3, 8), (date(2026, 3, 9), "upcoming")),
    (7, None, date(2026, 3, 9), (date(2026, 3, 9), "due")),
    (7, None, date(2026, 3, 10), (date(2026, 3, 9), "overdue")),
    (7, None, date(2026, 4, 30), (date(2026, 3, 9), "overdue")),
    # then every_days after the latest follow-up, whenever it was given
    (7, date(2026, 3, 9), date(2026, 3, 9), (date(2026, 3, 16), "upcoming")),
    (7, date(2026, 3, 9), date(2026, 3, 16), (date(2026, 3, 16), "due")),
    (7, date(2026, 3, 9), date(2026, 3, 17), (date(2026, 3, 16), "overdue")),
    # given early (the day it was made) or late: the next follows the one given
    (7, MADE, MADE, (date(2026, 3, 9), "upcoming")),
    (7, date(2026, 3, 12), date(2026, 3, 13), (date(2026, 3, 19), "upcoming")),
    # every day, and every 90 days
    (1, None, MADE, (date(2026, 3, 3), "upcoming")),
    (1, None, date(2026, 3, 3), (date(2026, 3, 3), "due")),
    (1, date(2026, 3, 3), date(2026, 3, 5), (date(2026, 3, 4), "overdue")),
    (90, None, date(2026, 5, 31), (date(2026, 5, 31), "due")),
])
def test_due_after_it_was_made_then_after_the_latest(every, latest, today, expected):
    due = follow_up_due(MADE, every, latest, today)
    assert (due.next_due, due.state) == expected
    assert due.needs_one == (expected[1] in ("due", "overdue"))


def test_a_follow_up_dated_before_the_commitment_never_pulls_the_schedule_back():
    """Never stored (the rules refuse it), but the arithmetic holds anyway."""
    assert follow_up_due(MADE, 7, date(2026, 2, 1), MADE).next_due == date(2026, 3, 9)


def test_across_a_month_and_a_year_end():
    assert follow_up_due(date(2026, 12, 28), 7, None, date(2027, 1, 4)).state == "due"
    assert follow_up_due(date(2028, 2, 22), 7, None, date(2028, 2, 29)).state == "due"


@pytest.fixture
def app():
    app = Flask("t")
    app.config["PRACTICE_TIMEZONE"] = "Europe/London"
    with app.app_context():
        yield app


def client(zone):
    return SimpleNamespace(time_zone=zone)


def test_due_on_the_client_s_own_day_far_from_the_server(app):
    """At 23:30 UTC on 8 December it is already the 9th in Auckland and still the 8th in
    London (the practice) and Honolulu: a weekly commitment made on 2 December is due on
    the 9th, so for the client in Auckland only, and one made on 1 December is overdue only
    there."""
    now = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    people = [client("Pacific/Auckland"), client(None), client("Pacific/Honolulu")]
    today = [checkins.client_today(person, now) for person in people]
    assert today == [date(2026, 12, 9), date(2026, 12, 8), date(2026, 12, 8)]
    assert [follow_up_due(date(2026, 12, 2), 7, None, d).state for d in today] == \
        ["due", "upcoming", "upcoming"]
    assert [follow_up_due(date(2026, 12, 1), 7, None, d).state for d in today] == \
        ["overdue", "due", "due"]


def test_the_day_boundary_across_a_daylight_saving_change(app):
    """New York moves its clocks forward on 8 March 2026: the 9th starts at 04:00 UTC.
    Weekly from 2 March, due on the 9th: upcoming at 03:59 UTC, due at 04:00."""
    new_york = client("America/New_York")
    before = checkins.client_today(new_york, datetime(2026, 3, 9, 3, 59, tzinfo=UTC))
    after = checkins.client_today(new_york, datetime(2026, 3, 9, 4, 0, tzinfo=UTC))
    assert follow_up_due(MADE, 7, None, before).state == "upcoming"
    assert follow_up_due(MADE, 7, None, after).state == "due"
