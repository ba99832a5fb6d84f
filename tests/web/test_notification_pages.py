"""Each person's email choices, the one-click unsubscribe link, and a client's email
safety setting (issue 10): saved from the pages, honoured by outbox.queue(), audited."""

import re

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, MailPreference, OutboxMessage
from counsel.notifications import kinds, outbox, tokens

from ..conftest import PASSWORD, csrf_token_from

PORTAL = {"portal_url": "http://127.0.0.1:5000/my/"}
CLIENT_CHOICES = {"assignment_new": "on", "review_sent": "on", "work_due": "on",
                  "work_overdue": "on", "session_reminder": "on", "checkin_due": "on",
                  "mail_safety": "normal",
                  "safe_email": ""}


def prefs(user) -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(MailPreference.kind, MailPreference.setting)
                                   .where(MailPreference.user_id == user.id)).all())


def events(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def queued(name, user):
    message = outbox.queue(name, user, context=PORTAL)
    db.session.commit()
    return message


def chosen_input(html: str, name: str, value: str) -> str:
    """The radio input of that name and value, as rendered."""
    inputs = re.findall(r"<input[^>]*>", html)
    return next(i for i in inputs if f'name="{name}"' in i and f'value="{value}"' in i)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- the preferences page ------------------------------------------------------------------

def test_a_client_chooses_and_queue_honours_it(client, auth, people):
    alex = people["alex"].user
    auth.login(alex)
    page = client.get("/account/notifications")
    assert page.status_code == 200
    for kind in kinds.for_role("client"):
        assert (kind.label in page.text) == kind.optional
    assert "daily digest" not in page.text  # no client kind offers it
    saved = client.post("/account/notifications",
                        data=CLIENT_CHOICES | {"assignment_new": "off", "work_due": "off"},
                        follow_redirects=True)
    assert "Your email choices are saved" in saved.text
    assert prefs(alex) == {"assignment_new": "off", "work_due": "off"}
    assert queued("assignment_new", alex) is None
    assert queued("work_due", alex) is None
    assert queued("review_sent", alex).to_address == alex.email
    row = events("mail.preferences")[0]
    assert (row.actor_id, row.client_id, row.detail) == (alex.id, people["alex"].id,
                                                         "assignment_new, work_due")
    # Turning it back on sends again.
    client.post("/account/notifications", data=CLIENT_CHOICES)
    assert prefs(alex) == {"assignment_new": "on", "work_due": "on"}
    assert queued("assignment_new", alex) is not None


def test_a_counselor_can_take_work_submitted_in_the_digest(client, auth, people):
    counselor = people["counselor"]
    auth.login(counselor)
    page = client.get("/account/notifications").text
    assert "Put it in my daily digest" in page and "When a client sends you work" in page
    assert "Your email safety" not in page
    response = client.post("/account/notifications",
                           data={"work_submitted": "digest", "daily_digest": "off"})
    assert response.status_code == 302
    assert prefs(counselor) == {"work_submitted": "digest", "daily_digest": "off"}
    assert queued("work_submitted", counselor) is None
    assert queued("daily_digest", counselor) is None
    assert outbox.setting(kinds.kind("work_submitted"), counselor) == "digest"


def test_digest_is_not_offered_where_a_kind_has_none(client, auth, people):
    auth.login(people["counselor"])
    refused = client.post("/account/notifications",
                          data={"work_submitted": "on", "daily_digest": "digest"})
    assert refused.status_code == 422
    assert "Choose one of the options: nothing was changed." in refused.text
    assert prefs(people["counselor"]) == {}


def test_bad_choices_are_refused_in_words_and_nothing_typed_is_lost(client, auth, people):
    alex = people["alex"].user
    auth.login(alex)
    refused = client.post("/account/notifications", data=CLIENT_CHOICES | {
        "assignment_new": "maybe", "review_sent": "off", "mail_safety": "safe_address",
        "safe_email": "not an address"})
    assert refused.status_code == 422
    assert "Choose one of the options: nothing was changed." in refused.text
    assert "Enter an email address like name@example.com." in refused.text
    assert 'value="not an address"' in refused.text
    assert "checked" in chosen_input(refused.text, "review_sent", "off")
    missing = client.post("/account/notifications", data=CLIENT_CHOICES | {
        "mail_safety": "safe_address"})
    assert "Enter the safe address, or choose another option." in missing.text
    empty = client.post("/account/notifications", data={})
    assert empty.status_code == 422 and "Choose where your email may go." in empty.text
    assert prefs(alex) == {}
    db.session.expire_all()
    assert people["alex"].mail_safety == "normal"


def test_an_admin_is_told_there_is_nothing_to_choose(client, auth, people):
    auth.login(people["admin"])
    page = client.get("/account/notifications")
    assert page.status_code == 200 and "Admin accounts get no notification emails" in page.text
    assert client.post("/account/notifications", data={"daily_digest": "off"}).status_code == 200
    assert prefs(people["admin"]) == {}
    assert "Email notifications" not in client.get("/admin/").text


@pytest.mark.parametrize("who", ["counselor", "client"])
def test_the_menu_links_to_the_page(client, auth, people, who):
    auth.login(people["counselor"] if who == "counselor" else people["alex"].user)
    home = client.get("/dashboard/" if who == "counselor" else "/my/").text
    assert 'href="/account/notifications">Email notifications' in home


# --- email safety -----------------------------------------------------------------------------

def test_a_client_wanting_no_email_gets_none_at_once(client, auth, people):
    alex = people["alex"].user
    waiting = queued("review_sent", alex)
    auth.login(alex)
    page = client.get("/account/notifications").text
    assert "takes effect at once" in page and "never hold details of your work" in page
    client.post("/account/notifications", data=CLIENT_CHOICES | {"mail_safety": "none"})
    db.session.expire_all()
    assert people["alex"].mail_safety == "none"
    for kind in kinds.for_role("client"):
        assert queued(kind.name, alex) is None, kind.name
    withdrawn = db.session.get(OutboxMessage, waiting.id)
    assert withdrawn.status == "failed" and withdrawn.text_body is None
    assert events("client.mail_safety")[0].detail == "none"


def test_a_safe_address_gets_every_message(client, auth, people):
    alex = people["alex"].user
    waiting = queued("review_sent", alex)
    auth.login(alex)
    client.post("/account/notifications", data=CLIENT_CHOICES | {
        "mail_safety": "safe_address", "safe_email": " Safe.Place@Example.NET "})
    db.session.expire_all()
    assert (people["alex"].mail_safety, people["alex"].safe_email) == (
        "safe_address", "safe.place@example.net")
    assert queued("assignment_new", alex).to_address == "safe.place@example.net"
    assert db.session.get(OutboxMessage, waiting.id).to_address == "safe.place@example.net"
    # Back to normal: the address the client signs in with, and no safe address kept.
    client.post("/account/notifications", data=CLIENT_CHOICES)
    db.session.expire_all()
    assert people["alex"].safe_email is None
    assert queued("work_due", alex).to_address == alex.email


def test_the_counselor_sets_a_clients_email_safety(client, auth, people):
    counselor, alex = people["counselor"], people["alex"]
    auth.login(counselor)
    show = client.get(f"/clients/{alex.id}").text
    assert "Email to their sign-in address" in show
    assert f'href="/clients/{alex.id}/email-safety"' in show
    form = client.get(f"/clients/{alex.id}/email-safety")
    assert form.status_code == 200 and "never hold details of their work" in form.text
    refused = client.post(f"/clients/{alex.id}/email-safety", data={"mail_safety": "nobody"})
    assert refused.status_code == 422 and "nothing was changed" in refused.text
    done = client.post(f"/clients/{alex.id}/email-safety", data={"mail_safety": "none"},
                       follow_redirects=True)
    assert "It applies at once" in done.text and "No email at all" in done.text
    db.session.expire_all()
    assert alex.mail_safety == "none"
    assert queued("assignment_new", alex.user) is None
    row = events("client.mail_safety")[0]
    assert (row.actor_id, row.client_id, row.detail) == (counselor.id, alex.id, "none")
    # The client sees it on their own page.
    client.post("/sign-out")
    auth.login(alex.user)
    page = client.get("/account/notifications").text
    assert "checked" in chosen_input(page, "mail_safety", "none")


def test_another_counselor_cannot_see_or_change_it(client, auth, people):
    auth.login(people["other_counselor"])
    url = f"/clients/{people['alex'].id}/email-safety"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"mail_safety": "none"}).status_code == 404
    db.session.expire_all()
    assert people["alex"].mail_safety == "normal"


