"""The counselor's unsent review is a draft that is never lost: kept with every button of
the review page (no JavaScript needed), autosaved as JSON with a version for conflicts,
handed back when a post is refused; removing a passage comment can be undone."""

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Assignment, AuditEvent, Review, ReviewComment

from ..conftest import Auth, csrf_token_from
from .workflow import fresh, submitted_letter

TEXT = "I am sorry I stopped listening. I will listen now."


@pytest.fixture
def submitted(app, people):
    return submitted_letter(app, people, TEXT)


@pytest.fixture
def review_url(submitted, auth, people):
    auth.login(people["counselor"])
    return f"/assignments/{submitted[0].id}/revisions/1"


def the_review() -> Review:
    db.session.expire_all()
    return db.session.scalars(select(Review)).one()


OVERALL = {"overall_comment": "A brave start <b>really</b>.", "decision": "request_revision",
           "rubric_specific": "met", "review_version": "0"}


def test_adding_a_passage_comment_keeps_the_overall_comment_and_decision(client, review_url):
    response = client.post(review_url + "/comments", data={
        **OVERALL, "prompt_index": 0, "quote": "am sorry", "start": "2", "body": "Good."})
    assert response.status_code == 302
    review = the_review()
    assert (review.overall_comment, review.decision, review.rubric, review.sent_at) == (
        "A brave start <b>really</b>.", "request_revision", {"specific": "met"}, None)
    assert [c.body for c in review.comments] == ["Good."]
    page = client.get(review_url).text
    assert "A brave start &lt;b&gt;really&lt;/b&gt;.</textarea>" in page
    assert 'checked id="decision-0" name="decision"' in page  # "Ask for a revision"
    assert 'checked id="rubric_specific-0"' in page
    assert f'name="review_version" type="hidden" value="{review.version}"' in page


def test_a_refused_comment_or_send_keeps_the_overall_fields(client, review_url):
    refused = client.post(review_url + "/comments", data={
        **OVERALL, "prompt_index": 0, "quote": "not in the text", "body": "keep my comment"})
    assert refused.status_code == 422 and "not in this answer" in refused.text
    assert "keep my comment" in refused.text and "A brave start" in refused.text
    assert the_review().overall_comment == "A brave start <b>really</b>."
    version = the_review().version
    no_decision = client.post(review_url + "/send", data={
        "overall_comment": "Changed my mind", "review_version": str(version)})
    assert no_decision.status_code == 422 and "Choose a decision." in no_decision.text
    assert "Changed my mind" in no_decision.text
    assert the_review().overall_comment == "Changed my mind" and the_review().sent_at is None


def test_removing_a_comment_keeps_the_overall_fields_and_can_be_undone(client, review_url):
    client.post(review_url + "/comments", data={"prompt_index": 0, "quote": "listen now",
                                                "body": "Say how."})
    comment = the_review().comments[0]
    before = (comment.id, comment.start, comment.end, comment.quote, comment.body,
              comment.created_at)
    removed = client.post(f"{review_url}/comments/{comment.id}/delete", data=OVERALL)
    assert removed.status_code == 302
    review = the_review()
    assert review.comments == [] and review.overall_comment == OVERALL["overall_comment"]
    page = client.get(review_url).text
    assert "No comments yet." in page and "Undo: restore this comment" in page
    assert f"/comments/{comment.id}/restore" in page
    # A removed comment cannot be removed again; an active one cannot be "restored".
    assert client.post(f"{review_url}/comments/{comment.id}/delete").status_code == 404
    restored = client.post(f"{review_url}/comments/{comment.id}/restore")
    assert restored.status_code == 302
    again = the_review().comments[0]
    assert (again.id, again.start, again.end, again.quote, again.body,
            again.created_at) == before
    assert client.post(f"{review_url}/comments/{comment.id}/restore").status_code == 404
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "review.comment_remove" in actions and "review.comment_restore" in actions


