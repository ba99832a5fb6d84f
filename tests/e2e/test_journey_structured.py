"""A quality-time plan, commitments and a memory journal in a browser (issue 11): the
counselor assigns each from the library; the client, on a phone, records what the kind is
for (a plan item later marked done with how it went, a commitment and its first follow-up,
a memory), writes an answer and submits; the counselor reads the records beside the answer
on the review page and accepts; the pathway shows the three completed; the accepted
commitment still takes follow-ups (a day to come is refused, the choice kept). axe-core
on every page visited. Runs on SQLite and PostgreSQL."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from counsel import checkins
from counsel.extensions import db
from counsel.library.loader import sync_library
from counsel.models import Assignment, CommitmentFollowUp, JournalEntry, PlanItem

from .. import factories
from .conftest import PHONE

TITLES = {"plan": "Quality time plan", "commitment": "Committing to positive change",
          "journal": "Shared memories"}


def _plan(phone, today):
    add = phone.locator("form.add-record")
    add.get_by_label("What", exact=True).fill("Breakfast at the market café")
    add.get_by_label("When (date)").fill(today.isoformat())
    add.get_by_label("Where (optional)").fill("Old town market")
    add.get_by_role("button", name="Add to the plan").click()
    phone.wait_for_load_state()
    item = phone.locator(".record", has_text="Breakfast at the market café")
    item.get_by_label("How did it go?").fill("We talked about the kids without arguing.")
    item.get_by_role("button", name="Mark done").click()
    phone.wait_for_load_state()
    return "Breakfast at the market café"


def _commitment(phone, today):
    phone.get_by_label("What I commit to").fill("Tell you when I will be late, before I am.")
    phone.get_by_label("Follow up every (days)").fill("7")
    phone.get_by_role("button", name="Add this commitment").click()
    phone.wait_for_load_state()
    card = phone.get_by_role("article", name="Tell you when I will be late, before I am.")
    card.get_by_label("Partly", exact=True).check()
    card.get_by_role("button", name="Save this follow-up").click()
    phone.wait_for_load_state()
    return "Tell you when I will be late, before I am."


def _journal(phone, today):
    add = phone.locator("form.add-record")
    add.get_by_label("When was it?").fill((today - timedelta(days=3650)).isoformat())
    add.get_by_label("The memory").fill("Dancing in the kitchen at your sister's wedding.")
    add.get_by_label("What it meant then").fill("That we were home to each other.")
    add.get_by_label("What it means now").fill("That it is worth trying again.")
    add.get_by_role("button", name="Add to the journal").click()
    phone.wait_for_load_state()
    return "Dancing in the kitchen"


RECORD = {"plan": _plan, "commitment": _commitment, "journal": _journal}


def test_plans_commitments_and_journals_are_assigned_done_and_reviewed(
        live_app, live_url, browser, sign_in, a11y):
    counselor = factories.CounselorFactory(email="counselor@example.org", name="Dr Mara Quinn")
    sam = factories.ClientFactory(counselor=counselor, user__email="sam@example.org",
                                  user__name="Sam Okafor")
    sync_library()
    db.session.commit()
    today = checkins.client_today(sam)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, counselor.email)
    for title in TITLES.values():
        desk.goto(f"{live_url}/clients/{sam.id}")
        desk.get_by_role("link", name="Assign an exercise").click()
        desk.get_by_label("Exercise").select_option(label=title)
        desk.get_by_role("button", name="Assign").click()
        expect(desk.get_by_text(f"“{title}” is assigned to Sam Okafor.")).to_be_visible()
    a11y.check(desk)
    ids = {a.kind: a.id for a in db.session.scalars(select(Assignment))}
    db.session.rollback()

    phone = browser.new_context(viewport=PHONE).new_page()
    sign_in(phone, sam.user.email)
    shown = {}
    for kind, title in TITLES.items():
        phone.goto(f"{live_url}/my/assignments/{ids[kind]}")
        expect(phone.get_by_role("heading", name=title, exact=True)).to_be_visible()
        a11y.check(phone)
        shown[kind] = RECORD[kind](phone, today)
        expect(phone.get_by_text(shown[kind]).first).to_be_visible()
        a11y.check(phone)
        phone.locator("form.work-form textarea").first.fill("What I learned doing this.")
        phone.get_by_role("button", name="Submit to Dr Mara Quinn").click()
        submit_anyway = phone.get_by_role("button", name="Submit anyway")
        if submit_anyway.is_visible():
            submit_anyway.click()
        expect(phone.get_by_text("Submitted as revision 1")).to_be_visible()
    item = db.session.scalars(select(PlanItem)).one()
    assert (item.status, item.reflection) == ("done", "We talked about the kids without arguing.")
    assert db.session.scalars(select(CommitmentFollowUp)).one().outcome == "partly"
    assert db.session.scalars(select(JournalEntry)).one().memory.startswith("Dancing")
    db.session.rollback()

    for kind, title in TITLES.items():
        desk.goto(f"{live_url}/assignments/{ids[kind]}/revisions/1")
        expect(desk.get_by_role("heading", name=f"Revision 1 of {title}")).to_be_visible()
        expect(desk.get_by_text(shown[kind]).first).to_be_visible()
        a11y.check(desk)
        desk.get_by_label("Overall comment").fill("Thank you: this is a real start.")
        desk.get_by_label("Accept this work").check()
        desk.get_by_role("button", name="Send review").click()
        expect(desk.get_by_text("Review sent to the client.")).to_be_visible()
    desk.goto(f"{live_url}/clients/{sam.id}/pathway")
    for title in TITLES.values():
        expect(desk.locator(".pathway-stage li").filter(has_text=title)) \
            .to_contain_text("Completed")
    a11y.check(desk)

    # Following a commitment up goes on after it is accepted.
    phone.goto(f"{live_url}/my/assignments/{ids['commitment']}")
    card = phone.get_by_role("article", name=shown["commitment"])
    card.get_by_label("The day this follow-up is for").fill(
        (today + timedelta(days=1)).isoformat())
    card.get_by_label("Kept", exact=True).check()
    card.get_by_role("button", name="Save this follow-up").click()
    expect(phone.get_by_text("That day has not come yet")).to_be_visible()  # refused, kept
    expect(card.get_by_label("Kept", exact=True)).to_be_checked()
    a11y.check(phone)
    assert len(a11y.checked) >= 10
