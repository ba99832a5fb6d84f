"""The no-contact tracker in a browser (issue 11): the counselor assigns "A period of space"
with a period that began two days ago; the client, on a phone, checks in for the two days
before (marked late) and today, breaks it today, sees the streak go back to nought and
writes a short reflection; a refused check-in (no urge chosen) keeps the note typed. The
counselor sees the broken day on the dashboard and the streak on the pathway and the
assignment page. The writing is then submitted, reviewed and accepted, and the period still
takes check-ins. axe-core on every page visited. Runs on SQLite and PostgreSQL."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from counsel import checkins
from counsel.extensions import db
from counsel.library.loader import sync_library
from counsel.models import Assignment, TrackerDay

from .. import factories
from .conftest import PHONE


def _summary(page) -> dict[str, str]:
    box = page.locator(".tracker-summary").first
    return dict(zip(box.locator("dt").all_inner_texts(), box.locator("dd").all_inner_texts(),
                    strict=True))


def _check_in(phone, day, outcome, urge, note=""):
    form = phone.locator("form.tracker-checkin")
    form.get_by_label("The day this check-in is for").fill(day.isoformat())
    form.get_by_label(outcome, exact=True).check()
    if urge is not None:
        form.get_by_role("group", name="How strong was the urge to reach out?") \
            .get_by_label(str(urge), exact=True).check()
    if note:
        form.get_by_label("A short note (optional)").fill(note)
    form.get_by_role("button", name="Save").click()
    phone.wait_for_load_state()


def test_a_client_checks_in_breaks_it_and_both_see_the_streak_reset(
        live_app, live_url, browser, sign_in, a11y):
    counselor = factories.CounselorFactory(email="counselor@example.org", name="Dr Mara Quinn")
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.org",
                                   user__name="Alex Rivers")
    sync_library()
    db.session.commit()
    today = checkins.client_today(alex)
    start = today - timedelta(days=2)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, counselor.email)
    desk.goto(f"{live_url}/clients/{alex.id}")
    desk.get_by_role("link", name="Assign an exercise").click()
    expect(desk.get_by_role("heading", name="Assign an exercise")).to_be_visible()
    a11y.check(desk)
    desk.get_by_label("Exercise").select_option(label="A period of space")
    desk.get_by_label("Start date of the period (optional)").fill(start.isoformat())
    desk.get_by_label("Planned length in days").fill("30")
    desk.get_by_role("button", name="Assign").click()
    expect(desk.get_by_text("is assigned to Alex Rivers")).to_be_visible()
    a11y.check(desk)
    work = db.session.scalars(select(Assignment).where(Assignment.kind == "tracker")).one()
    work_id = work.id
    db.session.rollback()

    phone = browser.new_context(viewport=PHONE).new_page()
    sign_in(phone, alex.user.email)
    phone.get_by_role("link", name="A period of space").first.click()
    expect(phone.get_by_role("heading", name="Your no-contact period")).to_be_visible()
    assert _summary(phone)["Without a check-in"] == "2"
    a11y.check(phone)

    # A refusal first: no urge chosen. The note and the outcome stay as typed.
    _check_in(phone, start, "Kept no contact", None, note="Went to the gym instead.")
    expect(phone.get_by_text("This check-in is not saved yet")).to_be_visible()
    form = phone.locator("form.tracker-checkin")
    expect(form.get_by_label("A short note (optional)")).to_have_value(
        "Went to the gym instead.")
    expect(form.get_by_label("Kept no contact", exact=True)).to_be_checked()
    a11y.check(phone)
    form.get_by_role("group", name="How strong was the urge to reach out?") \
        .get_by_label("6", exact=True).check()
    form.get_by_role("button", name="Save").click()
    phone.wait_for_load_state()

    _check_in(phone, start + timedelta(days=1), "Kept no contact", 4)
    summary = _summary(phone)
    assert (summary["Current streak"], summary["Longest streak"]) == ("2 days", "2 days")
    a11y.check(phone)

    _check_in(phone, today, "Broke it", 9, note="I answered the message.")
    summary = _summary(phone)
    assert (summary["Current streak"], summary["Longest streak"], summary["Broken days"]) == (
        "0 days", "2 days", "1")
    assert summary["Without a check-in"] == "0"
    reflection = phone.locator("form.tracker-reflection")
    expect(reflection).to_be_visible()
    a11y.check(phone)
    reflection.get_by_role("textbox").fill("I was lonely; next time I call my sister first.")
    reflection.get_by_role("button", name="Save the reflection").click()
    expect(phone.get_by_role("heading", name="Reflections on broken days")).to_be_visible()
    strip = phone.get_by_role("img", name="The no-contact period, day by day")
    expect(strip).to_be_visible()
    box = strip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    phone.get_by_text("The days as a table").click()
    rows = phone.locator("#tracker-days tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Late")
    expect(rows.nth(2)).to_contain_text("Broke it")
    expect(rows.nth(2)).to_contain_text("On the day")
    a11y.check(phone)
    days = db.session.scalars(select(TrackerDay).order_by(TrackerDay.day)).all()
    assert [(d.day, d.outcome, d.urge, d.late) for d in days] == [
        (start, "kept", 6, True), (start + timedelta(days=1), "kept", 4, True),
        (today, "broke", 9, False)]
    assert days[2].reflection.startswith("I was lonely")
    db.session.rollback()

    desk.goto(f"{live_url}/dashboard/")
    broken = desk.locator("section", has=desk.locator("#broken-days-heading"))
    expect(broken).to_contain_text("Alex Rivers")
    a11y.check(desk)
    desk.goto(f"{live_url}/clients/{alex.id}/pathway")
    expect(desk.locator("#stage-no-contact")).to_contain_text("streak 0 days · 1 broken")
    a11y.check(desk)
    desk.goto(f"{live_url}/assignments/{work_id}")
    assert _summary(desk)["Current streak"] == "0 days"
    expect(desk.get_by_role("img", name="The no-contact period, day by day")).to_be_visible()
    a11y.check(desk)

    # The writing is submitted, reviewed and accepted like any work; the period goes on.
    phone.locator("form.work-form textarea").first.fill("Harder than I thought, and worth it.")
    phone.get_by_role("button", name="Submit to Dr Mara Quinn").click()
    submit_anyway = phone.get_by_role("button", name="Submit anyway")
    if submit_anyway.is_visible():
        submit_anyway.click()
    expect(phone.get_by_text("Submitted as revision 1")).to_be_visible()
    desk.goto(f"{live_url}/assignments/{work_id}/revisions/1")
    assert _summary(desk)["Broken days"] == "1"
    desk.get_by_label("Overall comment").fill("Thank you for being honest about the day.")
    desk.get_by_label("Accept this work").check()
    desk.get_by_role("button", name="Send review").click()
    expect(desk.get_by_text("Review sent to the client.")).to_be_visible()
    a11y.check(desk)
    desk.goto(f"{live_url}/clients/{alex.id}/pathway")
    expect(desk.locator("#stage-no-contact li").filter(has_text="A period of space")) \
        .to_contain_text("Completed")
    phone.reload()
    expect(phone.get_by_role("button", name="Save this check-in")).to_be_visible()
    a11y.check(phone)
    assert len(a11y.checked) >= 12
