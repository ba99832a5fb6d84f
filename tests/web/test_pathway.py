"""The stage pathway: each client's stages with their work, where they are, and locked
stages. Locked work shows but cannot be started on any path (the page, autosave, submit,
reopen); a stage opens by hand or by itself when the previous stage's work is completed."""

from sqlalchemy import select

from counsel.assignments import operations
from counsel.extensions import db
from counsel.models import Assignment, AuditEvent, Client
from counsel.models.progress import StageSetting
from counsel.pathway import operations as pathway
from counsel.pathway import stages

from .. import factories
from .workflow import fresh, save, submit, work_url


def work(client, stage, status="assigned", title=None):
    exercise = factories.ExerciseFactory(owner=client.counselor, stage=stage,
                                         **({"title": title} if title else {}))
    assignment = factories.AssignmentFactory(client=client, exercise=exercise, _status=status)
    db.session.commit()
    return assignment


def lock(client, auth, people, stage, state):
    auth.login(people["counselor"])
    return client.post(f"/clients/{people['alex'].id}/pathway/{stage}",
                       data={f"{stage}-state": state})


def actions():
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def accept(people, assignment, answers=("Done.", "Done.")):
    """The client submits, the counselor accepts: the way work becomes completed."""
    revision = operations.submit(people["alex"].user, assignment, list(answers), None)
    operations.send_review(people["counselor"], revision, overall_comment="Good.",
                           rubric=None, decision="accept")
    db.session.commit()


def test_the_counselor_sees_every_stage_with_its_work_and_where_the_client_is(client, auth,
                                                                            people):
    alex = people["alex"]
    work(alex, "understanding", "completed", "Your story")
    work(alex, "reflection", "submitted", "Patterns")
    work(alex, "apology", "assigned", "The letter")
    work(people["sam"], "no-contact", "assigned", "Sam's tracker")
    auth.login(people["counselor"])
    show = client.get(f"/clients/{alex.id}").text
    assert f'href="/clients/{alex.id}/pathway"' in show
    page = client.get(f"/clients/{alex.id}/pathway")
    assert page.status_code == 200
    text = page.text
    titles = [title for title in stages.STAGES.values() if title in text]
    assert titles == list(stages.STAGES.values())
    assert "Current stage: <strong>Reflection</strong>" in text
    assert text.index("Your story") < text.index("Patterns") < text.index("The letter")
    assert "Sam&#39;s tracker" not in text and "Sam's tracker" not in text
    assert "Submitted" in text and "Completed" in text
    assert actions()[-1] == "pathway.view"


def test_the_client_sees_their_own_pathway_only(client, auth, people):
    work(people["alex"], "apology", "in_progress", "The letter")
    work(people["sam"], "apology", "assigned", "Sam's letter")
    auth.login(people["alex"].user)
    assert 'href="/my/pathway"' in client.get("/my/").text
    page = client.get("/my/pathway")
    assert page.status_code == 200
    assert "The letter" in page.text and "Sam" not in page.text
    assert "You are in the <strong>Apology</strong> stage." in page.text
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pathway.view")).one()
    assert row.client_id == people["alex"].id


def test_locked_work_is_visible_but_refused_on_every_path(client, auth, people):
    letter = work(people["alex"], "apology", "assigned", "The letter")
    response = lock(client, auth, people, "apology", "locked")
    assert response.status_code == 302
    assert "stage.lock" in actions()
    assert "Locked" in client.get(f"/clients/{people['alex'].id}/pathway").text
    shown = client.get(f"/assignments/{letter.id}").text
    assert "Apology is locked for" in shown and "cannot start or change it" in shown

    auth.logout()
    auth.login(people["alex"].user)
    home = client.get("/my/").text
    assert "The letter" in home and "Apology has not opened yet" in home
    assert "Next: The letter" not in home
    assert "cannot be started yet" in client.get("/my/pathway").text
    page = client.get(work_url(letter)).text
    assert "The Apology stage is not open yet" in page
    assert "Opens when your counselor unlocks it." in page
    assert "data-readonly" in page and 'value="submit"' not in page

    saved = save(client, letter, ["My words", ""])
    assert saved.status_code == 409 and saved.json["error"] == "locked"
    assert "not opened yet" in saved.json["message"]
    sent = submit(client, letter, ["My words", "more words"])
    assert sent.status_code == 409
    assert "not opened yet" in sent.text and "My words</textarea>" in sent.text
    assignment = fresh(Assignment, letter.id)
    assert assignment.status == "assigned" and assignment.draft is None


