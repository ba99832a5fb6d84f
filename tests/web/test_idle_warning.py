"""The warning before an idle sign-out: how long is left (asking does not count as
activity), "Stay signed in" (a CSRF-protected POST that does), and what pages give the
script. The browser side is in tests/e2e/test_idle_and_rescue.py."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import LoginSession, utcnow

from ..conftest import PASSWORD, csrf_token_from

JSON = {"Accept": "application/json"}


def last_seen(user):
    db.session.expire_all()
    return db.session.scalars(select(LoginSession.last_seen_at)
                              .where(LoginSession.user_id == user.id)).one()


def test_asking_how_long_is_left_does_not_keep_anyone_signed_in(client, auth, people):
    counselor = people["counselor"]
    auth.login(counselor)
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=10)):
        left = client.get("/session/status", headers=JSON)
        assert left.status_code == 200
        assert 295 <= left.json["remaining"] <= 301
    assert last_seen(counselor) < start + timedelta(minutes=1)
    with time_machine.travel(start + timedelta(minutes=16)):
        gone = client.get("/session/status", headers=JSON)
        assert gone.status_code == 401 and gone.json["error"] == "signed_out"


def test_stay_signed_in_counts_as_activity(client, auth, people):
    counselor = people["counselor"]
    auth.login(counselor)
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=14)):
        kept = client.post("/session/keep-alive", headers=JSON)
        assert kept.status_code == 200 and 899 <= kept.json["remaining"] <= 900
    assert last_seen(counselor) >= start + timedelta(minutes=14)
    with time_machine.travel(start + timedelta(minutes=28)):
        assert client.get("/dashboard/").status_code == 200


def test_stay_signed_in_needs_the_csrf_token(app, people):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").text)
    client.post("/sign-in", data={"email": people["alex"].user.email, "password": PASSWORD,
                                  "csrf_token": token})
    page = client.get("/my/").text
    assert client.post("/session/keep-alive", headers=JSON).status_code == 400
    good = client.post("/session/keep-alive",
                       headers={**JSON, "X-CSRFToken": csrf_token_from(page)})
    assert good.status_code == 200


def test_nobody_signed_in_gets_no_time(client):
    assert client.get("/session/status", headers=JSON).status_code == 401
    assert client.post("/session/keep-alive", headers=JSON).status_code == 401


def test_pages_tell_the_script_when_the_session_ends(client, auth, people):
    assert "data-idle-remaining" not in client.get("/sign-in").text
    auth.login(people["alex"].user)
    page = client.get("/my/").text
    remaining = float(re.search(r'data-idle-remaining="([\d.]+)"', page).group(1))
    assert 880 <= remaining <= 900 and 'data-idle-warning="120"' in page
    assert "js/idle.js" in page and "Stay signed in" in page


@pytest.mark.parametrize("app_config", [{"IDLE_TIMEOUT_MINUTES": 0.25}])
def test_a_short_idle_limit_still_counts_steady_activity(client, auth, people, app_config):
    auth.login(people["counselor"])
    start = utcnow()
    for step in range(1, 7):  # a page every 5 s for 30 s, with a 15 s limit
        with time_machine.travel(start + timedelta(seconds=5 * step)):
            assert client.get("/dashboard/").status_code == 200, step


def test_the_sign_in_page_says_why_after_an_idle_sign_out(client):
    plain = client.get("/sign-in")
    after_idle = client.get("/sign-in?next=%2Fmy%2F&signed_out=idle")
    assert "signed out after a period without activity" in after_idle.text
    assert "signed out after a period without activity" not in plain.text