def test_a_removed_comment_is_never_sent_and_cannot_come_back_after_sending(
        client, review_url, submitted):
    assignment, alex = submitted
    for body in ("KEPT COMMENT", "REMOVED COMMENT"):
        client.post(review_url + "/comments", data={"prompt_index": 0, "quote": "sorry",
                                                    "body": body})
    removed = [c for c in the_review().comments if c.body == "REMOVED COMMENT"][0]
    client.post(f"{review_url}/comments/{removed.id}/delete")
    assert client.post(review_url + "/send", data={"decision": "request_revision"}).status_code \
        == 302
    assert client.post(f"{review_url}/comments/{removed.id}/restore").status_code == 302
    assert fresh(ReviewComment, removed.id).removed_at is not None
    for url in (f"/my/assignments/{assignment.id}", f"/my/assignments/{assignment.id}/revisions/1"):
        page = alex.get(url).text
        assert "KEPT COMMENT" in page and "REMOVED COMMENT" not in page
    assert "REMOVED COMMENT" not in client.get(review_url).text


def test_review_autosave_saves_and_detects_a_stale_tab(client, review_url):
    url = review_url + "/review-draft"
    first = client.post(url, json={"overall_comment": "tab A", "decision": "accept",
                                   "rubric": {"specific": "partly", "nonsense": "x"},
                                   "base_version": 0})
    assert first.status_code == 200
    version = first.json["version"]
    review = the_review()
    assert (review.overall_comment, review.decision, review.rubric) == (
        "tab A", "accept", {"specific": "partly"})
    second = client.post(url, json={"overall_comment": "tab A, more", "decision": "accept",
                                    "base_version": version})
    assert second.status_code == 200 and second.json["version"] > version
    stale = client.post(url, json={"overall_comment": "tab B", "base_version": version})
    assert stale.status_code == 409 and stale.json["error"] == "conflict"
    assert stale.json["overall_comment"] == "tab A, more"
    assert "review.draft_conflict" in db.session.scalars(select(AuditEvent.action)).all()
    assert the_review().overall_comment == "tab A, more"
    same_text = client.post(url, json={"overall_comment": "tab A, more", "decision": "accept",
                                       "base_version": version})
    assert same_text.status_code == 200, "the same text from an older page is no conflict"
    resolved = client.post(url, json={"overall_comment": "tab B",
                                      "base_version": stale.json["version"]})
    assert resolved.status_code == 200 and the_review().overall_comment == "tab B"
    assert the_review().sent_at is None


def test_review_autosave_refuses_bad_input_with_a_message(client, review_url):
    url = review_url + "/review-draft"
    for body in ([], "text", 5, True, {"overall_comment": 5}, {"rubric": []},
                 {"decision": ["accept"]}, {"overall_comment": ["x"]}):
        response = client.post(url, json=body)
        assert response.status_code == 422, body
        assert response.json["error"] == "bad_input"
    long = client.post(url, json={"overall_comment": "x" * 10_001, "base_version": 0})
    assert long.status_code == 422 and "10,000" in long.json["message"]
    odd_rubric = client.post(url, json={"rubric": {"specific": ["met"], "changes": {}},
                                        "base_version": 0})
    assert odd_rubric.status_code == 200 and the_review().rubric is None
    db.session.delete(the_review())
    db.session.commit()
    for bad in ("a\x00b", "x\ud800y"):
        refused = client.post(url, json={"overall_comment": bad, "base_version": 0})
        assert refused.status_code == 422 and "cannot be stored" in refused.json["message"]
    assert db.session.scalars(select(Review)).first() is None


def test_a_form_post_from_a_stale_tab_shows_both_versions(client, review_url):
    client.post(review_url + "/review-draft", json={"overall_comment": "from the other tab",
                                                    "base_version": 0})
    response = client.post(review_url + "/review-draft/save", data={
        "overall_comment": "typed in this tab", "review_version": "0"})
    assert response.status_code == 409
    assert "typed in this tab</textarea>" in response.text
    assert "from the other tab</pre>" in response.text
    assert f'name="review_version" type="hidden" value="{the_review().version}"' in response.text
    assert the_review().overall_comment == "from the other tab"
    saved = client.post(review_url + "/review-draft/save", data={
        "overall_comment": "typed in this tab", "review_version": str(the_review().version)})
    assert saved.status_code == 302 and the_review().overall_comment == "typed in this tab"


