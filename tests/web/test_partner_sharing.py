"""Sharing between partners (PRODUCT.md privacy rule 2; issue 8 part 2): only the author
shares, one submitted revision at a time, after a confirmation that shows exactly what the
other partner will see; withdrawing hides it again; every step is audited; nobody else
can share, see or withdraw it."""

import pytest
from sqlalchemy import func, select

from counsel.extensions import db
from counsel.models import AuditEvent, Share

from ..conftest import Auth
from . import couple

CLIENTS = ("alex", "sam", "casey", "jordan")
STAFF = ("counselor", "other_counselor", "admin")


@pytest.fixture
def world(people):
    return couple.build(people)


def t(tag):
    return couple.plain(tag)


def browser(app, world, people, who):
    client = app.test_client()
    if who != "anonymous":
        user = people["admin"] if who == "admin" else world[who]
        Auth(client).login(getattr(user, "user", user))
    return client


def shares() -> list[Share]:
    db.session.expire_all()
    return db.session.scalars(select(Share).order_by(Share.id)).all()


def audit_rows(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def share_url(assignment, number=1):
    return f"/my/assignments/{assignment.id}/revisions/{number}/share"


# --- the author's side -------------------------------------------------------------------

def test_the_revision_page_offers_sharing_only_in_an_open_couple_case(app, world, people):
    alex = browser(app, world, people, "alex")
    page = alex.get(f"/my/assignments/{world['unshared'].id}/revisions/1").text
    assert "Share with Sam Okafor" in page and "seen by you and your counselor only" in page
    shared = alex.get(f"/my/assignments/{world['shared'].id}/revisions/1").text
    assert "Shared with Sam Okafor since" in shared and "Withdraw from Sam Okafor" in shared
    assert "Share with Sam" not in shared
    casey = browser(app, world, people, "casey")
    assert "Share with" not in casey.get(
        f"/my/assignments/{world['casey_work'].id}/revisions/1").text
    world["couple"].closed_at = world["couple"].opened_at
    db.session.commit()
    assert "Share with" not in alex.get(
        f"/my/assignments/{world['unshared'].id}/revisions/1").text
    assert alex.get(share_url(world["unshared"])).status_code == 404
    assert alex.post(share_url(world["unshared"])).status_code == 404
    assert len(shares()) == 1


def test_the_confirmation_shows_exactly_what_the_partner_will_see(app, world, people):
    alex = browser(app, world, people, "alex")
    page = alex.get(share_url(world["unshared"])).text
    assert "Share with Sam Okafor?" in page
    for tag in ("title", "prompt1", "prompt2", "alexprivate"):
        assert t(tag) in page
    # The shared revision's page: the counselor's review and the new draft stay out.
    page = alex.get(share_url(world["shared"])).text
    for tag in ("shared1", "shared2", "title"):
        assert t(tag) in page
    for tag in ("comment", "overall", "draft"):
        assert t(tag) not in page
    assert "already share" in page and 'type="submit" class="button primary"' not in page
    assert len(shares()) == 1


def test_confirming_shares_once_and_audits(app, world, people):
    alex = browser(app, world, people, "alex")
    before = len(audit_rows("share.create"))
    response = alex.post(share_url(world["unshared"]), data={"case": world["couple"].id},
                         follow_redirects=True)
    assert "Shared with Sam Okafor." in response.text
    made = shares()[-1]
    assert (made.author_id, made.recipient_id, made.case_id, made.revision_id) == (
        world["alex"].id, world["sam"].id, world["couple"].id, world["unshared_rev"].id)
    rows = audit_rows("share.create")
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row.actor_id, row.client_id, row.target_type, row.target_id) == (
        world["alex"].user_id, world["alex"].id, "revisions", str(world["unshared_rev"].id))
    again = alex.post(share_url(world["unshared"]), follow_redirects=True)
    assert "You already share this with Sam Okafor" in again.text
    assert len(shares()) == 2 and len(audit_rows("share.create")) == before + 1


