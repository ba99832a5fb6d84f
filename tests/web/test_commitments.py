"""Commitments (issue 11, item 3): the client adds concrete changes on their work page,
follows each up on its schedule (kept, partly, not yet) for a day of their own, and sees its
history; the counselor sees the same, read-only, on the assignment and review pages. Bad
input is explained beside the field with everything typed kept and nothing stored wrongly;
another person's ids get 404; every change is audited; the pages' statement counts do not
grow with the history."""

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
import time_machine
from markupsafe import escape
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import (
    Assignment,
    AuditEvent,
    Commitment,
    CommitmentFollowUp,
    Revision,
)
from counsel.records import commitment as rules

from ..conftest import Auth, csrf_token_from
from .test_query_counts import counting
from .workflow import fresh, letter, submit

TEXT = "I will put my phone away at dinner and listen."


@contextmanager
def at(day: int, client=None, user=None):
    """Noon UTC on ``day`` December 2026, signed in afresh as ``user`` (a session from
    another day has timed out)."""
    with time_machine.travel(datetime(2026, 12, day, 12, 0, tzinfo=UTC), tick=False):
        if client is not None:
            Auth(client).login(user)
        yield


def commitment_work(people, client_key="alex"):
    return letter(people, client_key, prompts=("What changes will you make?",),
                  kind="commitment")


def url(assignment, *rest):
    return "/".join([f"/my/assignments/{assignment.id}/commitments", *map(str, rest)])


def add(client, assignment, text=TEXT, every="3"):
    return client.post(url(assignment), data={"new-text": text, "new-every_days": every})


def change(client, assignment, commitment_id, text, every="7"):
    prefix = f"change-{commitment_id}"
    return client.post(url(assignment, commitment_id),
                       data={f"{prefix}-text": text, f"{prefix}-every_days": every})


def follow(client, assignment, commitment_id, outcome="kept", day="2026-12-08", note=""):
    prefix = f"follow-up-{commitment_id}"
    data = {f"{prefix}-taken_on": day, f"{prefix}-note": note}
    if outcome is not None:
        data[f"{prefix}-outcome"] = outcome
    return client.post(url(assignment, commitment_id, "follow-ups"), data=data)


def commitments(assignment):
    db.session.expire_all()
    return db.session.scalars(select(Commitment).where(
        Commitment.assignment_id == assignment.id).order_by(Commitment.id)).all()


def follow_ups():
    db.session.expire_all()
    return db.session.scalars(select(CommitmentFollowUp).order_by(CommitmentFollowUp.id)).all()


def page(client, assignment):
    response = client.get(f"/my/assignments/{assignment.id}")
    assert response.status_code == 200
    return response.text


