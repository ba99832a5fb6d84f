"""A counselor with a large caseload pages through it and through the dashboard's lists;
a client opens all their completed work. Every page passes axe."""

from .. import factories
from ..web.test_query_counts import practice


def test_paging_through_long_lists(live_app, live_url, page, sign_in, a11y):
    world = practice(clients=60, revisions=1, comments=0)
    sign_in(page, world["counselor"].email)
    page.goto(live_url + "/dashboard/")
    a11y.check(page)
    page.get_by_role("link", name="Show all 79 waiting for review").click()
    page.wait_for_load_state()  # the click waits for the new page to start, not to load
    assert page.get_by_role("heading", name="Waiting for review (79)").is_visible()
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert "Page 2 of 2" in page.content()
    a11y.check(page)
    page.goto(live_url + "/clients/?q=person")
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert "q=person" in page.url and "page=2" in page.url
    assert page.get_by_label("Search").input_value() == "person"
    a11y.check(page)
    page.goto(live_url + f"/clients/{world['client_id']}")
    a11y.check(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, world["client"].email, factories.PASSWORD)
    page.get_by_role("link", name="Show all 20 completed").click()
    page.wait_for_load_state()
    assert page.content().count("status-completed") == 20
    a11y.check(page)
