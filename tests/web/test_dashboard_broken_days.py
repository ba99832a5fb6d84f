"""The dashboard's "Broken no-contact days in the last week" (issue 11, item 7): tracker days
a client marked "broke it" within the last seven days of their own day, for the counselor's
own clients only, never on withdrawn work, each linking to the assignment; typed names and
titles escaped."""

from __future__ import annotations

from datetime import timedelta

from counsel import checkins
from counsel.dashboard import queries
from counsel.extensions import db
from counsel.models import Tracker, TrackerDay, utcnow

from .. import factories
from ..conftest import Auth


def _tracker(client, title="Space tracker", status="in_progress"):
    exercise = factories.ExerciseFactory(owner=client.counselor, kind="tracker",
                                         stage="no-contact", title=title)
    assignment = factories.AssignmentFactory(client=client, exercise=exercise, _status=status)
    today = checkins.client_today(client)
    tracker = Tracker(assignment=assignment, starts_on=today - timedelta(days=20),
                      length_days=30)
    db.session.add(tracker)
    db.session.flush()
    return tracker


def _day(tracker, days_ago, outcome="broke", late=False):
    today = checkins.client_today(tracker.assignment.client)
    db.session.add(TrackerDay(tracker=tracker, day=today - timedelta(days=days_ago),
                              outcome=outcome, urge=7, late=late))


def _section(page: str) -> str:
    return page.split('id="broken-days-heading"')[1].split("</section>")[0]


def test_a_broken_day_six_days_ago_shows_and_eight_days_ago_does_not(client, auth, people):
    alex, sam = people["alex"], people["sam"]
    tracker = _tracker(alex, "Alex's space")
    _day(tracker, 6)
    _day(tracker, 8)
    _day(tracker, 2, outcome="kept")
    quiet = _tracker(sam, "Sam's space")
    _day(quiet, 1, outcome="exception")
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get("/dashboard/").text
    assert '<strong>1</strong> broken no-contact day</a>' in page
    section = _section(page)
    six = (checkins.client_today(alex) - timedelta(days=6)).strftime("%a %d %b")
    eight = (checkins.client_today(alex) - timedelta(days=8)).strftime("%a %d %b")
    assert f'href="/assignments/{tracker.assignment_id}"' in section
    assert f"broken on {six}" in section and f"broken on {eight}" not in section
    assert section.count("broken on") == 1
    assert "Sam" not in section and f"/assignments/{quiet.assignment_id}" not in section


def test_only_the_counselors_own_clients_and_no_withdrawn_tracker(app, client, auth, people):
    mine = _tracker(people["alex"], "Kept open")
    withdrawn = _tracker(people["sam"], "Taken back", status="withdrawn")
    others = _tracker(people["jordan"], "Another counselor's")
    for tracker in (mine, withdrawn, others):
        _day(tracker, 1)
    db.session.commit()
    auth.login(people["counselor"])
    section = _section(client.get("/dashboard/").text)
    assert f"/assignments/{mine.assignment_id}\"" in section
    assert f"/assignments/{withdrawn.assignment_id}\"" not in section
    assert "Taken back" not in section
    assert f"/assignments/{others.assignment_id}\"" not in section
    assert "Another counselor" not in section
    other = app.test_client()
    Auth(other).login(people["other_counselor"])
    theirs = _section(other.get("/dashboard/").text)
    assert f"/assignments/{others.assignment_id}\"" in theirs
    assert f"/assignments/{mine.assignment_id}\"" not in theirs


def test_nothing_broken_says_so(client, auth, people):
    _day(_tracker(people["alex"]), 1, outcome="kept")
    db.session.commit()
    auth.login(people["counselor"])
    assert "No broken no-contact days in the last week." in client.get("/dashboard/").text


def test_the_week_is_the_clients_own_day(people):
    """A client far east of the practice: their day, not the practice's, sets the week."""
    alex = people["alex"]
    alex.time_zone = "Pacific/Kiritimati"  # UTC+14
    tracker = _tracker(alex)
    db.session.commit()
    now = utcnow()
    their_today = checkins.client_today(alex, now)
    for days_ago in (0, 6, 7):
        db.session.add(TrackerDay(tracker=tracker, day=their_today - timedelta(days=days_ago),
                                  outcome="broke", urge=3))
    db.session.commit()
    found = queries.broken_last_week(people["counselor"], now)
    assert sorted(b.day for b in found) == [their_today - timedelta(days=6), their_today]
    # Seen from a moment a day later, the day six days back has left the week.
    later = now + timedelta(days=1)
    assert [b.day for b in queries.broken_last_week(people["counselor"], later)] == \
        [their_today]


def test_names_and_titles_show_escaped(client, auth, people):
    alex = people["alex"]
    alex.user.name = '<script>alert("name")</script>'
    tracker = _tracker(alex, '<img src=x onerror=alert("title")>')
    _day(tracker, 1)
    db.session.commit()
    auth.login(people["counselor"])
    section = _section(client.get("/dashboard/").text)
    assert "<script>alert" not in section and "<img src=x" not in section
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in section
    assert "&lt;img src=x onerror=alert(&#34;title&#34;)&gt;" in section


def test_the_week_and_the_sessions_to_sign_come_in_one_statement(client, auth, people):
    """Folded into one statement: the first ten to sign (oldest first) with their total, and
    this week's sessions, a session in both lists showing in both."""
    from counsel.clock import practice_today
    from counsel.session_log.queries import local_midnight, week_and_to_sign

    from .session_world import couple_case
    from .test_query_counts import counting

    case = couple_case(people)
    old = [factories.CounselingSessionFactory(case=case,
                                              starts_at=utcnow() - timedelta(days=30 + n))
           for n in range(12)]
    recent = factories.CounselingSessionFactory(case=case,
                                                starts_at=utcnow() - timedelta(hours=30))
    db.session.commit()
    today = practice_today()
    with counting() as statements:
        week, to_sign = week_and_to_sign(people["counselor"], today, 10)
    assert len(statements) == 1
    assert to_sign.total == 13 and len(to_sign.items) == 10
    assert to_sign.items == sorted(old, key=lambda s: s.starts_at)[:10]
    monday = today - timedelta(days=today.weekday())
    assert (recent in week) == (recent.starts_at >= local_midnight(monday))
    assert not set(old) & set(week)
    auth.login(people["counselor"])
    page = client.get("/dashboard/").text
    assert "Show all 13 waiting to be signed" in page
