"""When a check-in is due, and the client's own day (checkins.due_state, client_today):
due on starts_on, then every_days after the latest; missed once a due day has passed."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from flask import Flask

from counsel import checkins

START = date(2026, 3, 2)


def schedule(every=7, starts=START, active=True):
    return SimpleNamespace(every_days=every, starts_on=starts, active=active)


@pytest.mark.parametrize(("latest", "today", "expected"), [
    (None, date(2026, 3, 1), (START, "upcoming")),
    (None, START, (START, "due")),
    (None, date(2026, 3, 3), (START, "missed")),
    (START, START, (date(2026, 3, 9), "upcoming")),
    (START, date(2026, 3, 9), (date(2026, 3, 9), "due")),
    (START, date(2026, 3, 10), (date(2026, 3, 9), "missed")),
    # given a day late: the next follows the one given, not the day it was due
    (date(2026, 3, 4), date(2026, 3, 10), (date(2026, 3, 11), "upcoming")),
    # a check-in from before the schedule (re)started: due on the new start
    (date(2026, 2, 1), date(2026, 3, 1), (START, "upcoming")),
])
def test_due_from_the_start_then_every_days_after_the_latest(latest, today, expected):
    due = checkins.due_state(schedule(), latest, today)
    assert (due.next_due, due.state) == expected
    assert due.needs_one == (expected[1] in ("due", "missed"))


def test_every_n_days_and_paused():
    assert checkins.due_state(schedule(every=3), START, date(2026, 3, 5)).state == "due"
    assert checkins.due_state(schedule(every=1), START, date(2026, 3, 4)).state == "missed"
    paused = checkins.due_state(schedule(active=False), None, date(2030, 1, 1))
    assert (paused.next_due, paused.state, paused.needs_one) == (None, "paused", False)
    assert checkins.due_state(None, None, START).state == "paused"


@pytest.fixture
def app():
    app = Flask("t")
    app.config["PRACTICE_TIMEZONE"] = "Europe/London"
    with app.app_context():
        yield app


def client(zone):
    return SimpleNamespace(time_zone=zone)


def test_the_day_is_the_client_s_own_far_from_the_server(app):
    """At 23:30 UTC on 8 December it is already the 9th in Auckland and still the 8th in
    London (the practice) and Honolulu: a check-in due on the 9th is due for the one client
    only, and one due on the 8th is missed only there."""
    now = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    auckland, london, honolulu = client("Pacific/Auckland"), client(None), \
        client("Pacific/Honolulu")
    assert checkins.client_today(auckland, now) == date(2026, 12, 9)
    assert checkins.client_today(london, now) == date(2026, 12, 8)
    assert checkins.client_today(honolulu, now) == date(2026, 12, 8)
    due_9th = schedule(starts=date(2026, 12, 9))
    states = [checkins.due_state(due_9th, None, checkins.client_today(c, now)).state
              for c in (auckland, london, honolulu)]
    assert states == ["due", "upcoming", "upcoming"]
    due_8th = schedule(starts=date(2026, 12, 8))
    states = [checkins.due_state(due_8th, None, checkins.client_today(c, now)).state
              for c in (auckland, london, honolulu)]
    assert states == ["missed", "due", "due"]


def test_the_day_boundary_across_a_daylight_saving_change(app):
    """New York moves its clocks forward on 8 March 2026 (UTC-5 -> UTC-4): the local
    midnight that starts the 9th is 04:00 UTC, not 05:00. Weekly from 2 March with a
    check-in that day, the next is due on the 9th, and missed once the 10th begins."""
    ny = client("America/New_York")
    weekly = schedule()
    def state(hour, day):
        today = checkins.client_today(ny, datetime(2026, 3, day, hour, 30, tzinfo=UTC))
        return checkins.due_state(weekly, START, today).state

    assert state(3, 9) == "upcoming"  # 23:30 on the 8th in New York (EDT)
    assert state(4, 9) == "due"  # 00:30 on the 9th: one hour earlier in UTC than a week ago
    assert state(3, 10) == "due"  # 23:30 on the 9th
    assert state(4, 10) == "missed"
    # Before the change, the same UTC hour was still the previous day (EST, UTC-5).
    assert checkins.client_today(ny, datetime(2026, 3, 2, 4, 30, tzinfo=UTC)) == \
        date(2026, 3, 1)
    # Autumn: London goes back on 25 October 2026; 23:30 UTC on the 25th is 23:30 local
    # (GMT), 23:30 UTC on the 24th was 00:30 on the 25th (BST).
    london = client("Europe/London")
    assert checkins.client_today(london, datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == \
        date(2026, 10, 25)
    assert checkins.client_today(london, datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == \
        date(2026, 10, 25)


def test_time_zone_names_are_checked(app):
    assert checkins.zone_problem("Pacific/Auckland") is None
    for bad in ("Mars/Olympus", "../etc/passwd", "europe/london ", "", "UTC+2"):
        assert checkins.zone_problem(bad), bad


def test_scale_lists_are_checked():
    assert checkins.scales_problem(["trust"]) is None
    assert checkins.scales_problem([]) and checkins.scales_problem(["a"] * 2)
    assert checkins.scales_problem([f"s{n}" for n in range(7)])
    assert checkins.scales_problem(["x" * 31])
    assert checkins.scales_problem(["Trust", "trust"])
    assert "NUL" in checkins.scales_problem(["calm\x00"])
    assert checkins.clean_scale("  calm \n  together ") == "calm together"
