"""Scheduling and logging counseling sessions: the new-session form, the session page and
its edit form, agreements and follow-ups, assigning from the session, the safety
screening confirmation, and the session list. Bad input is refused with a message, nothing
is stored, and everything typed is kept on the page."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
    Agreement,
    AgreementFollowUp,
    Assignment,
    AuditEvent,
    CounselingSession,
    SafetyScreening,
    SessionAttendee,
)

from .. import factories
from .session_world import couple_case, session_form, signed_session


@pytest.fixture
def case(people):
    return couple_case(people)


@pytest.fixture
def signed_in(auth, people):
    auth.login(people["counselor"])


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_logging_a_joint_session(client, people, case, signed_in):
    page = client.get(f"/cases/{case.id}/sessions/new")
    assert page.status_code == 200
    assert 'value="joint" checked' in page.text or "checked" in page.text
    response = client.post(f"/cases/{case.id}/sessions/new", data=session_form(people))
    assert response.status_code == 302, response.text
    session = db.session.scalars(select(CounselingSession)).one()
    assert session.duration_minutes == 50 and session.type == "joint"
    assert sorted(a.client_id for a in session.attendees) == sorted(
        [people["alex"].id, people["sam"].id])
    assert session.private_notes == "Sam seemed guarded."
    shown = client.get(response.location)
    assert shown.status_code == 200
    assert "Private notes — only you ever see these" in shown.text
    assert "Sam seemed guarded." in shown.text and "Alex and Sam" in shown.text
    assert "session.create" in actions() and "session.view" in actions()


def test_times_are_typed_in_the_practice_time_zone_and_stored_in_utc(client, people, case,
                                                                      signed_in, app):
    from counsel.clock import practice_zone

    day = practice_today() + timedelta(days=7)
    client.post(f"/cases/{case.id}/sessions/new", data=session_form(people, day=day))
    session = db.session.scalars(select(CounselingSession)).one()
    local = session.starts_at.astimezone(practice_zone())
    assert (local.date(), local.hour, local.minute) == (day, 14, 0)
    assert session.starts_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(("changes", "message"), [
    ({"end_time": "13:00"}, "ends before it starts"),
    ({"end_time": "14:02"}, "at least 5 minutes"),
    ({"start_time": "08:00", "end_time": "17:00"}, "at most 8 hours"),
    ({"date": 800}, "more than 2 years ahead"),
    ({"date": -3700}, "more than 10 years ago"),
    ({"date": "not a date"}, "Not a valid date"),
    ({"attendees": []}, "at least one partner"),
    ({"type": "individual"}, "one attendee"),
    ({"format": "carrier pigeon"}, "Not a valid choice"),
])
def test_bad_sessions_are_refused_with_the_text_kept(client, people, case, signed_in,
                                                     changes, message):
    if isinstance(changes.get("date"), int):
        changes = {"date": (practice_today() + timedelta(days=changes["date"])).isoformat()}
    data = session_form(people, private_notes="Every word I typed stays.", **changes)
    response = client.post(f"/cases/{case.id}/sessions/new", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert "Every word I typed stays." in response.text
    assert count(CounselingSession) == 0


@pytest.mark.parametrize("forged", ["jordan", "nonsense", "huge"])
def test_attendees_outside_the_case_are_refused(client, people, case, signed_in, forged):
    value = {"jordan": str(people["jordan"].id), "nonsense": "x",
             "huge": "99999999999999"}[forged]
    data = session_form(people, attendees=[str(people["alex"].id), value])
    response = client.post(f"/cases/{case.id}/sessions/new", data=data)
    assert response.status_code == 422
    assert "Only the partners of this case" in response.text
    assert "Sam seemed guarded." in response.text
    assert count(CounselingSession) == 0 and count(SessionAttendee) == 0


def test_a_closed_case_gets_no_new_sessions(client, people, case, signed_in):
    from counsel.models import utcnow

    case.closed_at = utcnow()
    db.session.commit()
    assert "This case is closed" in client.get(f"/cases/{case.id}/sessions/new").text
    response = client.post(f"/cases/{case.id}/sessions/new", data=session_form(people))
    assert response.status_code == 422 and "This case is closed" in response.text
    assert count(CounselingSession) == 0


def test_a_joint_session_without_screenings_asks_for_confirmation(client, people, signed_in):
    case = couple_case(people, screened=False)
    db.session.add(SafetyScreening(case_id=case.id, client_id=people["alex"].id,
                                   screened_on=practice_today(), outcome="no_concerns",
                                   recorded_by_id=people["counselor"].id))
    db.session.commit()
    url = f"/cases/{case.id}/sessions/new"
    response = client.post(url, data=session_form(people))
    assert response.status_code == 422
    sam = people["sam"].display_name
    assert f"No safety screening is on record for {sam}. Go ahead anyway?" in response.text
    assert "Sam seemed guarded." in response.text
    assert count(CounselingSession) == 0
    response = client.post(url, data=session_form(people, confirm_screening="y"))
    assert response.status_code == 302
    session = db.session.scalars(select(CounselingSession)).one()
    assert session.screening_confirmed_at is not None
    confirmed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "session.screening_confirmed")).one()
    assert confirmed.client_id is None, "a partner's access history never hints at safety work"
    # Later saves do not ask again.
    response = client.post(f"/sessions/{session.id}",
                           data=session_form(people, session_version=str(session.version)))
    assert response.status_code == 302


def test_an_individual_session_with_one_partner_needs_no_screening(client, people, signed_in):
    case = couple_case(people, screened=False)
    response = client.post(f"/cases/{case.id}/sessions/new", data=session_form(
        people, type="individual", attendees=[str(people["sam"].id)]))
    assert response.status_code == 302


@pytest.fixture
def session(people, case):
    session = factories.CounselingSessionFactory(case=case)
    db.session.commit()
    return session


def test_editing_a_session(client, people, session, signed_in):
    data = session_form(people, session_version=str(session.version), format="video",
                        attendees=[str(people["alex"].id)], type="individual",
                        agenda="Listening", shared_summary="New summary")
    response = client.post(f"/sessions/{session.id}", data=data)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    session = db.session.get(CounselingSession, session.id)
    assert (session.format, session.type, session.agenda) == ("video", "individual", "Listening")
    assert [a.client_id for a in session.attendees] == [people["alex"].id]
    assert "session.update" in actions()


def test_a_stale_edit_form_is_a_conflict_with_the_text_kept(client, people, session,
                                                             signed_in):
    session.private_notes = "Written in another tab"
    db.session.commit()
    data = session_form(people, session_version="1", private_notes="Written here")
    response = client.post(f"/sessions/{session.id}", data=data)
    assert response.status_code == 409
    assert "Written here" in response.text and "Written in another tab" in response.text
    db.session.expire_all()
    assert db.session.get(CounselingSession, session.id).private_notes == "Written in another tab"


def test_the_mediation_outline_is_offered_as_an_optional_section(client, session, signed_in):
    page = client.get(f"/sessions/{session.id}").text
    assert "<details class=\"mediation-outline\"" in page
    assert "What was acknowledged" in page and "Next steps" in page


def test_agreements_are_added_and_removed(client, people, session, signed_in):
    url = f"/sessions/{session.id}/agreements"
    response = client.post(url, data={"text": "Talk on Sundays", "binds": "both",
                                       "follow_up_on": ""})
    assert response.status_code == 302
    response = client.post(url, data={"text": "Alex calls first", "binds": str(
        people["alex"].id), "follow_up_on": practice_today().isoformat()})
    assert response.status_code == 302
    agreements = db.session.scalars(select(Agreement).order_by(Agreement.id)).all()
    assert [(a.text, a.binds_client_id) for a in agreements] == [
        ("Talk on Sundays", None), ("Alex calls first", people["alex"].id)]
    page = client.get(f"/sessions/{session.id}").text
    assert "Talk on Sundays" in page and "Alex calls first" in page
    response = client.post(f"{url}/{agreements[0].id}/remove")
    assert response.status_code == 302
    assert count(Agreement) == 1
    assert {"agreement.create", "agreement.remove"} <= set(actions())


@pytest.mark.parametrize("binds", ["jordan", "x", "99999999999"])
def test_an_agreement_cannot_bind_someone_outside_the_case(client, people, session, signed_in,
                                                          binds):
    value = str(people["jordan"].id) if binds == "jordan" else binds
    response = client.post(f"/sessions/{session.id}/agreements",
                           data={"text": "Typed agreement", "binds": value})
    assert response.status_code == 422
    assert "can only bind a partner of this case" in response.text
    assert "Typed agreement" in response.text
    assert count(Agreement) == 0


def test_follow_ups_of_earlier_signed_agreements(client, people, case, signed_in):
    earlier = signed_session(people, case)
    agreement = earlier.agreements[0]
    later = factories.CounselingSessionFactory(case=case)
    db.session.commit()
    page = client.get(f"/sessions/{later.id}").text
    assert agreement.text in page and "Record follow-up" in page
    url = f"/sessions/{later.id}/agreements/{agreement.id}/follow-up"
    response = client.post(url, data={f"f{agreement.id}-outcome": "partly",
                                      f"f{agreement.id}-note": "Twice out of three"})
    assert response.status_code == 302, response.text
    follow_up = db.session.scalars(select(AgreementFollowUp)).one()
    assert (follow_up.session_id, follow_up.outcome) == (later.id, "partly")
    page = client.get(f"/sessions/{later.id}").text
    assert "Partly kept" in page and "Twice out of three" in page
    # Once is enough per session.
    response = client.post(url, data={f"f{agreement.id}-outcome": "kept"})
    assert response.status_code == 422 and "already recorded" in response.text
    assert "agreement.follow_up" in actions()
    # The agreement's history shows on the session that made it too.
    assert "Twice out of three" in client.get(f"/sessions/{earlier.id}").text


def test_a_follow_up_needs_an_agreement_of_an_earlier_signed_session(client, people, case,
                                                                    session, signed_in):
    own = factories.AgreementFactory(session=session, case_id=case.id)
    other = signed_session(people, couple_case({**people, "alex": people["jordan"],
                                                "sam": factories.ClientFactory(
                                                    counselor=people["other_counselor"])}))
    db.session.commit()
    response = client.post(f"/sessions/{session.id}/agreements/{own.id}/follow-up",
                           data={f"f{own.id}-outcome": "kept"})
    assert response.status_code == 422 and "earlier signed sessions" in response.text
    agreement = other.agreements[0]
    response = client.post(f"/sessions/{session.id}/agreements/{agreement.id}/follow-up",
                           data={f"f{agreement.id}-outcome": "kept"})
    assert response.status_code == 404
    assert count(AgreementFollowUp) == 0


def test_assigning_an_exercise_from_the_session(client, people, session, signed_in):
    exercise = factories.ExerciseFactory(owner=people["counselor"])
    db.session.commit()
    response = client.post(f"/sessions/{session.id}/assign", data={
        "client": str(people["alex"].id), "exercise": str(exercise.id), "due_date": "",
        "note": "Try this before next time"})
    assert response.status_code == 302, response.text
    assignment = db.session.scalars(select(Assignment)).one()
    assert (assignment.session_id, assignment.case_id, assignment.client_id) == (
        session.id, session.case_id, people["alex"].id)
    page = client.get(f"/sessions/{session.id}").text
    assert assignment.title in page


def test_assigning_to_someone_who_did_not_attend_is_refused(client, people, session,
                                                           signed_in):
    exercise = factories.ExerciseFactory(owner=people["counselor"])
    db.session.commit()
    response = client.post(f"/sessions/{session.id}/assign", data={
        "client": str(people["jordan"].id), "exercise": str(exercise.id),
        "note": "Typed note"})
    assert response.status_code == 422 and "Typed note" in response.text
    assert count(Assignment) == 0


def test_an_assignment_refused_by_its_own_rules_shows_the_message(client, people, session,
                                                                 signed_in):
    people["alex"].user.active = False
    exercise = factories.ExerciseFactory(owner=people["counselor"])
    db.session.commit()
    response = client.post(f"/sessions/{session.id}/assign", data={
        "client": str(people["alex"].id), "exercise": str(exercise.id), "note": "Typed"})
    assert response.status_code == 422 and "deactivated" in response.text
    assert count(Assignment) == 0


def test_cancelling_a_session(client, session, signed_in):
    assert client.post(f"/sessions/{session.id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(CounselingSession, session.id).cancelled_at is not None
    assert "session.cancel" in actions()
    response = client.post(f"/sessions/{session.id}/agreements", data={"text": "x" * 5,
                                                                      "binds": "both"})
    assert response.status_code == 409 and "cancelled" in response.text


def test_the_session_list_puts_upcoming_first_then_past_newest_first(client, people, case,
                                                                     signed_in):
    from counsel.models import utcnow

    now = utcnow()
    made = {name: factories.CounselingSessionFactory(case=case, starts_at=now + delta)
            for name, delta in (("past_old", -timedelta(days=30)),
                                ("soon", timedelta(days=1)),
                                ("past_recent", -timedelta(days=2)),
                                ("later", timedelta(days=20)))}
    other_case = factories.CaseFactory(counselor=people["counselor"], name="Someone else")
    elsewhere = factories.CounselingSessionFactory(case=other_case, starts_at=now)
    theirs = factories.CounselingSessionFactory(
        case=factories.CaseFactory(counselor=people["other_counselor"], name="Not mine"))
    db.session.commit()

    def order(query=""):
        page = client.get("/sessions/" + query)
        assert page.status_code == 200
        assert "Not mine" not in page.text and f"/sessions/{theirs.id}\"" not in page.text
        ids = {s.id: name for name, s in made.items()} | {elsewhere.id: "elsewhere"}
        import re
        return [ids[int(i)] for i in re.findall(r'href="/sessions/(\d+)"', page.text)
                if int(i) in ids]

    assert order(f"?case_id={case.id}") == ["soon", "later", "past_recent", "past_old"]
    assert order(f"?show=upcoming&case_id={case.id}") == ["soon", "later"]
    assert order(f"?show=past&case_id={case.id}") == ["past_recent", "past_old"]
    assert "elsewhere" in order()
    signing_target = made["past_recent"]
    from counsel.session_log import signing

    signing.sign(people["counselor"], db.session.get(CounselingSession, signing_target.id))
    db.session.commit()
    assert "past_recent" not in order(f"?show=unsigned&case_id={case.id}")
    assert client.get("/sessions/?show=nonsense&case_id=x&page=-3").status_code == 200


def test_the_session_list_is_paged(client, people, case, signed_in):
    for n in range(30):
        factories.CounselingSessionFactory(case=case, starts_at=factories.utcnow()
                                           - timedelta(days=n + 1))
    db.session.commit()
    first = client.get("/sessions/").text
    assert "Page 1 of 2" in first and "Sessions (30)" in first
    assert "Page 2 of 2" in client.get("/sessions/?page=2").text


def test_session_audit_rows_name_an_attendee(client, people, session, signed_in):
    client.get(f"/sessions/{session.id}")
    client.post(f"/sessions/{session.id}/autosave", json={"private_notes": "n",
                                                          "base_version": 1})
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "counseling_sessions")).all()
    assert {r.action for r in rows} >= {"session.view", "session.autosave"}
    assert all(r.client_id == people["alex"].id for r in rows)
    assert all(r.detail != "n" for r in rows)


def test_the_access_history_names_the_session(client, people, session, signed_in):
    from counsel.clock import localtime

    client.get(f"/sessions/{session.id}")
    page = client.get(f"/clients/{people['alex'].id}/access").text
    assert f"opened the session of {localtime(session.starts_at, '%d %b %Y')}" in page


def test_making_a_session_joint_without_screenings_asks_first(client, people, signed_in):
    case = couple_case(people, screened=False)
    session = factories.CounselingSessionFactory(case=case, type="individual",
                                                 attendees=[SessionAttendee(
                                                     client=people["alex"])])
    db.session.commit()
    data = session_form(people, session_version=str(session.version),
                        private_notes="Kept while asking")
    response = client.post(f"/sessions/{session.id}", data=data)
    assert response.status_code == 422
    assert "No safety screening is on record for" in response.text
    assert "Kept while asking" in response.text
    db.session.expire_all()
    stored = db.session.get(CounselingSession, session.id)
    assert (stored.type, stored.private_notes, stored.screening_confirmed_at) == (
        "individual", None, None)
    response = client.post(f"/sessions/{session.id}", data={**data, "confirm_screening": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(CounselingSession, session.id)
    assert stored.type == "joint" and stored.screening_confirmed_at is not None


def test_the_safety_flag_shows_on_the_session_pages(client, people, session, signed_in):
    from counsel.models import utcnow

    session.case.safety_flagged_at = utcnow()
    session.case.safety_reason = "Protective order until June"
    db.session.commit()
    for url in (f"/sessions/{session.id}", f"/cases/{session.case_id}/sessions/new"):
        page = client.get(url).text
        assert "Safety flag." in page and "Protective order until June" in page
        assert f'href="/cases/{session.case_id}"' in page