def test_a_started_draft_is_kept_read_only_while_its_stage_is_locked(client, auth, people):
    letter = work(people["alex"], "apology", "assigned")
    operations.save_draft(people["alex"].user, letter, ["Half a letter", ""], None)
    db.session.commit()
    lock(client, auth, people, "apology", "locked")
    auth.logout()
    auth.login(people["alex"].user)
    page = client.get(work_url(letter)).text
    assert "Half a letter</textarea>" in page and "readonly" in page
    assert save(client, letter, ["Changed", ""], 1).status_code == 409
    assert fresh(Assignment, letter.id).draft.answers == ["Half a letter", ""]


def test_a_submission_cannot_be_taken_back_into_a_locked_stage(client, auth, people):
    letter = work(people["alex"], "apology", "assigned")
    operations.submit(people["alex"].user, letter, ["Words", "More"], None)
    db.session.commit()
    lock(client, auth, people, "apology", "locked")
    auth.logout()
    auth.login(people["alex"].user)
    assert "Take it back" not in client.get(work_url(letter)).text
    client.post(work_url(letter) + "/reopen")
    assert fresh(Assignment, letter.id).status == "submitted"


def test_unlocking_by_hand_lets_the_client_start(client, auth, people):
    letter = work(people["alex"], "apology", "assigned")
    lock(client, auth, people, "apology", "locked")
    opened = client.post(f"/clients/{people['alex'].id}/pathway/apology",
                         data={"apology-state": "open"}, follow_redirects=True)
    assert "Apology is open for" in opened.text
    assert "stage.unlock" in actions()
    auth.logout()
    auth.login(people["alex"].user)
    assert save(client, letter, ["Now I can", ""]).status_code == 200
    assert fresh(Assignment, letter.id).status == "in_progress"


def test_a_stage_opens_by_itself_when_the_previous_stages_work_is_completed(client, auth,
                                                                          people):
    alex = people["alex"]
    first, second = work(alex, "no-contact"), work(alex, "no-contact")
    letter = work(alex, "apology")
    response = lock(client, auth, people, "apology", "auto")
    assert response.status_code == 302
    setting = db.session.scalars(select(StageSetting)).one()
    assert setting.locked and setting.unlock_when_previous_done
    page = client.get(f"/clients/{alex.id}/pathway").text
    assert "Opens when the client&#39;s No contact work is completed." in page

    accept(people, first)
    assert fresh(StageSetting, setting.id).locked, "one piece of No contact is still open"
    operations.withdraw(people["counselor"], fresh(Assignment, second.id))
    work(alex, "no-contact", "withdrawn")
    third = work(alex, "no-contact")
    accept(people, third)
    setting = fresh(StageSetting, setting.id)
    assert not setting.locked and not setting.unlock_when_previous_done
    row = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "stage.auto_unlock")).one()
    assert row.client_id == alex.id and row.actor_id == people["counselor"].id
    assert operations.save_draft(alex.user, fresh(Assignment, letter.id), ["Yes", ""], None)


def test_choosing_auto_when_the_previous_work_is_done_opens_the_stage_at_once(client, auth,
                                                                            people):
    work(people["alex"], "no-contact", "completed")
    response = lock(client, auth, people, "apology", "auto")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).text
    assert "already completed" in follow
    assert not db.session.scalars(select(StageSetting).where(StageSetting.locked)).all()


def test_bad_lock_input_gets_a_clear_message_and_changes_nothing(client, auth, people):
    response = lock(client, auth, people, "apology", "sideways")
    assert response.status_code == 422
    assert "Not a valid choice" in response.text or "Choose whether" in response.text
    assert lock(client, auth, people, "apology", "").status_code == 422
    # the first stage has nothing before it: there is no form for it, and no route
    assert lock(client, auth, people, "understanding", "locked").status_code == 404
    assert lock(client, auth, people, "sideways", "locked").status_code == 404
    assert db.session.scalars(select(StageSetting)).all() == []
    again = lock(client, auth, people, "apology", "open")
    assert again.status_code == 302 and db.session.scalars(select(StageSetting)).all() == []