# --- unsubscribe --------------------------------------------------------------------------

def unsubscribe_path(user, name):
    return path_of(tokens.unsubscribe_url(user, kinds.kind(name)))


def test_every_optional_message_carries_its_unsubscribe_link(people):
    message = queued("assignment_new", people["alex"].user)
    link = re.search(r"To stop emails like this one: (\S+)", message.text_body).group(1)
    assert path_of(link) == unsubscribe_path(people["alex"].user, "assignment_new")


def test_unsubscribe_works_without_signing_in(client, people):
    alex, sam = people["alex"].user, people["sam"].user
    path = unsubscribe_path(alex, "review_sent")
    asked = client.get(path)
    assert asked.status_code == 200
    assert kinds.kind("review_sent").label in asked.text and "Stop these emails" in asked.text
    assert prefs(alex) == {} and events("mail.unsubscribe") == []  # a GET changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "these emails are stopped" in done.text
    assert 'href="/account/notifications"' in done.text
    assert prefs(alex) == {"review_sent": "off"} and prefs(sam) == {}
    assert queued("review_sent", alex) is None
    assert queued("assignment_new", alex) is not None
    assert queued("review_sent", sam) is not None
    row = events("mail.unsubscribe")[0]
    assert (row.actor_id, row.client_id, row.detail) == (alex.id, people["alex"].id,
                                                         "review_sent")
    assert client.post(path).status_code == 200  # twice is fine
    assert prefs(alex) == {"review_sent": "off"}


