"""The admin's way out of dead ends: a new invitation (or reset) link for a counselor, and
moving a deactivated counselor's clients to another counselor. Names and counts only."""

import re

import pytest
from sqlalchemy import select

from counsel.assignments import operations
from counsel.extensions import db
from counsel.models import AuditEvent, Client

from ..factories import AssignmentFactory, ClientFactory

SECRET_WORDS = "I never told anyone about the letter"


def link_in(html: str) -> str:
    """The path of the link shown on an invitation page, whatever host it is built on."""
    return re.search(r'id="invitation-link"[^>]*value="https?://[^/"]+(/[^"]+)"', html).group(1)


def test_admin_makes_a_new_link_for_a_counselor_and_the_old_one_stops_working(client, auth,
                                                                               people):
    auth.login(people["admin"])
    counselor = people["other_counselor"]
    first = link_in(client.post(f"/admin/counselors/{counselor.id}/invitation").text)
    page = client.post(f"/admin/counselors/{counselor.id}/invitation")
    assert page.status_code == 200
    assert "Password reset link for " + counselor.name in page.text
    assert "Earlier links no longer work" in page.text
    second = link_in(page.text)
    assert first != second
    auth.logout()
    assert client.get(first).status_code == 404
    reset = client.get(second)
    assert reset.status_code == 200 and "Choose a new password" in reset.text
    new_password = "a brand new counselor password"
    done = client.post(second, data={"password": new_password, "confirm": new_password})
    assert done.status_code == 302 and done.location == "/dashboard/"


def test_the_admin_list_offers_the_link_and_counts_clients(client, auth, people):
    auth.login(people["admin"])
    page = client.get("/admin/").text
    assert f'action="/admin/counselors/{people["counselor"].id}/invitation"' in page
    assert "Send a password reset link" in page
    assert '<td data-label="Clients">2</td>' in page  # counselor has Alex and Sam


def test_a_deactivated_counselor_gets_no_new_link(client, auth, people):
    auth.login(people["admin"])
    counselor = people["other_counselor"]
    client.post(f"/admin/counselors/{counselor.id}/deactivate")
    response = client.post(f"/admin/counselors/{counselor.id}/invitation")
    assert response.status_code == 302
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "invitation.issue")).all() == []


@pytest.mark.parametrize("path", ["invitation", "clients"])
def test_the_new_admin_routes_find_only_counselors(client, auth, people, path):
    auth.login(people["admin"])
    for user in (people["alex"].user, people["admin"]):
        assert client.post(f"/admin/counselors/{user.id}/{path}").status_code == 404
        assert client.get(f"/admin/counselors/{user.id}/clients").status_code == 404


@pytest.mark.parametrize("role", ["counselor", "client"])
def test_other_roles_cannot_use_the_new_admin_routes(client, auth, people, role):
    auth.login(people["counselor"] if role == "counselor" else people["alex"].user)
    target = people["other_counselor"].id
    assert client.post(f"/admin/counselors/{target}/invitation").status_code == 403
    assert client.get(f"/admin/counselors/{target}/clients").status_code == 403
    moved = client.post(f"/admin/counselors/{target}/clients",
                        data={"clients": [people["jordan"].id],
                              "to_counselor": people["counselor"].id})
    assert moved.status_code == 403
    db.session.refresh(people["jordan"])
    assert people["jordan"].counselor_id == target


def test_anonymous_people_are_sent_to_sign_in(client, people):
    target = people["other_counselor"].id
    for method in ("GET", "POST"):
        response = client.open(f"/admin/counselors/{target}/clients", method=method)
        assert response.status_code == 302 and response.location.startswith("/sign-in")


@pytest.fixture
def leaving(people):
    """The counselor with Alex and Sam leaves; Alex has written something."""
    work = AssignmentFactory(client=people["alex"])
    operations.save_draft(people["alex"].user, work, [SECRET_WORDS, ""], 0)
    people["counselor"].active = False
    db.session.commit()
    return work


