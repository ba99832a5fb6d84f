"""Deny by default (SECURITY.md 6), walked over the whole URL map, plus CSRF on every
state-changing route (SECURITY.md 10)."""

import pytest

from counsel.extensions import db
from counsel.models import AuditEvent

from ..conftest import PASSWORD, csrf_token_from
from ..routes import PUBLIC, endpoint_role, protected_rules, rules, sample_url


def test_the_public_list_is_short(app):
    public = {rule.endpoint for rule, _ in rules(app)} & PUBLIC
    assert public == {"auth.sign_in", "auth.accept_invitation", "static", "web.health"}


def test_every_protected_route_sends_anonymous_people_to_sign_in(app, client):
    """Routes that hold a client's writing answer a signed-out POST with 401 and that
    same writing (see portal/work.py); everything else redirects to sign-in."""
    rescuers = app.extensions["text_rescue"]
    checked = 0
    for rule, methods in protected_rules(app):
        url = sample_url(rule)
        for method in methods:
            response = client.open(url, method=method, data={"answers-0": "my words"})
            if method == "POST" and rule.endpoint in rescuers:
                assert response.status_code == 401, (method, url)
                if rule.endpoint == "portal.work":
                    assert "my words" in response.text
                checked += 1
                continue
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.location.startswith("/sign-in"), (method, url)
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("role", ["counselor", "client", "admin"])
def test_other_roles_get_403_with_no_data(app, client, auth, people, role):
    person = {"counselor": people["counselor"], "client": people["alex"].user,
              "admin": people["admin"]}[role]
    auth.login(person)
    checked = 0
    for rule, methods in protected_rules(app):
        owner_role = endpoint_role(rule.endpoint)
        if owner_role is None or owner_role == role:
            continue
        ids = {"client_id": people["alex"].id}
        for method in methods:
            response = client.open(sample_url(rule, ids), method=method)
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            assert people["alex"].user.email not in response.text
            checked += 1
    assert checked > 0
    refused = db.session.query(AuditEvent).filter_by(action="access.wrong_role").count()
    assert refused == checked


def test_every_post_route_requires_a_csrf_token(app, people):
    app.config["WTF_CSRF_ENABLED"] = True
    checked = 0
    for role, person in (("counselor", people["counselor"]), ("admin", people["admin"]),
                         ("client", people["alex"].user)):
        client = app.test_client()
        page = client.get("/sign-in")
        client.post("/sign-in", data={"email": person.email, "password": PASSWORD,
                                      "csrf_token": csrf_token_from(page.text)})
        for rule, _methods in rules(app, method="POST"):
            owner_role = endpoint_role(rule.endpoint)
            if owner_role not in (None, role):
                continue
            ids = {"client_id": people["alex"].id, "user_id": people["other_counselor"].id}
            response = client.post(sample_url(rule, ids), data={})
            assert response.status_code == 400, (rule.endpoint, response.status_code)
            assert "expired" in response.text
            checked += 1
    assert checked >= 6
