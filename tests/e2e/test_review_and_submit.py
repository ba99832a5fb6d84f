"""Browser journeys for issue 6 section 5: the counselor's review survives adding and
removing passage comments and a reload; the client is asked before submitting empty
answers, may take a submission back before it is opened, and after a conflict keeps, per
answer, their text, the other one, or both. Every page is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from counsel.assignments.operations import BOTH_SEPARATOR
from counsel.extensions import db
from counsel.models import Assignment, Review

from .. import factories
from .test_journey_letter import (
    AUTOSAVE,
    SAVED,
    answer_box,
    assert_stored_exactly,
    caseload,
    endpoint_down,
    on_phone,
    save_status,
    select_passage,
    submitted_letter,
)

pytestmark = pytest.mark.browser_only

LETTER = "Dear Maya, I am sorry I was late again and again. I will be home by six. 🌧️"
OVERALL = "A brave start. Now say what you will do differently, week by week. سلام"


def two_prompts(counselor, client):
    exercise = factories.ExerciseFactory(owner=counselor, kind="reflection", prompts=[
        factories.ExercisePrompt(position=0, text="What happened?"),
        factories.ExercisePrompt(position=1, text="What will you change?")])
    assignment = factories.AssignmentFactory(client=client, exercise=exercise)
    db.session.commit()
    return assignment.id


def fresh_assignment(assignment_id):
    db.session.expire_all()
    assignment = db.session.get(Assignment, assignment_id)
    result = (assignment.status, [r.number for r in assignment.revisions])
    db.session.rollback()
    return result


def test_the_review_is_kept_through_comments_and_reloads(live_app, live_url, page, sign_in,
                                                         a11y):
    _, client = caseload()
    assignment = submitted_letter(client, LETTER)
    sign_in(page, "dr.rivera@example.org")
    page.goto(f"{live_url}/assignments/{assignment.id}/revisions/1")
    a11y.check(page)
    send = page.get_by_role("region", name="Send the review")
    send.get_by_label("Overall comment").fill(OVERALL)
    send.get_by_label("Ask for a revision").check()
    send.get_by_role("group", name="Names specific actions").get_by_label("Partly").check()

    select_passage(page, "late again and again")
    page.get_by_label("Comment", exact=True).fill("How often, and what did it cost her?")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    expect(page.locator(".answer-text mark")).to_have_text("late again and again1")
    expect(send.get_by_label("Overall comment")).to_have_value(OVERALL)
    expect(send.get_by_label("Ask for a revision")).to_be_checked()
    expect(send.get_by_role("group", name="Names specific actions").get_by_label("Partly")) \
        .to_be_checked()
    a11y.check(page)
    page.reload()
    expect(send.get_by_label("Overall comment")).to_have_value(OVERALL)
    expect(send.get_by_label("Ask for a revision")).to_be_checked()

    # No button at all: the script saves the draft as the counselor writes.
    more = " And name one thing for this week."
    send.get_by_label("Overall comment").press("End")
    send.get_by_label("Overall comment").press_sequentially(more)
    send.get_by_label("Accept this work").check()
    expect(page.locator("[data-save-status]")).to_have_text(
        re.compile(r"^Draft saved at \d\d:\d\d$"), timeout=AUTOSAVE)
    page.reload()
    expect(send.get_by_label("Overall comment")).to_have_value(OVERALL + more)
    expect(send.get_by_label("Accept this work")).to_be_checked()
    a11y.check(page)

    # Removing the comment keeps the review text, and Undo brings the comment back.
    page.get_by_role("button", name="Remove comment 1").click()
    expect(page.get_by_text("Comment removed.")).to_be_visible()
    expect(page.locator(".answer-text mark")).to_have_count(0)
    expect(send.get_by_label("Overall comment")).to_have_value(OVERALL + more)
    a11y.check(page)
    page.get_by_role("button", name="Undo: restore this comment").click()
    expect(page.get_by_text("Comment restored.")).to_be_visible()
    expect(page.locator(".answer-text mark")).to_have_text("late again and again1")
    db.session.expire_all()
    review = db.session.scalars(select(Review)).one()
    assert (review.overall_comment, review.decision, review.sent_at) == (
        OVERALL + more, "accept", None)
    db.session.rollback()
    a11y.check(page)


def test_empty_answers_are_confirmed_and_a_submission_can_be_taken_back(
        live_app, live_url, page, sign_in, a11y):
    counselor, client = caseload()
    assignment_id = two_prompts(counselor, client)
    phone, client_page = on_phone(page, sign_in)
    client_page.goto(f"{live_url}/my/assignments/{assignment_id}")
    answer_box(client_page, 0).fill("I stopped listening. 🙏🏾")
    submit = client_page.get_by_role("button", name="Submit to Dr. Lena Rivera")
    submit.click()
    panel = client_page.locator("[data-confirm-empty]")
    expect(panel).to_be_visible()
    expect(panel.locator("li")).to_have_text(["What will you change?"])
    a11y.check(client_page)
    panel.get_by_role("button", name="Keep writing").click()
    expect(panel).to_be_hidden()
    expect(answer_box(client_page, 1)).to_be_focused()
    assert fresh_assignment(assignment_id)[1] == []

    submit.click()
    panel.get_by_role("button", name="Submit anyway").click()
    expect(client_page.get_by_text("Submitted as revision 1.")).to_be_visible(timeout=AUTOSAVE)
    assert fresh_assignment(assignment_id) == ("submitted", [1])
    a11y.check(client_page)

    client_page.get_by_role("button", name="Take it back and keep writing").click()
    expect(client_page.get_by_text("Taken back: go on writing.")).to_be_visible()
    expect(answer_box(client_page, 0)).to_have_value("I stopped listening. 🙏🏾")
    answer_box(client_page, 1).fill("I will listen first.")
    expect(save_status(client_page)).to_have_text(SAVED, timeout=AUTOSAVE)
    submit.click()
    expect(client_page.get_by_text("Submitted as revision 2.")).to_be_visible(timeout=AUTOSAVE)
    assert fresh_assignment(assignment_id) == ("submitted", [1, 2])
    a11y.check(client_page)
    phone.close()


def test_a_conflict_is_resolved_answer_by_answer(live_app, live_url, page, sign_in, a11y):
    counselor, client = caseload()
    assignment_id = two_prompts(counselor, client)
    url = f"{live_url}/my/assignments/{assignment_id}"
    phone, tab_a = on_phone(page, sign_in)
    tab_a.goto(url)
    tab_b = phone.new_page()
    tab_b.goto(url)

    answer_box(tab_a, 0).fill("A: it was me.")
    answer_box(tab_a, 1).fill("A: I will call less.")
    expect(save_status(tab_a)).to_have_text(SAVED, timeout=AUTOSAVE)

    answer_box(tab_b, 0).fill("B: I was not there. אני מצטער")
    panel = tab_b.locator("[data-conflict-panel]")
    expect(panel).to_be_visible(timeout=AUTOSAVE)
    panel.get_by_role("group", name="Which version of answer 1 to keep").get_by_label(
        "Both, mine first").check()
    panel.get_by_role("group", name="Which version of answer 2 to keep").get_by_label(
        "The other version").check()
    a11y.check(tab_b)
    panel.get_by_role("button", name="Use these choices").click()
    expect(panel).to_be_hidden()
    expect(save_status(tab_b)).to_have_text(SAVED, timeout=AUTOSAVE)
    both = "B: I was not there. אני מצטער" + BOTH_SEPARATOR + "A: it was me."
    expect(answer_box(tab_b, 0)).to_have_value(both)
    expect(answer_box(tab_b, 1)).to_have_value("A: I will call less.")
    assert_stored_exactly(assignment_id, [both, "A: I will call less."])
    phone.close()


def test_the_review_survives_an_outage_and_a_reload(live_app, live_url, page, sign_in, a11y):
    _, client = caseload()
    assignment = submitted_letter(client, LETTER)
    sign_in(page, "dr.rivera@example.org")
    page.goto(f"{live_url}/assignments/{assignment.id}/revisions/1")
    overall = page.get_by_label("Overall comment")
    status = page.locator("[data-save-status]")
    with endpoint_down(live_app, "assignments.autosave_review"):
        overall.fill(OVERALL)
        page.get_by_label("Accept this work").check()
        expect(status).to_have_text(re.compile("^Not saved — the server did not answer"),
                                    timeout=AUTOSAVE)
        a11y.check(page)
        page.reload()
        expect(overall).to_have_value(OVERALL)
        expect(page.get_by_label("Accept this work")).to_be_checked()
    expect(status).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d$"), timeout=AUTOSAVE)
    db.session.expire_all()
    review = db.session.scalars(select(Review)).one()
    assert (review.overall_comment, review.decision) == (OVERALL, "accept")
    db.session.rollback()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('counsel-review'))") \
        == []


def test_a_review_changed_in_another_tab_is_not_overwritten(live_app, live_url, page,
                                                            sign_in, a11y):
    _, client = caseload()
    assignment = submitted_letter(client, LETTER)
    sign_in(page, "dr.rivera@example.org")
    url = f"{live_url}/assignments/{assignment.id}/revisions/1"
    tab_a = page
    tab_a.goto(url)
    tab_b = page.context.new_page()
    tab_b.goto(url)

    def status(tab):
        return tab.locator("[data-save-status]")

    def stored():
        db.session.expire_all()
        review = db.session.scalars(select(Review)).one()
        result = (review.overall_comment, review.decision)
        db.session.rollback()
        return result

    tab_a.get_by_label("Overall comment").fill(OVERALL)
    tab_a.get_by_label("Accept this work").check()
    expect(status(tab_a)).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d$"),
                                       timeout=AUTOSAVE)

    # Tab B was opened before A saved: its save shows A's review instead of overwriting it.
    tab_b.get_by_label("Overall comment").fill("Tab B's comment")
    panel = tab_b.locator("[data-review-conflict]")
    expect(panel).to_be_visible(timeout=AUTOSAVE)
    expect(panel).to_contain_text(OVERALL)
    expect(status(tab_b)).to_have_text(re.compile("^Not saved — this review changed"))
    assert stored() == (OVERALL, "accept")
    a11y.check(tab_b)
    panel.get_by_role("button", name="Use the other version").click()
    expect(panel).to_have_count(0)
    expect(tab_b.get_by_label("Overall comment")).to_have_value(OVERALL)
    expect(tab_b.get_by_label("Accept this work")).to_be_checked()
    expect(status(tab_b)).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d$"),
                                       timeout=AUTOSAVE)

    # B writes on, so A is the stale one now; A keeps its own version.
    tab_b.get_by_label("Overall comment").press("End")
    tab_b.get_by_label("Overall comment").press_sequentially(" More from B.")
    expect(status(tab_b)).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d$"),
                                       timeout=AUTOSAVE)
    assert stored() == (OVERALL + " More from B.", "accept")
    tab_a.get_by_label("Ask for a revision").check()
    panel_a = tab_a.locator("[data-review-conflict]")
    expect(panel_a).to_be_visible(timeout=AUTOSAVE)
    expect(panel_a).to_contain_text(OVERALL + " More from B.")
    assert stored() == (OVERALL + " More from B.", "accept")
    panel_a.get_by_role("button", name="Keep my version").click()
    expect(panel_a).to_have_count(0)
    expect(status(tab_a)).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d$"),
                                       timeout=AUTOSAVE)
    assert stored() == (OVERALL, "request_revision")
    tab_b.close()
