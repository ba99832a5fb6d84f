"""Eight simultaneous "send review" posts: the review is sent once, the others are told
it was already sent, and nothing fails (issue 6, section 3). Against a live threaded
server, on SQLite and (with COUNSEL_TEST_DATABASE_URL) PostgreSQL."""

import pytest
from sqlalchemy import func, select

from counsel.extensions import db
from counsel.models import Assignment, AuditEvent, Review

from ..conftest import PASSWORD, Auth
from .live import live_server, post, sign_in, together
from .workflow import fresh, letter, submit


@pytest.mark.parametrize("started", [False, True], ids=["new-review", "review-with-comment"])
def test_eight_simultaneous_sends_answer_once(app, people, started):
    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    assert submit(alex, assignment, ["I am sorry I stopped listening."]).status_code == 302
    base = f"/assignments/{assignment.id}/revisions/1"
    email = people["counselor"].email
    db.session.rollback()
    with live_server(app) as port:
        cookie = sign_in(port, email, PASSWORD)
        if started:
            status, _ = post(port, base + "/comments", {"prompt_index": 0, "quote": "sorry",
                                                         "body": "Say what you will do."},
                             cookie)
            assert status == 302
        results = together(8, lambda n: post(port, base + "/send", {
            "decision": "request_revision", "overall_comment": f"Comment {n}"}, cookie))
        statuses = [status for status, _ in results]
        assert all(status < 500 for status in statuses), statuses
        assert statuses.count(302) == 8, statuses
        assert {headers["Location"] for _, headers in results} == {
            f"/assignments/{assignment.id}"}
    db.session.expire_all()
    sends = db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "review.send"))
    assert sends == 1
    review = db.session.scalars(select(Review)).one()
    assert review.sent_at is not None and review.overall_comment.startswith("Comment ")
    assert fresh(Assignment, assignment.id).status == "revision_requested"


def test_a_second_send_gets_the_already_sent_message(app, client, auth, people):
    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    submit(alex, assignment, ["Words."])
    auth.login(people["counselor"])
    url = f"/assignments/{assignment.id}/revisions/1/send"
    assert client.post(url, data={"decision": "accept"}).status_code == 302
    again = client.post(url, data={"decision": "request_revision",
                                   "overall_comment": "Changed my mind"})
    assert again.status_code == 302
    page = client.get(again.location)
    assert "already sent" in page.text
    assert fresh(Assignment, assignment.id).status == "completed"
