"""A refusal never needs two database connections at once (issue 6, section 2): with a
pool of one, failed sign-ins and refused accesses still answer and leave their rows."""

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent

from ..conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 1,
                                          "max_overflow": 0, "pool_timeout": 1}}


def _actions():
    db.session.expire_all()
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.outcome,
                                     AuditEvent.target_id)).all()
    db.session.rollback()  # hand the one connection back before the next request
    return rows


def test_the_pool_really_holds_one_connection(app):
    assert db.engine.pool.size() == 1 and db.engine.pool._max_overflow == 0


def test_failed_sign_in_and_refusals_need_one_connection(app, client, people):
    counselor_id, other_client_id = people["counselor"].id, people["jordan"].id
    db.session.rollback()
    failed = client.post("/sign-in", data={"email": "counselor@example.org",
                                           "password": "not the password"})
    assert failed.status_code == 200 and "do not match" in failed.text
    assert ("auth.sign_in", "failure", str(counselor_id)) in _actions()

    signed_in = client.post("/sign-in", data={"email": "counselor@example.org",
                                              "password": PASSWORD})
    assert signed_in.status_code == 302
    refused = client.get(f"/clients/{other_client_id}")
    assert refused.status_code == 404
    assert ("access.refused", "denied", str(other_client_id)) in _actions()

    wrong_role = client.get("/admin/")
    assert wrong_role.status_code == 403
    assert ("access.wrong_role", "denied", None) in [row for row in _actions()]

    wrong = client.post("/account/password", data={
        "current": "not it at all", "password": "a brand new password 7",
        "confirm": "a brand new password 7"})
    assert wrong.status_code == 200 and "not your current password" in wrong.text
    assert ("auth.password_change", "failure", str(counselor_id)) in _actions()
    assert client.get("/dashboard/").status_code == 200


def test_parallel_failed_sign_ins_on_a_small_pool_never_stall(app, people):
    """Each request holds at most one connection, so a burst of failures cannot leave
    every worker waiting for a second one (before: 500s after the pool timeout)."""
    from .live import live_server, post, together

    db.session.rollback()
    with live_server(app) as port:
        results = together(12, lambda n: post(port, "/sign-in", {
            "email": f"someone{n}@example.org", "password": "wrong password"}))
    statuses = sorted(status for status, _ in results)
    assert set(statuses) <= {200, 429}, statuses
    failures = [row for row in _actions() if row[:2] == ("auth.sign_in", "failure")]
    assert len(failures) == statuses.count(200)
