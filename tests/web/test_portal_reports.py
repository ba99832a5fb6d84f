"""The client's progress reports in the portal (issue 9): the list of versions handed to
them, and each download, which serves the archived bytes unchanged and only to a client
the version is for who attended the session it was shared at (PRODUCT.md privacy rules
1, 2, 3 and 6)."""

import hashlib
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, CounselingSession, ExcerptConsent, Report
from counsel.reports import render

from ..conftest import Auth
from . import report_world
from .report_steps import pdf_words
from .test_partner_privacy import build_scene, never_for_any_client

# Which stored versions each person may download (all others: 404 for a client).
MAY_DOWNLOAD = {
    "alex": {"joint", "alex", "alex_session"},
    "sam": {"joint", "sam"},
    "casey": {"casey"},
    "jordan": {"jordan"},
}
NOT_CLIENTS = ("counselor", "other_counselor", "admin")


@pytest.fixture
def world(people):
    return report_world.build(people)


def _user(world, person):
    found = world["people"][person]
    return found if person in NOT_CLIENTS else found.user


def _pdf_url(report):
    return f"/my/reports/{report.id}/pdf"


def _audit(action, **where):
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action, **where)))


# --- the list ---------------------------------------------------------------------------------

@pytest.mark.parametrize("person", sorted(MAY_DOWNLOAD))
def test_the_list_shows_each_client_only_what_was_handed_to_them(client, world, person):
    reader = world["people"][person]
    Auth(client).login(reader.user)
    page = client.get("/my/reports")
    assert page.status_code == 200
    assert "Progress reports your counselor shared with you" in page.text
    for key, report in world["reports"].items():
        assert (_pdf_url(report) in page.text) == (key in MAY_DOWNLOAD[person]), key
    rows = _audit("reports.view", client_id=reader.id)
    assert len(rows) == 1 and rows[0].actor_id == reader.user.id


def test_the_list_says_when_there_is_nothing_yet(client, people):
    Auth(client).login(people["alex"].user)
    page = client.get("/my/reports")
    assert page.status_code == 200
    assert "No progress reports yet" in page.text
    assert "/my/reports/" not in page.text.replace('href="/my/reports"', "")


def test_the_list_is_newest_first_and_paged(client, world):
    alex, couple = world["people"]["alex"], world["couple"]
    extra = [report_world.stored(couple, "partner", client=alex,
                                 shared_at=world["joint_session"], tag=f"n{i}")
             for i in range(21)]
    db.session.commit()
    Auth(client).login(alex.user)
    first, second = client.get("/my/reports"), client.get("/my/reports?page=2")
    assert first.status_code == second.status_code == 200
    on_first = [r for r in extra + list(world["reports"].values()) if _pdf_url(r) in first.text]
    on_second = [r for r in extra + list(world["reports"].values()) if _pdf_url(r) in second.text]
    assert len(on_first) == 20 and len(on_second) == 4  # 21 + joint, alex, alex_session
    assert not set(on_first) & set(on_second)
    assert "Page 1 of 2" in first.text
    # newest first: the last one made comes before the first one
    assert first.text.index(_pdf_url(extra[-1])) < first.text.index(_pdf_url(extra[-2]))


def test_the_header_and_home_link_to_the_reports(client, people):
    Auth(client).login(people["alex"].user)
    home = client.get("/my/")
    assert home.text.count('href="/my/reports"') >= 2  # the header (twice: row and menu)


# --- downloads --------------------------------------------------------------------------------

@pytest.mark.parametrize("person", sorted(MAY_DOWNLOAD))
def test_each_client_downloads_exactly_the_versions_meant_for_them(client, world, person):
    reader = world["people"][person]
    Auth(client).login(reader.user)
    for key, report in world["reports"].items():
        response = client.get(_pdf_url(report))
        if key in MAY_DOWNLOAD[person]:
            assert response.status_code == 200, key
            assert response.mimetype == "application/pdf"
            assert response.data == report.pdf
            assert hashlib.sha256(response.data).hexdigest() == report.sha256
            disposition = response.headers["Content-Disposition"]
            assert disposition.startswith("attachment;")
            assert reader.user.name not in disposition and reader.email not in disposition
        else:
            assert response.status_code == 404, key
            assert b"%PDF" not in response.data
    allowed = len(MAY_DOWNLOAD[person])
    rows = _audit("report.download", actor_id=reader.user.id)
    assert len(rows) == allowed
    assert {r.client_id for r in rows} == {reader.id}
    assert {r.target_id for r in rows} == {str(world["reports"][k].id)
                                           for k in MAY_DOWNLOAD[person]}
    refused = _audit("access.refused", actor_id=reader.user.id, target_type="reports")
    assert len(refused) == len(world["reports"]) - allowed


@pytest.mark.parametrize("person", NOT_CLIENTS)
def test_counselors_and_the_admin_get_403_and_no_bytes(client, world, person):
    Auth(client).login(_user(world, person))
    for report in world["reports"].values():
        response = client.get(_pdf_url(report))
        assert response.status_code == 403
        assert b"%PDF" not in response.data
    assert client.get("/my/reports").status_code == 403
    assert not _audit("report.download")


