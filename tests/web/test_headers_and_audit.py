"""Security headers on every response, and an audit trail nobody can rewrite."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from counsel import audit
from counsel.extensions import db
from counsel.models import AuditEvent


def test_security_headers_on_pages_and_errors(client, auth, people):
    auth.login(people["counselor"])
    for url in ("/dashboard/", "/clients/", "/nope", "/sign-in"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts(client, auth, people):
    auth.login(people["counselor"])
    for url in ("/dashboard/", "/clients/", "/clients/new", f"/clients/{people['alex'].id}"):
        html = client.get(url).text
        assert "<script>" not in html and "onclick=" not in html and "style=" not in html


def test_typed_markup_is_escaped(client, auth, people):
    auth.login(people["counselor"])
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    client.post("/clients/new", data={"name": evil, "email": "evil@example.org",
                                      "preferred_name": evil, "pronouns": evil[:40],
                                      "phone": evil[:40]})
    page = client.get("/clients/").text + client.get("/clients/?q=evil").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_request_over_the_size_limit_is_a_clear_413(client, auth, people):
    auth.login(people["counselor"])
    response = client.post("/clients/new", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "larger than counsel accepts" in response.text


def test_audit_rows_hold_no_clinical_text_and_cannot_be_changed(app, people):
    audit.record("client.view", people["alex"], actor=people["counselor"])
    db.session.commit()
    row = db.session.scalars(db.select(AuditEvent)).first()
    assert row.client_id == people["alex"].id and row.actor_id == people["counselor"].id
    row.action = "edited"
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(row)
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'x'",
                                       "DELETE FROM audit_events"])
def test_the_database_itself_refuses_audit_changes(app, people, statement):
    audit.record("client.view", people["alex"], actor=people["counselor"])
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))
    assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == 1


def test_no_route_edits_or_deletes_audit_rows(app):
    assert not [r for r in app.url_map.iter_rules() if "audit" in r.rule and
                (r.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}]


def test_error_pages_are_our_own(app, client, auth, people):
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login(people["counselor"])
    crashed = client.get("/broken-for-test")
    assert crashed.status_code == 500 and "Something went wrong" in crashed.text
    assert "boom" not in crashed.text and "Traceback" not in crashed.text
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Page not found" in missing.text
    assert 'href="/static/css/counsel.css"' in missing.text


def test_pages_with_clinical_content_leave_audit_rows(app, client, auth, people):
    auth.login(people["counselor"])
    client.get("/dashboard/")
    client.get("/clients/")
    auth.logout()
    auth.login(people["alex"].user)
    client.get("/my/")
    rows = {(e.action, e.actor_id, e.client_id) for e in db.session.scalars(
        db.select(AuditEvent))}
    assert ("dashboard.view", people["counselor"].id, None) in rows
    assert ("caseload.view", people["counselor"].id, None) in rows
    assert ("portal.home.view", people["alex"].user.id, people["alex"].id) in rows
