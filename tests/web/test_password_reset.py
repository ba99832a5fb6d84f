"""Forgot password (issue 10, sign-in help): one page whatever the address, a single-use
link that expires in an hour, and a reset that signs out every other session
(SECURITY.md 2-4)."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from counsel.auth import invitations
from counsel.extensions import db
from counsel.models import AuditEvent, Invitation, OutboxMessage, utcnow
from counsel.serving import redact

from .. import factories
from ..conftest import PASSWORD

NEW = "a brand new sentence for my lock"


def reset_link(user) -> str:
    """The newest reset link queued for ``user``, as the email's text carries it."""
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.kind == "password_reset")
        .order_by(OutboxMessage.id.desc())).first()
    assert message is not None, "no reset message was queued"
    return re.search(r"https?://\S+/reset-password/[\w-]+", message.text_body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def ask(client, email):
    return client.post("/forgot-password", data={"email": email})


def _body(response, email):
    text = re.sub(r'(csrf[_-]token"? (?:content|value)=")[^"]+', r"\1", response.text)
    return text.replace(email, "EMAIL")


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_sign_in_page_links_to_forgot_password(client):
    page = client.get("/sign-in").text
    assert 'href="/forgot-password"' in page and "Forgot your password?" in page
    form = client.get("/forgot-password")
    assert form.status_code == 200 and "Email me a reset link" in form.text


def test_known_unknown_and_deactivated_addresses_get_the_same_answer(client, people):
    people["sam"].user.active = False
    db.session.commit()
    answers = {email: ask(client, email) for email in
               ("nobody@example.org", people["alex"].email, people["sam"].email)}
    statuses = {r.status_code for r in answers.values()}
    bodies = {_body(r, email) for email, r in answers.items()}
    assert statuses == {200} and len(bodies) == 1
    assert "Check your email" in answers["nobody@example.org"].text
    # Only the active account got a link and a message.
    db.session.expire_all()
    links = db.session.scalars(select(Invitation).where(Invitation.purpose == "reset")).all()
    assert [i.user_id for i in links] == [people["alex"].user_id]
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.to_address) for m in messages] == [("password_reset", "alex@example.org")]
    assert "60 minutes" in messages[0].text_body or "hour" in messages[0].text_body
    assert len(events("auth.reset_issue")) == 1 and len(events("auth.reset_request")) == 2
    assert events("auth.reset_issue")[0].client_id == people["alex"].id


def test_the_link_sets_a_password_once_and_signs_in(client, people):
    alex = people["alex"].user
    ask(client, alex.email)
    path = path_of(reset_link(alex))
    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.text
    done = client.post(path, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.location == "/my/"
    assert "Every other device has been signed out" in client.get("/my/").text
    assert events("auth.password_reset")[0].actor_id == alex.id
    # Used: the same page for a replay, GET or POST, as for any unknown link.
    for replay in (client.get(path), client.post(path, data={"password": NEW, "confirm": NEW}),
                   client.get("/reset-password/made-up-token")):
        assert replay.status_code == 404 and "This reset link can't be used" in replay.text
    client.post("/sign-out")
    assert client.post("/sign-in", data={"email": alex.email,
                                         "password": PASSWORD}).status_code == 200
    assert client.post("/sign-in", data={"email": alex.email,
                                         "password": NEW}).status_code == 302


def test_the_link_expires_after_an_hour(client, people):
    alex = people["alex"].user
    with time_machine.travel(utcnow(), tick=False) as traveller:
        ask(client, alex.email)
        path = path_of(reset_link(alex))
        traveller.shift(timedelta(minutes=59))
        assert client.get(path).status_code == 200
        traveller.shift(timedelta(minutes=2))
        late = client.post(path, data={"password": NEW, "confirm": NEW})
        assert late.status_code == 404 and "expire after 60 minutes" in late.text
    db.session.expire_all()
    assert alex.password_hash and client.post("/sign-in", data={
        "email": alex.email, "password": PASSWORD}).status_code == 302


def test_a_newer_link_replaces_the_older_one(client, people):
    alex = people["alex"].user
    ask(client, alex.email)
    first = path_of(reset_link(alex))
    ask(client, alex.email)
    second = path_of(reset_link(alex))
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_reset_signs_out_every_other_session(app, client, people):
    alex = people["alex"].user
    elsewhere = app.test_client()
    elsewhere.post("/sign-in", data={"email": alex.email, "password": PASSWORD})
    assert elsewhere.get("/my/").status_code == 200
    ask(client, alex.email)
    client.post(path_of(reset_link(alex)), data={"password": NEW, "confirm": NEW})
    assert client.get("/my/").status_code == 200
    signed_out = elsewhere.get("/my/")
    assert signed_out.status_code == 302 and signed_out.location.startswith("/sign-in")


def test_invitation_and_reset_links_do_not_stand_in_for_each_other(client, people):
    newcomer = factories.ClientFactory(counselor=people["counselor"], user__password_hash=None)
    db.session.commit()
    invitation = invitations.issue(people["counselor"], newcomer.user)
    db.session.commit()
    assert client.get(f"/reset-password/{invitation}").status_code == 404
    # Anyone may ask for a reset of the address: the open invitation stays usable.
    ask(client, newcomer.user.email)
    reset = path_of(reset_link(newcomer.user))
    assert client.get("/invitation/" + reset.rsplit("/", 1)[1]).status_code == 404
    assert client.get(f"/invitation/{invitation}").status_code == 200
    # Setting the password with one link ends the other.
    client.post(reset, data={"password": NEW, "confirm": NEW})
    client.post("/sign-out")
    assert client.get(f"/invitation/{invitation}").status_code == 404


def test_bad_input_gets_clear_messages_and_keeps_the_link(client, people):
    alex = people["alex"].user
    typo = ask(client, "alex at example")
    assert typo.status_code == 200 and "Enter an email address like" in typo.text
    assert 'value="alex at example"' in typo.text
    assert client.post("/forgot-password", data={}).status_code == 200
    ask(client, alex.email)
    path = path_of(reset_link(alex))
    for data, message in (({"password": "short", "confirm": "short"}, "at least 12"),
                          ({"password": NEW, "confirm": NEW + "!"}, "not the same"),
                          ({}, "Choose a password.")):
        response = client.post(path, data=data)
        assert response.status_code == 200 and message in response.text
    assert client.post(path, data={"password": NEW, "confirm": NEW}).status_code == 302


def test_asking_is_throttled_like_sign_in(client, people):
    answers = [ask(client, "nobody@example.org").status_code for _ in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429


def test_a_client_who_wants_no_email_gets_none_and_the_same_page(client, people):
    people["alex"].mail_safety = "none"
    db.session.commit()
    response = ask(client, people["alex"].email)
    assert response.status_code == 200 and "Check your email" in response.text
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_reset_and_unsubscribe_tokens_are_kept_out_of_logs():
    line = '"GET /reset-password/s3cret-TOKEN HTTP/1.1" "POST /unsubscribe/abc.def_1 HTTP/1.1"'
    assert redact(line) == ('"GET /reset-password/[redacted] HTTP/1.1" '
                            '"POST /unsubscribe/[redacted] HTTP/1.1"')


def test_counselors_and_admins_reset_too_and_land_on_their_home(client, people):
    for person, home in ((people["counselor"], "/dashboard/"), (people["admin"], "/admin/")):
        ask(client, person.email)
        done = client.post(path_of(reset_link(person)), data={"password": NEW, "confirm": NEW})
        assert done.status_code == 302 and done.location == home
        client.post("/sign-out")