def section(html: str) -> str:
    """The commitments' part of a page."""
    start = html.index('id="commitments"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def work(people):
    return commitment_work(people)


@pytest.fixture
def alex(client):
    return client


@pytest.fixture
def me(people):
    return people["alex"].user


# --- the whole flow ----------------------------------------------------------------------

def test_the_client_commits_follows_up_over_time_and_both_see_the_history(
        app, client, auth, people, work):
    me = people["alex"].user
    with at(8, client, me):
        assert "No commitments yet." in page(client, work)
        response = add(client, work)
        assert response.status_code == 302
        made = commitments(work)[0]
        assert response.location.endswith(f"/my/assignments/{work.id}#commitment-{made.id}")
        assert (made.text, made.every_days, made.starts_on) == (TEXT, 3, date(2026, 12, 8))
        assert fresh(Assignment, work.id).status == "in_progress", "the first record starts it"
        whole = page(client, work)
        assert "Your commitment is saved. Its first follow-up is due on Fri 11 Dec." in whole
        shown = section(whole)
        assert TEXT in shown and "Next follow-up due on Fri 11 Dec 2026." in shown
        assert "followed up every 3 days" in shown and "No follow-ups yet." in shown
        assert "Change this commitment" in shown
    with at(11, client, me):
        shown = section(page(client, work))
        assert "Due today" in shown and 'data-due-state="due"' in shown
        assert 'value="2026-12-11"' in shown, "the day defaults to the client's today"
        assert follow(client, work, made.id, "kept", "2026-12-11").status_code == 302
        shown = section(page(client, work))
        assert "Next follow-up due on Mon 14 Dec 2026." in shown
        assert "Change this commitment" not in shown, "followed up: kept as it was made"
    with at(16, client, me):
        shown = section(page(client, work))
        assert "Overdue" in shown and "A follow-up was due on Mon 14 Dec 2026." in shown
        assert follow(client, work, made.id, "partly", "2026-12-14",
                      "Twice I looked at it.").status_code == 302
        assert follow(client, work, made.id, "not_yet", "2026-12-16").status_code == 302
        shown = section(page(client, work))
        assert "Next follow-up due on Sat 19 Dec 2026." in shown
        assert "3 follow-ups:" in shown and "Kept 1 · Partly 1 · Not yet 1" in shown
        days = [shown.index(f'datetime="2026-12-{d}"') for d in ("16", "14", "11")]
        assert days == sorted(days), "newest first"
        assert "Twice I looked at it." in shown
    assert [(f.taken_on.day, f.outcome) for f in follow_ups()] == \
        [(11, "kept"), (14, "partly"), (16, "not_yet")]
    # The counselor: the same, read-only, on the assignment page and the review page.
    with at(16, client, me):
        submit(client, work, ["Dinner without phones."])
        shown = section(page(client, work))
        # Submitting the writing does not end the following up: it goes on over time.
        assert "Save this follow-up" in shown and "Add this commitment" in shown
        auth.logout()
        auth.login(people["counselor"])
        for where in (f"/assignments/{work.id}", f"/assignments/{work.id}/revisions/1"):
            shown = section(client.get(where).text)
            assert TEXT in shown and "followed up every 3 days" in shown, where
            assert "Kept 1 · Partly 1 · Not yet 1" in shown and "Twice I looked at it." in shown
            assert "Next follow-up due on Sat 19 Dec 2026." in shown
            assert "<form" not in shown and "Save this follow-up" not in shown
            assert "today is Wed 16 Dec 2026 for them" in shown


def test_the_day_is_the_client_s_own_far_from_the_server(alex, me, people, work):
    """Noon UTC on 8 December is already 01:00 on the 9th in Auckland: the commitment is
    made on the 9th, a follow-up for the 9th is today's, the 10th has not come yet."""
    people["alex"].time_zone = "Pacific/Auckland"
    db.session.commit()
    with at(8, alex, me):
        assert add(alex, work).status_code == 302
        made = commitments(work)[0]
        assert made.starts_on == date(2026, 12, 9)
        assert 'value="2026-12-09"' in section(page(alex, work))
        refused = follow(alex, work, made.id, "kept", "2026-12-10")
        assert refused.status_code == 422 and "That day has not come yet" in refused.text
        assert "(09 Dec 2026)" in refused.text
        assert follow(alex, work, made.id, "kept", "2026-12-09").status_code == 302
        before = follow(alex, work, made.id, "kept", "2026-12-08")
        assert before.status_code == 422 and "You made this commitment on 09 Dec 2026" in \
            before.text
    assert [f.taken_on for f in follow_ups()] == [date(2026, 12, 9)]


def test_a_commitment_can_be_changed_until_its_first_follow_up(alex, me, work):
    with at(8, alex, me):
        add(alex, work)
        made = commitments(work)[0]
        response = change(alex, work, made.id, "I will ask how her day went.", "14")
        assert response.status_code == 302
        changed = commitments(work)[0]
        assert (changed.text, changed.every_days, changed.starts_on) == \
            ("I will ask how her day went.", 14, date(2026, 12, 8))
        assert "Next follow-up due on Tue 22 Dec 2026." in section(page(alex, work))
        follow(alex, work, made.id, "kept")
        refused = change(alex, work, made.id, "Something else entirely.", "2")
        assert refused.status_code == 422
        assert "has a follow-up, so it stays as you made it" in refused.text
        assert "Something else entirely." in refused.text, "what was typed is kept"
        assert 'role="alert"' in refused.text
    kept = commitments(work)[0]
    assert (kept.text, kept.every_days) == ("I will ask how her day went.", 14)


# --- refusals ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "every", "message"), [
    ("", "7", "Write what you commit to, in your own words."),
    ("   \r\n  ", "7", "Write what you commit to, in your own words."),
    ("x" * 501, "7", "Keep a commitment to 500 characters"),
    ("Listen\x00 first", "7", "an invisible NUL character"),
    ("Listen first", "0", "Enter a number of days from 1 to 90."),
    ("Listen first", "91", "Enter a number of days from 1 to 90."),
    ("Listen first", "-3", "Enter a number of days from 1 to 90."),
    ("Listen first", "seven", "Enter a whole number of days from 1 to 90"),
    ("Listen first", "2.5", "Enter a whole number of days from 1 to 90"),
    ("Listen first", "", "Enter how many days apart"),
], ids=["empty", "blank", "too-long", "nul", "zero", "91", "negative", "words", "fraction",
        "no-days"])
