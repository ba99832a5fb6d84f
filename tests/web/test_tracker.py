"""The no-contact tracker on the pages: the counselor assigns it with a period, the client
checks in (today, or a missed day afterwards, marked late), breaks it and reflects, and
both see the streaks, the strip and the days as a table; bad input is explained, nothing
is stored wrongly and nothing typed is lost; every change is audited; only the client and
their counselor get anything."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from counsel import history
from counsel.assignments import operations
from counsel.extensions import db
from counsel.models import AuditEvent, Tracker, TrackerDay
from counsel.records import tracker as rules

from .. import factories

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # noon in London
TODAY = date(2026, 12, 8)


def tracker_exercise(counselor):
    return factories.ExerciseFactory(owner=counselor, kind="tracker", stage="no-contact",
                                     title="A period of space")


def assigned(client, *, starts_on=TODAY - timedelta(days=4), length=30,
             exceptions="Co-parenting logistics, by text only."):
    exercise = tracker_exercise(client.counselor)
    assignment = operations.assign(client.counselor, client, exercise, due_date=None,
                                   note=None, tracker_length=length,
                                   tracker_exceptions=exceptions, tracker_starts_on=starts_on)
    db.session.commit()
    return assignment


def day_row(tracker, day, outcome="kept", urge=3, **fields):
    db.session.add(TrackerDay(tracker=tracker, day=day, outcome=outcome, urge=urge, **fields))
    db.session.commit()


def the_tracker(assignment):
    db.session.expire_all()
    return db.session.scalars(select(Tracker).where(
        Tracker.assignment_id == assignment.id)).one()


def days(assignment):
    db.session.expire_all()
    return db.session.scalars(select(TrackerDay).join(TrackerDay.tracker).where(
        Tracker.assignment_id == assignment.id).order_by(TrackerDay.day)).all()


def actions(client):
    db.session.expire_all()
    return [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.client_id == client.id).order_by(AuditEvent.id))]


def checkin(day=TODAY, outcome="kept", urge="3", note=""):
    data = {"tracker-day": day if isinstance(day, str) else day.isoformat(),
            "tracker-note": note}
    if outcome is not None:
        data["tracker-outcome"] = outcome
    if urge is not None:
        data["tracker-urge"] = urge
    return data


def url(assignment, tail=""):
    return f"/my/assignments/{assignment.id}{tail}"


@time_machine.travel(NOW, tick=False)
def test_the_counselor_assigns_a_tracker_with_its_period(client, auth, people):
    alex = people["alex"]
    exercise = tracker_exercise(people["counselor"])
    db.session.commit()
    auth.login(people["counselor"])
    form = client.get(f"/assign?client_id={alex.id}&exercise_id={exercise.id}")
    assert "<legend>For a no-contact tracker only</legend>" in form.text
    assert "Start date of the period (optional)" in form.text
    assert form.text.count('name="tracker_length"') == 1 and 'value="30"' in form.text
    assert form.text.index("For a no-contact tracker only") < form.text.index("tracker_length")
    response = client.post("/assign", data={
        "client": alex.id, "exercise": exercise.id, "tracker_starts_on": "2026-12-01",
        "tracker_length": "45", "tracker_exceptions": "School pick-ups."})
    assert response.status_code == 302
    tracker = db.session.scalars(select(Tracker)).one()
    assert (tracker.starts_on, tracker.length_days, tracker.exceptions) == \
        (date(2026, 12, 1), 45, "School pick-ups.")


@time_machine.travel(NOW, tick=False)
def test_the_start_defaults_to_the_client_s_own_today(client, auth, people):
    alex = people["alex"]
    alex.time_zone = "Pacific/Kiritimati"  # UTC+14: already 9 Dec there
    exercise = tracker_exercise(people["counselor"])
    db.session.commit()
    auth.login(people["counselor"])
    client.post("/assign", data={"client": alex.id, "exercise": exercise.id,
                                 "tracker_length": "30"})
    tracker = db.session.scalars(select(Tracker)).one()
    assert (tracker.starts_on, tracker.length_days, tracker.exceptions) == \
        (date(2026, 12, 9), 30, None)


@time_machine.travel(NOW, tick=False)
def test_a_bad_period_on_the_assign_form_is_explained_and_kept(client, auth, people):
    alex = people["alex"]
    exercise = tracker_exercise(people["counselor"])
    db.session.commit()
    auth.login(people["counselor"])
    cases = [({"tracker_length": "121"}, "Enter the number of days, from 1 to 120."),
             ({"tracker_length": "0"}, "Enter the number of days, from 1 to 120."),
             ({"tracker_length": "many"}, "Not a valid integer value"),
             ({"tracker_starts_on": "2025-01-01"}, "within the last 120 days"),
             ({"tracker_starts_on": "2028-01-01"}, "within the next year"),
             ({"tracker_exceptions": "x" * 1001}, "1000 characters"),
             ({"tracker_exceptions": "bad\x00"}, "control character")]
    for change, message in cases:
        data = {"client": alex.id, "exercise": exercise.id, "note": "My note stays.",
                **change}
        response = client.post("/assign", data=data)
        assert response.status_code == 200, change
        assert message in response.text, (change, message)
        assert "My note stays." in response.text
    assert db.session.scalars(select(Tracker)).all() == []


@time_machine.travel(NOW, tick=False)
def test_the_client_checks_in_breaks_it_reflects_and_sees_the_streaks(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex)  # from 4 Dec: 4, 5, 6, 7 before today
    auth.login(alex.user)
    page = client.get(url(assignment))
    assert page.status_code == 200
    text = page.text
    assert "Your no-contact period" in text and "Co-parenting logistics, by text only." in text
    for label in ("Kept no contact", "Broke it", "Allowed exception",
                  "How strong was the urge to reach out?", "The day this check-in is for",
                  "Save today's check-in"):
        assert label in text, label
    assert 'value="2026-12-08"' in text and text.count('name="tracker-urge"') == 11
    # four days without a check-in, listed as missing, never kept
    assert "Days without a check-in (shown as missing, never as kept): Fri 04 Dec" in text
    assert text.count('data-state="missing"') == 4 * 2  # the strip and the table
    for day, outcome in ((date(2026, 12, 5), "kept"), (date(2026, 12, 6), "kept"),
                         (date(2026, 12, 7), "broke")):
        response = client.post(url(assignment, "/tracker"),
                                data=checkin(day, outcome, urge="6", note=f"note {day}"))
        assert response.status_code == 302
    assert response.location.endswith("#tracker-reflection")
    page = client.get(url(assignment)).text
    assert "A short reflection on Mon 07 Dec" in page and 'name="reflection-text"' in page
    response = client.post(url(assignment, "/tracker"), data=checkin(outcome="exception",
                                                                     urge="2"))
    assert response.status_code == 302
    saved = days(assignment)
    assert [(d.day.day, d.outcome, d.urge, d.late) for d in saved] == [
        (5, "kept", 6, True), (6, "kept", 6, True), (7, "broke", 6, True),
        (8, "exception", 2, False)]
    assert saved[0].note == "note 2026-12-05"
    response = client.post(url(assignment, "/tracker/reflection"), data={
        "reflection-day": "2026-12-07", "reflection-text": "  I was lonely that night.  "})
    assert response.status_code == 302
    assert days(assignment)[2].reflection == "I was lonely that night."
    page = client.get(url(assignment)).text
    assert "<dt>Current streak</dt><dd>1 day</dd>" in page  # the exception continues it
    assert "<dt>Longest streak</dt><dd>2 days</dd>" in page
    assert "<dt>Days remaining</dt><dd>26</dd>" in page
    assert "I was lonely that night." in page and 'name="reflection-text"' not in page
    assert "Late" in page and '<svg' in page and "Save this check-in" in page
    # today is checked in: the form offers the day still missing
    assert re.search(r'<input[^>]*name="tracker-day"[^>]*value="2026-12-04"', page)
    assert actions(alex).count("tracker.checkin") == 4
    assert actions(alex).count("tracker.reflection") == 1
    assert days(assignment)[0].tracker.assignment.status == "in_progress"


@time_machine.travel(NOW, tick=False)
def test_bad_check_ins_are_explained_stored_never_and_lose_nothing(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex, exceptions=None)
    day_row(the_tracker(assignment), TODAY - timedelta(days=1))
    auth.login(alex.user)
    cases = [
        (checkin(day="2026-12-09"), "That day has not come yet"),
        (checkin(day="2026-12-03"), "outside your no-contact period"),
        (checkin(day="2026-12-07"), "You already checked in for Mon 07 Dec 2026"),
        (checkin(urge="11"), "Choose the urge with a whole number from 0 to 10."),
        (checkin(urge="-1"), "Choose the urge with a whole number from 0 to 10."),
        (checkin(urge="seven"), "Choose the urge with a whole number from 0 to 10."),
        (checkin(urge="\u00b2"), "Choose the urge with a whole number from 0 to 10."),
        (checkin(urge=None), "Choose how strong the urge to reach out was"),
        (checkin(outcome=None), "Choose kept no contact, broke it, or an allowed exception."),
        (checkin(outcome="maybe"), "Choose kept no contact, broke it, or an allowed exception."),
        (checkin(outcome="exception"), "has not named any allowed exceptions"),
        (checkin(day=""), "Enter the day, for example today."),
        (checkin(day="soon"), "Not a valid date value"),
        (checkin(note="x" * 1001), "Keep the note to 1000 characters"),
        (checkin(note="a\x00b"), "control character"),
    ]
    for data, message in cases:
        if not data["tracker-note"]:
            data["tracker-note"] = "Words I do not want to lose"
        response = client.post(url(assignment, "/tracker"), data=data)
        assert response.status_code == 422, (data, response.status_code)
        assert message in response.text, (message, data)
        if "\x00" not in data["tracker-note"]:
            assert data["tracker-note"] in response.text
        if data.get("tracker-outcome") == "kept":
            assert 'value="kept" checked' in response.text
        if data.get("tracker-urge") == "3":
            assert 'name="tracker-urge" value="3" checked' in response.text
        if data["tracker-day"] and data["tracker-day"] != "soon":
            assert f'value="{data["tracker-day"]}"' in response.text
    assert len(days(assignment)) == 1
    assert "tracker.checkin" not in actions(alex)


@time_machine.travel(NOW, tick=False)
def test_the_same_day_sent_twice_at_once_is_stored_once(client, auth, people, monkeypatch):
    """Two tabs send today's check-in together: the unique day refuses the second, which
    is told so with what was typed still on the page."""
    alex = people["alex"]
    assignment = assigned(alex)
    auth.login(alex.user)
    real = rules.check_day_problem

    def racing(tracker, day, today):
        found = real(tracker, day, today)
        db.session.add(TrackerDay(tracker_id=tracker.id, day=day, outcome="kept", urge=1))
        db.session.flush()
        return found

    monkeypatch.setattr(rules, "check_day_problem", racing)
    response = client.post(url(assignment, "/tracker"),
                           data=checkin(outcome="broke", urge="9", note="second tab"))
    assert response.status_code == 422
    assert "You already checked in for Tue 08 Dec 2026" in response.text
    assert "second tab" in response.text and 'value="9" checked' in response.text
    assert days(assignment) == []


@time_machine.travel(NOW, tick=False)
def test_bad_reflections_are_explained_and_keep_the_text(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex)
    tracker = the_tracker(assignment)
    day_row(tracker, date(2026, 12, 6), "kept")
    day_row(tracker, date(2026, 12, 7), "broke", reflection="Already written.")
    day_row(tracker, date(2026, 12, 5), "broke")
    auth.login(alex.user)
    cases = [("2026-12-06", "Kept words", "A reflection goes with a day you checked in as"),
             ("2026-12-04", "No such day", "A reflection goes with a day you checked in as"),
             ("2026-12-07", "Second words", "You already wrote a reflection on Mon 07 Dec"),
             ("2026-12-05", "x" * 2001, "Keep the reflection to 2000 characters"),
             ("2026-12-05", "bad \x00", "control character"),
             ("2026-12-05", "   ", "Write a few words, or leave it for now."),
             ("nonsense", "Lost day", "Not a valid date value")]
    for day, text, message in cases:
        response = client.post(url(assignment, "/tracker/reflection"),
                               data={"reflection-day": day, "reflection-text": text})
        assert response.status_code == 422, (day, text, response.status_code)
        assert message in response.text, message
        if text.strip() and "\x00" not in text:
            assert text in response.text
    db.session.expire_all()
    assert [d.reflection for d in days(assignment)] == [None, None, "Already written."]


@time_machine.travel(NOW, tick=False)
def test_check_ins_go_on_after_submitting_but_not_on_withdrawn_work(client, auth, people):
    """The writing is submitted once; the period runs its length, so a submitted tracker
    still takes the day's check-in. A withdrawn one takes none, and keeps what was typed."""
    alex = people["alex"]
    assignment = assigned(alex)
    operations.submit(alex.user, assignment, ["done", "done"], None)
    db.session.commit()
    auth.login(alex.user)
    assert "Save today" in client.get(url(assignment)).text
    assert client.post(url(assignment, "/tracker"), data=checkin()).status_code == 302
    assert [d.day for d in days(assignment)] == [TODAY]
    assert assignment.status == "submitted"

    withdrawn = assigned(alex)
    operations.withdraw(people["counselor"], withdrawn)
    db.session.commit()
    page = client.get(url(withdrawn)).text
    assert "Save today" not in page and "Your no-contact period" in page
    response = client.post(url(withdrawn, "/tracker"), data=checkin(note="kept words"))
    assert response.status_code == 409
    assert "withdrew this exercise" in response.text and "kept words" in response.text
    assert days(withdrawn) == []


