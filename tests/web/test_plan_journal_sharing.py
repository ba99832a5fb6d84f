"""Sharing a memory journal entry or a quality-time plan with the other partner (issue 11,
item 8), by the same rules as a revision (test_partner_sharing.py): only the author, only
with the partner of an open couple's case, after a confirmation showing exactly what the
partner will see; withdrawn at any time (then 410); audited; never the counselor's note,
comments or feedback, never the text answers, never how a plan's item went."""

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, Share

from ..conftest import Auth
from . import plans_world

t = plans_world.plain
CLIENTS = ("alex", "sam", "casey", "jordan")
STAFF = ("counselor", "other_counselor", "admin")
# What sam must never read of alex's plan and journal, shared or not.
NEVER = ("howwent", "plannote", "journalnote", "plananswer", "plancomment", "planoverall",
         "planprompt", "journalprompt")


@pytest.fixture
def world(people):
    return plans_world.build(people)


def browser(app, world, people, who):
    client = app.test_client()
    if who != "anonymous":
        user = people["admin"] if who == "admin" else world[who]
        Auth(client).login(getattr(user, "user", user))
    return client


def shares():
    db.session.expire_all()
    return db.session.scalars(select(Share).order_by(Share.id)).all()


def rows(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def plan_share(w):
    return f"/my/assignments/{w['plan'].id}/plan/share"


def entry_share(w, entry="entry"):
    return f"/my/assignments/{w['journal'].id}/journal/{w[entry].id}/share"


def share_plan_and_entry(app, world, people):
    alex = browser(app, world, people, "alex")
    case = {"case": world["couple"].id}
    assert alex.post(plan_share(world), data=case).status_code == 302
    assert alex.post(entry_share(world), data=case).status_code == 302
    made = shares()[-2:]
    return alex, made[0], made[1]


def test_the_work_pages_offer_sharing_to_the_partner(app, world, people):
    alex = browser(app, world, people, "alex")
    plan = alex.get(f"/my/assignments/{world['plan'].id}").text
    assert "Share with Sam Okafor" in plan and "seen by you and your counselor only" in plan
    journal = alex.get(f"/my/assignments/{world['journal'].id}").text
    assert journal.count("Share with Sam Okafor") == 2  # one link per memory
    casey = browser(app, world, people, "casey")
    assert "Share with" not in casey.get(f"/my/assignments/{world['casey_plan'].id}").text


def test_the_confirmation_shows_exactly_what_the_partner_will_see(app, world, people):
    alex = browser(app, world, people, "alex")
    page = alex.get(plan_share(world))
    assert page.status_code == 200 and "Share with Sam Okafor?" in page.text
    for tag in ("plan", "walk", "park", "dinner"):
        assert t(tag) in page.text, tag
    for tag in NEVER:
        assert t(tag) not in page.text, tag
    assert "how each one went stays yours" in page.text
    entry = alex.get(entry_share(world)).text
    for tag in ("journaltitle", "memory", "then", "now"):
        assert t(tag) in entry, tag
    for tag in (*NEVER, "memory2"):
        assert t(tag) not in entry, tag
    assert shares()[-1].revision_id is not None  # nothing shared by looking
    assert rows("journal_entry.view")[-1].target_id == str(world["entry"].id)


def test_sharing_withdrawing_and_the_partner_reading_them(app, world, people):
    alex, plan_s, entry_s = share_plan_and_entry(app, world, people)
    assert (plan_s.plan_id, plan_s.recipient_id, plan_s.case_id) == (
        world["plan"].id, world["sam"].id, world["couple"].id)
    assert entry_s.journal_entry_id == world["entry"].id
    created = rows("share.create")[-2:]
    assert [(r.target_type, r.target_id, r.client_id, r.actor_id) for r in created] == [
        ("assignments", str(world["plan"].id), world["alex"].id, world["alex"].user_id),
        ("journal_entries", str(world["entry"].id), world["alex"].id, world["alex"].user_id)]
    again = alex.post(plan_share(world), data={"case": world["couple"].id},
                      follow_redirects=True)
    assert "You already share this with Sam Okafor" in again.text
    assert "already share this plan" in alex.get(plan_share(world)).text
    own = alex.get("/my/shared").text
    assert f"{t('journaltitle')}: a memory of" in own and t("plan") in own
    sam = browser(app, world, people, "sam")
    listing = sam.get("/my/shared").text
    assert t("plan") in listing and t("journaltitle") in listing
    plan_page = sam.get(f"/my/shared/{plan_s.id}")
    assert plan_page.status_code == 200
    for tag in ("walk", "park", "dinner"):
        assert t(tag) in plan_page.text
    entry_page = sam.get(f"/my/shared/{entry_s.id}").text
    for tag in ("memory", "then", "now"):
        assert t(tag) in entry_page
    for body in (listing, plan_page.text, entry_page):
        for tag in (*NEVER, "memory2"):
            assert t(tag) not in body, tag
    views = rows("share.view")[-2:]
    assert [(r.target_type, r.actor_id, r.client_id) for r in views] == [
        ("assignments", world["sam"].user_id, world["alex"].id),
        ("journal_entries", world["sam"].user_id, world["alex"].id)]
    # the plan as it stands: a new item shows at once
    alex.post(f"/my/assignments/{world['plan'].id}/plan/items",
              data={"what": t("newitem"), "planned_on": plans_world.checkins.client_today(
                  world["alex"]).isoformat()})
    assert t("newitem") in sam.get(f"/my/shared/{plan_s.id}").text
    # withdrawn: nothing of it, 410, and audited
    for made in (plan_s, entry_s):
        done = alex.post(f"/my/shares/{made.id}/withdraw", follow_redirects=True)
        assert "Withdrawn: Sam Okafor can no longer see it." in done.text
        gone = sam.get(f"/my/shared/{made.id}")
        assert gone.status_code == 410
        for tag in ("walk", "memory", "plan", "journaltitle"):
            assert t(tag) not in gone.text
    withdrawn = rows("share.withdraw")[-2:]
    assert [r.target_type for r in withdrawn] == ["assignments", "journal_entries"]
    assert rows("share.view")[-1].outcome == "withdrawn"
    listing = sam.get("/my/shared").text
    assert t("plan") not in listing and t("journaltitle") not in listing


def test_the_withdraw_button_returns_to_the_work_page(app, world, people):
    alex, plan_s, entry_s = share_plan_and_entry(app, world, people)
    page = alex.get(f"/my/assignments/{world['journal'].id}").text
    assert "Withdraw from Sam Okafor" in page and "Shared with Sam Okafor since" in page
    done = alex.post(f"/my/shares/{entry_s.id}/withdraw")
    assert done.location.endswith(f"/my/assignments/{world['journal'].id}#entry-"
                                  f"{world['entry'].id}")
    done = alex.post(f"/my/shares/{plan_s.id}/withdraw")
    assert done.location.endswith(f"/my/assignments/{world['plan'].id}#plan")


def test_nobody_else_shares_sees_or_withdraws(app, world, people):
    _alex, plan_s, entry_s = share_plan_and_entry(app, world, people)
    for who in ("sam", "casey", "jordan"):
        other = browser(app, world, people, who)
        for url in (plan_share(world), entry_share(world)):
            assert other.get(url).status_code == 404, (who, url)
            assert other.post(url, data={"case": world["couple"].id}).status_code == 404
        for made in (plan_s, entry_s):
            assert other.post(f"/my/shares/{made.id}/withdraw").status_code == 404
            if who != "sam":
                assert other.get(f"/my/shared/{made.id}").status_code == 404
                assert t("walk") not in other.get("/my/shared").text
    for who in STAFF:
        staff = browser(app, world, people, who)
        assert staff.post(plan_share(world), data={"case": world["couple"].id}
                          ).status_code == 403
        assert staff.get(f"/my/shared/{plan_s.id}").status_code == 403
    assert all(s.active for s in shares())
    assert len(shares()) == 3


def test_a_non_partner_cannot_be_shared_with(app, world, people):
    """Casey has no partner; alex cannot name casey's case; sam's own journal entry is not
    alex's to share; a plan with nothing in it waits."""
    casey = browser(app, world, people, "casey")
    url = f"/my/assignments/{world['casey_plan'].id}/plan/share"
    assert casey.get(url).status_code == 404
    assert casey.post(url).status_code == 404
    alex = browser(app, world, people, "alex")
    assert alex.post(plan_share(world), data={"case": world["casey_case"].id}
                     ).status_code == 404
    assert alex.get(f"/my/assignments/{world['journal'].id}/journal/"
                    f"{world['sam_entry'].id}/share").status_code == 404
    assert alex.get(f"/my/assignments/{world['journal'].id}/plan/share").status_code == 404
    empty = plans_world.assignment(world["alex"], "plan", world["couple"])
    db.session.commit()
    refused = alex.post(f"/my/assignments/{empty.id}/plan/share",
                        data={"case": world["couple"].id}, follow_redirects=True)
    assert "nothing in this plan yet" in refused.text
    assert len(shares()) == 1
    world["couple"].closed_at = world["couple"].opened_at
    db.session.commit()
    assert alex.get(plan_share(world)).status_code == 404
    assert "Share with" not in alex.get(f"/my/assignments/{world['plan'].id}").text


def test_unshared_plans_and_journals_never_reach_the_partner(app, world, people):
    sam = browser(app, world, people, "sam")
    pages = ["/my/", "/my/shared", "/my/access", f"/my/assignments/{world['sam_plan'].id}",
             f"/my/assignments/{world['sam_journal'].id}"]
    for url in pages:
        body = sam.get(url).text
        for tag in ("walk", "dinner", "memory", "then", *NEVER[:6]):  # (sam's own work has
            assert t(tag) not in body, (url, tag)                   # the same prompts)
    for work in ("plan", "journal"):
        assert sam.get(f"/my/assignments/{world[work].id}").status_code == 404
    assert sam.post(f"/my/assignments/{world['plan'].id}/plan/items",
                    data={"what": "x", "planned_on": "2099-01-01"}).status_code == 404


# --- the access matrix for the new routes (SECURITY.md 7) --------------------------------

def _routes(w):
    plan, journal, walk, entry = w["plan"].id, w["journal"].id, w["walk"].id, w["entry"].id
    return [("GET", f"/my/assignments/{plan}/plan/share", {"alex": 200}),
            ("GET", f"/my/assignments/{journal}/journal/{entry}/share", {"alex": 200}),
            ("POST", f"/my/assignments/{plan}/plan/items", {"alex": 422}),
            ("POST", f"/my/assignments/{plan}/plan/items/{walk}", {"alex": 422}),
            ("POST", f"/my/assignments/{plan}/plan/items/{walk}/done", {"alex": 302}),
            ("POST", f"/my/assignments/{journal}/journal/entries", {"alex": 422}),
            ("POST", f"/my/assignments/{journal}/journal/entries/{entry}", {"alex": 422}),
            ("POST", f"/my/assignments/{plan}/plan/items/{walk}/skip", {"alex": 409})]


@pytest.mark.parametrize("who", [*CLIENTS, *STAFF, "anonymous"])
def test_access_matrix(app, world, people, who):
    client = browser(app, world, people, who)
    for method, url, allowed in _routes(world):
        response = client.open(url, method=method)
        expected = 302 if who == "anonymous" else 403 if who in STAFF else \
            allowed.get(who, 404)
        assert response.status_code == expected, (who, method, url, response.status_code)
        if who == "anonymous":
            assert response.location.startswith("/sign-in")
        if who != "alex":
            assert t("walk") not in response.text and t("memory") not in response.text


def test_each_page_showing_a_plan_or_a_memory_writes_one_view_row(app, world, people):
    """SECURITY.md 14: the work pages (assignment.view), the confirmations (assignment.view
    of the plan, journal_entry.view of the memory), the counselor's pages."""
    _alex, plan_s, entry_s = share_plan_and_entry(app, world, people)
    plan, journal, entry = world["plan"], world["journal"], world["entry"]
    pages = [("alex", f"/my/assignments/{plan.id}", "assignment.view", "assignments", plan.id,
              "alex"),
             ("alex", f"/my/assignments/{journal.id}", "assignment.view", "assignments",
              journal.id, "alex"),
             ("alex", plan_share(world), "assignment.view", "assignments", plan.id, "alex"),
             ("alex", entry_share(world), "journal_entry.view", "journal_entries", entry.id,
              "alex"),
             ("counselor", f"/assignments/{plan.id}", "assignment.view", "assignments",
              plan.id, "alex"),
             ("counselor", f"/assignments/{journal.id}", "assignment.view", "assignments",
              journal.id, "alex"),
             ("sam", f"/my/shared/{plan_s.id}", "share.view", "assignments", plan.id, "alex"),
             ("sam", f"/my/shared/{entry_s.id}", "share.view", "journal_entries", entry.id,
              "alex")]
    for who, url, action, target_type, target_id, whose in pages:
        client = browser(app, world, people, who)
        before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())
                                   .limit(1))
        assert client.get(url).status_code == 200
        db.session.expire_all()
        found = db.session.scalars(select(AuditEvent).where(
            AuditEvent.id > before, AuditEvent.action == action)).all()
        user = world[who] if who == "counselor" else world[who].user
        assert [(r.actor_id, r.target_type, r.target_id, r.client_id) for r in found] == [
            (user.id, target_type, str(target_id), world[whose].id)], url
    history = browser(app, world, people, "alex").get("/my/access").text
    for words in (f"read a memory in “{t('journaltitle')}”",
                  f"shared “{t('plan')}” with the other partner",
                  f"shared a memory in “{t('journaltitle')}” with the other partner"):
        assert words in history, words


def test_the_counselor_sees_what_is_shared_on_the_case_page(app, world, people):
    share_plan_and_entry(app, world, people)
    page = browser(app, world, people, "counselor").get(f"/cases/{world['couple'].id}").text
    assert f"The plan “{t('plan')}”" in page
    assert f"in “{t('journaltitle')}”" in page and "A memory of" in page
    assert f"Revision 1 of “{t('title')}”" in page  # the revision shared before
    assert t("memory") not in page  # titles and days only
