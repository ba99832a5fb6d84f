"""Every version of the demo practice's reports says only what its readers may see (issue 9,
Tests; PRODUCT.md privacy rules 1-3): through the real routes, as the counselor, prepare,
preview and generate each version of Alex & Sam's case and of Jordan's, then read the PDF
(pypdf) and the preview and look for every shared summary that belongs there and for every
private note, screening, addendum, flag reason and unshared piece of the other partner's
work that does not. Then the archive: stored bytes, hash, contents, never re-rendered, and
refused by the database itself if anyone tries to change or delete them."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CaseMember,
    Client,
    CounselingSession,
    Draft,
    ExcerptConsent,
    Report,
    Revision,
    SafetyScreening,
    Share,
    User,
)
from counsel.reports import operations as report_operations

from ..conftest import Auth
from .report_steps import download, generate, pdf_text, prepare, preview, preview_text

PASSWORD = "demo password 123"
FLAG = "Sam disclosed a threat made last spring; see the screening before joint work."
JORDAN_FLAG = "Jordan spoke of an ex-partner who still follows them home."
JORDAN_SCREENING = "Jordan named fear of the ex-partner at handovers; no joint work."
JORDAN_ADDENDUM = "Correction: Jordan asked that the ex-partner's new address not be noted."
NARRATIVE = "Both of you kept to the Sunday check-ins this month, which matters."
NEXT_STEPS = "Next month we turn to rebuilding trust, one small promise at a time."


def _user(email) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _client(email) -> Client:
    return _user(email).client


def _build_demo(app, runner) -> dict:
    """The demo practice, with the couple's follow-up session signed (so its follow-ups
    are reportable) and a safety flag on both cases, set through the routes."""
    result = runner.invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    alex, sam, jordan = (_client(f"{n}@example.com") for n in ("alex", "sam", "jordan"))
    couple = db.session.scalars(select(Case).where(Case.kind == "couple")).one()
    jordans = db.session.scalars(select(Case).join(CaseMember).where(
        CaseMember.client_id == jordan.id, Case.kind == "individual")).one()
    counselor, other = app.test_client(), app.test_client()
    Auth(counselor).login(_user("counselor@example.com"), password=PASSWORD)
    Auth(other).login(_user("other@example.com"), password=PASSWORD)
    later = db.session.scalars(select(CounselingSession).where(
        CounselingSession.case_id == couple.id, CounselingSession.signed_at.is_(None),
        CounselingSession.shared_summary.is_not(None))).one()
    assert counselor.post(f"/sessions/{later.id}/sign").status_code == 302
    for browser, case, reason in ((counselor, couple, FLAG), (other, jordans, JORDAN_FLAG)):
        response = browser.post(f"/cases/{case.id}/safety", data={"reason": reason})
        assert response.status_code == 302, response.text[-1500:]
    # Jordan's case gets a screening and an addendum too, through the routes.
    jordan_session = db.session.scalars(select(CounselingSession).where(
        CounselingSession.case_id == jordans.id)).one()
    for url, data in ((f"/cases/{jordans.id}/screenings/new",
                       {"client": jordan.id, "screened_on": practice_today().isoformat(),
                        "outcome": "concerns", "note": JORDAN_SCREENING}),
                      (f"/sessions/{jordan_session.id}/addenda", {"body": JORDAN_ADDENDUM})):
        response = other.post(url, data=data)
        assert response.status_code == 302, (url, response.text[-1500:])
    db.session.expire_all()
    assert couple.safety_reason == FLAG and jordans.safety_reason == JORDAN_FLAG
    return {"alex": alex, "sam": sam, "jordan": jordan, "couple": couple,
            "jordans": jordans, "counselor": counselor, "other": other}


def _prepare_everything(browser, case: Case) -> list[int]:
    """Prepare a period covering all the demo's data, choosing every reviewed revision as
    an excerpt; ask for consent and have each author agree (as the portal would)."""
    today = practice_today()
    period = {"since": (today - timedelta(days=90)).isoformat(),
              "until": (today + timedelta(days=30)).isoformat()}
    saved = prepare(browser, case.id, **period, audience="counselor", narrative=NARRATIVE,
                    next_steps=NEXT_STEPS)
    assert saved.status_code == 302, saved.text[-2000:]
    reviewed = list(db.session.scalars(
        select(Revision.id).join(Revision.assignment).join(Revision.review)
        .where(Assignment.case_id == case.id).order_by(Revision.id)))
    asked = prepare(browser, case.id, **period, audience="counselor", narrative=NARRATIVE,
                    next_steps=NEXT_STEPS, excerpts=[str(i) for i in reviewed], action="ask")
    assert asked.status_code == 302, asked.text[-2000:]
    db.session.expire_all()
    for consent in db.session.scalars(select(ExcerptConsent).where(
            ExcerptConsent.revision_id.in_(reviewed))):
        if consent.decision is None:
            report_operations.decide_consent(consent.client.user, consent, "agreed")
    db.session.commit()
    return reviewed


def _versions(world) -> list[tuple[str, Case, str, set[int]]]:
    """(name, case, audience token, ids of its readers; None for the counselor's file)."""
    alex, sam, jordan = world["alex"], world["sam"], world["jordan"]
    couple, jordans = world["couple"], world["jordans"]
    return [("joint", couple, "joint", {alex.id, sam.id}),
            ("alex", couple, f"partner:{alex.id}", {alex.id}),
            ("sam", couple, f"partner:{sam.id}", {sam.id}),
            ("couple counselor", couple, "counselor", None),
            ("jordan", jordans, f"client:{jordan.id}", {jordan.id}),
            ("jordan counselor", jordans, "counselor", None)]


def _expected(case: Case, readers: set[int] | None) -> tuple[list[str], list[str]]:
    """(texts that must be in the version, texts that must not) for a case's version."""
    sessions = db.session.scalars(select(CounselingSession).where(
        CounselingSession.case_id == case.id)).all()
    present, absent = [NARRATIVE, NEXT_STEPS], []
    for session in sessions:
        attended = {a.client_id for a in session.attendees}
        shared = [t for t in (session.shared_summary, session.agenda, session.perspectives,
                              session.acknowledged, session.next_steps) if t]
        if session.signed and (readers is None or readers <= attended):
            present += shared
        else:
            absent += shared
        absent += [session.private_notes or ""]
        absent += [a.body for a in session.addenda]
    absent += [s.note or "" for s in db.session.scalars(select(SafetyScreening).where(
        SafetyScreening.case_id == case.id))]
    # Nothing of another case (another counselor's, even).
    absent += [t for s in db.session.scalars(select(CounselingSession).where(
        CounselingSession.case_id != case.id)) for t in (s.shared_summary, s.private_notes)]
    (present if readers is None else absent).append(case.safety_reason)

    agreements = db.session.scalars(select(Agreement).where(
        Agreement.case_id == case.id)).all()
    for agreement in agreements:
        binds = agreement.binds_client_id
        shown = readers is None or binds is None or readers == {binds}
        follow_ups = [f.note for f in db.session.scalars(select(AgreementFollowUp).where(
            AgreementFollowUp.agreement_id == agreement.id)) if f.note]
        (present if shown else absent).extend([agreement.text, *follow_ups])

    # Work: every revision is chosen and agreed to; a version quotes its readers' own
    # and what was shared with all of them. Sentences repeated in a quotable revision
    # (Alex's revisions repeat each other) are left out of the "absent" list.
    revisions = db.session.scalars(select(Revision).join(Revision.assignment).where(
        Assignment.case_id == case.id)).all()
    shares = db.session.scalars(select(Share).where(Share.case_id == case.id,
                                                    Share.withdrawn_at.is_(None))).all()
    quotable, unquotable = [], []
    for revision in revisions:
        author = revision.assignment.client_id
        shared_with = {s.recipient_id for s in shares if s.revision_id == revision.id}
        reviewed = revision.review is not None and revision.review.sent_at is not None
        # Their own version, or shared with every reader who is not its author.
        readable = readers is None or readers == {author} or \
            (readers - {author}) <= shared_with
        (quotable if reviewed and readable else unquotable).extend(revision.answers)
    present += quotable
    # Drafts never reach a report (a submitted one is the revision it became).
    unquotable += [answer for d in db.session.scalars(
        select(Draft).join(Draft.assignment).where(Assignment.case_id == case.id))
        for answer in d.answers]
    absent += [a for a in unquotable if a and not any(a in q for q in quotable)]
    return [p for p in present if p], [a for a in absent if a]


def _other_partners_titles(case: Case, readers: set[int] | None) -> list[str]:
    """Titles of exercises only the other partner was given (their rows of the
    assignments table must not reach a version they are not a reader of)."""
    if readers is None or not case.is_couple:
        return []
    work = db.session.scalars(select(Assignment).where(Assignment.case_id == case.id,
                                                       Assignment.status != "withdrawn"))
    mine = {a.title for a in work if a.client_id in readers}
    shared = {s.revision.assignment.title for s in db.session.scalars(select(Share))}
    return sorted({a.title for a in db.session.scalars(select(Assignment).where(
        Assignment.case_id == case.id)) if a.client_id not in readers}
        - mine - shared)


def _assert_redacted(found, present, absent, where):
    assert not found.missing(present), (where, "missing", found.missing(present))
    assert not found.leaks(absent), (where, "leaked", found.leaks(absent))


@pytest.fixture
def world(app, runner):
    world = _build_demo(app, runner)
    world["excerpts"] = {world["couple"].id: _prepare_everything(world["counselor"],
                                                                   world["couple"]),
                         world["jordans"].id: _prepare_everything(world["other"],
                                                                  world["jordans"])}
    return world


def test_every_version_of_the_demo_reports_holds_only_what_its_readers_may_see(world):
    checked = []
    for name, case, audience, readers in _versions(world):
        browser = world["counselor" if case.is_couple else "other"]
        present, absent = _expected(case, readers)
        titles = _other_partners_titles(case, readers)
        assert len(present) >= 3 and len(absent) >= 3, name

        page = preview(browser, case.id, audience)
        assert page.status_code == 200, (name, page.status_code)
        shown = preview_text(page.text)
        _assert_redacted(shown, present, absent, f"{name} preview")

        report_id = generate(browser, case.id, audience)
        report = db.session.get(Report, report_id)
        assert report.status == "ready", (name, report.error)
        pdf = download(browser, report_id)
        found = pdf_text(pdf)
        _assert_redacted(found, present, absent, f"{name} PDF")
        assert not [t for t in titles if found.has(t) or shown.has(t)], (name, titles)

        pages = len(found.pages)
        assert pages == report.page_count >= 1
        for number, page_text in enumerate(found.pages, start=1):
            assert f"Page {number} of {pages}" in page_text, (name, number)
            assert "Confidential." in page_text, (name, number)
        if readers is None:
            assert "not for clients" in found.pages[-1]
        checked.append((name, pages))
    assert len(checked) == 6


def test_the_archive_keeps_the_bytes_their_hash_and_contents_and_never_renders_again(
        world, monkeypatch):
    couple, browser = world["couple"], world["counselor"]
    ids = {token: generate(browser, couple.id, token) for token in ("joint", "counselor")}
    db.session.expire_all()
    joint = db.session.get(Report, ids["joint"])
    counselors = db.session.get(Report, ids["counselor"])
    sessions = db.session.scalars(select(CounselingSession).where(
        CounselingSession.case_id == couple.id, CounselingSession.signed_at.is_not(None))).all()
    both = {world["alex"].id, world["sam"].id}
    for report, expected_sessions in (
            (joint, {s.id for s in sessions if {a.client_id for a in s.attendees} >= both}),
            (counselors, {s.id for s in sessions})):
        assert report.status == "ready" and report.pdf.startswith(b"%PDF-")
        assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
        assert report.size_bytes == len(report.pdf)
        assert report.generated_by.email == "counselor@example.com"
        kinds = {kind for kind, _id in report.contents}
        assert {"assignments", "revisions", "counseling_sessions", "agreements",
                "agreement_follow_ups"} <= kinds
        assert {i for kind, i in report.contents if kind == "counseling_sessions"} == \
            expected_sessions
    assert {i for k, i in joint.contents if k == "revisions"} < \
        {i for k, i in counselors.contents if k == "revisions"}

    def never(*args, **kwargs):
        raise AssertionError("an archived report was rendered again")

    from counsel.reports import render

    monkeypatch.setattr(render, "render_pdf", never)
    monkeypatch.setattr(render, "render_in_process", never)
    first, second = download(browser, joint.id), download(browser, joint.id)
    assert first == second == joint.pdf
    page = browser.get(f"/reports/{joint.id}")
    assert page.status_code == 200 and joint.sha256 in page.text


CHANGES = ["UPDATE reports SET pdf = :junk WHERE id = :id",
           "UPDATE reports SET sha256 = 'x' WHERE id = :id",
           "UPDATE reports SET contents = '[]' WHERE id = :id",
           "DELETE FROM reports WHERE id = :id"]


def test_the_database_refuses_to_change_or_delete_a_stored_report(app, runner):
    """The demo's archived joint report, attacked with raw SQL past the app."""
    result = runner.invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    report = db.session.scalars(select(Report)).one()
    report_id, before = report.id, report.pdf
    assert report.ready and report.shared_session_id and before.startswith(b"%PDF-")
    db.session.rollback()
    for change in CHANGES:
        with pytest.raises(DBAPIError, match="an archived report is never changed or "
                           "deleted"), db.engine.begin() as connection:
            connection.execute(text(change), {"junk": b"%PDF-forged", "id": report_id})
    db.session.expire_all()
    kept = db.session.get(Report, report_id)
    assert (kept.pdf, kept.sha256) == (before, hashlib.sha256(before).hexdigest())
    # What the archive may still learn (where it was shared) is not frozen.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE reports SET shared_marked_at = NULL WHERE id = :id"),
                           {"id": report_id})