@time_machine.travel(NOW, tick=False)
def test_a_period_not_started_shows_when_it_starts(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex, starts_on=TODAY + timedelta(days=3))
    auth.login(alex.user)
    page = client.get(url(assignment)).text
    assert "Your period starts on Fri 11 Dec 2026" in page and "tracker-urge" not in page
    assert "<dt>Days remaining</dt><dd>30</dd>" in page
    response = client.post(url(assignment, "/tracker"), data=checkin())
    assert response.status_code == 422 and "outside your no-contact period" in response.text


@time_machine.travel(NOW, tick=False)
def test_the_counselor_sees_the_period_and_changes_it(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex)
    tracker = the_tracker(assignment)
    day_row(tracker, date(2026, 12, 5), "kept", urge=4, note="Quiet day")
    day_row(tracker, date(2026, 12, 6), "broke", urge=9, late=True, reflection="It hurt.")
    auth.login(people["counselor"])
    page = client.get(f"/assignments/{assignment.id}").text
    assert "No-contact period" in page and "<dt>Broken days</dt><dd>1</dd>" in page
    assert "Quiet day" in page and "It hurt." in page and "Late" in page
    assert "Change the period or the allowed exceptions" in page
    response = client.post(f"/assignments/{assignment.id}/tracker", data={
        "starts_on": "2026-12-05", "length_days": "60", "exceptions": "None at all."})
    assert response.status_code == 302
    tracker = the_tracker(assignment)
    assert (tracker.starts_on, tracker.length_days, tracker.exceptions) == \
        (date(2026, 12, 5), 60, "None at all.")
    assert actions(alex).count("tracker.settings") == 1
    cases = [({"starts_on": "2026-12-06"}, "already checked in for 1 day outside that period"),
             ({"length_days": "121"}, "Enter the number of days, from 1 to 120."),
             ({"length_days": "x"}, "Not a valid integer value"),
             ({"starts_on": ""}, "Enter the day the period starts."),
             ({"starts_on": "2020-01-01"}, "within the last 120 days"),
             ({"exceptions": "y" * 1001}, "1000 characters")]
    for change, message in cases:
        data = {"starts_on": "2026-12-05", "length_days": "45",
                "exceptions": "Typed exceptions kept", **change}
        response = client.post(f"/assignments/{assignment.id}/tracker", data=data)
        assert response.status_code == 422, change
        assert message in response.text, message
        if "y" * 10 not in data["exceptions"]:
            assert "Typed exceptions kept" in response.text
    assert the_tracker(assignment).length_days == 60
    review_page = client.get(f"/assignments/{assignment.id}")
    assert review_page.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_review_page_shows_the_summary_without_the_settings_form(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex)
    day_row(the_tracker(assignment), date(2026, 12, 7), "kept")
    operations.submit(alex.user, assignment, ["done", "done"], None)
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get(f"/assignments/{assignment.id}/revisions/1").text
    assert "No-contact period" in page and "<dt>Current streak</dt><dd>1 day</dd>" in page
    assert "Change the period" not in page


