"""Password guesses are counted before they are checked (issue 6, section 2): parallel
guesses cannot slip past the limit, on memory or Redis storage; the current-password check
on /account/password is throttled like sign-in."""

import os
import threading
import uuid

import pytest

from counsel.extensions import db

from ..conftest import PASSWORD

REDIS = os.environ.get("COUNSEL_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
def app_config(request):
    if request.param == "memory":
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    return {"RATELIMIT_STORAGE_URI": REDIS,
            "RATELIMIT_KEY_PREFIX": f"counsel-test-{uuid.uuid4().hex}"}


def _in_parallel(app, count, request, prepare=None):
    """``count`` requests released together, each from its own browser (``prepare``d
    one after another first)."""
    gate = threading.Barrier(count)
    statuses: list[int] = []
    browsers = [app.test_client() for _ in range(count)]
    for n, browser in enumerate(browsers):
        if prepare:
            prepare(browser, n)

    def one(n):
        gate.wait()
        statuses.append(request(browsers[n], n).status_code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def _at_most_ten_through(statuses):
    """Every request was answered, at most ten past the limiter and the rest refused. (The
    address and account counters are separate increments, so under a burst a request may
    be refused by one while another is refused by the other: fewer than ten, never more.)"""
    through = statuses.count(200)
    assert 1 <= through <= 10, statuses
    assert statuses == [200] * through + [429] * (len(statuses) - through)


def test_forty_parallel_bad_sign_ins_let_only_ten_through(app, people):
    email = people["counselor"].email
    statuses = _in_parallel(app, 40, lambda browser, n: browser.post(
        "/sign-in", data={"email": email, "password": f"wrong password {n}"}))
    _at_most_ten_through(statuses)


def test_parallel_guesses_from_many_addresses_at_one_account_are_counted(app, people):
    email = people["counselor"].email
    statuses = _in_parallel(app, 20, lambda browser, n: browser.post(
        "/sign-in", data={"email": email, "password": "wrong password 1"},
        environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}))
    _at_most_ten_through(statuses)


def _change(client, current, remote="127.0.0.1"):
    new = "a brand new password 77"
    return client.post("/account/password", data={"current": current, "password": new,
                                                  "confirm": new},
                       environ_base={"REMOTE_ADDR": remote})


def test_eleventh_wrong_current_password_in_a_minute_is_throttled(client, auth, people):
    auth.login(people["counselor"])
    statuses = [_change(client, f"not it at all {n}").status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
    refused = _change(client, PASSWORD)
    assert refused.status_code == 429 and "wait 1 minute" in refused.text
    db.session.expire_all()
    from counsel.auth.passwords import verify_password

    assert verify_password(people["counselor"].password_hash, PASSWORD), "unchanged"


def test_current_password_guesses_count_per_account_across_addresses(client, auth, people):
    auth.login(people["counselor"])
    for n in range(10):
        assert _change(client, "not it at all", remote=f"10.0.0.{n}").status_code == 200
    assert _change(client, "not it at all", remote="10.0.1.1").status_code == 429


def test_parallel_wrong_current_passwords_let_only_ten_through(app, people):
    email = people["counselor"].email

    def sign_in(browser, n):
        response = browser.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302

    statuses = _in_parallel(app, 20, lambda browser, n: _change(
        browser, f"not it at all {n}", remote=f"10.2.0.{n}"), prepare=sign_in)
    _at_most_ten_through(statuses)


def test_right_current_passwords_do_not_use_up_the_limit(client, auth, people):
    auth.login(people["counselor"])
    passwords = [PASSWORD] + [f"a brand new password {n}" for n in range(12)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        response = client.post("/account/password", data={"current": old, "password": new,
                                                          "confirm": new})
        assert response.status_code == 302, old