def test_withdrawing_hides_it_and_twice_says_so(app, world, people):
    share = world["share"]
    sam = browser(app, world, people, "sam")
    assert t("shared1") in sam.get(f"/my/shared/{share.id}").text
    alex = browser(app, world, people, "alex")
    done = alex.post(f"/my/shares/{share.id}/withdraw", follow_redirects=True)
    assert "Withdrawn: Sam Okafor can no longer see it." in done.text
    assert shares()[0].withdrawn_at is not None
    row = audit_rows("share.withdraw")[-1]
    assert (row.actor_id, row.client_id, row.target_id) == (
        world["alex"].user_id, world["alex"].id, str(world["shared_rev"].id))
    again = alex.post(f"/my/shares/{share.id}/withdraw", follow_redirects=True)
    assert "already withdrawn" in again.text and len(audit_rows("share.withdraw")) == 1
    gone = sam.get(f"/my/shared/{share.id}")
    assert gone.status_code == 410 and "no longer shared" in gone.text
    for tag in ("shared1", "shared2", "title", "prompt1"):
        assert t(tag) not in gone.text
    assert t("title") not in sam.get("/my/shared").text
    # Shared again after a withdrawal: a new share, visible again.
    alex.post(share_url(world["shared"]), data={"case": world["couple"].id})
    latest = shares()[-1]
    assert latest.id != share.id and latest.active
    assert t("shared1") in sam.get(f"/my/shared/{latest.id}").text


def test_the_recipient_reads_it_under_shared_with_you(app, world, people):
    share = world["share"]
    sam = browser(app, world, people, "sam")
    listing = sam.get("/my/shared").text
    assert "Shared with you" in listing and t("title") in listing
    assert "shared by Alex Rivera" in listing
    page = sam.get(f"/my/shared/{share.id}")
    assert page.status_code == 200
    for tag in ("title", "prompt1", "prompt2", "shared1", "shared2"):
        assert t(tag) in page.text
    for tag in ("comment", "overall", "draft", "alexprivate"):
        assert t(tag) not in page.text
    assert "<form" not in page.text.split("<main", 1)[1].split("</main>")[0]
    row = audit_rows("share.view")[-1]
    assert (row.actor_id, row.client_id, row.target_type, row.target_id, row.outcome) == (
        world["sam"].user_id, world["alex"].id, "revisions", str(world["shared_rev"].id),
        "success")
    # The author's own list shows what they share, with a way to withdraw it.
    alex = browser(app, world, people, "alex")
    own = alex.get("/my/shared").text
    assert "What you share" in own and "shared with Sam Okafor" in own
    assert f"/my/shares/{share.id}/withdraw" in own


def test_sharing_someone_elses_revision_is_refused(app, world, people):
    """Sam posts to alex's revision (ids that are not sam's): 404, nothing made; the same
    for a client of another case and another counselor's client."""
    for who in ("sam", "casey", "jordan"):
        client = browser(app, world, people, who)
        assert client.post(share_url(world["unshared"])).status_code == 404, who
        assert client.get(share_url(world["unshared"])).status_code == 404, who
        assert client.post(f"/my/shares/{world['share'].id}/withdraw").status_code == 404
    assert [s.id for s in shares()] == [world["share"].id] and shares()[0].active
    refused = audit_rows("access.refused")
    assert len(refused) >= 9


def test_only_submitted_revisions_and_only_their_own_cases(app, world, people):
    """A draft is not a revision: the work alex is revising has revision 1 and a draft,
    and "revision 2" of it does not exist to share."""
    alex = browser(app, world, people, "alex")
    assert alex.post(share_url(world["shared"], 2)).status_code == 404
    assert alex.get(share_url(world["unshared"], 7)).status_code == 404
    assert alex.post(share_url(world["unshared"]),
                     data={"case": world["casey_case"].id}).status_code == 404
    assert len(shares()) == 1


@pytest.mark.parametrize("who", STAFF)
def test_counselors_and_the_admin_cannot_share_or_withdraw(app, world, people, who):
    """The portal is for clients: the counselor cannot share on the author's behalf."""
    staff = browser(app, world, people, who)
    assert staff.post(share_url(world["unshared"]),
                      data={"case": world["couple"].id}).status_code == 403
    assert staff.get(share_url(world["unshared"])).status_code == 403
    assert staff.post(f"/my/shares/{world['share'].id}/withdraw").status_code == 403
    for url in ("/my/shared", f"/my/shared/{world['share'].id}"):
        response = staff.get(url)
        assert response.status_code == 403 and t("shared1") not in response.text
    assert len(shares()) == 1 and shares()[0].active


