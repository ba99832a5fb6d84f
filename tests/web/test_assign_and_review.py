"""The counselor's side: assigning, withdrawing, reviewing, comparing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.library.loader import sync_library
from counsel.models import Assignment, AuditEvent, Exercise, Review

from .. import factories
from ..conftest import Auth
from .workflow import fresh, letter, submit


@pytest.fixture
def library(app):
    sync_library()
    db.session.commit()
    return {e.slug: e for e in db.session.scalars(select(Exercise))}


def test_counselor_assigns_a_library_exercise_with_a_note(client, auth, people, library):
    auth.login(people["counselor"])
    alex = people["alex"]
    form = client.get(f"/assign?client_id={alex.id}&exercise_id={library['apology-letter'].id}")
    assert "selected" in form.text and '<optgroup label="Apology">' in form.text
    due = practice_today() + timedelta(days=7)
    response = client.post("/assign", data={"client": alex.id,
                                            "exercise": library["apology-letter"].id,
                                            "due_date": due.isoformat(), "note": "Gently."})
    assert response.status_code == 302 and response.location == f"/clients/{alex.id}"
    assignment = db.session.scalars(select(Assignment)).one()
    assert (assignment.status, assignment.due_date, assignment.note) == ("assigned", due, "Gently.")
    assert assignment.prompts == library["apology-letter"].prompt_texts
    page = client.get(f"/clients/{alex.id}").text
    assert library["apology-letter"].title in page and "Assigned" in page


def test_assign_refuses_bad_input_with_messages(client, auth, people, library):
    auth.login(people["counselor"])
    past = (practice_today() - timedelta(days=1)).isoformat()
    response = client.post("/assign", data={"client": people["alex"].id, "exercise":
                                            library["why-it-ended"].id, "due_date": past,
                                            "note": "keep this note"})
    assert response.status_code == 200 and "in the past" in response.text
    assert "keep this note" in response.text
    missing = client.post("/assign", data={"client": 0, "exercise": 0})
    assert "Choose a client." in missing.text and "Choose an exercise." in missing.text
    other_clients = client.post("/assign", data={"client": people["jordan"].id,
                                                 "exercise": library["why-it-ended"].id})
    assert other_clients.status_code == 200 and "Not a valid choice" in other_clients.text
    others_exercise = factories.ExerciseFactory(owner=people["other_counselor"])
    db.session.commit()
    refused = client.post("/assign", data={"client": people["alex"].id,
                                           "exercise": others_exercise.id})
    assert "Not a valid choice" in refused.text
    assert db.session.scalars(select(Assignment)).all() == []


def test_assignment_keeps_its_prompts_when_the_exercise_changes(client, auth, people):
    auth.login(people["counselor"])
    exercise = factories.ExerciseFactory(owner=people["counselor"])
    db.session.commit()
    client.post("/assign", data={"client": people["alex"].id, "exercise": exercise.id})
    exercise.prompts[0].text = "A different question"
    db.session.commit()
    assert db.session.scalars(select(Assignment)).one().prompts[0] == "What happened?"


def test_withdraw_only_before_submission(app, client, auth, people):
    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    auth.login(people["counselor"])
    assert client.post(f"/assignments/{assignment.id}/withdraw").status_code == 302
    assert fresh(Assignment, assignment.id).status == "withdrawn"
    second = letter(people)
    submit(alex, second, ["done"])
    client.post(f"/assignments/{second.id}/withdraw")
    assert fresh(Assignment, second.id).status == "submitted"


def _submitted(app, people, text="I am sorry I stopped listening. I will listen now."):
    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    submit(alex, assignment, [text])
    return assignment, alex


def test_review_loop_with_anchored_comments_and_rubric(app, client, auth, people):
    assignment, alex = _submitted(app, people)
    auth.login(people["counselor"])
    dashboard = client.get("/dashboard/").text
    assert "1</strong> waiting for review" in dashboard and assignment.title in dashboard
    url = f"/assignments/{assignment.id}/revisions/1"
    assert "I am sorry I stopped listening" in client.get(url).text
    comment = client.post(url + "/comments", data={"prompt_index": 0, "start": "2",
                                                   "quote": "am sorry", "body": "Good."})
    assert comment.status_code == 302
    wrong_place = client.post(url + "/comments", data={"prompt_index": 0, "start": "0",
                                                       "quote": "listen now", "body": "Yes"})
    assert wrong_place.status_code == 302, "the quote is found even if start is off"
    missing = client.post(url + "/comments", data={"prompt_index": 0, "quote": "not there",
                                                   "body": "keep my comment"})
    assert missing.status_code == 422 and "not in this answer" in missing.text
    assert "keep my comment" in missing.text
    review = db.session.scalars(select(Review)).one()
    assert [(c.start, c.end, c.quote) for c in review.comments] == [
        (2, 10, "am sorry"), (39, 49, "listen now")]
    no_feedback_needed = client.post(url + "/send", data={"decision": "request_revision",
                                                          "rubric_specific": "met",
                                                          "overall_comment": "Be concrete."})
    assert no_feedback_needed.status_code == 302
    review = fresh(Review, review.id)
    assert review.sent_at and review.rubric == {"specific": "met"}
    assert fresh(Assignment, assignment.id).status == "revision_requested"
    assert client.post(url + "/comments", data={"prompt_index": 0, "quote": "sorry",
                                                "body": "late"}).status_code == 422
    page = alex.get(f"/my/assignments/{assignment.id}").text
    assert "Be concrete." in page and "Names specific actions" in page

    submit(alex, assignment, ["I am sorry I stopped listening. I will put my phone away."])
    compare = client.get(f"/assignments/{assignment.id}/compare?from=1&to=2").text
    assert "<ins>put my phone away.</ins>" in compare and "<del>listen now.</del>" in compare
    accept = client.post(f"/assignments/{assignment.id}/revisions/2/send",
                         data={"decision": "accept"})
    assert accept.status_code == 302
    assert fresh(Assignment, assignment.id).status == "completed"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"review.comment", "review.send", "revision.view", "revision.compare"} <= actions


def test_request_revision_needs_some_feedback(app, client, auth, people):
    assignment, _ = _submitted(app, people)
    auth.login(people["counselor"])
    url = f"/assignments/{assignment.id}/revisions/1/send"
    response = client.post(url, data={"decision": "request_revision"})
    assert response.status_code == 422 and "Tell the client what to change" in response.text
    no_decision = client.post(url, data={"overall_comment": "keep this"})
    assert no_decision.status_code == 422 and "keep this" in no_decision.text
    assert fresh(Assignment, assignment.id).status == "submitted"


def test_removing_a_comment_before_sending(app, client, auth, people):
    assignment, _ = _submitted(app, people)
    auth.login(people["counselor"])
    url = f"/assignments/{assignment.id}/revisions/1"
    client.post(url + "/comments", data={"prompt_index": 0, "quote": "sorry", "body": "x"})
    comment = db.session.scalars(select(Review)).one().comments[0]
    assert client.post(f"{url}/comments/{comment.id}/delete").status_code == 302
    assert db.session.scalars(select(Review)).one().comments == []


def test_counselor_routes_are_404_for_other_counselors_and_403_for_others(app, people):
    assignment, _ = _submitted(app, people)
    comment_owner = app.test_client()
    Auth(comment_owner).login(people["counselor"])
    base = f"/assignments/{assignment.id}"
    comment_owner.post(base + "/revisions/1/comments", data={"prompt_index": 0,
                                                            "quote": "sorry", "body": "x"})
    comment_id = db.session.scalars(select(Review)).one().comments[0].id
    routes = [("GET", base), ("POST", base + "/withdraw"), ("GET", base + "/revisions/1"),
              ("POST", base + "/revisions/1/comments"),
              ("POST", f"{base}/revisions/1/comments/{comment_id}/delete"),
              ("POST", base + "/revisions/1/send"), ("GET", base + "/compare"),
              ("GET", base + "/revisions/9")]
    for who, expected in (("other_counselor", 404), ("alex", 403), ("sam", 403),
                          ("admin", 403)):
        person = people[who].user if who in ("alex", "sam") else people[who]
        browser = app.test_client()
        Auth(browser).login(person)
        for method, url in routes:
            response = browser.open(url, method=method, data={"decision": "accept",
                                                              "prompt_index": 0,
                                                              "quote": "sorry", "body": "x"})
            assert response.status_code == expected, (who, method, url)
            assert "I am sorry" not in response.text
    assert fresh(Assignment, assignment.id).status == "submitted"
    assert len(db.session.scalars(select(Review)).one().comments) == 1
    owner_pages = [comment_owner.get(url).status_code for method, url in routes[:3]
                   if method == "GET"]
    assert owner_pages == [200, 200]


def test_caseload_overdue_filter_and_dashboard(client, auth, people):
    overdue = letter(people, client_key="sam")
    overdue.due_date = practice_today() - timedelta(days=2)
    letter(people, client_key="alex")
    db.session.commit()
    auth.login(people["counselor"])
    filtered = client.get("/clients/?status=overdue").text
    assert people["sam"].name in filtered and people["alex"].name not in filtered
    dashboard = client.get("/dashboard/").text
    assert "1</strong> overdue" in dashboard and "was due" in dashboard


def test_form_line_breaks_are_the_textareas_own(app, client, auth, people):
    """A browser submits textarea line breaks as CRLF; stored text and passage anchors
    use the textarea's LF, so comments land where the counselor selected."""
    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    submit(alex, assignment, ["First line.\r\nSecond line, the one.\r\nThird."])
    stored = fresh(Assignment, assignment.id).revisions[0].answers[0]
    assert stored == "First line.\nSecond line, the one.\nThird."
    auth.login(people["counselor"])
    client.post(f"/assignments/{assignment.id}/revisions/1/comments", data={
        "prompt_index": 0, "start": str(stored.index("the one")),
        "quote": "the one.\r\nThird", "body": "Here."})
    comment = db.session.scalars(select(Review)).one().comments[0]
    assert stored[comment.start:comment.end] == "the one.\nThird"
