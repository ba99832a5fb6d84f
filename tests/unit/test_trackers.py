"""The no-contact tracker's arithmetic (counsel/trackers.py) and its day boundaries: the
streaks, missing days, days remaining, and "today" as the client's own local day, far from
the server's and across daylight-saving changes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from counsel import checkins, trackers

START = date(2026, 12, 1)


@dataclass
class Given:
    day: date
    outcome: str
    late: bool = False
    urge: int = 3


def given(*outcomes, start=START):
    """Check-ins from ``start`` on, one a day; None leaves that day without one."""
    return [Given(start + timedelta(days=n), outcome)
            for n, outcome in enumerate(outcomes) if outcome is not None]


def states(summary):
    return [d.state for d in summary.strip]


def test_kept_days_make_a_streak_and_a_broken_day_resets_it():
    found = trackers.summarize(START, 30, given("kept", "kept", "kept", "broke", "kept"),
                               START + timedelta(days=5))
    assert found.current_streak == 1
    assert found.longest_streak == 3
    assert found.counts["broke"] == 1 and found.counts["kept"] == 4


def test_a_broken_latest_day_leaves_no_current_streak():
    found = trackers.summarize(START, 30, given("kept", "kept", "broke"),
                               START + timedelta(days=2))
    assert (found.current_streak, found.longest_streak) == (0, 2)


def test_allowed_exceptions_continue_a_streak():
    found = trackers.summarize(START, 30, given("kept", "exception", "kept", "exception"),
                               START + timedelta(days=4))
    assert found.current_streak == 4 and found.longest_streak == 4
    assert found.counts["exception"] == 2


def test_a_missing_day_is_never_counted_as_kept_and_ends_the_streak():
    found = trackers.summarize(START, 30, given("kept", None, "kept", "kept"),
                               START + timedelta(days=4))
    assert states(found)[:5] == ["kept", "missing", "kept", "kept", "today"]
    assert found.counts["kept"] == 3 and found.counts["missing"] == 1
    assert found.current_streak == 2 and found.longest_streak == 2
    assert found.missing_days == [START + timedelta(days=1)]


def test_a_day_with_no_check_in_at_all_is_missing_once_it_ends():
    found = trackers.summarize(START, 10, [], START + timedelta(days=3))
    assert states(found)[:4] == ["missing", "missing", "missing", "today"]
    assert found.current_streak == 0 and found.counts["kept"] == 0


def test_today_is_not_missing_yet_and_neither_continues_nor_ends_the_streak():
    found = trackers.summarize(START, 30, given("kept", "kept"), START + timedelta(days=2))
    assert states(found)[2] == "today" and found.counts["missing"] == 0
    assert found.due_today and found.current_streak == 2
    checked = trackers.summarize(START, 30, given("kept", "kept", "kept"),
                                 START + timedelta(days=2))
    assert not checked.due_today and checked.current_streak == 3


def test_a_late_check_in_keeps_its_mark_and_counts_like_any_other():
    days = [Given(START, "kept", late=True), Given(START + timedelta(days=1), "kept")]
    found = trackers.summarize(START, 30, days, START + timedelta(days=2))
    assert [d.late for d in found.strip[:2]] == [True, False]
    assert found.current_streak == 2


@pytest.mark.parametrize(("today", "remaining"), [
    (START - timedelta(days=5), 30),  # not started: the whole period is still to come
    (START, 30),  # the first day, today included
    (START + timedelta(days=10), 20),  # the middle
    (START + timedelta(days=29), 1),  # the last day
    (START + timedelta(days=30), 0),  # the day after the end
    (START + timedelta(days=400), 0),  # long after
])
def test_days_remaining(today, remaining):
    assert trackers.summarize(START, 30, [], today).days_remaining == remaining


def test_a_period_not_started_has_every_day_to_come():
    found = trackers.summarize(START, 7, [], START - timedelta(days=1))
    assert not found.started and not found.over
    assert set(states(found)) == {"upcoming"}
    assert (found.current_streak, found.longest_streak, found.counts["missing"]) == (0, 0, 0)


def test_after_the_end_the_streak_counts_back_from_the_last_day():
    found = trackers.summarize(START, 3, given("broke", "kept", "kept"),
                               START + timedelta(days=10))
    assert found.over and found.days_remaining == 0
    assert found.current_streak == 2 and found.longest_streak == 2
    assert "today" not in states(found) and "upcoming" not in states(found)


def test_days_outside_the_period_are_ignored():
    days = given("kept", "kept", start=START - timedelta(days=2)) + given("broke")
    found = trackers.summarize(START, 5, days, START + timedelta(days=1))
    assert states(found)[:2] == ["broke", "today"]
    assert len(found.strip) == 5 and found.ends_on == START + timedelta(days=4)


# -- the client's own day -----------------------------------------------------------------

def client_in(zone):
    return SimpleNamespace(time_zone=zone)


@pytest.mark.parametrize(("zone", "moment", "day"), [
    # 11:00 UTC on 8 Dec: already 01:00 on the 9th in Kiritimati (UTC+14) ...
    ("Pacific/Kiritimati", datetime(2026, 12, 8, 11, 0, tzinfo=UTC), date(2026, 12, 9)),
    # ... and still 00:00 on the 8th in Pago Pago (UTC-11)
    ("Pacific/Pago_Pago", datetime(2026, 12, 8, 11, 0, tzinfo=UTC), date(2026, 12, 8)),
    ("Pacific/Pago_Pago", datetime(2026, 12, 8, 10, 59, tzinfo=UTC), date(2026, 12, 7)),
    # 09:59 UTC: 23:59 on the 8th in Kiritimati
    ("Pacific/Kiritimati", datetime(2026, 12, 8, 9, 59, tzinfo=UTC), date(2026, 12, 8)),
])
def test_today_is_the_client_s_local_day_far_from_the_server(app, zone, moment, day):
    assert checkins.client_today(client_in(zone), moment) == day


def test_the_same_instant_is_two_different_days_and_each_counts_as_today(app):
    moment = datetime(2026, 12, 8, 11, 0, tzinfo=UTC)
    east = checkins.client_today(client_in("Pacific/Kiritimati"), moment)
    west = checkins.client_today(client_in("Pacific/Pago_Pago"), moment)
    assert (east - west).days == 1
    start = date(2026, 12, 7)
    assert states(trackers.summarize(start, 5, [], east))[:3] == ["missing", "missing", "today"]
    assert states(trackers.summarize(start, 5, [], west))[:2] == ["missing", "today"]


@pytest.mark.parametrize(("moment", "day"), [
    # The last Sunday of March 2026 (29th): clocks go from 01:00 GMT to 02:00 BST.
    (datetime(2026, 3, 28, 23, 59, tzinfo=UTC), date(2026, 3, 28)),
    (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 3, 29)),
    (datetime(2026, 3, 29, 22, 59, tzinfo=UTC), date(2026, 3, 29)),  # 23:59 BST
    (datetime(2026, 3, 29, 23, 0, tzinfo=UTC), date(2026, 3, 30)),  # midnight BST
    # The last Sunday of October 2026 (25th): from 02:00 BST back to 01:00 GMT.
    (datetime(2026, 10, 24, 22, 59, tzinfo=UTC), date(2026, 10, 24)),
    (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), date(2026, 10, 25)),  # midnight BST
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), date(2026, 10, 25)),  # 01:30 BST
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), date(2026, 10, 25)),  # 01:30 GMT again
    (datetime(2026, 10, 25, 23, 59, tzinfo=UTC), date(2026, 10, 25)),
    (datetime(2026, 10, 26, 0, 0, tzinfo=UTC), date(2026, 10, 26)),
])
def test_london_s_daylight_saving_changes_move_no_day(app, moment, day):
    assert checkins.client_today(client_in("Europe/London"), moment) == day


@pytest.mark.parametrize("start", [date(2026, 3, 27), date(2026, 10, 23)])
def test_a_period_over_a_daylight_saving_change_has_consecutive_days(start):
    """The 23-hour and the 25-hour day are each one day of the period, once."""
    found = trackers.summarize(start, 5, given("kept", "kept", "kept", "kept", start=start),
                               start + timedelta(days=4))
    assert [d.day for d in found.strip] == [start + timedelta(days=n) for n in range(5)]
    assert [d.number for d in found.strip] == [1, 2, 3, 4, 5]
    assert found.current_streak == 4 and found.counts["today"] == 1


def test_the_25_hour_day_is_one_day_for_every_hour_of_it(app):
    """Every hour of 25 October 2026 in London falls on that one day: a check-in "today"
    made at any of them is for the same day, so the day counts once."""
    first = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # midnight BST
    hours = [first + timedelta(hours=n) for n in range(25)]
    days = {checkins.client_today(client_in("Europe/London"), h) for h in hours}
    assert days == {date(2026, 10, 25)}
    assert checkins.client_today(client_in("Europe/London"),
                                 first + timedelta(hours=25)) == date(2026, 10, 26)