def test_admin_moves_some_clients_and_sees_no_clinical_content(client, auth, people, leaving):
    auth.login(people["admin"])
    source, target = people["counselor"], people["other_counselor"]
    index = client.get("/admin/").text
    assert f'href="/admin/counselors/{source.id}/clients"' in index
    page = client.get(f"/admin/counselors/{source.id}/clients")
    assert page.status_code == 200
    assert people["alex"].name in page.text and people["sam"].name in page.text
    assert SECRET_WORDS not in page.text and leaving.title not in page.text
    assert page.text.count("checked") == 2  # everyone is chosen to begin with

    response = client.post(f"/admin/counselors/{source.id}/clients",
                           data={"clients": [people["alex"].id], "to_counselor": target.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert people["alex"].counselor_id == target.id
    assert people["sam"].counselor_id == source.id
    assert leaving.counselor_id == source.id  # who assigned the work stays on record
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "client.transfer")).all()
    assert [(r.client_id, r.actor_id) for r in rows] == [(people["alex"].id,
                                                          people["admin"].id)]
    assert rows[0].detail == f"from counselor {source.id} to counselor {target.id}"

    auth.logout()
    auth.login(target)
    assert client.get(f"/clients/{people['alex'].id}").status_code == 200
    assert client.get(f"/assignments/{leaving.id}").status_code == 200
    assert client.get(f"/clients/{people['sam'].id}").status_code == 404

    auth.logout()
    auth.login(people["alex"].user)
    work = client.get(f"/my/assignments/{leaving.id}").text
    assert f"Submit to {target.name}" in work  # the work goes to whoever has the case now


def test_a_move_needs_a_choice_and_a_valid_active_target(client, auth, people, leaving):
    auth.login(people["admin"])
    source = people["counselor"]
    url = f"/admin/counselors/{source.id}/clients"
    nobody = client.post(url, data={"to_counselor": people["other_counselor"].id})
    assert nobody.status_code == 200 and "Choose at least one client" in nobody.text
    for bad_target in (source.id, people["admin"].id, people["alex"].user.id):
        response = client.post(url, data={"clients": [people["alex"].id],
                                          "to_counselor": bad_target})
        assert response.status_code == 200 and "Not a valid choice" in response.text
    stranger = client.post(url, data={"clients": [people["jordan"].id],
                                      "to_counselor": people["other_counselor"].id})
    assert stranger.status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Client.counselor_id)).all().count(source.id) == 2
    assert people["jordan"].counselor_id == people["other_counselor"].id


def test_an_active_counselors_clients_are_not_moved(client, auth, people):
    auth.login(people["admin"])
    source = people["counselor"]
    page = client.get(f"/admin/counselors/{source.id}/clients")
    assert "Deactivate their account first" in page.text
    client.post(f"/admin/counselors/{source.id}/clients",
                data={"clients": [people["alex"].id],
                      "to_counselor": people["other_counselor"].id})
    db.session.expire_all()
    assert people["alex"].counselor_id == source.id


def test_the_client_page_offers_a_password_reset_link(client, auth, people):
    auth.login(people["counselor"])
    alex = people["alex"]
    page = client.get(f"/clients/{alex.id}").text
    assert "Send a password reset link" in page and "Create a new invitation link" not in page
    result = client.post(f"/clients/{alex.id}/invitation").text
    assert "<h1>Password reset link</h1>" in result
    assert "Password reset link for " + alex.display_name in result


def test_the_move_page_runs_the_same_statements_for_any_caseload(client, auth, people):
    """Names come with their clients in one statement, not one statement per client."""
    from .test_query_counts import counting

    leaving = people["counselor"]
    leaving.active = False
    db.session.commit()
    auth.login(people["admin"])
    url = f"/admin/counselors/{leaving.id}/clients"

    def statements() -> int:
        db.session.expire_all()
        with counting() as run:
            assert client.get(url).status_code == 200
        return len(run)

    few = statements()  # Alex and Sam
    for _ in range(8):
        ClientFactory(counselor=leaving)
    db.session.commit()
    assert statements() == few