@time_machine.travel(NOW, tick=False)
def test_the_pathway_shows_the_streak_and_broken_days(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex)
    tracker = the_tracker(assignment)
    day_row(tracker, date(2026, 12, 5), "broke")
    for n in (6, 7):
        day_row(tracker, date(2026, 12, n), "kept")
    auth.login(people["counselor"])
    assert "streak 2 days · 1 broken" in client.get(f"/clients/{alex.id}/pathway").text
    auth.logout()
    auth.login(alex.user)
    assert "streak 2 days · 1 broken" in client.get("/my/pathway").text


@time_machine.travel(NOW, tick=False)
def test_only_the_client_and_their_counselor_get_anything(client, auth, people):
    alex, sam, jordan = people["alex"], people["sam"], people["jordan"]
    assignment = assigned(alex)
    auth.login(sam.user)
    assert client.get(url(assignment)).status_code == 404
    assert client.post(url(assignment, "/tracker"), data=checkin()).status_code == 404
    assert client.post(url(assignment, "/tracker/reflection"), data={
        "reflection-day": "2026-12-07", "reflection-text": "x"}).status_code == 404
    auth.logout()
    auth.login(people["other_counselor"])
    assert client.get(f"/assignments/{assignment.id}").status_code == 404
    assert client.post(f"/assignments/{assignment.id}/tracker", data={
        "starts_on": "2026-12-01", "length_days": "5"}).status_code == 404
    auth.logout()
    for path in (url(assignment, "/tracker"), url(assignment, "/tracker/reflection"),
                 f"/assignments/{assignment.id}/tracker"):
        response = client.post(path, data={})
        assert response.status_code in (302, 401), path
    assert days(assignment) == [] and the_tracker(assignment).length_days == 30
    # jordan's own tracker is not alex's
    other = assigned(jordan)
    auth.login(alex.user)
    assert client.post(url(other, "/tracker"), data=checkin()).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_tracker_without_a_period_has_no_tracker_routes(client, auth, people):
    """A tracker assigned before periods existed keeps its text answers only."""
    alex = people["alex"]
    exercise = tracker_exercise(people["counselor"])
    assignment = factories.AssignmentFactory(client=alex, exercise=exercise)
    db.session.commit()
    auth.login(alex.user)
    assert client.get(url(assignment)).status_code == 200
    assert client.post(url(assignment, "/tracker"), data=checkin()).status_code == 404


