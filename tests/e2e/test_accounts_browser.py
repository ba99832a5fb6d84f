"""A client resets their password from a link on their phone: guessable passwords are
refused with advice they can act on, and the laptop still signed in with the old password
is signed out (issue 6, section 4). Every page is checked with axe-core."""

from playwright.sync_api import expect

from counsel.auth import invitations
from counsel.extensions import db

from .. import factories


def test_reset_link_refuses_guessable_passwords_and_signs_out_other_devices(
        live_app, live_url, page, browser, sign_in, a11y):
    counselor = factories.CounselorFactory(name="Dr. Ada Quinn")
    casey = factories.ClientFactory(counselor=counselor, user__name="Casey Morgan",
                                    user__email="casey@example.org")
    db.session.commit()
    sign_in(page, "casey@example.org")  # the laptop, signed in with the old password
    expect(page.get_by_role("heading", name="Hello, Casey Morgan")).to_be_visible()
    token = invitations.issue(counselor, casey.user)
    db.session.commit()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    client_page = phone.new_page()
    client_page.goto(f"{live_url}/invitation/{token}")
    password = client_page.get_by_label("New password", exact=True)
    again = client_page.get_by_label("Type the new password again")
    submit = client_page.get_by_role("button", name="Save new password and continue")
    for weak, advice in (("Password1234!", "similar to a commonly used password"),
                         ("qwertyqwerty", "too common or too easy to guess")):
        password.fill(weak)
        again.fill(weak)
        submit.click()
        expect(client_page.get_by_text(advice)).to_be_visible()
        a11y.check(client_page)
    password.fill("sunlight over quiet water")
    again.fill("sunlight over quiet water")
    submit.click()
    expect(client_page.get_by_role("heading", name="Hello, Casey Morgan")).to_be_visible()
    a11y.check(client_page)
    phone.close()

    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert "/sign-in" in page.url
    a11y.check(page)
