"""Check-ins: the counselor schedules and adapts them (and the client's time zone), the
client sees when one is due and gives it, both see the chart; bad input is explained and
nothing is stored wrongly or lost; the dashboard lists who is due or missed; the reminder
goes once per due date in the client's own morning; every view and change is audited."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from counsel import checkins, history
from counsel.extensions import db
from counsel.models import AuditEvent, CheckIn, CheckInSchedule, Client, OutboxMessage
from counsel.notifications import reminders

from .. import factories

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # a Tuesday, noon in London
TODAY = date(2026, 12, 8)

SCHEDULE = {"every_days": "7", "scales": ["trust", "communication", "hope"], "own": "",
            "starts_on": "2026-12-08", "time_zone": "", "version": "0"}


def schedule(client, **fields):
    made = factories.CheckInScheduleFactory(client=client, starts_on=fields.pop(
        "starts_on", TODAY), **fields)
    db.session.commit()
    return made


def rows(model, **where):
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where)).all()


def actions(client):
    db.session.expire_all()
    return [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.client_id == client.id).order_by(AuditEvent.id))]


@time_machine.travel(NOW, tick=False)
def test_the_counselor_schedules_adapts_and_pauses_check_ins(client, auth, people):
    alex = people["alex"]
    auth.login(people["counselor"])
    page = client.get(f"/clients/{alex.id}")
    assert "No check-ins are scheduled." in page.text and "Schedule check-ins" in page.text
    form = client.get(f"/clients/{alex.id}/checkins")
    assert 'value="2026-12-08"' in form.text and 'value="7"' in form.text
    assert '<option value="Pacific/Auckland">' in form.text
    response = client.post(f"/clients/{alex.id}/checkins", data=SCHEDULE)
    assert response.status_code == 302
    saved = rows(CheckInSchedule, client_id=alex.id)[0]
    assert (saved.every_days, saved.scales, saved.active, saved.version) == \
        (7, ["trust", "communication", "hope"], True, 1)
    page = client.get(f"/clients/{alex.id}")
    assert "A check-in is due today." in page.text and 'role="img"' in page.text
    # adapted: every 3 days, two defaults and two of the counselor's own, in Auckland
    response = client.post(f"/clients/{alex.id}/checkins", data={
        **SCHEDULE, "every_days": "3", "scales": ["trust", "hope"],
        "own": " closeness ,  calm  together,", "time_zone": "Pacific/Auckland",
        "version": "1"})
    assert response.status_code == 302
    saved = rows(CheckInSchedule, client_id=alex.id)[0]
    assert saved.scales == ["trust", "hope", "closeness", "calm together"]
    assert (saved.every_days, saved.version) == (3, 2)
    assert rows(Client, id=alex.id)[0].time_zone == "Pacific/Auckland"
    client.post(f"/clients/{alex.id}/checkins", data={
        **SCHEDULE, "paused": "y", "version": "2", "time_zone": "Pacific/Auckland"})
    assert rows(CheckInSchedule, client_id=alex.id)[0].active is False
    assert "Check-ins are paused." in client.get(f"/clients/{alex.id}").text
    assert actions(alex).count("checkin.schedule") == 3
    assert actions(alex).count("client.time_zone") == 1
    assert "checkins.view" in actions(alex)


@time_machine.travel(NOW, tick=False)
def test_a_bad_schedule_is_explained_and_keeps_what_was_typed(client, auth, people):
    alex = people["alex"]
    auth.login(people["counselor"])
    cases = [
        ({"every_days": "0"}, "Enter a number of days from 1 to 90."),
        ({"every_days": "weekly"}, "Not a valid integer value"),
        ({"scales": [], "own": ""}, "Choose at least one scale to rate."),
        ({"own": "a, b, c, d"}, "Choose at most 6 scales."),
        ({"own": "Trust"}, "Each scale may appear only once."),
        ({"own": "x" * 31}, "Keep each scale&#39;s name to 30 characters."),
        ({"time_zone": "Mars/Olympus", "own": "my words"}, "Enter a time zone by its name"),
        ({"starts_on": "soon"}, "Not a valid date value"),
    ]
    for change, message in cases:
        response = client.post(f"/clients/{alex.id}/checkins", data={**SCHEDULE, **change})
        assert response.status_code == 422, change
        assert message in response.text, (change, response.text)
        for typed in [v for v in change.values() if isinstance(v, str) and v]:
            assert f'value="{typed}"' in response.text, typed
    assert rows(CheckInSchedule, client_id=alex.id) == []
    assert rows(Client, id=alex.id)[0].time_zone is None


@time_machine.travel(NOW, tick=False)
def test_a_schedule_changed_meanwhile_is_not_overwritten(client, auth, people):
    alex = people["alex"]
    schedule(alex)
    auth.login(people["counselor"])
    response = client.post(f"/clients/{alex.id}/checkins",
                           data={**SCHEDULE, "every_days": "14", "version": "0"})
    assert response.status_code == 422 and "changed meanwhile" in response.text
    assert 'value="14"' in response.text
    assert rows(CheckInSchedule, client_id=alex.id)[0].every_days == 7


@time_machine.travel(NOW, tick=False)
def test_two_windows_creating_the_schedule_at_once_lose_nothing(client, auth, people,
                                                                monkeypatch):
    """The other window's schedule lands between this one's check and its insert: the
    unique client_id refuses the second; the page says so and keeps what was typed."""
    alex = people["alex"]
    auth.login(people["counselor"])
    real = checkins.save_schedule

    def racing(counselor, client_, schedule_, **fields):
        db.session.add(CheckInSchedule(client_id=client_.id, updated_by_id=counselor.id,
                                       starts_on=TODAY, every_days=2))
        db.session.flush()
        return real(counselor, client_, schedule_, **fields)

    monkeypatch.setattr(checkins, "save_schedule", racing)
    response = client.post(f"/clients/{alex.id}/checkins", data={**SCHEDULE, "every_days": "9"})
    assert response.status_code == 422 and "changed meanwhile" in response.text
    assert 'value="9"' in response.text
    assert rows(CheckInSchedule, client_id=alex.id) == []


def rate(day="2026-12-08", note="", **ratings):
    values = {"trust": 6, "communication": 4, "hope": 8} | ratings
    data = {"taken_on": day, "note": note}
    for index, name in enumerate(("trust", "communication", "hope")):
        if values[name] is not None:
            data[f"rating-{index}"] = str(values[name])
    return data


@time_machine.travel(NOW, tick=False)
def test_the_client_sees_it_due_gives_it_and_sees_the_chart(client, auth, people):
    alex = people["alex"]
    schedule(alex)
    factories.CheckInFactory(client=alex, taken_on=TODAY - timedelta(days=14))
    db.session.commit()
    auth.login(alex.user)
    home = client.get("/my/")
    assert "A short check-in is due today." in home.text and "Give a check-in" in home.text
    page = client.get("/my/checkins")
    assert page.status_code == 200 and 'name="rating-2"' in page.text
    assert page.text.count('type="radio"') == 33 and "<legend>communication</legend>" in page.text
    response = client.post("/my/checkins", data=rate(note="  A calmer week.  "))
    assert response.status_code == 302
    saved = rows(CheckIn, client_id=alex.id)[-1]
    assert (saved.taken_on, saved.ratings, saved.note) == \
        (TODAY, {"trust": 6, "communication": 4, "hope": 8}, "A calmer week.")
    page = client.get("/my/checkins")
    assert "The next check-in is due on 15 Dec 2026." in page.text
    assert "2 check-ins from 24 Nov 2026 to 8 Dec 2026" in page.text
    assert "A calmer week." in page.text and "<summary>The ratings as a table</summary>" in \
        page.text
    assert "Your next check-in is due on 15 Dec 2026." in client.get("/my/").text
    assert actions(alex).count("checkin.create") == 1
    assert actions(alex).count("checkins.view") == 2


@time_machine.travel(NOW, tick=False)
def test_bad_check_ins_are_explained_stored_never_and_lose_nothing(client, auth, people):
    alex = people["alex"]
    schedule(alex)
    factories.CheckInFactory(client=alex, taken_on=TODAY - timedelta(days=1))
    db.session.commit()
    auth.login(alex.user)
    cases = [
        (rate(day="2026-12-09"), "That day has not come yet"),
        (rate(day="2026-12-07"), "You already gave a check-in for 07 Dec 2026"),
        (rate(trust=11), "Rate trust with a whole number from 0 to 10."),
        (rate(trust="-1"), "Rate trust with a whole number from 0 to 10."),
        (rate(trust="\u00b2"), "Rate trust with a whole number from 0 to 10."),  # a digit
        (rate(trust="7.5"), "Rate trust with a whole number from 0 to 10."),
        (rate(hope=None), "Choose how you rate hope, from 0 to 10."),
        (rate(day=""), "Enter the day, for example today."),
        (rate(day="2026-01-01"), "for the last 60 days only"),
        (rate(note="x" * 501), "Keep the note to 500 characters"),
    ]
    for data, message in cases:
        data["note"] = data["note"] or "Words I do not want to lose"
        response = client.post("/my/checkins", data=data)
        assert response.status_code == 422, data
        assert message in response.text, (message, response.text)
        assert data["note"] in response.text
        if data.get("rating-1") == "4":
            assert 'name="rating-1" value="4" checked' in response.text
    assert len(rows(CheckIn, client_id=alex.id)) == 1
    assert "checkin.create" not in actions(alex)


@time_machine.travel(NOW, tick=False)
def test_the_same_day_sent_twice_at_once_is_stored_once(client, auth, people, monkeypatch):
    """Two tabs send today's check-in together: the unique day refuses the second, which
    is told so with its ratings and note still on the page."""
    alex = people["alex"]
    schedule(alex)
    auth.login(alex.user)
    real = checkins.add_checkin

    def racing(client_, day, ratings, note):
        db.session.add(CheckIn(client_id=client_.id, taken_on=day, ratings={"trust": 1}))
        db.session.flush()
        return real(client_, day, ratings, note)

    monkeypatch.setattr(checkins, "add_checkin", racing)
    response = client.post("/my/checkins", data=rate(note="second tab"))
    assert response.status_code == 422
    assert "You already gave a check-in for 08 Dec 2026" in response.text
    assert "second tab" in response.text and 'value="4" checked' in response.text
    assert rows(CheckIn, client_id=alex.id) == []


@time_machine.travel(NOW, tick=False)
def test_a_client_sees_only_their_own_and_a_counselor_only_their_caseload(client, auth, people):
    alex, jordan = people["alex"], people["jordan"]
    schedule(alex)
    schedule(jordan)
    factories.CheckInFactory(client=jordan, taken_on=TODAY, ratings={"trust": 9})
    db.session.commit()
    auth.login(people["counselor"])
    assert client.get(f"/clients/{jordan.id}/checkins").status_code == 404
    assert client.post(f"/clients/{jordan.id}/checkins",
                       data={**SCHEDULE, "every_days": "2"}).status_code == 404
    assert rows(CheckInSchedule, client_id=jordan.id)[0].every_days == 7
    auth.logout()
    auth.login(alex.user)
    page = client.get("/my/checkins")
    assert "No check-ins yet" in page.text and "trust 9" not in page.text
    client.post("/my/checkins", data=rate())
    assert len(rows(CheckIn, client_id=jordan.id)) == 1
    assert rows(CheckIn, client_id=alex.id)[0].client_id == alex.id


@time_machine.travel(NOW, tick=False)
def test_a_paused_or_unscheduled_client_cannot_give_one(client, auth, people):
    alex = people["alex"]
    auth.login(alex.user)
    page = client.get("/my/checkins")
    assert "has not asked for check-ins yet" in page.text and "rating-0" not in page.text
    assert "checkin-heading" not in client.get("/my/").text
    schedule(alex, active=False)
    assert "Check-ins are paused" in client.get("/my/").text
    assert client.post("/my/checkins", data=rate()).status_code == 422
    assert rows(CheckIn, client_id=alex.id) == []


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_lists_check_ins_due_and_missed(client, auth, people):
    alex, sam = people["alex"], people["sam"]
    schedule(alex)  # due today
    schedule(sam, starts_on=TODAY - timedelta(days=10))  # missed
    factories.CheckInFactory(client=sam, taken_on=TODAY - timedelta(days=9))
    schedule(people["jordan"])  # another counselor's
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get("/dashboard/").text
    section = page[page.index('id="checkins-heading"'):]
    assert "<strong>1</strong> due today · <strong>1</strong> missed" in section
    assert alex.name in section and sam.name in section and people["jordan"].name not in section
    assert "Missed</span> due 06 Dec" in section
    client.post(f"/clients/{sam.id}/checkins", data={**SCHEDULE, "paused": "y", "version": "1"})
    section = client.get("/dashboard/").text.split('id="checkins-heading"')[1]
    assert sam.name not in section


def test_every_new_audit_action_reads_as_a_sentence():
    for action in ("checkins.view", "checkin.schedule", "checkin.create", "client.time_zone"):
        assert action in history.PHRASES


# --- the reminder ------------------------------------------------------------------------

def at(day, hour, zone):
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def queued():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "checkin_due").order_by(OutboxMessage.id)).all()


def test_the_check_in_reminder_goes_once_per_due_date_in_the_client_s_morning(app, people):
    alex, sam = people["alex"], people["sam"]
    alex.time_zone = "Pacific/Auckland"
    schedule(alex, starts_on=TODAY, scales=["trust", "<b>closeness</b>"])
    schedule(sam, starts_on=TODAY + timedelta(days=1))
    # 07:00 on the 8th in Auckland: not yet morning there; London is still on the 7th
    with time_machine.travel(at(TODAY, 7, "Pacific/Auckland"), tick=False):
        assert reminders.remind()["checkin_due"] == 0
    with time_machine.travel(at(TODAY, 8, "Pacific/Auckland"), tick=False):
        assert reminders.remind()["checkin_due"] == 1
        assert reminders.remind()["checkin_due"] == 0
    [message] = queued()
    assert message.dedupe_key == f"checkin_due:{alex.id}:2026-12-08"
    assert message.user_id == alex.user.id
    assert "a short check-in is due today" in message.text_body
    for secret in ("trust", "closeness", "rating"):
        assert secret not in message.text_body.lower() and secret not in message.html_body
    # missed the next day: no second message for the same due date; sam's comes in his morning
    with time_machine.travel(at(TODAY + timedelta(days=1), 9, "Europe/London"), tick=False):
        assert reminders.remind()["checkin_due"] == 1
    assert [m.user_id for m in queued()] == [alex.user.id, sam.user.id]
    # alex gives one on the 10th: the next, due on the 17th, is reminded then
    factories.CheckInFactory(client=alex, taken_on=date(2026, 12, 10))
    db.session.commit()
    with time_machine.travel(at(date(2026, 12, 17), 10, "Pacific/Auckland"), tick=False):
        assert reminders.remind()["checkin_due"] == 1
    assert queued()[-1].dedupe_key == f"checkin_due:{alex.id}:2026-12-17"


def test_no_reminder_for_paused_long_missed_or_deactivated(app, people):
    alex, sam, jordan = people["alex"], people["sam"], people["jordan"]
    schedule(alex, active=False)
    schedule(sam, starts_on=TODAY - timedelta(days=8))  # missed over a week ago
    schedule(jordan)
    jordan.user.active = False
    db.session.commit()
    with time_machine.travel(at(TODAY, 12, "Europe/London"), tick=False):
        assert reminders.remind()["checkin_due"] == 0


def test_the_kind_is_a_client_s_and_can_be_turned_off(app, people):
    from counsel.notifications import kinds

    kind = kinds.kind("checkin_due")
    assert kind.roles == ("client",) and kind.optional
    assert checkins.DEFAULTS["every_days"] == 7


@time_machine.travel(NOW, tick=False)
def test_the_pages_chart_the_latest_check_ins_and_say_earlier_ones_are_kept(
        client, auth, people):
    """Check-ins are at most one a day, but a page must not grow for ever: the chart and
    its table hold the latest ``CHARTED``; when is the next one due still counts from the
    very latest."""
    alex = people["alex"]
    schedule(alex, starts_on=TODAY - timedelta(days=200), every_days=1)
    given = checkins.CHARTED + 5
    for n in range(given):
        factories.CheckInFactory(client=alex, taken_on=TODAY - timedelta(days=given - n),
                                 ratings={"trust": n % 11})
    db.session.commit()
    overview = checkins.overview(alex, NOW)
    assert len(overview.checkins) == checkins.CHARTED and overview.earlier
    assert overview.checkins[0].taken_on == TODAY - timedelta(days=checkins.CHARTED)
    assert overview.checkins[-1].taken_on == TODAY - timedelta(days=1)
    assert overview.due.state == "due" and overview.due.next_due == TODAY
    auth.login(alex.user)
    page = client.get("/my/checkins").text
    assert f"The latest {checkins.CHARTED} check-ins are shown here" in page
    assert page.count('<th scope="row">') == checkins.CHARTED
