"""The report's check-ins, no-contact periods, plans and commitments, and the dashboard's
broken no-contact days, in a browser (issue 11, items 7 and 8): the counselor sees Alex's
broken day on the dashboard, saves the report's period and previews the counselor's file
and Alex's version with the charts drawn; axe-core on every page; nothing scrolls sideways
on a phone."""

from counsel.extensions import db

from .. import factories
from ..web import report_couple
from ..web.test_report_structured import _records
from .conftest import PHONE


def _no_sideways_scroll(page):
    width, viewport = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px on {viewport}px"


def test_the_counselor_sees_the_broken_day_and_the_reports_charts(live_app, live_url, browser,
                                                                 sign_in, a11y):
    counselor = factories.CounselorFactory(email="counselor@example.org")
    people = {"counselor": counselor,
              "alex": factories.ClientFactory(counselor=counselor, user__name="Alex Rivers",
                                              user__email="alex@example.org"),
              "sam": factories.ClientFactory(counselor=counselor, user__name="Sam Okafor",
                                             user__email="sam@example.org")}
    db.session.commit()
    world = report_couple.build(people)
    alex, case = world["alex"], world["case"]
    records = _records(alex, case, "Alexword")
    db.session.commit()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, counselor.email)
    page.goto(live_url + "/dashboard/")
    section = page.locator("section", has=page.locator("#broken-days-heading"))
    assert "Alex Rivers: Alexword space tracker" in section.inner_text()
    a11y.check(page)
    _no_sideways_scroll(page)
    section.get_by_role("link", name="Alex Rivers: Alexword space tracker").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/assignments/{records['tracker'].assignment_id}")

    page.goto(f"{live_url}/cases/{case.id}/report")
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_load_state()
    for audience in ("counselor", f"partner:{alex.id}"):
        page.goto(f"{live_url}/cases/{case.id}/report/preview?audience={audience}")
        strip = page.get_by_role("img", name="Alexword space tracker, day by day")
        assert strip.is_visible()
        assert page.get_by_role("img", name="Check-in ratings over time, Alex Rivers").is_visible()
        assert page.get_by_role("heading", name="Commitments and their follow-ups").is_visible()
        a11y.check(page)
        _no_sideways_scroll(page)
    context.close()