@time_machine.travel(datetime(2026, 12, 8, 11, 0, tzinfo=UTC), tick=False)
def test_today_is_the_client_s_own_day_far_from_the_server(client, auth, people):
    """11:00 UTC is already 01:00 on 9 Dec in Kiritimati (UTC+14): "today" there is the
    9th, and the 8th is a day before; in Pago Pago (UTC-11) it is 00:00 on the 8th."""
    alex = people["alex"]
    alex.time_zone = "Pacific/Kiritimati"
    db.session.commit()
    assignment = assigned(alex, starts_on=date(2026, 12, 7))
    auth.login(alex.user)
    assert 'value="2026-12-09"' in client.get(url(assignment)).text
    assert client.post(url(assignment, "/tracker"),
                       data=checkin(day="2026-12-09")).status_code == 302
    assert client.post(url(assignment, "/tracker"),
                       data=checkin(day="2026-12-08")).status_code == 302
    assert [(d.day.day, d.late) for d in days(assignment)] == [(8, True), (9, False)]
    sam = people["sam"]
    sam.time_zone = "Pacific/Pago_Pago"
    db.session.commit()
    theirs = assigned(sam, starts_on=date(2026, 12, 7))
    auth.logout()
    auth.login(sam.user)
    refused = client.post(url(theirs, "/tracker"), data=checkin(day="2026-12-09"))
    assert refused.status_code == 422 and "That day has not come yet" in refused.text
    assert client.post(url(theirs, "/tracker"), data=checkin(day="2026-12-08")).status_code \
        == 302