def test_another_counselors_client_gets_404_and_nothing_changes(client, auth, people):
    auth.login(people["other_counselor"])
    alex = people["alex"].id
    assert client.get(f"/clients/{alex}/pathway").status_code == 404
    assert client.post(f"/clients/{alex}/pathway/apology",
                       data={"apology-state": "locked"}).status_code == 404
    assert db.session.scalars(select(StageSetting)).all() == []


def test_the_sql_rule_matches_the_python_rule(people):
    """The dashboard's counts and the caseload filter use ``ranks_by_client``; they must
    place every client where ``current_stage`` does."""
    counselor = people["counselor"]
    shapes = [[], [("apology", "withdrawn")], [("reflection", "assigned")],
              [("understanding", "completed"), ("apology", "revision_requested")],
              [("apology", "completed"), ("understanding", "submitted")],
              [("understanding", "completed"), ("no-contact", "completed")]]
    made = []
    for shape in shapes:
        client = factories.ClientFactory(counselor=counselor)
        db.session.flush()
        for stage, status in shape:
            work(client, stage, status)
        made.append((client, stages.current_stage(shape)))
    everyone = [people["alex"], people["sam"]] + [c for c, _ in made]
    expected = {}
    for client in everyone:
        now = dict((c.id, s) for c, s in made).get(client.id)
        expected[now] = expected.get(now, 0) + 1
    caseload = select(Client).where(Client.counselor_id == counselor.id)
    got = {stage: n for stage, _, n in stages.counts_by_stage(caseload)}
    assert got == expected
    for client, now in made:
        at = set(db.session.scalars(stages.clients_at(now, caseload)))
        assert client.id in at and people["jordan"].id not in at


def test_the_dashboard_counts_clients_by_stage_and_links_to_them(client, auth, people):
    work(people["alex"], "apology", "assigned")
    auth.login(people["counselor"])
    page = client.get("/dashboard/").text
    assert "Clients by stage" in page
    assert 'href="/clients/?status=active&amp;stage=apology"' in page
    assert 'href="/clients/?status=active&amp;stage=none"' in page
    at = client.get("/clients/?status=active&stage=apology").text
    assert people["alex"].name in at and people["sam"].name not in at
    assert "whose current stage is Apology" in at
    none = client.get("/clients/?status=active&stage=none").text
    assert people["sam"].name in none and people["alex"].name not in none
    # an unknown stage is ignored, not an error
    assert client.get("/clients/?stage=%3Cx%3E").status_code == 200


def test_withdrawing_the_last_open_piece_opens_the_next_stage_too(client, auth, people):
    alex = people["alex"]
    work(alex, "no-contact", "completed")
    still_open = work(alex, "no-contact")
    lock(client, auth, people, "apology", "auto")
    assert db.session.scalars(select(StageSetting)).one().locked
    operations.withdraw(people["counselor"], fresh(Assignment, still_open.id))
    db.session.commit()
    assert not db.session.scalars(select(StageSetting)).one().locked
    assert "stage.auto_unlock" in actions()


def test_a_stage_locked_by_hand_does_not_open_by_itself(client, auth, people):
    first = work(people["alex"], "no-contact")
    lock(client, auth, people, "apology", "locked")
    accept(people, first)
    assert db.session.scalars(select(StageSetting)).one().locked
    assert "stage.auto_unlock" not in actions()


def test_two_tabs_locking_at_the_same_moment_get_a_clear_message(client, auth, people,
                                                                 monkeypatch):
    db.session.add(StageSetting(client_id=people["alex"].id, stage="apology", locked=True,
                                updated_by_id=people["counselor"].id))
    db.session.commit()
    # the other tab's row arrived after this request looked for one
    monkeypatch.setattr(pathway, "_setting", lambda client, stage: None)
    response = lock(client, auth, people, "apology", "auto")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "changed in another tab or window at the same moment" in page
    assert len(db.session.scalars(select(StageSetting)).all()) == 1
