"""A phone (390 x 844): a one-line header whose every link and button is a 44 px tap
target, a favicon, access-history cells that keep their column labels, and no console
error anywhere in a crawl of the main pages."""

import pytest

from counsel.extensions import db

from .. import factories
from .conftest import PHONE

pytestmark = pytest.mark.browser_only

MIN_TAP = 44


def header_boxes(page):
    """Bounding boxes of every visible link, button and summary in the header."""
    return page.evaluate("""() => Array.from(
        document.querySelectorAll('.site-header a, .site-header button, .site-header summary'))
        .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
        .map((el) => { const r = el.getBoundingClientRect();
                       return {text: el.textContent.trim(), height: r.height}; })""")


def check_header(page):
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= MIN_TAP + 16, f"{page.url}: header is {header['height']} px tall"
    boxes = header_boxes(page)
    assert boxes, page.url
    small = [b for b in boxes if b["height"] < MIN_TAP]
    assert not small, f"{page.url}: tap targets under {MIN_TAP} px: {small}"
    menu = page.locator(".nav-menu summary")
    if menu.is_visible():
        menu.click()
        opened = header_boxes(page)
        assert {"Password", "Sign out"} <= {b["text"] for b in opened}, opened
        small = [b for b in opened if b["height"] < MIN_TAP]
        assert not small, f"{page.url}: menu tap targets under {MIN_TAP} px: {small}"
        menu.click()


def test_phone_header_tap_targets_favicon_and_a_clean_console(live_app, live_url, browser,
                                                                a11y):
    counselor = factories.CounselorFactory(email="counselor@example.org")
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.org")
    work = factories.AssignmentFactory(client=alex)
    admin = factories.AdminFactory(email="admin@example.org")
    leaving = factories.CounselorFactory(active=False)
    factories.ClientFactory(counselor=leaving)
    db.session.commit()

    crawl = {
        counselor.email: ["/dashboard/", "/clients/", f"/clients/{alex.id}",
                          f"/clients/{alex.id}/access", "/library/", f"/assignments/{work.id}",
                          "/account/password"],
        alex.user.email: ["/my/", f"/my/assignments/{work.id}", "/my/access"],
        admin.email: ["/admin/", "/admin/counselors/new",
                      f"/admin/counselors/{leaving.id}/clients"],
    }
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    icon = page.request.get(live_url + "/favicon.ico")
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"
    errors = []
    page.on("console", lambda m: errors.append((page.url, m.text)) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append((page.url, str(e))))
    # A request cut short by the next navigation (net::ERR_ABORTED) is not an error.
    page.on("requestfailed", lambda r: errors.append((r.url, r.failure))
            if "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("response", lambda r: errors.append((r.url, r.status)) if r.status >= 400 else None)
    visited = 0
    for email, paths in crawl.items():
        page.goto(live_url + "/sign-in")
        check_header(page)
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        for path in paths:
            response = page.goto(live_url + path)
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            check_header(page)
            if path.endswith("/access"):
                # The history's column headings are off screen here: each cell says its own.
                label = page.evaluate("""() => getComputedStyle(
                    document.querySelector('td[data-label="What"]'), '::before').content""")
                assert label == '"What: "', label
            a11y.check(page)
            visited += 1
        page.locator(".nav-menu summary").click()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        assert "/sign-in" in page.url
    assert visited == 13
    assert not errors, errors
    context.close()