def test_every_tracker_audit_action_reads_as_a_sentence():
    for action in ("tracker.checkin", "tracker.reflection", "tracker.settings"):
        assert action in history.PHRASES


@pytest.mark.parametrize("markup", ['<script>alert(1)</script>', '"><img src=x onerror=y()>'])
@time_machine.travel(NOW, tick=False)
def test_what_people_type_shows_escaped(client, auth, people, markup):
    alex = people["alex"]
    assignment = assigned(alex, exceptions=f"ex {markup}")
    day_row(the_tracker(assignment), date(2026, 12, 7), "broke", note=f"note {markup}",
            reflection=f"refl {markup}")
    for person, page in ((alex.user, url(assignment)),
                         (people["counselor"], f"/assignments/{assignment.id}")):
        auth.login(person)
        html = client.get(page).text
        assert markup not in html
        for word in ("ex", "note", "refl"):
            assert f"{word} {markup}".replace("<", "&lt;").replace(">", "&gt;") \
                .replace('"', "&#34;") in html, word
        auth.logout()
    auth.login(alex.user)
    refused = client.post(url(assignment, "/tracker"), data=checkin(urge="11", note=markup))
    assert refused.status_code == 422 and markup not in refused.text


@time_machine.travel(NOW, tick=False)
def test_each_change_leaves_one_audit_row_without_the_text(client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex)
    auth.login(alex.user)
    client.post(url(assignment, "/tracker"), data=checkin(outcome="broke", note="secret note"))
    client.post(url(assignment, "/tracker"), data=checkin(day=TODAY - timedelta(days=2)))
    client.post(url(assignment, "/tracker/reflection"), data={
        "reflection-day": TODAY.isoformat(), "reflection-text": "secret reflection"})
    auth.logout()
    auth.login(people["counselor"])
    client.post(f"/assignments/{assignment.id}/tracker", data={
        "starts_on": "2026-12-02", "length_days": "40", "exceptions": "secret exceptions"})
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("tracker.%"))
                              .order_by(AuditEvent.id)).all()
    assert [(r.action, r.actor_id, r.client_id, r.target_type, r.target_id, r.detail)
            for r in rows] == [
        ("tracker.checkin", alex.user_id, alex.id, "assignments", str(assignment.id),
         "2026-12-08"),
        ("tracker.checkin", alex.user_id, alex.id, "assignments", str(assignment.id),
         "2026-12-06 (late)"),
        ("tracker.reflection", alex.user_id, alex.id, "assignments", str(assignment.id),
         "2026-12-08"),
        ("tracker.settings", people["counselor"].id, alex.id, "assignments",
         str(assignment.id), "from 2026-12-02, 40 days")]
    assert all("secret" not in (r.detail or "") for r in rows)
    page = client.get(f"/clients/{alex.id}/access").text
    assert "checked in on the no-contact period of" in page
    assert "changed the no-contact period of" in page