def test_after_sending_the_draft_cannot_change(client, review_url):
    client.post(review_url + "/send", data={"decision": "accept", "overall_comment": "Done."})
    late = client.post(review_url + "/review-draft", json={"overall_comment": "late",
                                                           "base_version": 2})
    assert late.status_code == 409 and late.json["error"] == "sent"
    client.post(review_url + "/review-draft/save", data={"overall_comment": "late"})
    assert the_review().overall_comment == "Done."


def test_the_client_never_sees_an_unsent_draft(client, review_url, submitted):
    assignment, alex = submitted
    client.post(review_url + "/review-draft", json={"overall_comment": "PRIVATE DRAFT",
                                                    "decision": "accept", "base_version": 0})
    for url in (f"/my/assignments/{assignment.id}", f"/my/assignments/{assignment.id}/revisions/1",
                "/my/"):
        page = alex.get(url).text
        assert "PRIVATE DRAFT" not in page and "accepted" not in page.lower()
    assert fresh(Assignment, assignment.id).status == "submitted"


def test_an_expired_page_hands_the_review_back_on_the_review_page(app, client, review_url):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(review_url + "/comments", data={
        "overall_comment": "An hour of careful feedback", "decision": "accept",
        "prompt_index": 0, "quote": "am sorry", "body": "my passage comment",
        "csrf_token": "expired"})
    assert response.status_code == 400
    assert "An hour of careful feedback</textarea>" in response.text
    assert "my passage comment</textarea>" in response.text
    assert 'checked id="decision-1"' in response.text
    assert "this page had expired" in response.text
    token = csrf_token_from(response.text)
    assert token and db.session.scalars(select(Review)).first() is None
    views = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "revision.view")).all()
    assert views, "showing the client's answers again is audited"
    autosave = client.post(review_url + "/review-draft", json={"overall_comment": "x"})
    assert autosave.status_code == 400 and autosave.json["error"] == "csrf"


def test_a_signed_out_post_hands_the_review_text_back(client, auth, review_url):
    auth.logout()
    response = client.post(review_url + "/send", data={
        "overall_comment": "Words I must not lose", "decision": "accept"})
    assert response.status_code == 401 and "Words I must not lose" in response.text
    autosave = client.post(review_url + "/review-draft", json={"overall_comment": "x"})
    assert autosave.status_code == 401 and autosave.json["error"] == "signed_out"


def test_review_draft_routes_are_404_for_other_counselors_and_403_for_clients(
        app, client, review_url, people):
    client.post(review_url + "/comments", data={"prompt_index": 0, "quote": "sorry",
                                                "body": "x"})
    comment = the_review().comments[0]
    client.post(f"{review_url}/comments/{comment.id}/delete")
    routes = [("POST", review_url + "/review-draft"), ("POST", review_url + "/review-draft/save"),
              ("POST", f"{review_url}/comments/{comment.id}/restore")]
    for who, expected in (("other_counselor", 404), ("alex", 403), ("admin", 403)):
        person = people[who].user if who == "alex" else people[who]
        browser = app.test_client()
        Auth(browser).login(person)
        for method, url in routes:
            body = {"overall_comment": "hacked", "base_version": 0}
            sent = {"json": body} if url.endswith("/review-draft") else {"data": body}
            response = browser.open(url, method=method, **sent)
            assert response.status_code == expected, (who, url)
            assert "I am sorry" not in response.text
    assert the_review().overall_comment is None and the_review().comments == []
    owner = [client.post(url, **{"json" if url.endswith("/review-draft") else "data":
                                 {"overall_comment": "mine", "base_version": 0}}).status_code
             for _, url in routes]
    assert owner == [200, 302, 302]