# --- the access matrix (SECURITY.md 7) ---------------------------------------------------

def expected(route, who):
    """Status for each route and person: client-only blueprint, object rules inside."""
    if who == "anonymous":
        return 302
    if who in STAFF:
        return 403
    return {
        "confirm": {"alex": 200}, "share": {"alex": 302}, "withdraw": {"alex": 302},
        "item": {"sam": 200}, "list": dict.fromkeys(CLIENTS, 200),
    }[route].get(who, 404)


ROUTES = {
    "confirm": ("GET", lambda w: share_url(w["unshared"])),
    "share": ("POST", lambda w: share_url(w["unshared"])),
    "withdraw": ("POST", lambda w: f"/my/shares/{w['share'].id}/withdraw"),
    "item": ("GET", lambda w: f"/my/shared/{w['share'].id}"),
    "list": ("GET", lambda w: "/my/shared"),
}


@pytest.mark.parametrize("who", [*CLIENTS, *STAFF, "anonymous"])
def test_access_matrix(app, world, people, who):
    client = browser(app, world, people, who)
    for route, (method, url) in ROUTES.items():
        if route in ("share", "withdraw"):
            continue  # changes: below, each on a fresh share
        response = client.open(url(world), method=method)
        assert response.status_code == expected(route, who), (route, who)
        if who == "anonymous":
            assert response.location.startswith("/sign-in")
        if response.status_code != 200:
            assert t("shared1") not in response.text and t("alexprivate") not in response.text
        listing = client.get("/my/shared").text if who in CLIENTS else ""
        assert ("shared by Alex Rivera" in listing) == (who == "sam"), who
        assert (t("title") in listing) == (who in ("sam", "alex")), who  # alex: "What you share"
    share_response = client.post(ROUTES["share"][1](world), data={"case": world["couple"].id})
    assert share_response.status_code == expected("share", who)
    made = db.session.scalar(select(func.count(Share.id)))
    assert made == (2 if who == "alex" else 1)
    withdraw = client.post(ROUTES["withdraw"][1](world))
    assert withdraw.status_code == expected("withdraw", who)
    assert (shares()[0].withdrawn_at is not None) == (who == "alex")


# --- privacy: the other partner's unshared work never reaches them -------------------------

def client_pages(world, who):
    """Every page a client can open about their own and shared work."""
    own = {"alex": ["shared", "unshared"], "sam": ["sam_work"]}[who]
    urls = ["/my/", "/my/access", "/my/shared", "/my/sessions", "/my/agreements",
            f"/my/sessions/{world['joint'].id}"]
    for key in own:
        urls += [f"/my/assignments/{world[key].id}",
                 f"/my/assignments/{world[key].id}/revisions/1"]
    return urls


def test_neither_partner_ever_sees_the_others_unshared_work(app, world, people):
    alex, sam = browser(app, world, people, "alex"), browser(app, world, people, "sam")
    item = f"/my/shared/{world['share'].id}"
    for url in client_pages(world, "alex"):
        assert t("samprivate") not in alex.get(url).text, url
    for url in [*client_pages(world, "sam"), item]:
        body = sam.get(url).text
        for tag in ("alexprivate", "draft", "comment", "overall"):
            assert t(tag) not in body, (url, tag)
    # After alex shares the second item it appears for sam only, and goes on withdrawal.
    alex.post(share_url(world["unshared"]), data={"case": world["couple"].id})
    second = shares()[-1]
    assert t("alexprivate") in sam.get(f"/my/shared/{second.id}").text
    assert t("alexprivate") in sam.get("/my/shared").text or t("title") in sam.get(
        "/my/shared").text
    casey, jordan = browser(app, world, people, "casey"), browser(app, world, people, "jordan")
    for other in (casey, jordan):
        assert other.get(f"/my/shared/{second.id}").status_code == 404
        assert t("title") not in other.get("/my/shared").text
    alex.post(f"/my/shares/{second.id}/withdraw")
    assert sam.get(f"/my/shared/{second.id}").status_code == 410
    for url in [*client_pages(world, "sam"), f"/my/shared/{second.id}"]:
        assert t("alexprivate") not in sam.get(url).text, url