def test_a_check_in_on_the_long_autumn_day_counts_once(client, auth, people):
    """25 Oct 2026 in London has 25 hours: a check-in at 01:30 BST and another "today"
    at 01:30 GMT, an hour later, are for the same day: the second is refused."""
    alex = people["alex"]
    alex.time_zone = "Europe/London"
    db.session.commit()
    with time_machine.travel(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), tick=False):
        assignment = assigned(alex, starts_on=date(2026, 10, 20))
        auth.login(alex.user)
        page = client.get(url(assignment)).text
        assert 'value="2026-10-25"' in page
        assert client.post(url(assignment, "/tracker"),
                           data=checkin(day="2026-10-25")).status_code == 302
    with time_machine.travel(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), tick=False):
        auth.login(alex.user)  # an hour on: signed out for inactivity
        again = client.post(url(assignment, "/tracker"), data=checkin(day="2026-10-25"))
        assert again.status_code == 422 and "You already checked in for Sun 25 Oct" in again.text
    with time_machine.travel(datetime(2026, 10, 25, 23, 30, tzinfo=UTC), tick=False):
        auth.login(alex.user)
        page = client.get(url(assignment)).text  # 23:30 GMT: still the 25th, checked in
        assert "Save this check-in" in page and "Sun 25 Oct 2026</th><td>Kept" in page
        assert re.search(r'name="tracker-day"[^>]*value="2026-10-24"', page)
    assert [d.day for d in days(assignment)] == [date(2026, 10, 25)]


