"""PRODUCT.md journey 8: client A tries client B's URLs and gets nothing; a counselor
tries another counselor's client and gets nothing."""

from playwright.sync_api import expect

from counsel.extensions import db

from .. import factories


def test_nobody_reaches_anyone_elses_records(live_app, live_url, page, sign_in, a11y):
    counselor = factories.CounselorFactory()
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.org",
                                   user__name="Alex Private")
    sam = factories.ClientFactory(counselor=counselor, user__email="sam@example.org")
    other = factories.CounselorFactory(email="other@example.org")
    work = factories.AssignmentFactory(client=alex)
    db.session.commit()

    sign_in(page, sam.email)
    for path in (f"/my/assignments/{work.id}", f"/my/assignments/{work.id}/revisions/1",
                 f"/clients/{alex.id}", f"/assignments/{work.id}"):
        response = page.goto(live_url + path)
        assert response.status in (403, 404), path
        expect(page.get_by_text("Alex Private")).to_have_count(0)
    expect(page.get_by_role("heading", name="This page is not for your account")).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, other.email)
    for path in (f"/clients/{alex.id}", f"/clients/{alex.id}/access",
                 f"/assignments/{work.id}", f"/assignments/{work.id}/revisions/1"):
        response = page.goto(live_url + path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.get_by_text("Alex Private")).to_have_count(0)
    a11y.check(page)
