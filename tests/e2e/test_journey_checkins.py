"""Check-ins on a phone (390 x 844): the counselor sees a check-in due on the dashboard and
adapts the schedule; the client gives check-ins (a missing rating is explained and nothing
typed is lost), sees the chart fill in; the counselor sees it on the client's page and the
dashboard count fall. axe-core on every page visited."""

from datetime import timedelta

import pytest

from counsel import checkins
from counsel.extensions import db

from .. import factories
from .conftest import PHONE

pytestmark = pytest.mark.browser_only


def test_checkins_on_a_phone(live_app, live_url, browser, sign_in, a11y):
    counselor = factories.CounselorFactory(email="counselor@example.org")
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.org",
                                   user__name="Alex Rivers")
    db.session.flush()
    today = checkins.client_today(alex)
    factories.CheckInScheduleFactory(client=alex, starts_on=today - timedelta(days=14))
    for weeks, ratings in ((2, (3, 4, 5)), (1, (4, 4, 6))):
        factories.CheckInFactory(client=alex, taken_on=today - timedelta(days=7 * weeks),
                                 ratings=dict(zip(("trust", "communication", "hope"), ratings,
                                                  strict=True)))
    db.session.commit()

    helper = browser.new_context(viewport=PHONE)
    page = helper.new_page()
    sign_in(page, counselor.email)
    page.goto(live_url + "/dashboard/")
    section = page.locator("section", has=page.locator("#checkins-heading"))
    assert "1 due today · 0 missed" in section.inner_text()
    a11y.check(page)
    section.get_by_role("link", name="Alex Rivers").click()
    page.wait_for_load_state()
    chart = page.get_by_role("img", name="Check-in ratings over time")
    assert chart.is_visible()
    assert "A check-in is due today." in page.locator(
        "section", has=page.locator("#checkins-heading")).inner_text()
    a11y.check(page)
    page.get_by_role("link", name="Change check-ins").click()
    page.wait_for_load_state()
    a11y.check(page)
    page.get_by_label("Their own scales (optional)").fill("closeness")
    page.get_by_role("button", name="Save check-ins").click()
    page.wait_for_load_state()
    assert "are saved" in page.locator(".flash").inner_text()
    a11y.check(page)

    client = browser.new_context(viewport=PHONE)
    phone = client.new_page()
    sign_in(phone, alex.email)
    assert "A short check-in is due today." in phone.locator("#checkin-heading + p").inner_text()
    a11y.check(phone)
    phone.get_by_role("link", name="Give a check-in").click()
    phone.wait_for_load_state()
    a11y.check(phone)
    box = phone.get_by_role("group", name="trust").get_by_label("7", exact=True) \
        .locator("xpath=..").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    for scale, value in (("trust", "7"), ("communication", "5"), ("hope", "8")):
        phone.get_by_role("group", name=scale).get_by_label(value, exact=True).check()
    phone.get_by_label("A short note (optional)").fill("We talked on Sunday.")
    phone.get_by_role("button", name="Save my check-in").click()
    phone.wait_for_load_state()
    assert "Choose how you rate closeness, from 0 to 10." in phone.content()
    assert phone.get_by_label("A short note (optional)").input_value() == "We talked on Sunday."
    assert phone.get_by_role("group", name="trust").get_by_label("7", exact=True).is_checked()
    a11y.check(phone)
    phone.get_by_role("group", name="closeness").get_by_label("6", exact=True).check()
    phone.get_by_role("button", name="Save my check-in").click()
    phone.wait_for_load_state()
    assert "your check-in is saved" in phone.locator(".flash").inner_text()
    chart = phone.get_by_role("img", name="Check-in ratings over time")
    assert chart.is_visible()
    assert "3 check-ins" in chart.locator("desc").text_content()
    phone.get_by_text("The ratings as a table").click()
    assert phone.get_by_role("row").count() == 4
    a11y.check(phone)
    client.close()

    page.goto(live_url + "/dashboard/")
    assert "No check-in is due or missed." in page.locator(
        "section", has=page.locator("#checkins-heading")).inner_text()
    a11y.check(page)
    page.goto(live_url + f"/clients/{alex.id}")
    assert "We talked on Sunday." in page.content()
    assert page.get_by_role("img", name="Check-in ratings over time").locator("desc") \
        .text_content().startswith("3 check-ins")
    a11y.check(page)
    helper.close()
    assert len(a11y.checked) == 10