# -- the rules on their own (the views' checks taken away) ----------------------------------

@time_machine.travel(NOW, tick=False)
def test_the_rules_refuse_on_their_own(app, people):
    from counsel.assignments.operations import WorkRefused

    alex = people["alex"]
    assignment = assigned(alex, exceptions=None)
    tracker = rules.load(assignment)
    user = alex.user
    refusals = [
        ({"day": TODAY + timedelta(days=1)}, "day"),
        ({"day": date(2026, 12, 3)}, "day"),
        ({"outcome": "exception"}, "outcome"),
        ({"outcome": "other"}, "outcome"),
        ({"urge": 11}, "urge"),
        ({"urge": -1}, "urge"),
    ]
    for change, code in refusals:
        data = {"day": TODAY, "outcome": "kept", "urge": 3, "note": None, "today": TODAY,
                **change}
        with pytest.raises(WorkRefused) as refused:
            rules.check_in(user, assignment, tracker, **data)
        assert refused.value.code == code, change
    rules.check_in(user, assignment, tracker, day=TODAY, outcome="broke", urge=3, note=None,
                   today=TODAY)
    db.session.commit()
    assert assignment.status == "in_progress"
    with pytest.raises(WorkRefused):
        rules.check_in(user, assignment, tracker, day=TODAY, outcome="kept", urge=3,
                       note=None, today=TODAY)
    with pytest.raises(WorkRefused):
        rules.add_reflection(user, assignment, tracker, day=TODAY - timedelta(days=1),
                             text="x")
    rules.add_reflection(user, assignment, tracker, day=TODAY, text="Words.")
    with pytest.raises(WorkRefused):
        rules.add_reflection(user, assignment, tracker, day=TODAY, text="Again.")
    counselor = people["counselor"]
    with pytest.raises(WorkRefused) as refused:
        rules.change_settings(counselor, assignment, tracker, starts_on=TODAY,
                              length_days=121, exceptions=None)
    assert refused.value.code == "length_days"
    assert rules.change_settings(counselor, assignment, tracker, starts_on=tracker.starts_on,
                                 length_days=tracker.length_days, exceptions=None) is False
    operations.withdraw(counselor, assignment)
    with pytest.raises(WorkRefused):
        rules.change_settings(counselor, assignment, tracker, starts_on=TODAY, length_days=10,
                              exceptions=None)
    with pytest.raises(WorkRefused) as refused:
        rules.check_in(user, assignment, tracker, day=TODAY - timedelta(days=1),
                       outcome="kept", urge=3, note=None, today=TODAY)
    assert refused.value.code == "withdrawn"


@time_machine.travel(NOW, tick=False)
def test_an_expired_page_hands_the_check_in_back_and_signed_out_too(app, client, auth, people):
    alex = people["alex"]
    assignment = assigned(alex)
    day_row(the_tracker(assignment), TODAY - timedelta(days=1), "broke")
    auth.login(alex.user)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(url(assignment, "/tracker"), data={
        **checkin(outcome="broke", urge="7", note="A night I cannot lose."),
        "csrf_token": "expired"})
    assert response.status_code == 400
    assert "A night I cannot lose." in response.text and "save it again" in response.text
    assert 'name="tracker-urge" value="7" checked' in response.text
    response = client.post(url(assignment, "/tracker/reflection"), data={
        "reflection-day": "2026-12-07", "reflection-text": "What led to it, kept.",
        "csrf_token": "expired"})
    assert response.status_code == 400 and "What led to it, kept." in response.text
    assert days(assignment)[0].reflection is None and len(days(assignment)) == 1
    app.config["WTF_CSRF_ENABLED"] = False
    auth.logout()
    response = client.post(url(assignment, "/tracker"), data=checkin(note="After the time-out"))
    assert response.status_code == 401 and "After the time-out" in response.text
