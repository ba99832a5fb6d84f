"""The client's side: drafts, autosave, conflicts, submitting, and never losing text."""

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Assignment, AuditEvent, Revision

from ..conftest import csrf_token_from
from .workflow import current_version, fresh, letter, save, submit, work_url


@pytest.fixture
def alex_letter(people, auth):
    assignment = letter(people, prompts=("What happened?", "What will change?"))
    auth.login(people["alex"].user)
    return assignment


def test_client_sees_their_work_and_home_orders_it(client, alex_letter, people):
    home = client.get("/my/").text
    assert "Next: " + alex_letter.title in home
    page = client.get(work_url(alex_letter)).text
    assert "What happened?" in page and "What will change?" in page
    assert 'data-autosave-url="/my/assignments/' in page


def test_autosave_saves_and_moves_to_in_progress(client, alex_letter):
    response = save(client, alex_letter, ["First thoughts", ""])
    assert response.status_code == 200 and response.json["version"] == 1
    assert fresh(Assignment, alex_letter.id).status == "in_progress"
    again = save(client, alex_letter, ["First thoughts, more", ""], version=1)
    assert again.json["version"] == 2
    assert fresh(Assignment, alex_letter.id).draft.answers == ["First thoughts, more", ""]


def test_stale_save_is_a_conflict_with_both_texts_never_an_overwrite(client, alex_letter):
    save(client, alex_letter, ["tab A", ""])
    save(client, alex_letter, ["tab A again", ""], version=1)
    stale = save(client, alex_letter, ["tab B", ""], version=1)
    assert stale.status_code == 409
    assert stale.json["error"] == "conflict" and stale.json["answers"] == ["tab A again", ""]
    assert fresh(Assignment, alex_letter.id).draft.answers == ["tab A again", ""]
    resolved = save(client, alex_letter, ["tab B", ""], version=stale.json["version"])
    assert resolved.status_code == 200


def test_stale_form_post_shows_both_texts_and_keeps_the_typed_one(client, alex_letter):
    save(client, alex_letter, ["saved elsewhere", ""])
    save(client, alex_letter, ["saved elsewhere twice", ""], version=1)
    response = client.post(work_url(alex_letter), data={
        "answers-0": "typed here", "answers-1": "", "base_version": "1", "action": "save"})
    assert response.status_code == 409
    assert "typed here" in response.text and "saved elsewhere twice" in response.text
    assert 'name="base_version" type="hidden" value="2"' in response.text
    assert fresh(Assignment, alex_letter.id).draft.answers == ["saved elsewhere twice", ""]


def test_submit_freezes_numbered_revisions(client, alex_letter):
    response = submit(client, alex_letter, ["It was me.", "Listening."])
    assert response.status_code == 302
    assignment = fresh(Assignment, alex_letter.id)
    assert assignment.status == "submitted"
    assert [r.number for r in assignment.revisions] == [1]
    assert assignment.revisions[0].answers == ["It was me.", "Listening."]
    revision = assignment.revisions[0]
    revision.answers = ["changed"]
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(fresh(Revision, revision.id))
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()


def test_blank_submission_is_refused_and_text_kept(client, alex_letter):
    response = submit(client, alex_letter, ["   ", "\n"])
    assert response.status_code == 409
    assert "nothing to submit" in response.text
    assert fresh(Assignment, alex_letter.id).revisions == []


def test_double_submit_is_harmless(client, alex_letter):
    submit(client, alex_letter, ["Once.", ""], action="submit_anyway")
    second = client.post(work_url(alex_letter), data={
        "answers-0": "Once.", "answers-1": "", "base_version": 1, "action": "submit"},
        follow_redirects=True)
    assert second.status_code == 200 and "already submitted" in second.text
    assert len(fresh(Assignment, alex_letter.id).revisions) == 1


def test_unchanged_resubmission_is_refused(client, people, alex_letter):
    from counsel.assignments import operations

    submit(client, alex_letter, ["Same.", ""], action="submit_anyway")
    assignment = fresh(Assignment, alex_letter.id)
    operations.send_review(people["counselor"], assignment.revisions[0],
                           decision="request_revision", overall_comment="More.", rubric=None)
    db.session.commit()
    response = submit(client, alex_letter, ["Same.", ""], action="submit_anyway")
    assert response.status_code == 409 and "Nothing has changed" in response.text
    assert submit(client, alex_letter, ["Same, and more.", ""],
                  action="submit_anyway").status_code == 302
    assert [r.number for r in fresh(Assignment, alex_letter.id).revisions] == [1, 2]


def test_submit_after_withdrawal_keeps_every_word(client, people, alex_letter):
    from counsel.assignments import operations

    save(client, alex_letter, ["draft", ""])
    operations.withdraw(people["counselor"], fresh(Assignment, alex_letter.id))
    db.session.commit()
    words = "Everything I wrote tonight, מילים, كلمات 😢"
    response = client.post(work_url(alex_letter), data={
        "answers-0": words, "answers-1": "", "base_version": 1, "action": "submit"})
    assert response.status_code == 409
    assert "withdrew this exercise" in response.text and words in response.text
    autosave = save(client, alex_letter, [words, ""], version=1)
    assert autosave.status_code == 409 and autosave.json["error"] == "withdrawn"


