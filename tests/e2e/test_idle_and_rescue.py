"""Signed out mid-writing, in a browser: the "not saved yet" page labels the text with its
prompts and signing in again puts it back in the boxes; the warning before an idle
sign-out, "Stay signed in", and unsaved writing sent before the sign-out happens."""

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from counsel.auth import sessions
from counsel.extensions import db
from counsel.models import LoginSession, utcnow

from .. import factories
from .test_journey_letter import draft_answers

pytestmark = pytest.mark.browser_only

WORDS = "I am sorry I missed the dinner, and the one before it."


def wait_for(page, check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(250)


def sign_out_on_the_server(user):
    sessions.end_all(user)
    db.session.commit()


def test_signing_in_again_puts_the_rescued_writing_back(live_app, live_url, page, sign_in,
                                                         a11y):
    alex = factories.ClientFactory(user__email="alex@example.org")
    work = factories.AssignmentFactory(client=alex)
    db.session.commit()
    sign_in(page, alex.email)
    page.goto(f"{live_url}/my/assignments/{work.id}")
    sign_out_on_the_server(alex.user)  # say, 15 minutes without activity
    page.get_by_label("1. What happened?").fill(WORDS)
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("heading", name="You were signed out before this was saved")) \
        .to_be_visible()
    expect(page.get_by_label("1. What happened?")).to_have_value(WORDS)
    expect(page.get_by_text("Sign in again and your writing will be back in the boxes")) \
        .to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email address").fill(alex.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/my/assignments/{work.id}")
    expect(page.get_by_label("1. What happened?")).to_have_value(WORDS)
    wait_for(page, lambda: draft_answers(work.id) == [WORDS, ""])
    a11y.check(page)


def test_a_counselor_form_fills_itself_back_in_after_signing_in(live_app, live_url, page,
                                                               sign_in, a11y):
    counselor = factories.CounselorFactory(email="counselor@example.org")
    db.session.commit()
    sign_in(page, counselor.email)
    page.goto(f"{live_url}/library/new")
    sign_out_on_the_server(counselor)
    page.get_by_label("Title").fill("Letters never sent")
    page.get_by_label("Purpose").fill("To say it on paper first")
    page.get_by_role("button", name="Save exercise").click()

    expect(page.get_by_label("Title")).to_have_value("Letters never sent")
    expect(page.get_by_label("Purpose")).to_have_value("To say it on paper first")
    a11y.check(page)
    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email address").fill(counselor.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/library/new")
    expect(page.get_by_role("status").filter(has_text="back in this form")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Letters never sent")
    expect(page.get_by_label("Purpose")).to_have_value("To say it on paper first")
    a11y.check(page)


def short_idle(app):
    """A 15 s idle limit whose warning comes 10 s before the end."""
    app.config.update(IDLE_TIMEOUT_MINUTES=0.25, IDLE_WARNING_SECONDS=10)


def test_the_idle_warning_and_stay_signed_in(live_app, live_url, page, sign_in, a11y):
    short_idle(live_app)
    counselor = factories.CounselorFactory(email="counselor@example.org")
    db.session.commit()
    sign_in(page, counselor.email)
    dialog = page.get_by_role("alertdialog", name="Are you still there?")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=12_000)
    button = dialog.get_by_role("button", name="Stay signed in")
    expect(button).to_be_focused()
    a11y.check(page)
    clicked = utcnow()
    button.click()
    expect(dialog).to_be_hidden()
    db.session.expire_all()
    seen = db.session.scalars(select(LoginSession.last_seen_at)
                              .where(LoginSession.user_id == counselor.id)).one()
    db.session.rollback()
    assert seen >= clicked.replace(microsecond=0)
    page.wait_for_timeout(8_000)  # past the first 15 s: still signed in
    page.reload()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_unsaved_writing_is_sent_before_an_idle_sign_out(live_app, live_url, page, sign_in,
                                                         a11y):
    short_idle(live_app)
    alex = factories.ClientFactory(user__email="alex@example.org")
    work = factories.AssignmentFactory(client=alex)
    db.session.commit()
    sign_in(page, alex.email)
    page.goto(f"{live_url}/my/assignments/{work.id}")
    # Text the autosave timer has not sent yet (set without typing, so no timer runs and
    # nothing counts as activity): only the sign-out's own save can send it.
    page.evaluate("""(words) => { document.querySelector("textarea[name='answers-0']").value
                                  = words; }""", WORDS)
    expect(page.get_by_role("alertdialog")).to_be_visible(timeout=12_000)
    a11y.check(page)
    page.wait_for_url("**/sign-in?next=*", timeout=40_000)
    assert draft_answers(work.id) == [WORDS, ""]
    assert f"next=%2Fmy%2Fassignments%2F{work.id}" in page.url
    expect(page.get_by_text("You were signed out after")).to_be_visible()
    a11y.check(page)