def test_a_refused_commitment_is_explained_and_keeps_what_was_typed(alex, me, work, text,
                                                                     every, message):
    with at(8, alex, me):
        response = add(alex, work, text, every)
    assert response.status_code == 422
    shown = section(response.text)
    assert message in shown and 'role="alert"' in shown
    assert 'aria-invalid="true"' in shown
    if "\x00" not in text:
        assert str(escape(text.strip() or "")) in shown
        assert f'value="{every}"' in shown
    assert commitments(work) == []
    assert fresh(Assignment, work.id).status == "assigned", "nothing started"


@pytest.fixture
def made(alex, me, work):
    with at(8, alex, me):
        add(alex, work)
    return commitments(work)[0]


NOTE = "Hard on Friday, <b>better</b> since."


@pytest.mark.parametrize(("outcome", "day", "note", "message"), [
    ("kept", "2026-12-09", NOTE, "That day has not come yet"),
    ("kept", "2026-12-07", NOTE, "You made this commitment on 08 Dec 2026"),
    ("maybe", "2026-12-08", NOTE, "Choose how it went: kept, partly or not yet."),
    (None, "2026-12-08", NOTE, "Choose how it went: kept, partly or not yet."),
    ("kept", "", NOTE, "Enter the day, for example today."),
    ("kept", "yesterday", NOTE, "Enter the day as a date: year, month and day"),
    ("partly", "2026-12-08", "n" * 1001, "Keep the note to 1000 characters"),
    ("partly", "2026-12-08", "a\x00b", "an invisible NUL character"),
], ids=["future", "before-made", "bad-outcome", "no-outcome", "no-day", "not-a-day",
        "long-note", "nul-note"])
def test_a_refused_follow_up_is_explained_and_keeps_what_was_typed(alex, me, work, made,
                                                                    outcome, day, note,
                                                                    message):
    with at(8, alex, me):
        response = follow(alex, work, made.id, outcome, day, note)
    assert response.status_code == 422
    shown = section(response.text)
    assert message in shown and 'role="alert"' in shown
    if "\x00" not in note and len(note) < 1000:
        assert str(escape(note)) in shown
    if day:
        assert f'value="{day}"' in shown
    if outcome == "kept":
        assert re.search(r'<input checked id="[^"]+" name="[^"]+" required type="radio" '
                         r'value="kept">', shown), "the choice is kept"
    assert follow_ups() == []


def test_one_follow_up_per_commitment_and_day(alex, me, work, made):
    with at(8, alex, me):
        assert follow(alex, work, made.id, "kept").status_code == 302
        again = follow(alex, work, made.id, "not_yet", note="Actually not.")
    assert again.status_code == 422
    assert "You already followed up on this commitment for 08 Dec 2026." in again.text
    assert "Actually not." in again.text
    assert [(f.outcome, f.note) for f in follow_ups()] == [("kept", None)]


def test_two_follow_ups_for_one_day_sent_at_once(alex, me, work, made, monkeypatch):
    """Both requests pass the check before either is stored: the unique index refuses the
    second, which gets the same message, not a 500."""
    monkeypatch.setattr(rules, "followed_up_on", lambda commitment, day: False)
    with at(8, alex, me):
        assert follow(alex, work, made.id, "kept").status_code == 302
        again = follow(alex, work, made.id, "partly", note="The second tab.")
    assert again.status_code == 422
    assert "You already followed up on this commitment for 08 Dec 2026." in again.text
    assert "The second tab." in again.text
    assert [f.outcome for f in follow_ups()] == ["kept"]


def test_many_commitments_are_capped(alex, me, work):
    with at(8, alex, me):
        for n in range(rules.MOST_COMMITMENTS):
            assert add(alex, work, f"Change {n}").status_code == 302
        assert "Add this commitment" not in page(alex, work)
        refused = add(alex, work, "One more")
    assert refused.status_code == 422 and "holds up to 20 commitments" in refused.text
    assert len(commitments(work)) == rules.MOST_COMMITMENTS


