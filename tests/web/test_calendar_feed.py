"""The counselor's private iCalendar feed (issue 8 part 7): valid iCalendar, parsed back
with the icalendar library; initials only and no clinical text; time zones right across a
daylight-saving change; a new URL revokes the old; only a hash of the token is stored."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, CalendarFeed, utcnow
from counsel.serving import redact

from .. import factories
from . import couple
from .test_partner_sharing import CLIENTS, STAFF, browser

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def app_config():
    return {"PRACTICE_TIMEZONE": "America/New_York", "BASE_URL": "https://counsel.example.org"}


@pytest.fixture
def world(people):
    return couple.build(people)


def t(tag):
    return couple.plain(tag)


def make_feed(client) -> str:
    page = client.post("/calendar/feed")
    assert page.status_code == 200
    link = re.search(r'id="calendar-link" type="text" readonly value="([^"]+)"', page.text)
    return link.group(1)


def fetch(app, link):
    path = link.removeprefix("https://counsel.example.org")
    return app.test_client().get(path)


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_is_valid_icalendar_with_initials_and_no_clinical_text(app, world, people):
    counselor = browser(app, world, people, "counselor")
    page = counselor.get("/calendar")
    assert page.status_code == 200 and "You have no calendar feed" in page.text
    link = make_feed(counselor)
    assert link.startswith("https://counsel.example.org/calendar/") and link.endswith(".ics")
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    stored = db.session.scalars(select(CalendarFeed)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert "A feed is active" in counselor.get("/calendar").text
    assert token not in counselor.get("/calendar").text  # shown once only

    response = fetch(app, link)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.data
    found = events(body)
    ids = {key: world[key].id for key in ("joint", "sam_alone", "unsigned", "upcoming",
                                          "cancelled", "casey_session")}
    by_session = {int(re.match(r"session-(\d+)-", uid).group(1)): e for uid, e in found.items()}
    assert set(by_session) == set(ids.values())  # not jordan's: another counselor's
    joint = by_session[ids["joint"]]
    assert str(joint["SUMMARY"]) == "Counseling session: A.R. & S.O."
    assert str(joint["LOCATION"]) == "Video" and str(joint["DESCRIPTION"]) == "Video"
    assert str(joint["STATUS"]) == "CONFIRMED"
    assert str(by_session[ids["cancelled"]]["STATUS"]) == "CANCELLED"
    assert str(by_session[ids["sam_alone"]]["SUMMARY"]) == "Counseling session: S.O."
    assert str(by_session[ids["upcoming"]]["LOCATION"]) == "In person"
    start = joint.decoded("DTSTART")
    assert joint["DTSTART"].params["TZID"] == "America/New_York"
    assert start.tzinfo is not None and start == world["joint"].starts_at.replace(microsecond=0)
    assert joint.decoded("DTEND") - start == timedelta(minutes=50)
    assert joint.decoded("DTSTAMP").utcoffset() == timedelta(0)
    zones = Calendar.from_ical(body).walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["America/New_York"]
    text = body.decode()
    for word in ("Alex", "Rivera", "Sam", "Okafor", "Casey", "plain", "example.org>"):
        assert word not in text, word
    for tag in ("summary", "notes", "casename", "agreeboth", "safety", "agenda"):
        assert t(tag) not in text
    again = events(fetch(app, link).data)
    assert set(again) == set(found)  # UIDs are stable
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.feed")
                             ).all()[-1]
    assert (row.actor_id, row.target_type, row.client_id) == (
        world["counselor"].id, "calendar_feeds", None)


def test_daylight_saving_keeps_local_time(app, people):
    """10:00 in New York on either side of the March 2027 change (14 March): the same
    wall-clock time, different UTC times (15:00 and 14:00)."""
    counselor = people["counselor"]
    case = factories.CaseFactory(counselor=counselor, partners=[people["alex"]])
    for year in (utcnow().year, utcnow().year + 1):  # the next change inside the window
        march = datetime(year, 3, 1)
        second_sunday = march + timedelta(days=(6 - march.weekday()) % 7 + 7)
        before = datetime.combine(second_sunday.date() - timedelta(days=3),
                                  datetime.min.time().replace(hour=10), NEW_YORK)
        after = datetime.combine(second_sunday.date() + timedelta(days=3),
                                 datetime.min.time().replace(hour=10), NEW_YORK)
        if before > utcnow() - timedelta(days=25):
            break
    assert before.utcoffset() != after.utcoffset()
    sessions = [factories.CounselingSessionFactory(case=case, starts_at=when.astimezone(
        UTC)) for when in (before, after)]
    db.session.commit()
    client = browser(app, {"counselor": counselor}, people, "counselor")
    found = events(fetch(app, make_feed(client)).data)
    starts = {}
    for event in found.values():
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert (start.hour, start.minute) == (10, 0)
        starts[start.astimezone(UTC).hour] = event
    assert sorted(starts) == [14, 15]
    assert len(found) == len(sessions)
    assert "BEGIN:DAYLIGHT" in fetch(app, make_feed(client)).text


def test_regenerating_revokes_the_old_url(app, world, people):
    counselor = browser(app, world, people, "counselor")
    first = make_feed(counselor)
    assert fetch(app, first).status_code == 200
    second = make_feed(counselor)
    assert first != second
    old = fetch(app, first)
    assert old.status_code == 404 and "BEGIN:VCALENDAR" not in old.text
    assert fetch(app, second).status_code == 200
    feeds = db.session.scalars(select(CalendarFeed).order_by(CalendarFeed.id)).all()
    assert [f.revoked_at is not None for f in feeds] == [True, False]


def test_unknown_tokens_and_deactivated_counselors_get_404(app, world, people):
    assert app.test_client().get("/calendar/not-a-token.ics").status_code == 404
    link = make_feed(browser(app, world, people, "counselor"))
    world["counselor"].active = False
    db.session.commit()
    response = fetch(app, link)
    assert response.status_code == 404 and "Counseling session" not in response.text


def test_the_token_never_reaches_a_log_line():
    assert redact('"GET /calendar/abc-DEF_1.ics HTTP/1.1" 200') == \
        '"GET /calendar/[redacted] HTTP/1.1" 200'


def test_each_counselor_has_their_own_feed(app, world, people):
    other = browser(app, world, people, "other_counselor")
    assert "You have no calendar feed" in other.get("/calendar").text
    found = events(fetch(app, make_feed(other)).data)
    assert [int(re.match(r"session-(\d+)-", u).group(1)) for u in found] == [
        world["jordan_session"].id]
    assert "A feed is active" not in browser(app, world, people, "counselor").get(
        "/calendar").text


@pytest.mark.parametrize("who", [*CLIENTS, *STAFF, "anonymous"])
def test_access_matrix(app, world, people, who):
    """The page and making a feed: counselors only (each their own); the .ics: anyone with
    the secret URL, since a calendar app has no sign-in."""
    link = make_feed(browser(app, world, people, "counselor"))
    client = browser(app, world, people, who)
    page, made = client.get("/calendar"), client.post("/calendar/feed")
    if who in ("counselor", "other_counselor"):
        assert page.status_code == 200 and made.status_code == 200
    elif who == "anonymous":
        assert page.status_code == made.status_code == 302
        assert page.location.startswith("/sign-in")
    else:
        assert page.status_code == made.status_code == 403
    feeds = db.session.scalars(select(CalendarFeed).where(
        CalendarFeed.counselor_id == world["counselor"].id)).all()
    assert len(feeds) == (2 if who == "counselor" else 1)
    feed = client.get(link.removeprefix("https://counsel.example.org"))
    if who == "counselor":
        assert feed.status_code == 404  # revoked by the new one just made
    elif who in ("anonymous", "other_counselor"):
        assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.data
    else:
        assert feed.status_code == 403  # signed in to the portal or admin: not this page


def test_initials_only():
    from counsel.session_log.calendar import initials

    assert initials("Alex Rivera") == "A.R."
    assert initials("Sam  de la Cruz Okafor") == "S.O."
    assert initials("émile") == "É."
    assert initials("") == "?"