def test_unsubscribe_needs_a_csrf_token_like_every_form(app, people):
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    path = unsubscribe_path(people["alex"].user, "work_due")
    page = browser.get(path)
    assert browser.post(path).status_code == 400
    assert prefs(people["alex"].user) == {}
    token = csrf_token_from(page.text)
    assert browser.post(path, data={"csrf_token": token}).status_code == 200
    assert prefs(people["alex"].user) == {"work_due": "off"}


def test_forged_and_unknown_links_get_a_clear_404(client, people):
    alex = people["alex"].user
    good = unsubscribe_path(alex, "review_sent")
    forged = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    from itsdangerous import URLSafeSerializer

    other_key = URLSafeSerializer("not the secret", salt=tokens.SALT).dumps([alex.id,
                                                                           "review_sent"])
    nobody = tokens.unsubscribe_token(type(alex)(id=987654), kinds.kind("review_sent"))
    required = tokens.unsubscribe_token(alex, kinds.kind("password_reset"))
    for path in (forged, "/unsubscribe/" + other_key, "/unsubscribe/" + nobody,
                 "/unsubscribe/" + required, "/unsubscribe/x"):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 404, path
            assert "This unsubscribe link doesn't work" in response.text
    assert prefs(alex) == {}


def test_a_signed_in_person_sees_their_choice_after_unsubscribing(client, auth, people):
    alex = people["alex"].user
    client.post(unsubscribe_path(alex, "session_reminder"))
    client.post("/sign-in", data={"email": alex.email, "password": PASSWORD})
    page = client.get("/account/notifications").text
    assert "checked" in chosen_input(page, "session_reminder", "off")
