"""The stage pathway in a browser: the counselor (desktop) locks the Apology stage for
Alex; Alex (on a phone) sees the letter on their pathway and its page, but cannot start
it; the counselor opens the stage; Alex starts the letter. axe-core on every page."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Assignment
from counsel.models.progress import StageSetting

from .. import factories
from .conftest import PHONE

AUTOSAVE = 15_000


def test_a_locked_stage_is_seen_but_not_started_until_the_counselor_opens_it(
        live_app, live_url, browser, sign_in, a11y):
    counselor = factories.CounselorFactory(email="counselor@example.org")
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.org",
                                   user__name="Alex Reyes")
    story = factories.ExerciseFactory(owner=counselor, stage="understanding",
                                      title="Your story")
    letter_exercise = factories.ExerciseFactory(owner=counselor, stage="apology",
                                                title="The apology letter")
    factories.AssignmentFactory(client=alex, exercise=story, _status="completed")
    letter = factories.AssignmentFactory(client=alex, exercise=letter_exercise)
    db.session.commit()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, counselor.email)
    a11y.check(desk)
    desk.goto(f"{live_url}/clients/{alex.id}")
    a11y.check(desk)
    desk.get_by_role("link", name="Stage pathway").click()
    expect(desk.get_by_role("heading", name="Stage pathway: Alex Reyes")).to_be_visible()
    expect(desk.get_by_text("Current stage: Apology")).to_be_visible()
    a11y.check(desk)
    apology = desk.locator("#stage-apology")
    apology.get_by_text("Lock Apology").click()
    apology.get_by_label("Locked: I open it by hand").check()
    apology.get_by_role("button", name="Save Apology").click()
    expect(desk.get_by_text("Apology is locked for")).to_be_visible()
    expect(desk.locator("#stage-apology .badge", has_text="Locked")).to_be_visible()
    a11y.check(desk)

    phone = browser.new_context(viewport=PHONE).new_page()
    sign_in(phone, alex.user.email)
    expect(phone.get_by_text("Apology has not opened yet")).to_be_visible()
    a11y.check(phone)
    phone.get_by_role("link", name=re.compile("My pathway")).click()
    expect(phone.get_by_text("You are in the Apology stage.")).to_be_visible()
    expect(phone.get_by_text("cannot be started yet")).to_be_visible()
    a11y.check(phone)
    phone.get_by_role("link", name="The apology letter").click()
    expect(phone.get_by_role("heading", name="The Apology stage is not open yet")) \
        .to_be_visible()
    expect(phone.get_by_text("Opens when your counselor unlocks it.")).to_be_visible()
    answer = phone.get_by_label("1. What happened?")
    expect(answer).to_have_attribute("readonly", "")
    expect(phone.get_by_role("button", name=re.compile("Submit"))).to_have_count(0)
    a11y.check(phone)

    apology = desk.locator("#stage-apology")
    apology.get_by_text("Open or change the lock on Apology").click()
    apology.get_by_label("Open: the client can start its work").check()
    apology.get_by_role("button", name="Save Apology").click()
    expect(desk.get_by_text("Apology is open for")).to_be_visible()
    a11y.check(desk)
    assert not db.session.scalars(select(StageSetting).where(StageSetting.locked)).all()

    phone.reload()
    expect(phone.get_by_role("heading", name="The Apology stage is not open yet")) \
        .to_have_count(0)
    answer = phone.get_by_label("1. What happened?")
    answer.fill("I broke a promise, and I want to say so plainly.")
    expect(phone.locator("[data-save-status]")).to_have_text(re.compile(r"^Saved at "),
                                                             timeout=AUTOSAVE)
    a11y.check(phone)
    db.session.expire_all()
    saved = db.session.get(Assignment, letter.id)
    assert saved.status == "in_progress"
    assert saved.draft.answers[0] == "I broke a promise, and I want to say so plainly."
    assert len(a11y.checked) >= 9
