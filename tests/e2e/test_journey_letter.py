"""PRODUCT.md journeys 3 to 5 in a browser: the counselor assigns the apology letter; the
client writes it on a phone, closes the tab and loses nothing, submits; the counselor
comments on a passage and asks for a revision; the client revises; the counselor sees what
changed and accepts. Also the autosave through a server outage, and two tabs editing the
same draft. Every page visited is checked with axe-core, and no phone page scrolls sideways.

The client's text mixes right-to-left scripts, emoji (one with skin tones and zero-width
joiners) and a decomposed accent; it must reach the database exactly as typed."""

import contextlib
import re
import time
from datetime import timedelta

import pytest
from flask import jsonify
from playwright.sync_api import expect
from sqlalchemy import select

from counsel.assignments import operations
from counsel.clock import practice_today
from counsel.extensions import db
from counsel.library.loader import sync_library
from counsel.models import Assignment, Draft, Exercise, ReviewComment

from .. import factories
from .conftest import PHONE

SAVED = re.compile(r"^Saved at \d\d:\d\d$")
NOT_SAVED = "Not saved — kept on this device. Trying again…"
AUTOSAVE = 15_000  # ms: the script saves ~3 s after typing starts; allow for a slow machine

OPENING = ("Dear Maya,\n\nI am writing because I owe you an apology. "
           "I said I would be home and I was not, again and again.")
SECOND = ("\n\nI am sorry I broke your trust. I am sorry I made you doubt yourself. "
          "סליחה. أنا آسف 🌧️")
THIRD = "\n\nI have started seeing a counselor every week 👩🏽‍🤝‍👨🏻 and I cafe\u0301 less."


# --- helpers ----------------------------------------------------------------------------

def draft_answers(assignment_id):
    """The draft's answers as stored, read fresh from the database (None: no draft)."""
    db.session.expire_all()
    answers = db.session.scalars(
        select(Draft.answers).where(Draft.assignment_id == assignment_id)).one_or_none()
    db.session.rollback()
    return answers


def wait_for_draft(page, assignment_id, expected, timeout=15.0):
    """Polls the database; waiting through ``page`` lets Playwright run route handlers."""
    deadline = time.monotonic() + timeout
    while (answers := draft_answers(assignment_id)) != expected:
        assert time.monotonic() < deadline, f"draft is {answers!r}, expected {expected!r}"
        page.wait_for_timeout(200)


def assert_stored_exactly(assignment_id, typed: list[str]):
    stored = draft_answers(assignment_id)
    assert [a.encode("utf-8") for a in stored] == [t.encode("utf-8") for t in typed]


def answer_box(page, index=0):
    return page.locator(f"textarea[name='answers-{index}']")


def save_status(page):
    return page.locator("[data-save-status]")


def kept_on_device(page):
    """What the autosave script keeps in this browser's storage for the page's form."""
    return page.evaluate("""() => {
        const key = document.querySelector("form[data-storage-key]").dataset.storageKey;
        return JSON.parse(localStorage.getItem(key) || "null");
    }""")


def crash(page):
    """The renderer dies at once, as when a phone's system reclaims a background tab."""
    session = page.context.new_cdp_session(page)
    with contextlib.suppress(Exception):
        session.send("Page.crash", timeout=2000)  # never answers: the renderer is gone
    page.close()


def fits_the_phone(page):
    width, viewport = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px on a {viewport}px screen"


def select_passage(page, needle, occurrence=0):
    """Select the ``occurrence``-th ``needle`` in the first answer, as a mouse would."""
    page.evaluate("""([needle, occurrence]) => {
        const block = document.querySelector(".answer-text");
        const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
        let seen = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          let at = -1;
          while ((at = node.data.indexOf(needle, at + 1)) >= 0) {
            if (seen++ !== occurrence) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + needle.length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
            block.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
            return;
          }
        }
        throw new Error("passage not found: " + needle);
    }""", [needle, occurrence])


def text_before_mark(page):
    """The answer's text up to its first highlighted passage."""
    return page.evaluate("""() => {
        const block = document.querySelector(".answer-text");
        const range = document.createRange();
        range.selectNodeContents(block);
        range.setEndBefore(block.querySelector("mark"));
        return range.toString();
    }""")


