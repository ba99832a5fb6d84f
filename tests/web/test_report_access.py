"""Every counselor report route, by everyone (SECURITY.md 7): the owning counselor gets
data; another counselor 404; each partner, another counselor's client and the admin 403
by role; anonymous is sent to sign in. Nobody but the owner prepares, generates, downloads
or marks anything, and no refused answer holds a word of the report."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import AuditEvent, ExcerptConsent, Report, ReportPreparation
from counsel.reports import operations, render
from counsel.reports.audiences import audience_from_token

from .. import factories
from ..conftest import Auth
from . import report_couple

FAKE_PDF = b"%PDF-1.7\n% a stand-in: these tests are about who may ask, not rendering\n"


@pytest.fixture(autouse=True)
def quick_render(monkeypatch):
    monkeypatch.setattr(render, "render_pdf",
                        lambda html, **limits: render.Rendered(pdf=FAKE_PDF, pages=1))


@pytest.fixture
def world(people):
    world = report_couple.build(people)
    case, counselor = world["case"], people["counselor"]
    prep = operations.preparation_for(counselor, case)
    operations.save_preparation(counselor, case, prep, since=prep.since, until=prep.until,
                                audience="joint", excerpts=[], narrative="SECRET NARRATIVE",
                                next_steps="", allowed_excerpts=set())
    report = operations.request_report(counselor, case, audience_from_token(case, "joint"),
                                       prep.since, prep.until, excerpts=[],
                                       narrative="SECRET NARRATIVE", next_steps="")
    operations.produce(report)
    db.session.commit()
    assert report.ready
    world |= {"report": report, "prep": prep}
    return world


def routes(w):
    case, report = w["case"].id, w["report"].id
    today = practice_today()
    form = {"since": (today - timedelta(days=10)).isoformat(), "until": today.isoformat(),
            "audience": "counselor",
            "narrative": "HACKED", "next_steps": "HACKED", "version": str(w["prep"].version),
            "action": "ask", "excerpts": [str(w["alex_revision"].id)]}
    return [
        ("GET", f"/cases/{case}/report", None),
        ("POST", f"/cases/{case}/report", {"data": form}),
        ("GET", f"/cases/{case}/report/preview?audience=joint", None),
        # the version the preparation has after the POST above (for its owner)
        ("POST", f"/cases/{case}/report/generate", {"data": {
            "audience": "counselor", "version": str(w["prep"].version + 1)}}),
        ("GET", f"/reports/{report}", None),
        ("GET", f"/reports/{report}/status", None),
        ("GET", f"/reports/{report}/pdf", None),
        ("POST", f"/reports/{report}/shared", {"data": {"session_id": w["later"].id}}),
    ]


def state(w):
    db.session.expire_all()
    counts = tuple(db.session.scalar(select(func.count()).select_from(m))
                   for m in (Report, ReportPreparation, ExcerptConsent))
    report = db.session.get(Report, w["report"].id)
    prep = db.session.get(ReportPreparation, w["prep"].id)
    return counts, report.shared_session_id, prep.narrative, prep.version


def downloads():
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "report.download"))


def test_every_report_route_is_listed_here(app, world):
    """A new route of the reports blueprint must join this matrix."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("reports.")}
    adapter = app.url_map.bind("localhost")
    listed = {adapter.match(url.split("?")[0], method=method)[0]
              for method, url, _ in routes(world)}
    assert endpoints == listed


@pytest.mark.parametrize("who", ["other_counselor", "alex", "sam", "jordan", "admin",
                                 "anonymous"])
def test_only_the_owning_counselor_reaches_a_report(app, people, world, who):
    browser = app.test_client()
    if who != "anonymous":
        person = people[who]
        Auth(browser).login(person.user if who in ("alex", "sam", "jordan") else person)
    before, downloaded = state(world), downloads()
    for method, url, body in routes(world):
        response = browser.open(url, method=method, **(body or {}))
        if who == "anonymous":
            # a signed-out POST holding text hands it back, with a 401 (rescue.py)
            assert response.status_code in ((302,) if method == "GET" else (302, 401)), url
            if response.status_code == 302:
                assert "/sign-in" in response.location
        elif who == "other_counselor":
            assert response.status_code == 404, (url, response.status_code)
        else:
            assert response.status_code == 403, (who, url, response.status_code)
        assert b"SECRET NARRATIVE" not in response.data and FAKE_PDF not in response.data
        assert b"plain summary words" not in response.data
    assert state(world) == before and downloads() == downloaded


def test_the_owning_counselor_reaches_every_route(app, people, world):
    browser = app.test_client()
    Auth(browser).login(people["counselor"])
    for method, url, body in routes(world):
        response = browser.open(url, method=method, **(body or {}))
        assert response.status_code in (200, 302), (url, response.status_code,
                                                    response.text[-2000:])
        if url.endswith("/pdf"):
            assert response.data == FAKE_PDF
        if url.endswith("/preview?audience=joint"):
            assert "HACKED" in response.text
    counts, shared_at, narrative, _version = state(world)
    assert counts == (2, 1, 1)  # a new report, the same preparation, one consent asked
    assert shared_at == world["later"].id and narrative == "HACKED"


def test_a_report_is_not_marked_shared_at_another_counselors_session(app, people, world):
    browser = app.test_client()
    Auth(browser).login(people["counselor"])
    theirs = factories.CounselingSessionFactory(
        case=factories.CaseFactory(counselor=people["other_counselor"],
                                   partners=[people["jordan"]]))
    mine_elsewhere = factories.CounselingSessionFactory(
        case=factories.CaseFactory(counselor=people["counselor"], partners=[people["alex"]]))
    db.session.commit()
    url = f"/reports/{world['report'].id}/shared"
    assert browser.post(url, data={"session_id": theirs.id}).status_code == 404
    # A number no id can be (the form's field is not bounded like a URL's): 404, not 500.
    for beyond in (2**31, 10**24, -1):
        assert browser.post(url, data={"session_id": beyond}).status_code == 404
    refused = browser.post(url, data={"session_id": mine_elsewhere.id}, follow_redirects=True)
    assert refused.status_code == 200 and "Choose a session of this case" in refused.text
    assert state(world)[1] is None


def test_the_counselors_file_is_never_marked_shared(app, people, world):
    browser = app.test_client()
    Auth(browser).login(people["counselor"])
    case = world["case"]
    report = operations.request_report(people["counselor"], case,
                                       audience_from_token(case, "counselor"),
                                       world["prep"].since, world["prep"].until, excerpts=[],
                                       narrative="", next_steps="")
    operations.produce(report)
    db.session.commit()
    page = browser.get(f"/reports/{report.id}")
    assert "Mark as shared" not in page.text
    refused = browser.post(f"/reports/{report.id}/shared",
                           data={"session_id": world["later"].id}, follow_redirects=True)
    assert "never shared with clients" in refused.text
    db.session.expire_all()
    assert db.session.get(Report, report.id).shared_session_id is None
