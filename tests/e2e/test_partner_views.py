"""Each partner's view on a phone (issue 8): the shared summary and their own agreements
are there; the private notes, the addendum, the screenings and the other partner's unshared
work are not. Sam reads what Alex shared under "Shared with you"; Alex shares a second
item through the confirmation page, and Sam then reads it. axe-core on every page."""

from playwright.sync_api import expect

from .. import factories
from ..web import couple
from .conftest import PHONE


def t(tag):
    return couple.plain(tag)


PRIVATE = [t(tag) for tag in couple.NEVER_FOR_CLIENTS]


def visit(page, url, a11y, *, shows=(), hides=()):
    response = page.goto(url)
    assert response.status == 200, url
    check(page, a11y, shows=shows, hides=hides)


def check(page, a11y, *, shows=(), hides=()):
    page.wait_for_load_state()
    body = page.content()
    for text in shows:
        assert text in body, (page.url, text)
    for text in [*PRIVATE, *hides]:
        assert text not in body, (page.url, text)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, \
        f"{page.url} scrolls sideways on a phone"
    a11y.check(page)


def phone(browser, live_url, sign_in, email):
    context = browser.new_context(viewport=PHONE, base_url=live_url)
    page = context.new_page()
    sign_in(page, email)
    return page


def test_each_partner_on_a_phone(live_app, live_url, browser, sign_in, a11y):
    people = {"counselor": factories.CounselorFactory(email="counselor@example.org"),
              "other_counselor": factories.CounselorFactory(email="other@example.org"),
              "admin": factories.AdminFactory(email="admin@example.org")}
    people |= {"alex": factories.ClientFactory(counselor=people["counselor"],
                                               user__email="alex@example.org"),
               "sam": factories.ClientFactory(counselor=people["counselor"],
                                              user__email="sam@example.org"),
               "jordan": factories.ClientFactory(counselor=people["other_counselor"],
                                                 user__email="jordan@example.org")}
    world = couple.build(people)
    joint = f"/my/sessions/{world['joint'].id}"

    # Sam: the joint session's shared parts, sam's agreements, alex's one shared item.
    sam = phone(browser, live_url, sign_in, "sam@example.org")
    check(sam, a11y, shows=["Upcoming sessions", "In person · 50 minutes"],
          hides=[t("alexprivate")])
    sam.get_by_role("link", name="My sessions").click()
    check(sam, a11y, hides=[t("alexprivate")])
    sam.locator(f'a[href="{joint}"]').click()
    check(sam, a11y, shows=[t("summary"), t("agenda"), t("agreeboth"), t("agreesam")],
          hides=[t("agreealex"), t("alexprivate")])
    visit(sam, "/my/agreements", a11y, shows=[t("agreeboth"), t("agreesam"), "Partly kept",
                                              t("followup")],
          hides=[t("agreealex")])
    visit(sam, "/my/shared", a11y, shows=["Shared with you", "shared by Alex Rivera"],
          hides=[t("alexprivate")])
    expect(sam.locator("main ul.work-list li")).to_have_count(1)
    sam.get_by_role("link", name=t("title")).click()
    check(sam, a11y, shows=[t("shared1"), t("shared2"), t("prompt1")],
          hides=[t("comment"), t("overall"), t("draft"), t("alexprivate")])

    # Alex: the same session from alex's side, then sharing the second item.
    alex = phone(browser, live_url, sign_in, "alex@example.org")
    check(alex, a11y, shows=["In person · 50 minutes"], hides=[t("samprivate")])
    visit(alex, joint, a11y, shows=[t("summary"), t("agreeboth"), t("agreealex")],
          hides=[t("agreesam"), t("samprivate")])
    visit(alex, "/my/agreements", a11y, shows=[t("agreeboth"), t("agreealex")],
          hides=[t("agreesam")])
    visit(alex, f"/my/assignments/{world['unshared'].id}/revisions/1", a11y,
          shows=["This revision is seen by you and your counselor only."])
    alex.get_by_role("link", name="Share with Sam Okafor").click()
    check(alex, a11y, shows=["Share with Sam Okafor?", t("alexprivate"), t("title")],
          hides=[t("samprivate")])
    alex.get_by_role("button", name="Share with Sam Okafor").click()
    check(alex, a11y, shows=["Shared with Sam Okafor.", "Shared with Sam Okafor since"])
    expect(alex.get_by_role("button", name="Withdraw from Sam Okafor")).to_be_visible()
    visit(alex, "/my/shared", a11y, shows=["What you share"], hides=[t("samprivate")])

    # Sam now reads the second item too.
    visit(sam, "/my/shared", a11y)
    expect(sam.locator("main ul.work-list li")).to_have_count(2)
    sam.get_by_role("link", name=t("title")).first.click()
    check(sam, a11y, shows=[t("alexprivate")], hides=[t("comment"), t("overall")])
    assert len(a11y.checked) == 15
