"""Sign-in help and email choices in a browser (issue 10): forgot password → the link from
the email → a new password → signed in; then the Email notifications page and an
unsubscribe link. Every page is checked with axe-core.

The live app delivers its email after each commit (its delivery thread) to a real SMTP
server on loopback, and the links are read from the emails that server received."""

import re
import time

import pytest
from playwright.sync_api import expect

from counsel.extensions import db
from counsel.notifications import outbox

from .. import factories

NEW = "quiet harbour lanterns at dusk"


@pytest.fixture
def mailing_app(live_app, live_url, smtp_server):
    """The live app, sending its email to ``smtp_server`` right after each commit."""
    live_app.config.update(smtp_server.config, BASE_URL=live_url, MAIL_AFTER_COMMIT="thread")
    return live_app


def emailed_link(smtp_server, address: str, pattern: str, *, count: int) -> str:
    """The link of ``pattern`` in the ``count``-th email ``address`` received (waits for it)."""
    deadline = time.monotonic() + 15
    while len(smtp_server.messages_to(address)) < count:
        assert time.monotonic() < deadline, f"email {count} to {address} never arrived"
        time.sleep(0.1)
    message = smtp_server.messages_to(address)[count - 1]
    return re.search(pattern, smtp_server.text_of(message)).group(0)


def test_forgot_password_then_email_choices(mailing_app, live_url, smtp_server, page, a11y):
    casey = factories.ClientFactory(user__email="casey@example.org", user__name="Casey Morgan",
                                    preferred_name="Casey")
    db.session.commit()

    page.goto(live_url + "/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_text("Enter an email address like")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Email address").fill("casey@example.org")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    a11y.check(page)

    link = emailed_link(smtp_server, "casey@example.org", r"https?://\S+/reset-password/[\w-]+",
                        count=1)
    assert link.startswith(live_url)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    a11y.check(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Type the new password again").fill("short")
    page.get_by_role("button", name="Save new password and sign in").click()
    expect(page.get_by_text("Use at least 12 characters")).to_be_visible()
    a11y.check(page)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Type the new password again").fill(NEW)
    page.get_by_role("button", name="Save new password and sign in").click()
    expect(page.get_by_role("heading", name="Hello, Casey")).to_be_visible()
    expect(page.get_by_text("Every other device has been signed out")).to_be_visible()
    a11y.check(page)

    # Email choices, from the menu.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Email notifications").first.click()
    expect(page.get_by_role("heading", name="Email notifications")).to_be_visible()
    a11y.check(page)
    page.get_by_role("group", name="When your counselor gives you new work").get_by_label(
        "Don't send it").check()
    page.get_by_label("Send email only to a safe address I give here").check()
    page.get_by_role("button", name="Save my email choices").click()
    expect(page.get_by_text("Enter the safe address, or choose another option.")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Safe email address").fill("casey.safe@example.net")
    page.get_by_role("button", name="Save my email choices").click()
    expect(page.get_by_text("Your email choices are saved")).to_be_visible()
    a11y.check(page)
    db.session.expire_all()
    assert (casey.mail_safety, casey.safe_email) == ("safe_address", "casey.safe@example.net")

    # The used reset link is spent.
    page.goto(link)
    expect(page.get_by_role("heading", name="This reset link can't be used")).to_be_visible()
    a11y.check(page)

    # An email's unsubscribe link, in a browser that is not signed in.
    message = outbox.queue("review_sent", casey.user, context={"portal_url": live_url + "/my/"})
    db.session.commit()
    assert message.to_address == "casey.safe@example.net"
    unsubscribe = emailed_link(smtp_server, "casey.safe@example.net",
                               r"https?://\S+/unsubscribe/[\w.-]+", count=1)
    other = page.context.browser.new_context()
    stranger = other.new_page()
    stranger.goto(unsubscribe)
    expect(stranger.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    expect(stranger.get_by_text("When your counselor responds to work you sent")).to_be_visible()
    a11y.check(stranger)
    stranger.get_by_role("button", name="Stop these emails").click()
    expect(stranger.get_by_role("heading", name="Done: these emails are stopped")).to_be_visible()
    a11y.check(stranger)
    stranger.goto(unsubscribe[:-4] + "AAAA")
    unknown = stranger.get_by_role("heading", name="This unsubscribe link doesn't work")
    expect(unknown).to_be_visible()
    a11y.check(stranger)
    other.close()
    assert outbox.queue("review_sent", casey.user) is None
    assert len(a11y.checked) == 13


def test_counselor_stops_a_clients_email(live_app, live_url, page, sign_in, a11y):
    counselor = factories.CounselorFactory(email="ada@example.org")
    client = factories.ClientFactory(counselor=counselor, user__name="Robin Hale")
    db.session.commit()
    sign_in(page, "ada@example.org")
    page.goto(f"{live_url}/clients/{client.id}")
    expect(page.get_by_text("Email to their sign-in address")).to_be_visible()
    page.get_by_role("link", name="Change email safety").click()
    expect(page.get_by_role("heading", name="Email safety")).to_be_visible()
    a11y.check(page)
    page.get_by_label("No email at all").check()
    page.get_by_role("button", name="Save email safety").click()
    expect(page.get_by_text("It applies at once")).to_be_visible()
    expect(page.get_by_text("No email at all")).to_be_visible()
    a11y.check(page)
    db.session.expire_all()
    assert client.mail_safety == "none"
