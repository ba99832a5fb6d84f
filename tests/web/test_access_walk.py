"""Deny by default (SECURITY.md 6), walked over the whole URL map, plus CSRF on every
state-changing route (SECURITY.md 10)."""

import pytest

from counsel.extensions import db
from counsel.models import AuditEvent

from ..conftest import PASSWORD, csrf_token_from
from ..routes import PUBLIC, endpoint_role, protected_rules, rules, sample_url

JSON_ENDPOINTS = {"portal.autosave", "assignments.autosave_review", "session_log.autosave"}


def test_the_public_list_is_short(app):
    public = {rule.endpoint for rule, _ in rules(app)} & PUBLIC
    assert public == {"auth.sign_in", "auth.accept_invitation", "static", "web.health",
                      "web.favicon", "session_log.calendar_feed", "auth.forgot_password",
                      "auth.reset_password", "notifications.unsubscribe"}


def test_every_protected_route_sends_anonymous_people_to_sign_in(app, client):
    checked = 0
    for rule, methods in protected_rules(app):
        url = sample_url(rule)
        for method in methods:
            response = client.open(url, method=method)
            checked += 1
            if rule.endpoint in JSON_ENDPOINTS:
                assert response.status_code == 401 and response.json["error"] == "signed_out"
                continue
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.location.startswith("/sign-in"), (method, url)
    assert checked >= 30


def test_a_signed_out_post_hands_back_only_what_was_typed(app, client, people):
    """Signed out mid-writing: the text comes back (401) and nothing else does."""
    for rule, _methods in rules(app, method="POST"):
        if rule.endpoint.startswith("auth.") or rule.endpoint in JSON_ENDPOINTS \
                or rule.endpoint in PUBLIC:
            continue  # sign-out and passwords hold no text; the autosave script keeps its own;
            # a public form (unsubscribe) answers without anyone signed in
        url = sample_url(rule, {"client_id": people["alex"].id})
        response = client.post(url, data={"note": "my own words", "password": "secret pw"})
        assert response.status_code == 401, url
        assert "my own words" in response.text and "secret pw" not in response.text
        assert people["alex"].email not in response.text


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
            if rule.endpoint in JSON_ENDPOINTS:
                assert response.json["error"] == "csrf"
            else:
                assert "expired" in response.text
            checked += 1
    assert checked >= 6
