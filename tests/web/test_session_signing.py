"""Signing locks a session (SECURITY.md 17): after signing, no route of the app changes it,
whatever is posted; the database refuses changes on both engines; corrections are signed
addenda shown under the original."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from counsel.extensions import db
from counsel.models import (
    Addendum,
    Agreement,
    AgreementFollowUp,
    AuditEvent,
    CounselingSession,
    SessionAttendee,
)
from counsel.session_log import signing
from counsel.session_log.forms import (
    AgreementForm,
    FollowUpForm,
    SessionAssignForm,
    SessionForm,
)

from .. import factories
from .session_world import couple_case, session_form, signed_session


@pytest.fixture
def signed(people):
    return signed_session(people)


def snapshot(session_id):
    db.session.expire_all()
    session = db.session.get(CounselingSession, session_id)
    columns = {c.key: getattr(session, c.key) for c in CounselingSession.__table__.columns}
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (Agreement, SessionAttendee, AgreementFollowUp))
    return session, columns, counts


def test_signing_records_who_when_and_the_hash(client, auth, people):
    case = couple_case(people)
    session = factories.CounselingSessionFactory(case=case, shared_summary="s",
                                                 private_notes="p")
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get(f"/sessions/{session.id}").text
    assert "Signing locks this session; later corrections are addenda" in page
    assert client.post(f"/sessions/{session.id}/sign").status_code == 302
    session, _, _ = snapshot(session.id)
    assert session.signed_by_id == people["counselor"].id and session.signed_at
    assert session.content_hash == signing.content_hash(session)
    page = client.get(f"/sessions/{session.id}").text
    assert session.content_hash in page and "still matches its signature" in page
    assert 'data-session-autosave-url' not in page and "Save session" not in page
    assert "session.sign" in db.session.scalars(select(AuditEvent.action)).all()


def all_form_fields(people, signed) -> dict:
    """Every field of every session form, filled, plus fields no form has."""
    data = session_form(people, session_version=str(signed.version),
                        shared_summary="FORGED", private_notes="FORGED", agenda="FORGED",
                        confirm_screening="y", type="individual",
                        attendees=[str(people["alex"].id)])
    agreement = signed.agreements[0]
    data |= {"text": "FORGED agreement", "binds": "both", "follow_up_on": "2030-01-01",
             "client": str(people["alex"].id), "exercise": "1", "due_date": "", "note": "FORGED",
             "contact_reason": "FORGED", "outcome": "kept",
             f"f{agreement.id}-outcome": "kept", f"f{agreement.id}-note": "FORGED",
             "signed_at": "", "signed_by_id": "", "content_hash": "0" * 64,
             "cancelled_at": "2020-01-01", "counselor_id": str(people["other_counselor"].id),
             "case_id": "999", "version": "99", "id": "1234"}
    for form in (SessionForm, AgreementForm, FollowUpForm, SessionAssignForm):
        for name in dir(form):
            if not name.startswith("_") and name not in data and hasattr(
                    getattr(form, name), "field_class"):
                data[name] = "FORGED"
    return data


def session_routes(app):
    """Every POST rule with a session id or an agreement id."""
    return [rule for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and (
                "session_id" in rule.arguments or "agreement_id" in rule.arguments)]


def test_no_route_changes_a_signed_session(app, client, auth, people, signed):
    later = factories.CounselingSessionFactory(case=signed.case)
    db.session.commit()
    exercise = factories.ExerciseFactory(owner=people["counselor"])
    db.session.commit()
    auth.login(people["counselor"])
    before, columns, counts = snapshot(signed.id)
    data = all_form_fields(people, signed)
    data["exercise"] = str(exercise.id)
    agreement = signed.agreements[0]
    routes = session_routes(app)
    assert {r.endpoint for r in routes} >= {
        "session_log.show", "session_log.autosave", "session_log.add_agreement",
        "session_log.remove_agreement", "session_log.follow_up", "session_log.assign",
        "session_log.sign", "session_log.cancel", "session_log.add_addendum"}
    for rule in routes:
        if rule.endpoint == "session_log.add_addendum":
            continue  # the one change a signed session takes: tested below
        args = {"session_id": signed.id, "agreement_id": agreement.id}
        url = rule.build({k: v for k, v in args.items() if k in rule.arguments})[1]
        for body in ({"data": data}, {"json": {**{k: v for k, v in data.items()
                                                  if isinstance(v, str)},
                                               "base_version": signed.version}}):
            response = client.post(url, **body)
            assert response.status_code in (302, 400, 403, 404, 409, 422), (url, response)
            assert response.status_code != 500
        after, after_columns, after_counts = snapshot(signed.id)
        assert after_columns == columns, rule.endpoint
        assert after_counts == counts, rule.endpoint
        assert signing.intact(after), rule.endpoint
    # The follow-up route, asked to record in the signed session an agreement of another.
    earlier = signed_session(people, signed.case)
    other = earlier.agreements[0]
    client.post(f"/sessions/{signed.id}/agreements/{other.id}/follow-up",
                data={f"f{other.id}-outcome": "kept"})
    assert snapshot(signed.id)[2][2] == counts[2]
    assert later.id  # an unsigned session of the case existed all along


@pytest.mark.parametrize("route", ["", "/autosave", "/agreements", "/assign", "/cancel"])
def test_each_change_to_a_signed_session_says_why(client, auth, people, signed, route):
    auth.login(people["counselor"])
    data = session_form(people, session_version=str(signed.version), text="An agreement",
                        binds="both")
    if route == "/autosave":
        response = client.post(f"/sessions/{signed.id}/autosave",
                               json={"private_notes": "x", "base_version": signed.version})
        assert response.status_code == 409 and response.json["error"] == "locked"
        return
    response = client.post(f"/sessions/{signed.id}{route}", data=data, follow_redirects=True)
    assert "signed and can no longer be changed" in response.text
    if route in ("", "/agreements"):
        assert "Your text, not saved" in response.text
        assert ("Sam seemed guarded." if route == "" else "An agreement") in response.text


def test_addenda_are_signed_and_shown_under_the_original(client, auth, people, signed):
    auth.login(people["counselor"])
    _, columns, counts = snapshot(signed.id)
    response = client.post(f"/sessions/{signed.id}/addenda",
                           data={"body": "Correction: it was 60 minutes."})
    assert response.status_code == 302
    addendum = db.session.scalars(select(Addendum)).one()
    assert addendum.signed_by_id == people["counselor"].id and len(addendum.content_hash) == 64
    page = client.get(f"/sessions/{signed.id}").text
    assert "Correction: it was 60 minutes." in page and addendum.content_hash in page
    assert "private words" in page  # the original stays
    assert snapshot(signed.id)[1:] == (columns, counts)
    response = client.post(f"/sessions/{signed.id}/addenda", data={"body": ""})
    assert response.status_code == 422 and "Write the correction" in response.text
    response = client.post(f"/sessions/{signed.id}/addenda", data={"body": "y" * 10_001})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Addendum)) == 1


def test_an_unsigned_session_takes_no_addendum(client, auth, people):
    session = factories.CounselingSessionFactory(case=couple_case(people))
    db.session.commit()
    auth.login(people["counselor"])
    response = client.post(f"/sessions/{session.id}/addenda", data={"body": "Typed words"})
    assert response.status_code == 409 and "Typed words" in response.text
    assert db.session.scalar(select(func.count()).select_from(Addendum)) == 0


def raw(statement: str, **params):
    with db.engine.connect() as conn, conn.begin():
        conn.execute(text(statement), params)


@pytest.mark.parametrize("statement", [
    "UPDATE counseling_sessions SET private_notes = 'changed' WHERE id = :sid",
    "UPDATE counseling_sessions SET signed_at = NULL WHERE id = :sid",
    "DELETE FROM counseling_sessions WHERE id = :sid",
    "INSERT INTO agreements (session_id, case_id, text, created_at) "
    "VALUES (:sid, :cid, 'sneaked in', CURRENT_TIMESTAMP)",
    "UPDATE agreements SET text = 'changed' WHERE session_id = :sid",
    "DELETE FROM agreements WHERE session_id = :sid",
    "INSERT INTO session_attendees (session_id, client_id) VALUES (:sid, :other)",
    "DELETE FROM session_attendees WHERE session_id = :sid",
    "INSERT INTO agreement_follow_ups (agreement_id, session_id, outcome, created_at) "
    "VALUES (:aid, :sid, 'kept', CURRENT_TIMESTAMP)",
])
def test_the_database_refuses_changes_to_a_signed_session(people, signed, statement):
    before, columns, counts = snapshot(signed.id)
    other = factories.ClientFactory(counselor=people["counselor"])
    db.session.commit()
    with pytest.raises(DBAPIError):
        raw(statement, sid=signed.id, cid=signed.case_id, aid=signed.agreements[0].id,
            other=other.id)
    after, after_columns, after_counts = snapshot(signed.id)
    assert (after_columns, after_counts) == (columns, counts)
    assert signing.intact(after)
