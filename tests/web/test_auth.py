"""Sign-in, sign-out, sessions and passwords (SECURITY.md 1-5)."""

import re
import time
from datetime import timedelta

import time_machine
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, LoginSession, utcnow

from ..conftest import PASSWORD


def events(action, outcome=None):
    query = select(AuditEvent).where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return db.session.scalars(query).all()


def test_sign_in_lands_on_the_role_home_and_is_audited(client, people):
    for person, home in ((people["counselor"], "/dashboard/"), (people["alex"].user, "/my/"),
                         (people["admin"], "/admin/")):
        response = client.post("/sign-in", data={"email": person.email.upper(),
                                                 "password": PASSWORD})
        assert response.status_code == 302 and response.location == home
        assert client.get(home).status_code == 200
        client.post("/sign-out")
    assert len(events("auth.sign_in", "success")) == 3
    assert len(events("auth.sign_out")) == 3


def _body(response, email):
    # The CSRF token differs per session and the form echoes the email typed;
    # everything else must be identical.
    text = re.sub(r'(csrf[_-]token"? (?:content|value)=")[^"]+', r"\1", response.text)
    return text.replace(email, "EMAIL")


def test_unknown_email_and_wrong_password_get_identical_answers(client, people):
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": "x" * 12})
    wrong = client.post("/sign-in", data={"email": people["counselor"].email,
                                          "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 200
    assert _body(unknown, "nobody@example.org") == _body(wrong, people["counselor"].email)
    assert "do not match an active account" in wrong.text
    assert len(events("auth.sign_in", "failure")) == 2


def test_unknown_email_and_wrong_password_take_similar_time(app, client, people):
    app.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=8192)
    app.extensions.pop("counsel_hasher", None)

    def timed(email):
        start = time.perf_counter()
        client.post("/sign-in", data={"email": email, "password": "y" * 12})
        return time.perf_counter() - start

    timed("warm@example.org")
    unknown = min(timed("nobody@example.org") for _ in range(3))
    wrong = min(timed(people["counselor"].email) for _ in range(3))
    # Both verify an argon2 hash; without the dummy hash "unknown" would be ~100x faster.
    assert unknown > wrong / 3


def test_deactivated_account_cannot_sign_in(client, people):
    people["alex"].user.active = False
    db.session.commit()
    response = client.post("/sign-in", data={"email": people["alex"].email, "password": PASSWORD})
    assert response.status_code == 200
    assert "do not match an active account" in response.text


def test_eleventh_bad_attempt_in_a_minute_is_throttled(client, people):
    data = {"email": people["counselor"].email, "password": "wrong password 1"}
    statuses = [client.post("/sign-in", data=data).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = client.post("/sign-in", data=data)
    assert page.status_code == 429
    assert "wait 1 minute" in page.text


def test_throttle_counts_per_account_across_addresses(client, people):
    data = {"email": people["counselor"].email, "password": "wrong password 1"}
    for n in range(10):
        client.post("/sign-in", data=data, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    response = client.post("/sign-in", data=data, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 429


def test_successful_sign_ins_do_not_use_up_the_limit(client, auth, people):
    for _ in range(12):
        auth.login(people["counselor"])
        auth.logout()


def test_copied_cookie_is_dead_after_sign_out(app, client, auth, people):
    auth.login(people["counselor"])
    cookie = client.get_cookie("counsel_session").value
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("counsel_session", cookie)
    response = replay.get("/dashboard/")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_session_is_renewed_at_sign_in(client, auth, people):
    client.get("/sign-in")
    before = client.get_cookie("counsel_session")
    auth.login(people["counselor"])
    after = client.get_cookie("counsel_session").value
    assert before is None or before.value != after
    assert db.session.scalar(select(LoginSession.id)) is not None


def test_cookie_flags(app, client, auth, people):
    response = auth.login(people["counselor"])
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Expires" not in header, "no long-lived cookie"
    assert not any(c.key == "remember_token" for c in client._cookies.values())


def test_idle_timeout_signs_out_on_the_server(client, auth, people):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        auth.login(people["counselor"])
        assert client.get("/dashboard/").status_code == 200
        traveller.shift(timedelta(minutes=14))
        assert client.get("/dashboard/").status_code == 200
        traveller.shift(timedelta(minutes=16))
        response = client.get("/dashboard/")
        assert response.status_code == 302 and response.location.startswith("/sign-in")
        assert "without activity" in client.get(response.location).text


def test_absolute_timeout_ends_even_an_active_session(client, auth, people):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        auth.login(people["counselor"])
        for _ in range(71):  # active every 10 minutes for 11 hours 50 minutes
            traveller.shift(timedelta(minutes=10))
            assert client.get("/dashboard/").status_code == 200
        traveller.shift(timedelta(minutes=11))
        assert client.get("/dashboard/").status_code == 302


def test_autosave_requests_get_401_json_when_signed_out(client):
    response = client.get("/dashboard/", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json["error"] == "signed_out"


def test_change_password_needs_the_current_one_and_revokes_other_sessions(app, client, auth,
                                                                          people):
    auth.login(people["counselor"])
    other_device = app.test_client()
    other_device.post("/sign-in", data={"email": people["counselor"].email, "password": PASSWORD})
    assert other_device.get("/dashboard/").status_code == 200

    new = "a brand new password 77"
    wrong = client.post("/account/password", data={"current": "not it at all", "password": new,
                                                   "confirm": new})
    assert "not your current password" in wrong.text
    response = client.post("/account/password", data={"current": PASSWORD, "password": new,
                                                      "confirm": new})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200, "this device stays signed in"
    assert other_device.get("/dashboard/").status_code == 302, "other devices are signed out"
    auth.logout()
    auth.login(people["counselor"], password=new)


def test_new_password_rules(client, auth, people):
    auth.login(people["counselor"])
    cases = {
        "short": "at least 12 characters",
        "x" * 129: "at most 128 characters",
        "password1234": "too common",
        "aaaaaaaaaaaaaa": "too few characters",
        people["counselor"].email: "too common",
    }
    for password, message in cases.items():
        response = client.post("/account/password", data={
            "current": PASSWORD, "password": password, "confirm": password})
        assert response.status_code == 200
        assert message in response.text, password
    mismatch = client.post("/account/password", data={
        "current": PASSWORD, "password": "one good password", "confirm": "another one"})
    assert "not the same" in mismatch.text


def test_next_parameter_never_redirects_off_site(client, people):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(f"/sign-in?next={target}",
                               data={"email": people["counselor"].email, "password": PASSWORD})
        assert response.location == "/dashboard/"
        client.post("/sign-out")
    response = client.post("/sign-in?next=/clients/",
                           data={"email": people["counselor"].email, "password": PASSWORD})
    assert response.location == "/clients/"


def test_throttle_is_shared_through_redis_between_workers(database):
    """Two app instances (as two gunicorn workers would be) share one Redis counter."""
    import os
    import uuid

    from counsel import create_app

    from ..conftest import make_config

    redis_url = os.environ.get("COUNSEL_TEST_REDIS", "redis://127.0.0.1:6379/15")
    url = database()
    settings = make_config(url, RATELIMIT_STORAGE_URI=redis_url,
                           RATELIMIT_KEY_PREFIX=f"counsel-test-{uuid.uuid4().hex}")
    workers = [create_app(settings).test_client() for _ in range(2)]
    data = {"email": "someone@example.org", "password": "wrong password 1"}
    statuses = [workers[n % 2].post("/sign-in", data=data).status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