def test_over_long_and_nul_answers_get_messages_and_keep_the_text(client, alex_letter):
    long = "ж" * 50_001
    response = client.post(work_url(alex_letter), data={
        "answers-0": long, "answers-1": "kept too", "base_version": 0, "action": "save"})
    assert response.status_code == 422
    assert "over 50,000 characters" in response.text and long in response.text
    assert "kept too" in response.text
    nul = save(client, alex_letter, ["a\x00b", ""])
    assert nul.status_code == 422 and "NUL" in nul.json["message"]
    posted = client.post(work_url(alex_letter), data={
        "answers-0": "before\x00after", "answers-1": "", "base_version": 0, "action": "save"})
    assert posted.status_code == 422 and "NUL" in posted.text and "after" in posted.text
    assert save(client, alex_letter, ["x" * 50_000, ""]).status_code == 200


def test_wrong_shape_of_answers_is_refused(client, alex_letter):
    for bad in (None, "text", ["only one"], ["a", "b", "c"], [1, 2]):
        assert save(client, alex_letter, bad).status_code == 422


def test_expired_csrf_token_hands_the_text_back(app, client, alex_letter):
    app.config["WTF_CSRF_ENABLED"] = True
    words = "An hour of writing I cannot lose."
    response = client.post(work_url(alex_letter), data={
        "answers-0": words, "answers-1": "", "base_version": 0, "action": "save",
        "csrf_token": "expired-token"})
    assert response.status_code == 400
    assert words in response.text and "press Save again" in response.text
    token = csrf_token_from(response.text)
    saved = client.post(work_url(alex_letter), data={
        "answers-0": words, "answers-1": "", "base_version": 0, "action": "save",
        "csrf_token": token})
    assert saved.status_code == 302
    assert fresh(Assignment, alex_letter.id).draft.answers[0] == words
    stale_json = client.post(work_url(alex_letter) + "/draft", json={"answers": [words, ""]},
                             headers={"X-CSRFToken": "stale"})
    assert stale_json.status_code == 400 and stale_json.json["error"] == "csrf"


def test_signed_out_save_hands_the_text_back(app, client, people, alex_letter):
    client.post("/sign-out")
    response = client.post(work_url(alex_letter), data={
        "answers-0": "words after the time-out", "answers-1": "", "base_version": 0})
    assert response.status_code == 401 and "words after the time-out" in response.text
    autosave = save(client, alex_letter, ["x", ""])
    assert autosave.status_code == 401 and autosave.json["error"] == "signed_out"


def test_other_people_cannot_reach_a_clients_work(app, people, alex_letter):
    from ..conftest import Auth

    save_as_alex = app.test_client()
    Auth(save_as_alex).login(people["alex"].user)
    save(save_as_alex, alex_letter, ["private", ""])
    submit(save_as_alex, alex_letter, ["private", ""])
    urls = [("GET", work_url(alex_letter)), ("POST", work_url(alex_letter)),
            ("POST", work_url(alex_letter) + "/draft"),
            ("GET", work_url(alex_letter) + "/revisions/1")]
    for who, expected in (("sam", 404), ("jordan", 404), ("counselor", 403), ("admin", 403),
                          ("other_counselor", 403)):
        person = people[who].user if who in ("sam", "jordan") else people[who]
        browser = app.test_client()
        Auth(browser).login(person)
        for method, url in urls:
            response = browser.open(url, method=method, json={"answers": ["x", "y"]})
            assert response.status_code == expected, (who, method, url)
            assert "private" not in response.text
    assert fresh(Assignment, alex_letter.id).draft.answers == ["private", ""]


def test_views_and_saves_are_audited_without_text(client, alex_letter):
    client.get(work_url(alex_letter))
    save(client, alex_letter, ["secret words", ""])
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "assignment.view" in actions and "draft.save" in actions
    details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert "secret" not in details


def test_unsent_review_is_invisible_to_the_client(client, people, alex_letter):
    from counsel.assignments import operations

    submit(client, alex_letter, ["My letter text", ""], action="submit_anyway")
    revision = fresh(Assignment, alex_letter.id).revisions[0]
    operations.add_comment(people["counselor"], revision, prompt_index=0, quote="letter",
                           start=None, body="UNSENT COMMENT")
    db.session.commit()
    for url in (work_url(alex_letter), work_url(alex_letter) + "/revisions/1"):
        assert "UNSENT COMMENT" not in client.get(url).text
    operations.send_review(people["counselor"], fresh(Revision, revision.id),
                           decision="request_revision", overall_comment=None, rubric=None)
    db.session.commit()
    page = client.get(work_url(alex_letter)).text
    assert "UNSENT COMMENT" in page and '<mark id="passage-1"' in page
    assert 'My <mark id="passage-1" data-ref="1">letter<sup>1</sup></mark> text' in page
    assert current_version(alex_letter) == 1




def test_the_same_text_from_an_older_page_is_not_a_conflict(client, alex_letter):
    save(client, alex_letter, ["one", ""])
    save(client, alex_letter, ["two", ""], version=1)
    repeat = save(client, alex_letter, ["two", ""], version=1)
    assert repeat.status_code == 200 and repeat.json["version"] == 2
    form = client.post(work_url(alex_letter), data={"answers-0": "two", "answers-1": "",
                                                    "base_version": "1", "action": "save"})
    assert form.status_code == 302


def test_signed_out_autosave_with_a_stale_token_says_signed_out(app, client, alex_letter):
    client.post("/sign-out")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(work_url(alex_letter) + "/draft", json={"answers": ["x", ""]},
                           headers={"X-CSRFToken": "stale"})
    assert response.status_code == 401 and response.json["error"] == "signed_out"
