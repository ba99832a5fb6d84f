"""Every session-log route, by everyone (SECURITY.md 7): the owning counselor gets data;
another counselor 404; each partner, a client of another case and the admin 403 by role;
anonymous is sent to sign in. Nobody but the owner changes anything."""

import pytest
from sqlalchemy import func, select

from counsel.extensions import db
from counsel.models import Addendum, Agreement, AgreementFollowUp, Assignment, CounselingSession

from .. import factories
from ..conftest import Auth
from .session_world import couple_case, session_form, signed_session


@pytest.fixture
def world(people):
    case = couple_case(people)
    earlier = signed_session(people, case)
    session = factories.CounselingSessionFactory(case=case, private_notes="SECRET NOTES")
    db.session.flush()
    agreement = factories.AgreementFactory(session=session, case_id=case.id)
    exercise = factories.ExerciseFactory(owner=people["counselor"])
    db.session.commit()
    return {"case": case, "session": session, "earlier": earlier, "agreement": agreement,
            "old": earlier.agreements[0], "exercise": exercise}


def routes(w, people):
    s, case = w["session"].id, w["case"].id
    old = w["old"].id
    form = session_form(people, session_version="1", private_notes="HACKED",
                        text="HACKED agreement", binds="both", body="HACKED addendum",
                        client=str(people["alex"].id), exercise=str(w["exercise"].id),
                        **{f"f{old}-outcome": "kept"})
    return [
        ("GET", "/sessions/", None),
        ("GET", f"/cases/{case}/sessions/new", None),
        ("POST", f"/cases/{case}/sessions/new", {"data": form}),
        ("GET", f"/sessions/{s}", None),
        ("POST", f"/sessions/{s}", {"data": form}),
        ("POST", f"/sessions/{s}/autosave", {"json": {"private_notes": "HACKED",
                                                      "base_version": 1}}),
        ("POST", f"/sessions/{s}/agreements", {"data": form}),
        ("POST", f"/sessions/{s}/agreements/{w['agreement'].id}/remove", {"data": {}}),
        ("POST", f"/sessions/{s}/agreements/{old}/follow-up", {"data": form}),
        ("POST", f"/sessions/{s}/assign", {"data": form}),
        ("POST", f"/sessions/{s}/cancel", {"data": {}}),
        ("POST", f"/sessions/{s}/sign", {"data": {}}),
        ("POST", f"/sessions/{w['earlier'].id}/addenda", {"data": form}),
    ]


def counts():
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (
        CounselingSession, Agreement, AgreementFollowUp, Assignment, Addendum))


@pytest.mark.parametrize("who", ["other_counselor", "alex", "sam", "jordan", "admin",
                                 "anonymous"])
def test_only_the_owning_counselor_reaches_a_session(app, people, world, who):
    browser = app.test_client()
    if who != "anonymous":
        person = people[who]
        Auth(browser).login(person.user if who in ("alex", "sam", "jordan") else person)
    before = counts()
    notes = db.session.get(CounselingSession, world["session"].id).private_notes
    for method, url, body in routes(world, people):
        response = browser.open(url, method=method, **(body or {}))
        if who == "anonymous":
            assert response.status_code in (302, 401), (url, response.status_code)
            if response.status_code == 302:
                assert "/sign-in" in response.location
        elif who == "other_counselor":
            expected = 200 if url == "/sessions/" else 404
            assert response.status_code == expected, (url, response.status_code)
        else:
            assert response.status_code == 403, (who, url, response.status_code)
        assert "SECRET NOTES" not in response.text and "shared words" not in response.text
    assert counts() == before
    session = db.session.get(CounselingSession, world["session"].id)
    assert (session.private_notes, session.signed_at, session.cancelled_at) == (notes, None,
                                                                                None)


def test_the_owning_counselor_reaches_every_route(app, people, world):
    browser = app.test_client()
    Auth(browser).login(people["counselor"])
    for method, url, body in routes(world, people):
        response = browser.open(url, method=method, **(body or {}))
        # The autosave after the form's save is based on an older version: a conflict.
        allowed = (200, 302, 409) if url.endswith("/autosave") else (200, 302)
        assert response.status_code in allowed, (url, response.status_code,
                                                 response.text[-2000:])
