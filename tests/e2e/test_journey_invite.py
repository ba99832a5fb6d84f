"""PRODUCT.md journeys 1 and 2: a new counselor's empty dashboard tells them what to do;
they add a client, copy the invitation link; the client sets a password and reaches the
portal. Every page is checked with axe-core."""

import re

from playwright.sync_api import expect

from counsel.extensions import db

from .. import factories


def test_counselor_invites_a_client_who_sets_a_password(live_app, live_url, page, sign_in, a11y):
    factories.CounselorFactory(email="new.counselor@example.org", name="Dr. Ada Quinn")
    db.session.commit()

    sign_in(page, "new.counselor@example.org")
    expect(page.get_by_role("heading", name="Start here")).to_be_visible()
    a11y.check(page)

    page.get_by_role("link", name="Add your first client").click()
    a11y.check(page)
    page.get_by_role("button", name="Add client and create invitation").click()
    expect(page.get_by_text("Enter the client's name.")).to_be_visible()
    a11y.check(page)

    page.get_by_label("Full name").fill("Casey Morgan")
    page.get_by_label("Preferred name (optional)").fill("Casey")
    page.get_by_label("Email address", exact=True).fill("casey@example.org")
    page.get_by_role("button", name="Add client and create invitation").click()
    expect(page.get_by_role("heading", name="Client added")).to_be_visible()
    a11y.check(page)
    link = page.get_by_label(re.compile("Invitation link for")).input_value()
    assert "/invitation/" in link

    page.get_by_role("link", name=re.compile("Go to Casey")).click()
    expect(page.get_by_text("Invited, has not set a password yet")).to_be_visible()
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.get_by_role("link", name="Casey Morgan")).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    # The client, on a phone.
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    client_page = phone.new_page()
    client_page.goto(link)
    expect(client_page.get_by_role("heading", name="Welcome, Casey")).to_be_visible()
    a11y.check(client_page)
    client_page.get_by_label("New password", exact=True).fill("short")
    client_page.get_by_label("Type the new password again").fill("short")
    client_page.get_by_role("button", name="Set password and continue").click()
    expect(client_page.get_by_text("Use at least 12 characters")).to_be_visible()
    a11y.check(client_page)
    client_page.get_by_label("New password", exact=True).fill("sunlight over quiet water")
    client_page.get_by_label("Type the new password again").fill("sunlight over quiet water")
    client_page.get_by_role("button", name="Set password and continue").click()
    expect(client_page.get_by_role("heading", name="Hello, Casey")).to_be_visible()
    a11y.check(client_page)
    client_page.get_by_text("Menu", exact=True).click()  # a phone's header folds its links
    client_page.get_by_role("link", name="Who viewed my record").click()
    expect(client_page.get_by_text("Dr. Ada Quinn").first).to_be_visible()
    a11y.check(client_page)

    # The link was single-use.
    client_page.goto(link)
    unusable = client_page.get_by_role("heading", name="This invitation link can't be used")
    expect(unusable).to_be_visible()
    a11y.check(client_page)
    phone.close()
    assert len(a11y.checked) == 11