@pytest.mark.parametrize("state", ["submitted", "completed"])
def test_following_up_goes_on_after_submitting_and_after_acceptance(
        alex, me, people, work, made, state):
    """The writing is reviewed once; the commitments are followed up for as long as they
    matter, so a submitted or accepted assignment still takes follow-ups."""
    with at(8, alex, me):
        follow(alex, work, made.id, "kept")
    fresh(Assignment, work.id)._status = state
    db.session.commit()
    with at(9, alex, me):
        assert "Save this follow-up" in section(page(alex, work))
        assert follow(alex, work, made.id, "partly", "2026-12-09").status_code == 302
    assert [f.outcome for f in follow_ups()] == ["kept", "partly"]
    assert fresh(Assignment, work.id).status == state


@pytest.mark.parametrize("state", ["withdrawn", "locked"])
def test_closed_work_keeps_its_commitments_to_read_and_refuses_changes(
        alex, me, people, work, made, state):
    from counsel.models import StageSetting

    with at(8, alex, me):
        follow(alex, work, made.id, "kept")
    if state == "locked":
        db.session.add(StageSetting(client_id=people["alex"].id, stage=work.stage,
                                    locked=True, updated_by_id=people["counselor"].id))
    else:
        fresh(Assignment, work.id)._status = state
    db.session.commit()
    with at(9, alex, me):
        shown = section(page(alex, work))
        assert TEXT in shown and "Kept 1" in shown
        assert "Save this follow-up" not in shown and "Add this commitment" not in shown
        for response in (add(alex, work, "New one"),
                         follow(alex, work, made.id, "kept", "2026-12-09", "still typed"),
                         change(alex, work, made.id, "Changed")):
            assert response.status_code == 409
            assert 'role="alert"' in response.text
    assert len(commitments(work)) == 1 and len(follow_ups()) == 1
    assert commitments(work)[0].text == TEXT


# --- access ------------------------------------------------------------------------------

def test_ids_of_another_assignment_or_person_get_404(app, client, auth, people, work, made):
    other_work = commitment_work(people)
    a_letter = letter(people)
    sams = commitment_work(people, "sam")
    jordans = commitment_work(people, "jordan")
    with at(8, client, people["alex"].user):
        # another of Alex's own assignments, with this commitment's id
        assert follow(client, other_work, made.id).status_code == 404
        assert change(client, other_work, made.id, "Hijack").status_code == 404
        # a letter has no commitments
        assert add(client, a_letter).status_code == 404
        assert follow(client, a_letter, made.id).status_code == 404
        # a partner's and another counselor's client's work
        for other in (sams, jordans):
            assert add(client, other).status_code == 404
            assert follow(client, other, made.id).status_code == 404
        assert follow(client, work, 999_999).status_code == 404
    refused = db.session.scalars(select(AuditEvent.target_type).where(
        AuditEvent.action == "access.refused")).all()
    assert "commitments" in refused and "assignments" in refused
    assert follow_ups() == [] and len(commitments(work)) == 1
    assert commitments(other_work) == [] and commitments(sams) == []
    auth.logout()
    # Sam (Alex's partner) posting to Alex's work; counselors may not post at all.
    with at(8, client, people["sam"].user):
        assert add(client, work).status_code == 404
        assert follow(client, work, made.id).status_code == 404
        assert change(client, work, made.id, "Hijack").status_code == 404
        assert TEXT not in client.get(f"/my/assignments/{work.id}").text
    auth.logout()
    for counselor in (people["counselor"], people["other_counselor"]):
        auth.login(counselor)
        assert add(client, work).status_code == 403
        assert follow(client, work, made.id).status_code == 403
        auth.logout()
    auth.login(people["other_counselor"])
    page_ = client.get(f"/assignments/{work.id}")
    assert page_.status_code == 404 and TEXT not in page_.text
    auth.logout()
    assert add(client, work).status_code == 401  # signed out: only what was typed comes back
    assert follow_ups() == [] and [c.text for c in commitments(work)] == [TEXT]


# --- audit -------------------------------------------------------------------------------

