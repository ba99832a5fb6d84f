"""The caseload: adding, inviting, searching, deactivating; other counselors get 404."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, Client, OutboxMessage, User, utcnow

from ..conftest import PASSWORD

NEW_CLIENT = {"name": "Robin Park", "email": "Robin@Example.org", "phone": "+44 20 7946 0000",
              "preferred_name": "Rob", "pronouns": "they/them"}


def invitation_link(html: str) -> str:
    return re.search(r'id="invitation-link"[^>]*value="http://localhost(/invitation/[^"]+)"',
                     html).group(1)


def add_client(client, **overrides):
    response = client.post("/clients/new", data={**NEW_CLIENT, **overrides})
    assert response.status_code == 200, response.text
    return invitation_link(response.text)


def test_counselor_adds_a_client_and_the_client_accepts_the_invitation(app, client, auth, people):
    auth.login(people["counselor"])
    link = add_client(client)
    robin = db.session.scalars(select(User).where(User.email == "robin@example.org")).one()
    assert robin.role == "client" and robin.password_hash is None
    assert robin.client.counselor_id == people["counselor"].id
    assert link.split("/")[-1] not in str(db.session.scalars(select(User)).all())
    auth.logout()

    assert "Welcome, Rob" in client.get(link).text
    response = client.post(link, data={"password": "a good long password", "confirm":
                                       "a good long password"})
    assert response.status_code == 302 and response.location == "/my/"
    assert "Hello, Rob" in client.get("/my/").text
    client.post("/sign-out")
    # Single use.
    again = client.get(link)
    assert again.status_code == 404 and "ask your counselor" in again.text.lower()


def test_unusable_invitations_all_look_the_same(app, client, auth, people):
    auth.login(people["counselor"])
    used = add_client(client, email="used@example.org")
    expired = add_client(client, email="expired@example.org")
    replaced = add_client(client, email="replaced@example.org")
    replaced_client = db.session.scalars(select(Client).join(Client.user).where(
        User.email == "replaced@example.org")).one()
    client.post(f"/clients/{replaced_client.id}/invitation")
    auth.logout()
    good = "a good long password"
    client.post(used, data={"password": good, "confirm": good})
    visitor = app.test_client()
    pages = [visitor.get(url) for url in (used, replaced, "/invitation/made-up-token")]
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        pages.append(visitor.get(expired))
    assert {p.status_code for p in pages} == {404}
    assert len({p.text.split('name="csrf-token"')[1].split(">", 1)[1] for p in pages}) == 1
    assert "expire after 7 days" in pages[0].text


def test_reissuing_shows_a_new_link_and_kills_the_old(client, auth, people):
    auth.login(people["counselor"])
    first = add_client(client)
    robin = db.session.scalars(select(Client).join(Client.user).where(
        User.email == "robin@example.org")).one()
    second = invitation_link(client.post(f"/clients/{robin.id}/invitation").text)
    assert first != second
    auth.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_bad_client_input_gets_field_errors_and_keeps_what_was_typed(client, auth, people):
    auth.login(people["counselor"])
    response = client.post("/clients/new", data={**NEW_CLIENT, "email": "not-an-email",
                                                 "name": ""})
    assert response.status_code == 200
    assert "Enter the client&#39;s name." in response.text
    assert "Enter an email address" in response.text
    assert 'value="+44 20 7946 0000"' in response.text
    duplicate = client.post("/clients/new", data={**NEW_CLIENT, "email": people["sam"].email})
    assert "A client on your caseload already has this email address" in duplicate.text
    too_long = client.post("/clients/new", data={**NEW_CLIENT, "name": "n" * 121})
    assert "120 characters" in too_long.text
    nul = client.post("/clients/new", data={**NEW_CLIENT, "name": "Ro\x00bin"})
    assert "control character" in nul.text


def test_extra_fields_change_nothing(client, auth, people):
    auth.login(people["counselor"])
    add_client(client, counselor_id=people["other_counselor"].id, role="admin", active="false")
    robin = db.session.scalars(select(User).where(User.email == "robin@example.org")).one()
    assert robin.role == "client" and robin.active
    assert robin.client.counselor_id == people["counselor"].id


def test_caseload_search_and_filters(client, auth, people):
    auth.login(people["counselor"])
    people["sam"].user.active = False
    db.session.commit()
    page = client.get("/clients/").text
    assert people["alex"].name in page and people["sam"].name in page
    assert people["jordan"].name not in page
    found = client.get("/clients/", query_string={"q": people["alex"].email}).text
    assert people["alex"].name in found and people["sam"].name not in found
    assert people["sam"].name in client.get("/clients/?status=inactive").text
    assert people["sam"].name not in client.get("/clients/?status=active").text
    assert "No clients match" in client.get("/clients/?q=%25_%5C").text


def test_other_counselors_clients_are_404_on_every_client_route(app, client, auth, people):
    auth.login(people["other_counselor"])
    alex = people["alex"]
    for method, url in (("GET", f"/clients/{alex.id}"), ("GET", f"/clients/{alex.id}/edit"),
                        ("POST", f"/clients/{alex.id}/edit"),
                        ("POST", f"/clients/{alex.id}/invitation"),
                        ("POST", f"/clients/{alex.id}/deactivate"),
                        ("GET", f"/clients/{alex.id}/access"), ("GET", "/clients/99999")):
        response = client.open(url, method=method, data={"name": "x", "email": "x@example.org"})
        assert response.status_code == 404, url
        assert alex.email not in response.text
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused")).all()
    assert len(refused) == 7 and all(e.actor_id == people["other_counselor"].id for e in refused)
    db.session.refresh(alex.user)
    assert alex.user.active and alex.user.name != "x"


def test_owner_counselor_sees_edits_and_deactivates(client, auth, people):
    auth.login(people["counselor"])
    alex = people["alex"]
    assert alex.email in client.get(f"/clients/{alex.id}").text
    response = client.post(f"/clients/{alex.id}/edit", data={"name": "Alex R.", "email":
                                                            alex.email, "pronouns": "he/him"})
    assert response.status_code == 302
    client.post(f"/clients/{alex.id}/deactivate")
    db.session.refresh(alex)
    db.session.refresh(alex.user)
    assert alex.user.name == "Alex R." and alex.pronouns == "he/him"
    assert not alex.user.active and alex.user.deactivated_at is not None
    auth.logout()
    refused = client.post("/sign-in", data={"email": alex.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert db.session.get(Client, alex.id) is not None, "records are kept"


def test_deactivation_ends_a_signed_in_clients_session(app, client, auth, people):
    alex_browser = app.test_client()
    alex_browser.post("/sign-in", data={"email": people["alex"].email, "password": PASSWORD})
    assert alex_browser.get("/my/").status_code == 200
    auth.login(people["counselor"])
    client.post(f"/clients/{people['alex'].id}/deactivate")
    assert alex_browser.get("/my/").status_code == 302


def test_access_history_for_counselor_and_client(app, client, auth, people):
    alex = people["alex"]
    auth.login(people["counselor"])
    client.get(f"/clients/{alex.id}")
    history = client.get(f"/clients/{alex.id}/access").text
    assert "You opened the client page" in history
    auth.logout()
    auth.login(alex.user)
    mine = client.get("/my/access").text
    assert people["counselor"].name + " (counselor) opened the client page" in mine


@pytest.mark.parametrize("role", ["alex", "sam"])
def test_clients_see_only_their_own_portal(client, auth, people, role):
    auth.login(people[role].user)
    page = client.get("/my/").text
    assert people[role].display_name in page
    other = people["sam" if role == "alex" else "alex"]
    assert other.display_name not in page


def test_a_new_clients_email_safety_is_set_before_the_invitation_is_emailed(client, auth, people):
    auth.login(people["counselor"])
    kept = {"name": "Robin Vale", "email": "robin@example.org", "mail_safety": "safe_address"}
    missing = client.post("/clients/new", data=kept)
    assert missing.status_code == 200 and "Enter the safe address" in missing.text
    assert 'value="robin@example.org"' in missing.text, "what was typed is kept"
    added = client.post("/clients/new", data={**kept, "safe_email": "robin.safe@example.net"})
    assert "emailed this link to robin.safe@example.net" in added.text
    robin = db.session.scalars(select(Client).join(Client.user).where(
        User.email == "robin@example.org")).one()
    assert (robin.mail_safety, robin.safe_email) == ("safe_address", "robin.safe@example.net")
    (invitation,) = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == robin.user_id)).all()
    assert (invitation.kind, invitation.to_address) == ("invitation", "robin.safe@example.net")

    quiet = client.post("/clients/new", data={"name": "Kit Lane", "email": "kit@example.org",
                                              "mail_safety": "none"})
    assert "has not emailed this link" in quiet.text
    kit = db.session.scalars(select(User).where(User.email == "kit@example.org")).one()
    assert not db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == kit.id)).all()