def caseload(counselor_email="dr.rivera@example.org", client_email="noa@example.org"):
    """A counselor, a client on their caseload, and the guide's library."""
    counselor = factories.CounselorFactory(email=counselor_email, name="Dr. Lena Rivera")
    client = factories.ClientFactory(counselor=counselor, user__email=client_email,
                                     user__name="Noa Levi")
    sync_library()
    db.session.commit()
    return counselor, client


def apology_letter(client):
    letter = db.session.scalars(select(Exercise).where(
        Exercise.slug == "apology-letter", Exercise.retired_at.is_(None))).one()
    assignment = factories.AssignmentFactory(client=client, exercise=letter)
    db.session.commit()
    return assignment


@contextlib.contextmanager
def endpoint_down(app, endpoint="portal.autosave"):
    """The endpoint (by default the client's autosave) answers 503 inside the block."""
    view = app.view_functions[endpoint]
    app.view_functions[endpoint] = lambda **kwargs: (jsonify(error="unavailable"), 503)
    try:
        yield
    finally:
        app.view_functions[endpoint] = view


def on_phone(page, sign_in, email="noa@example.org"):
    """The client's phone (a context of its own), signed in."""
    phone = page.context.browser.new_context(viewport=PHONE)
    client_page = phone.new_page()
    sign_in(client_page, email)
    return phone, client_page


