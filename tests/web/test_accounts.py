"""Accounts (issue 6, section 4): password rules on the page, invitation links ending
other sessions, and adding a client without learning who else has an account."""

import re

from sqlalchemy import func, select

from counsel.extensions import db
from counsel.models import AuditEvent, User

from .. import factories
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


# The page's CSRF token (in its meta tag and in the header's sign-out form) is signed with
# the current second, so two answers a second apart differ there and nowhere else.
CSRF_META = re.compile(r'<meta name="csrf-token" content="[^"]*">|'
                       r'<input type="hidden" name="csrf_token" value="[^"]*">')
NEW_CLIENT = {"name": "Robin Park", "preferred_name": "Rob", "phone": "+44 20 7946 0000"}


IDLE_LEFT = re.compile(r'data-idle-remaining="[^"]*"')


def _without_noise(html: str, email: str) -> str:
    """The page less what differs by request alone: the address typed, the CSRF token
    (signed with the current second) and the seconds left before an idle sign-out."""
    return IDLE_LEFT.sub("", CSRF_META.sub("", html.replace(email, "EMAIL")))


def _people_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_adding_someone_elses_email_says_the_same_for_every_account(client, auth, people):
    extra = factories.ClientFactory(counselor=people["other_counselor"],
                                    user__email="gone@example.org", user__active=False)
    db.session.commit()
    before = _people_count()
    auth.login(people["counselor"])
    taken = {"another counselor's client": people["jordan"].email,
             "a counselor": people["other_counselor"].email,
             "the counselor themself": people["counselor"].email,
             "the admin": people["admin"].email,
             "a deactivated client": extra.email}
    bodies = {}
    for who, email in taken.items():
        response = client.post("/clients/new", data={**NEW_CLIENT, "email": email.upper()})
        assert response.status_code == 200, who
        assert "cannot be used for a client" in response.text, who
        assert 'value="+44 20 7946 0000"' in response.text, "what was typed is kept"
        bodies[who] = _without_noise(response.text, email)
    assert len(set(bodies.values())) == 1, "one answer for every existing account"
    page = bodies["another counselor's client"]
    for person in (people["jordan"], people["other_counselor"], people["admin"], extra):
        assert person.name not in page
    for leak in ("counselor's client", "admin account", "already has an account", "staff"):
        assert leak not in page
    assert _people_count() == before, "no duplicate account"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "client.create")) == 0


def test_editing_a_client_to_someone_elses_email_gets_the_same_answer(client, auth, people):
    auth.login(people["counselor"])
    alex = people["alex"]
    answers = []
    for email in (people["jordan"].email, people["admin"].email):
        response = client.post(f"/clients/{alex.id}/edit", data={"name": alex.name,
                                                                 "email": email})
        assert response.status_code == 200
        answers.append(_without_noise(response.text, email))
    assert answers[0] == answers[1] and "cannot be used for a client" in answers[0]
    own = client.post(f"/clients/{alex.id}/edit", data={"name": alex.name,
                                                       "email": people["sam"].email})
    assert "A client on your caseload already has this email address" in own.text
    kept = client.post(f"/clients/{alex.id}/edit", data={"name": "Alex R.", "email": alex.email})
    assert kept.status_code == 302
    db.session.refresh(alex.user)
    assert alex.user.email == "alex@example.org"


def test_a_fresh_email_is_still_added(client, auth, people):
    auth.login(people["counselor"])
    response = client.post("/clients/new", data={**NEW_CLIENT, "email": "robin@example.org"})
    assert response.status_code == 200 and "/invitation/" in response.text
    robin = db.session.scalars(select(User).where(User.email == "robin@example.org")).one()
    assert robin.client.counselor_id == people["counselor"].id


def test_an_address_taken_between_the_check_and_the_save_is_a_message_not_a_500(
        client, auth, people, monkeypatch):
    """Two counselors adding the same address at the same moment both pass the form's check;
    the unique email stops the second at the save. Played here by skipping the check."""
    monkeypatch.setattr("counsel.clients.forms.email_problem", lambda *a, **k: None)
    auth.login(people["counselor"])
    before = _people_count()
    added = client.post("/clients/new", data={**NEW_CLIENT, "email": people["jordan"].email})
    assert added.status_code == 200
    assert "cannot be used for a client" in added.text
    assert 'value="+44 20 7946 0000"' in added.text, "what was typed is kept"
    edited = client.post(f"/clients/{people['alex'].id}/edit",
                         data={"name": "Alex R.", "email": people["sam"].email})
    assert edited.status_code == 200
    assert "A client on your caseload already has this email address" in edited.text
    assert 'value="Alex R."' in edited.text
    assert _people_count() == before
    db.session.expire_all()
    assert people["alex"].email == "alex@example.org"