def test_every_change_is_audited_without_the_text(alex, me, people, work):
    with at(8, alex, me):
        add(alex, work)
        made = commitments(work)[0]
        change(alex, work, made.id, "I will ask first.", "5")
        follow(alex, work, made.id, "partly", note="Private words")
        add(alex, work, "")  # refused: nothing recorded but the page view
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.startswith("commitment.")).order_by(AuditEvent.id)).all()
    saved = follow_ups()[0]
    assert [(r.action, r.actor_id, r.client_id, r.target_type, r.target_id) for r in rows] == [
        ("commitment.create", people["alex"].user_id, people["alex"].id, "commitments",
         str(made.id)),
        ("commitment.edit", people["alex"].user_id, people["alex"].id, "commitments",
         str(made.id)),
        ("commitment.follow_up", people["alex"].user_id, people["alex"].id,
         "commitment_follow_ups", str(saved.id)),
    ]
    for row in rows:
        assert "ask" not in (row.detail or "") and "Private" not in (row.detail or "")
    views = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "assignment.view", AuditEvent.target_id == str(work.id))).all()
    assert len(views) == 1, "the refused add's page shows the work: a view row"
    with at(8, alex, me):
        history = alex.get("/my/access").text
    title = escape(f"“{work.title}”")
    for phrase in ("made a commitment in ", "changed a commitment in ",
                   "followed up on a commitment in "):
        assert f"{phrase}{title}" in history, phrase


# --- statement counts --------------------------------------------------------------------

def _world(people, commitments_count, follow_ups_each):
    """A commitment assignment of Alex's, submitted once, with that many commitments and
    follow-ups."""
    work = commitment_work(people)
    for n in range(commitments_count):
        made = Commitment(assignment=work, text=f"Change {n}", every_days=1 + n % 7,
                          starts_on=date(2026, 9, 1))
        db.session.add(made)
        for day in range(follow_ups_each):
            db.session.add(CommitmentFollowUp(
                commitment=made, taken_on=date(2026, 9, 1 + day),
                outcome=("kept", "partly", "not_yet")[day % 3], note=f"note {day}"))
    db.session.add(Revision(assignment=work, number=1, answers=["answer"], content_hash="x"))
    db.session.commit()
    return work


def test_statements_do_not_grow_with_commitments_and_follow_ups(app, client, auth, people):
    few, many = _world(people, 1, 1), _world(people, 15, 25)
    pages = [("client", lambda w: f"/my/assignments/{w.id}"),
             ("counselor", lambda w: f"/assignments/{w.id}"),
             ("counselor", lambda w: f"/assignments/{w.id}/revisions/1")]
    for role, path in pages:
        auth.login(people["alex"].user if role == "client" else people["counselor"])
        counts = []
        for work in (few, many):
            with counting() as statements:
                response = client.get(path(work))
            assert response.status_code == 200
            assert ("Change 14" in response.text) == (work is many)
            counts.append(len(statements))
        assert counts[0] == counts[1], (path(few), counts, statements)
        assert counts[1] <= 8, (path(many), counts, "\n".join(statements))
        auth.logout()


# --- an expired form ---------------------------------------------------------------------

def test_an_expired_form_hands_back_what_was_typed_in_its_own_form(app, alex, me, work,
                                                                    made):
    with at(8, alex, me):
        app.config["WTF_CSRF_ENABLED"] = True
        response = alex.post(url(work, made.id, "follow-ups"), data={
            f"follow-up-{made.id}-outcome": "partly",
            f"follow-up-{made.id}-taken_on": "2026-12-08",
            f"follow-up-{made.id}-note": "A week of trying.", "csrf_token": "expired"})
        assert response.status_code == 400 and "press the button again" in response.text
        shown = section(response.text)
        assert "A week of trying." in shown and 'value="2026-12-08"' in shown
        assert re.search(r'<input checked id="[^"]+" name="follow-up-\d+-outcome" required '
                         r'type="radio" value="partly">', shown)
        added = alex.post(url(work), data={"new-text": "Call my sister weekly.",
                                           "new-every_days": "14", "csrf_token": "old"})
        assert added.status_code == 400
        assert "Call my sister weekly." in section(added.text)
        assert 'value="14"' in section(added.text)
        token = csrf_token_from(added.text)
        saved = alex.post(url(work), data={"new-text": "Call my sister weekly.",
                                           "new-every_days": "14", "csrf_token": token})
        assert saved.status_code == 302
    assert [c.text for c in commitments(work)] == [TEXT, "Call my sister weekly."]
    assert follow_ups() == []