def test_anonymous_people_are_sent_to_sign_in(client, world):
    for url in ["/my/reports", _pdf_url(world["reports"]["joint"])]:
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/sign-in")
    assert not _audit("report.download") and not _audit("reports.view")


def test_each_partner_who_attended_downloads_the_joint_version(client, world):
    joint = world["reports"]["joint"]
    for person in ("alex", "sam"):
        Auth(client).login(world["people"][person].user)
        assert client.get(_pdf_url(joint)).data == joint.pdf
        Auth(client).logout()
    rows = _audit("report.download", target_id=str(joint.id))
    assert {r.client_id for r in rows} == {world["people"]["alex"].id,
                                           world["people"]["sam"].id}


def test_a_version_marked_shared_later_appears_then(client, world):
    unshared, alex = world["reports"]["unshared"], world["people"]["alex"]
    Auth(client).login(alex.user)
    assert client.get(_pdf_url(unshared)).status_code == 404
    report = db.session.get(Report, unshared.id)
    report.shared_session_id = world["joint_session"].id
    db.session.commit()
    assert client.get(_pdf_url(unshared)).data == unshared.pdf


def test_a_report_shared_at_a_cancelled_or_other_session_stays_hidden(client, world):
    """Marked at a session of another case that alex did not attend: nothing."""
    alex, casey_report = world["people"]["alex"], world["reports"]["casey"]
    Auth(client).login(alex.user)
    assert client.get(_pdf_url(casey_report)).status_code == 404


# --- the archived bytes, never rendered again ---------------------------------------------

def test_a_real_report_downloads_as_stored_without_rendering(client, people, monkeypatch):
    world = report_world.build(people)
    couple, alex = world["couple"], world["people"]["alex"]
    session = db.session.get(CounselingSession, world["joint_session"].id)
    report = report_world.real_report(couple, "joint", [], shared_at=session)
    stored_bytes, stored_hash = report.pdf, report.sha256

    def refuse(*args, **kwargs):
        raise AssertionError("a download rendered the report again")

    monkeypatch.setattr(render, "render_pdf", refuse)
    Auth(client).login(alex.user)
    response = client.get(_pdf_url(report))
    assert response.status_code == 200
    assert response.data == stored_bytes
    assert hashlib.sha256(response.data).hexdigest() == stored_hash == response.headers[
        "ETag"].strip('"')
    assert len(PdfReader(io.BytesIO(response.data)).pages) == report.page_count


# --- what the PDFs say (pypdf) --------------------------------------------------------------

def _scene_reports():
    return {(r.audience, r.audience_client_id): r
            for r in db.session.scalars(select(Report).where(Report.status == "ready"))}


def test_the_pdfs_a_client_downloads_hold_nothing_private(app, client, people):
    """The privacy scene's reports (test_partner_privacy.build_scene), downloaded from the
    portal: the joint version and each partner's own hold no private note, screening,
    flag reason or addendum, nor the other partner's unshared work; and they do hold what
    each may read, so the search is not vacuous."""
    scene = build_scene(people)
    alex, sam = scene["alex"], scene["sam"]
    reports = _scene_reports()
    joint, alexs, sams = (reports[("joint", None)], reports[("partner", alex.id)],
                          reports[("partner", sam.id)])
    forbidden = never_for_any_client()
    texts = {}
    for reader, mine, other in ((alex, alexs, sams), (sam, sams, alexs)):
        Auth(client).login(reader.user)
        for report in (joint, mine):
            response = client.get(_pdf_url(report))
            assert response.status_code == 200
            texts[reader.id, report.id] = pdf_words(response.data)
        assert client.get(_pdf_url(other)).status_code == 404
        assert client.get(_pdf_url(reports[("counselor", None)])).status_code == 404
        Auth(client).logout()
    for text in texts.values():
        assert not [needle for needle in forbidden if needle in text]
        assert "SUMMARY-3" in text and "AGENDA-3" in text  # the joint session's shared parts
        assert "ALEX-SHARED-2" in text  # alex agreed, and shares it with sam
        assert "ALEX-UNSHARED-1" not in text  # never chosen as an excerpt
        assert re.search(r"Page 1 of \d", text)  # page numbers on every page
    assert "ALEX-UNSHARED-3" in texts[alex.id, alexs.id]  # alex's own version quotes it
    for key in ((alex.id, joint.id), (sam.id, joint.id), (sam.id, sams.id)):
        assert "ALEX-UNSHARED-3" not in texts[key]  # not shared with sam
        assert "SUMMARY-1" not in texts[key]  # a session only alex attended
    for key in ((alex.id, joint.id), (alex.id, alexs.id), (sam.id, joint.id)):
        assert "SAM-UNSHARED-1" not in texts[key]  # sam agreed to a quote, shared nothing
    assert "SAM-UNSHARED-1" in texts[sam.id, sams.id]
    # The counselor's file does hold the flag: the search would have found it.
    assert "FLAG-REASON-1" in pdf_words(reports[("counselor", None)].pdf)
    consents = db.session.scalars(select(ExcerptConsent)).all()
    assert {c.decision for c in consents} == {"agreed", "declined"}
