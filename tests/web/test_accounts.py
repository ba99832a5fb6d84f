"""Accounts (issue 6, section 4): password rules on the page, invitation links ending
other sessions, and adding a client without learning who else has an account."""

import re

from ..conftest import PASSWORD


def _invitation_for(client, person) -> str:
    page = client.post(f"/clients/{person.id}/invitation").text
    return re.search(r'value="http://localhost(/invitation/[^"]+)"', page).group(1)


def test_weak_passwords_are_refused_on_the_invitation_page_with_advice(client, auth, people):
    auth.login(people["counselor"])
    link = _invitation_for(client, people["alex"])
    auth.logout()
    for password, advice in (("123456789012", "too common"),
                             ("passwordpassword", "too common"),
                             ("qwertyqwerty", "too common"),
                             ("Password1234!", "similar to a commonly used password")):
        page = client.post(link, data={"password": password, "confirm": password})
        assert page.status_code == 200, password
        assert advice in page.text, password
        assert 'class="error"' in page.text
    accepted = client.post(link, data={"password": "sunlight over quiet water",
                                       "confirm": "sunlight over quiet water"})
    assert accepted.status_code == 302 and accepted.location == "/my/"


def test_accepting_an_invitation_ends_every_other_session(app, client, auth, people):
    alex = people["alex"]
    old_device = app.test_client()
    old_device.post("/sign-in", data={"email": alex.email, "password": PASSWORD})
    assert old_device.get("/my/").status_code == 200
    copied_cookie = old_device.get_cookie("counsel_session").value

    auth.login(people["counselor"])
    link = _invitation_for(client, alex)
    auth.logout()
    new_device = app.test_client()
    new = "sunlight over quiet water"
    assert new_device.post(link, data={"password": new, "confirm": new}).status_code == 302

    assert new_device.get("/my/").status_code == 200, "the new session works"
    response = old_device.get("/my/")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    replay = app.test_client()
    replay.set_cookie("counsel_session", copied_cookie)
    assert replay.get("/my/").status_code == 302
