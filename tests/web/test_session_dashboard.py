"""The dashboard's session lists: today's and this week's sessions (practice time zone),
sessions held more than a day ago and not signed, and open cases with a safety flag; the
empty dashboard still says what to do first."""

from datetime import datetime, time, timedelta

from counsel.clock import practice_today, practice_zone
from counsel.extensions import db
from counsel.models import utcnow

from .. import factories
from .session_world import couple_case, signed_session


def at_local(day, hour):
    return datetime.combine(day, time(hour), tzinfo=practice_zone())


def test_the_empty_dashboard_says_what_to_do_first(client, auth):
    counselor = factories.CounselorFactory()
    db.session.commit()
    auth.login(counselor)
    page = client.get("/dashboard/").text
    assert "Start here" in page and "Add your first client" in page
    assert "Log your sessions" in page


def test_sessions_today_this_week_and_waiting_to_be_signed(client, auth, people):
    case = couple_case(people)
    today = practice_today()
    monday = today - timedelta(days=today.weekday())
    todays = factories.CounselingSessionFactory(case=case, starts_at=at_local(today, 12))
    other_day = monday if today != monday else monday + timedelta(days=1)
    this_week = factories.CounselingSessionFactory(case=case,
                                                   starts_at=at_local(other_day, 9))
    next_week = factories.CounselingSessionFactory(
        case=case, starts_at=at_local(monday + timedelta(days=8), 9))
    old_unsigned = factories.CounselingSessionFactory(
        case=case, starts_at=utcnow() - timedelta(days=3))
    cancelled = factories.CounselingSessionFactory(
        case=case, starts_at=utcnow() - timedelta(days=4), cancelled_at=utcnow())
    db.session.commit()
    signed = signed_session(people, case)
    auth.login(people["counselor"])
    page = client.get("/dashboard/").text
    today_part = page.split('id="today-heading"')[1].split('id="week-heading"')[0]
    week_part = page.split('id="week-heading"')[1].split('id="unsigned-heading"')[0]
    unsigned_part = page.split('id="unsigned-heading"')[1].split('id="waiting-heading"')[0]
    assert f"/sessions/{todays.id}\"" in today_part
    assert f"/sessions/{this_week.id}\"" not in today_part
    assert f"/sessions/{this_week.id}\"" in week_part and f"/sessions/{todays.id}\"" in week_part
    assert f"/sessions/{next_week.id}\"" not in week_part
    assert f"/sessions/{old_unsigned.id}\"" in unsigned_part
    for absent in (signed, cancelled, todays):
        assert f"/sessions/{absent.id}\"" not in unsigned_part
    full = client.get("/dashboard/unsigned").text
    assert f"/sessions/{old_unsigned.id}\"" in full


def test_open_cases_with_a_safety_flag_show_with_their_reason(client, auth, people):
    flagged = couple_case(people)
    flagged.safety_flagged_at = utcnow()
    flagged.safety_reason = "Protective order in place"
    closed = factories.CaseFactory(counselor=people["counselor"], name="Closed one",
                                   safety_flagged_at=utcnow(), safety_reason="Old reason",
                                   closed_at=utcnow())
    others = factories.CaseFactory(counselor=people["other_counselor"],
                                   safety_flagged_at=utcnow(), safety_reason="Not yours")
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get("/dashboard/").text
    assert "Protective order in place" in page and f"/cases/{flagged.id}\"" in page
    assert "Old reason" not in page and "Not yours" not in page
    assert closed.id and others.id