def sign_in_checked(page, live_url, a11y, email):
    """Signs in through the form like the sign_in fixture, checking the sign-in page too."""
    page.goto(live_url + "/sign-in")
    a11y.check(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# --- journeys 3 to 5 --------------------------------------------------------------------

def test_apology_letter_journey(live_app, live_url, page, sign_in, a11y):
    _, client = caseload()
    client_id = client.id
    due = practice_today() + timedelta(days=7)

    # Journey 3: the counselor assigns the apology letter with a due date and a note.
    sign_in_checked(page, live_url, a11y, "dr.rivera@example.org")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Noa Levi").click()
    expect(page.get_by_role("heading", name="Noa Levi")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Assign an exercise").click()
    expect(page.get_by_role("heading", name="Assign an exercise")).to_be_visible()
    a11y.check(page)
    expect(page.get_by_label("Client")).to_have_value(str(client_id))
    page.get_by_label("Exercise").select_option(label="Apology letter")
    page.get_by_label("Due date (optional)").fill(due.isoformat())
    page.get_by_label("Personal note (optional)").fill(
        "Take your time with this one, Noa. A first draft is all I need before Thursday.")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("“Apology letter” is assigned to Noa Levi.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Apology letter")
    expect(row).to_contain_text("Assigned")
    expect(row).to_contain_text(due.strftime("%a %d %b %Y"))
    a11y.check(page)
    assignment = db.session.scalars(select(Assignment)).one()
    assignment_id = assignment.id
    assert (assignment.exercise.slug, assignment.kind, assignment.due_date) == (
        "apology-letter", "letter", due)
    assert len(assignment.prompts) == 1
    db.session.rollback()
    work_url = f"{live_url}/my/assignments/{assignment_id}"

    # Journey 4: on a phone, the letter is the next thing to do; the note is with it.
    phone = page.context.browser.new_context(viewport=PHONE)
    client_page = phone.new_page()
    sign_in_checked(client_page, live_url, a11y, "noa@example.org")
    next_up = client_page.locator(".next-up")
    expect(next_up.get_by_role("heading", name="Next: Apology letter")).to_be_visible()
    expect(next_up).to_contain_text(due.strftime("%a %d %b %Y"))
    fits_the_phone(client_page)
    a11y.check(client_page)
    next_up.get_by_role("link", name="Start").click()
    expect(client_page.get_by_role("heading", name="Apology letter", level=1)).to_be_visible()
    expect(client_page.get_by_role("heading", name="A note from Dr. Lena Rivera")).to_be_visible()
    expect(client_page.get_by_text("A first draft is all I need before Thursday.")).to_be_visible()
    fits_the_phone(client_page)
    a11y.check(client_page)

    # A draft, saved; the tab is closed; coming back, the text is there.
    answer_box(client_page).fill(OPENING)
    expect(save_status(client_page)).to_have_text(SAVED, timeout=AUTOSAVE)
    assert_stored_exactly(assignment_id, [OPENING])
    client_page.close()
    client_page = phone.new_page()
    client_page.goto(work_url)
    expect(answer_box(client_page)).to_have_value(OPENING)
    expect(save_status(client_page)).to_have_text(SAVED)
    a11y.check(client_page)

    # More writing, and the tab closed at once, before the autosave has run.
    answer_box(client_page).press("Control+End")
    answer_box(client_page).press_sequentially(SECOND[:40])
    client_page.close()
    client_page = phone.new_page()
    client_page.goto(work_url)
    expect(answer_box(client_page)).to_have_value(OPENING + SECOND[:40])
    wait_for_draft(client_page, assignment_id, [OPENING + SECOND[:40]])
    a11y.check(client_page)

    # The phone kills the browser while the client is still writing (no signal either):
    # nothing was sent, nothing ran as the page died; the text was only kept on the device.
    # Coming back, it is restored from the browser's storage and then saved.
    answer_box(client_page).press("Control+End")
    phone.set_offline(True)
    answer_box(client_page).press_sequentially(SECOND[40:])
    assert kept_on_device(client_page)["answers"] == [OPENING + SECOND]
    crash(client_page)
    phone.set_offline(False)
    assert draft_answers(assignment_id) == [OPENING + SECOND[:40]]
    client_page = phone.new_page()
    saves = []
    client_page.on("response", lambda r: saves.append(r) if r.url.endswith("/draft") else None)
    client_page.goto(work_url)
    deadline = time.monotonic() + 15
    while not saves:
        assert time.monotonic() < deadline, "the text kept on the device was not sent"
        client_page.wait_for_timeout(100)
    assert saves[0].ok
    expect(answer_box(client_page)).to_have_value(OPENING + SECOND)
    expect(save_status(client_page)).to_have_text(SAVED, timeout=AUTOSAVE)
    assert_stored_exactly(assignment_id, [OPENING + SECOND])
    assert kept_on_device(client_page) is None
    fits_the_phone(client_page)
    a11y.check(client_page)

    client_page.get_by_role("button", name="Submit to Dr. Lena Rivera").click()
    expect(client_page.get_by_text("Submitted as revision 1.")).to_be_visible()
    expect(client_page.get_by_text("Submitted. Your counselor will review it")).to_be_visible()
    fits_the_phone(client_page)
    a11y.check(client_page)
    client_page.get_by_role("link", name="My work").first.click()
    waiting_mine = client_page.get_by_role("region", name="With your counselor")
    expect(waiting_mine.get_by_role("link", name="Apology letter")).to_be_visible()
    a11y.check(client_page)

    # Journey 5: the counselor sees it waiting, comments on a passage, asks for a revision.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    waiting = page.get_by_role("region", name="Waiting for review")
    expect(waiting.get_by_role("cell", name="Noa Levi")).to_be_visible()
    a11y.check(page)
    waiting.get_by_role("link", name="Apology letter, revision 1").click()
    expect(page.get_by_role("heading", name="Revision 1 of Apology letter")).to_be_visible()
    a11y.check(page)
    select_passage(page, "I made you doubt yourself")
    expect(page.get_by_label("Passage", exact=True)).to_have_value("I made you doubt yourself")
    page.get_by_label("Comment", exact=True).fill(
        "Say what doubting herself was like for her, in her words rather than yours.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    expect(page.locator(".answer-text mark")).to_have_text("I made you doubt yourself1")
    a11y.check(page)

    send = page.get_by_role("region", name="Send the review")
    send.get_by_role("group", name="Names specific actions").get_by_label("Met").check()
    send.get_by_role("group", name="Owns them without excuses or blame").get_by_label(
        "Partly").check()
    send.get_by_role("group", name="States concrete changes").get_by_label("Not yet").check()
    send.get_by_label("Overall comment").fill(
        "A brave start. Now tell her what you are doing differently, week by week.")
    send.get_by_label("Ask for a revision").check()
    send.get_by_role("button", name="Send review").click()
    expect(page.get_by_text("Review sent to the client.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("^Revision requested"))).to_be_visible()
    a11y.check(page)

    # The client sees the feedback beside their text and revises from the last revision.
    client_page.goto(live_url + "/my/")
    expect(client_page.get_by_role("heading", name="Next: Apology letter")).to_be_visible()
    expect(client_page.get_by_text("Your counselor has left feedback.")).to_be_visible()
    a11y.check(client_page)
    client_page.locator(".next-up").get_by_role("link", name="Continue").click()
    feedback = client_page.get_by_role("region", name="Feedback on revision 1")
    expect(feedback).to_contain_text("A brave start. Now tell her what you are doing")
    expect(feedback.locator(".answer-text mark")).to_have_text("I made you doubt yourself1")
    comments = feedback.get_by_role("complementary", name="Comments on your text")
    expect(comments).to_contain_text("Say what doubting herself was like for her")
    expect(feedback.get_by_role("definition")).to_have_text(["Met", "Partly", "Not yet"])
    expect(answer_box(client_page)).to_have_value(OPENING + SECOND)
    fits_the_phone(client_page)
    a11y.check(client_page)

    revised = (OPENING.replace("again and again", "three times in March")
               + SECOND.replace("I made you doubt yourself.",
                                "I told you that you were imagining things.")
               + THIRD)
    answer_box(client_page).fill(revised)
    # Straight to Submit, as people do: the autosave this starts must not trip it up.
    client_page.get_by_role("button", name="Submit to Dr. Lena Rivera").click()
    expect(client_page.get_by_text("Submitted as revision 2.")).to_be_visible(timeout=AUTOSAVE)
    a11y.check(client_page)

    # The counselor sees what changed, and accepts revision 2.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("link", name="Apology letter, revision 2")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Apology letter, revision 2").click()
    expect(page.get_by_role("heading", name="Revision 2 of Apology letter")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="See what changed since revision 1").click()
    expect(page.get_by_role("heading", name="What changed from revision 1 to 2")).to_be_visible()
    diff = page.locator(".answer-text.diff")
    inserted = " ".join(diff.locator("ins").all_text_contents()).split()
    removed = " ".join(diff.locator("del").all_text_contents()).split()
    assert removed == ["again", "and", "again.", "made", "doubt", "yourself."]
    assert inserted == ("three times in March. told that you were imagining things."
                        + THIRD).split()
    expect(page.get_by_text("23 words added, 6 removed")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Review revision 2").click()
    expect(page.get_by_role("heading", name="Revision 2 of Apology letter")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Overall comment").fill("This is an apology. Well done.")
    page.get_by_label("Accept this work").check()
    page.get_by_role("button", name="Send review").click()
    expect(page.get_by_text("Review sent to the client.")).to_be_visible()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()
    a11y.check(page)

    client_page.goto(work_url)
    expect(client_page.locator("p > .badge")).to_have_text("Completed")
    expect(client_page.get_by_role("region", name="Feedback on revision 2")).to_contain_text(
        "This is an apology. Well done.")
    expect(answer_box(client_page)).to_have_attribute("readonly", "")
    fits_the_phone(client_page)
    a11y.check(client_page)
    client_page.get_by_role("link", name="My work").first.click()
    done = client_page.get_by_role("region", name="Reviewed and completed")
    expect(done.get_by_role("link", name="Apology letter")).to_be_visible()
    expect(done).to_contain_text("Completed")
    a11y.check(client_page)
    phone.close()


# --- the autosave ------------------------------------------------------------------------

@pytest.mark.browser_only
def test_autosave_survives_an_outage(live_app, live_url, page, sign_in, a11y):
    _, client = caseload()
    assignment_id = apology_letter(client).id
    phone, client_page = on_phone(page, sign_in)
    client_page.goto(f"{live_url}/my/assignments/{assignment_id}")
    a11y.check(client_page)
    status = save_status(client_page)

    # The save endpoint fails: the text stays on the device and the page says so.
    client_page.route("**/draft", lambda route: route.fulfill(
        status=503, body="{}", content_type="application/json"))
    text = "أحتاج أن أقول لك شيئًا 💬\nשלום, I am still here."
    answer_box(client_page).fill(text)
    expect(status).to_have_text(NOT_SAVED, timeout=AUTOSAVE)
    assert kept_on_device(client_page)["answers"] == [text]
    assert draft_answers(assignment_id) is None
    fits_the_phone(client_page)
    a11y.check(client_page)

    # Reloading during the outage: the text comes back from the device. (A page that is
    # closing sends its last save past Playwright's routing, so the server is down too.)
    with endpoint_down(live_app):
        client_page.reload()
        expect(answer_box(client_page)).to_have_value(text)
        expect(status).to_have_text(NOT_SAVED, timeout=AUTOSAVE)
        assert draft_answers(assignment_id) is None

    # The next retry reaches the server, but its answer is lost on the way back.
    def answer_lost(route):
        route.fetch()
        route.fulfill(status=503, body="{}", content_type="application/json")

    client_page.unroute("**/draft")
    client_page.route("**/draft", answer_lost)
    wait_for_draft(client_page, assignment_id, [text])
    expect(status).to_have_text(NOT_SAVED)

    # The server is back. The script retries (here prompted by the 'online' event) and
    # recognises the saved text as its own rather than as a conflict.
    client_page.unroute("**/draft")
    more = "\n\nوأنا آسف. 🙏🏾"
    answer_box(client_page).press("Control+End")
    answer_box(client_page).press_sequentially(more)
    client_page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text(SAVED, timeout=AUTOSAVE)
    expect(client_page.locator("[data-conflict-panel]")).to_be_hidden()
    wait_for_draft(client_page, assignment_id, [text + more])
    assert_stored_exactly(assignment_id, [text + more])
    assert kept_on_device(client_page) is None
    a11y.check(client_page)
    phone.close()


@pytest.mark.browser_only
def test_two_tabs_conflict(live_app, live_url, page, sign_in, a11y):
    _, client = caseload()
    assignment_id = apology_letter(client).id
    work_url = f"{live_url}/my/assignments/{assignment_id}"
    phone, tab_a = on_phone(page, sign_in)
    tab_a.goto(work_url)
    tab_b = phone.new_page()
    tab_b.goto(work_url)

    text_a = "Tab A: I am sorry 💔 — אני מצטער"
    answer_box(tab_a).fill(text_a)
    expect(save_status(tab_a)).to_have_text(SAVED, timeout=AUTOSAVE)
    assert_stored_exactly(assignment_id, [text_a])

    # Tab B still holds the page as it was before A saved; the client writes there, and
    # keeps writing while the conflict comes back.
    text_b = "Tab B: I want to say this differently. "
    still_typing = "Sorry, آسف 🌿"
    answer_box(tab_b).fill(text_b)
    panel = tab_b.locator("[data-conflict-panel]")
    expect(panel).to_be_visible(timeout=AUTOSAVE)
    expect(panel).to_contain_text(text_a)
    expect(save_status(tab_b)).to_have_text(re.compile("^Not saved — this changed somewhere"))
    tab_b.keyboard.type(still_typing)
    expect(answer_box(tab_b)).to_have_value(text_b + still_typing)
    assert_stored_exactly(assignment_id, [text_a])  # nothing overwritten before the choice
    fits_the_phone(tab_b)
    a11y.check(tab_b)

    panel.get_by_role("button", name="Keep my version").click()
    expect(save_status(tab_b)).to_have_text(SAVED, timeout=AUTOSAVE)
    expect(panel).to_be_hidden()
    assert_stored_exactly(assignment_id, [text_b + still_typing])

    # Tab A is now the stale one: its next save shows B's text, and it can take it.
    answer_box(tab_a).press("Control+End")
    answer_box(tab_a).press_sequentially(" and more")
    panel_a = tab_a.locator("[data-conflict-panel]")
    expect(panel_a).to_be_visible(timeout=AUTOSAVE)
    expect(panel_a).to_contain_text(text_b + still_typing)
    assert_stored_exactly(assignment_id, [text_b + still_typing])
    panel_a.get_by_role("button", name="Use the other version").click()
    expect(answer_box(tab_a)).to_have_value(text_b + still_typing)
    expect(save_status(tab_a)).to_have_text(SAVED, timeout=AUTOSAVE)
    assert_stored_exactly(assignment_id, [text_b + still_typing])
    a11y.check(tab_a)
    phone.close()


# --- where a passage comment lands ---------------------------------------------------------

def submitted_letter(client, text):
    """The apology letter, submitted once with ``text`` (as the JSON autosave stores it)."""
    assignment = apology_letter(client)
    operations.submit(client.user, assignment, [text], 0)
    db.session.commit()
    return assignment


@pytest.mark.browser_only
def test_a_passage_comment_lands_on_the_words_selected(live_app, live_url, page, sign_in,
                                                       a11y):
    """Emoji are two UTF-16 units in the browser and one character on the server."""
    _, client = caseload()
    letter = "🌧️ I am sorry. 🙏🏾 I know I am sorry is not enough, so I am sorry in writing too."
    assignment = submitted_letter(client, letter)
    sign_in(page, "dr.rivera@example.org")
    page.goto(f"{live_url}/assignments/{assignment.id}/revisions/1")
    select_passage(page, "I am sorry", occurrence=2)
    page.get_by_label("Comment", exact=True).fill("This one is the apology.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    third = letter.index("I am sorry in")
    comment = db.session.scalars(select(ReviewComment)).one()
    assert (comment.start, comment.end) == (third, third + len("I am sorry"))
    assert text_before_mark(page) == letter[:third]
    a11y.check(page)


@pytest.mark.browser_only
def test_a_passage_after_a_line_break_lands_on_the_words_selected(live_app, live_url, page,
                                                                  sign_in, a11y):
    """A form post sends line breaks as CRLF, the page shows them as LF: the client's text
    must be stored as typed, or offsets taken from the page miss the passage."""
    _, client = caseload()
    assignment_id = apology_letter(client).id
    letter = "Dear Maya,\n\nI am sorry.\nI am sorry I lied about March."
    phone, client_page = on_phone(page, sign_in)
    client_page.goto(f"{live_url}/my/assignments/{assignment_id}")
    answer_box(client_page).fill(letter)
    expect(save_status(client_page)).to_have_text(SAVED, timeout=AUTOSAVE)
    client_page.get_by_role("button", name="Submit to Dr. Lena Rivera").click()
    expect(client_page.get_by_text("Submitted as revision 1.")).to_be_visible()
    phone.close()

    sign_in(page, "dr.rivera@example.org")
    page.goto(f"{live_url}/assignments/{assignment_id}/revisions/1")
    select_passage(page, "I am sorry", occurrence=1)
    page.get_by_label("Comment", exact=True).fill("Say what you lied about first.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    assert text_before_mark(page) == "Dear Maya,\n\nI am sorry.\n"
    # A passage that spans a line break.
    select_passage(page, "Maya,\n\nI am")
    page.get_by_label("Comment", exact=True).fill("Start with what happened.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    a11y.check(page)
    db.session.expire_all()
    comments = db.session.scalars(select(ReviewComment).order_by(ReviewComment.start)).all()
    assert [(c.start, c.end, c.quote) for c in comments] == [
        (5, 16, "Maya,\n\nI am"), (24, 34, "I am sorry")]
    assert comments[0].review.revision.answers == [letter]


@pytest.mark.browser_only
def test_compare_shows_added_words_only_as_added(live_app, live_url, page, sign_in, a11y):
    """Words followed by new text are unchanged, not removed and added again."""
    counselor, client = caseload()
    first = "I am sorry I was not there 🌧️"
    assignment = submitted_letter(client, first)
    operations.send_review(counselor, assignment.latest_revision, decision="request_revision",
                           overall_comment="Say what you will do.", rubric=None)
    operations.submit(client.user, assignment, [first + " and I will call first."],
                      assignment.draft.version)
    db.session.commit()
    sign_in(page, "dr.rivera@example.org")
    page.goto(f"{live_url}/assignments/{assignment.id}/compare?from=1&to=2")
    a11y.check(page)
    expect(page.locator(".answer-text.diff ins")).to_have_text(["and I will call first."])
    expect(page.get_by_text("5 words added, 0 removed")).to_be_visible()
    expect(page.locator(".answer-text.diff del")).to_have_count(0)

