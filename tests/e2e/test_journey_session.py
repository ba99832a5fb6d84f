"""PRODUCT.md journey 6 in a browser, on a desktop: the counselor opens the case, logs a
joint mediated session with both partners (shared summary, private notes, two agreements),
loses the network while writing the private notes and loses nothing, signs the session,
and finds it locked: no edit form, and a forged post is refused. axe-core on every page."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import Agreement, CounselingSession, SafetyScreening
from counsel.session_log import signing

from .. import factories

SAVED = re.compile(r"^Saved at \d\d:\d\d$")
OFFLINE = "Not saved — the server did not answer. Your text is still on this page. Trying again…"
AUTOSAVE = 15_000  # ms

NOTES_BEFORE = "Sam spoke first; Alex listened without interrupting. "
NOTES_DURING = "During the outage: Alex's voice shook when naming the affair — «מצטער». "
NOTES_AFTER = "Back online: agreed to revisit trust next week 🌱."


def couple():
    counselor = factories.CounselorFactory(email="dr.rivera@example.org", name="Dr. Lena Rivera")
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.org",
                                   user__name="Alex Morgan")
    sam = factories.ClientFactory(counselor=counselor, user__email="sam@example.org",
                                  user__name="Sam Ortiz")
    case = factories.CaseFactory(partners=[alex, sam], counselor=counselor,
                                 name="Alex and Sam")
    db.session.flush()
    for partner in (alex, sam):
        db.session.add(SafetyScreening(case_id=case.id, client_id=partner.id,
                                       screened_on=practice_today(), outcome="no_concerns",
                                       recorded_by_id=counselor.id))
    db.session.commit()
    return case


def stored_session() -> CounselingSession | None:
    db.session.expire_all()
    session = db.session.scalars(select(CounselingSession)).one_or_none()
    if session is not None:
        session.attendees, session.agreements, session.follow_ups  # noqa: B018
    db.session.rollback()
    return session


def wait_for_notes(page, expected, timeout=15_000):
    for _ in range(timeout // 200):
        session = stored_session()
        if session is not None and session.private_notes == expected:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"private notes are {stored_session().private_notes!r}")


def test_journey_6_a_joint_mediated_session(live_app, live_url, page, sign_in, a11y):
    case = couple()
    sign_in(page, "dr.rivera@example.org")
    a11y.check(page)

    # The counselor opens the case and starts a session from it.
    page.goto(f"{live_url}/cases/{case.id}")
    a11y.check(page)
    page.locator(f"a[href$='/cases/{case.id}/sessions/new']").first.click()
    expect(page.get_by_role("heading", name="Schedule or log a session")).to_be_visible()
    a11y.check(page)
    expect(page.get_by_label("Joint (mediated)")).to_be_checked()
    expect(page.get_by_label("Alex Morgan")).to_be_checked()
    expect(page.get_by_label("Sam Ortiz")).to_be_checked()
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("10:50")
    page.get_by_label("Shared summary").fill("We named what hurt and what each wants next.")
    page.get_by_label("Agenda").fill("How to talk about the affair without blame.")
    page.get_by_label("Private notes").fill(NOTES_BEFORE)
    page.get_by_role("button", name="Save session").click()
    heading = re.compile("Joint \\(mediated\\) session")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    a11y.check(page)
    session = stored_session()
    assert session.type == "joint" and len(session.attendees) == 2
    assert session.private_notes == NOTES_BEFORE

    # The network fails while the counselor writes private notes; typing goes on.
    status = page.locator("[data-save-status]")
    notes = page.get_by_label("Private notes")
    page.route("**/autosave", lambda route: route.fulfill(
        status=503, body='{"error": "unavailable"}', content_type="application/json"))
    notes.press("Control+End")
    notes.press_sequentially(NOTES_DURING, delay=5)
    expect(status).to_have_text(OFFLINE, timeout=AUTOSAVE)
    kept = page.evaluate(f"localStorage.getItem('counsel-session-{session.counselor_id}-"
                         f"{session.id}')")
    assert NOTES_DURING in kept
    assert stored_session().private_notes == NOTES_BEFORE
    a11y.check(page)

    # Back online: the script retries, and nothing typed is lost.
    page.unroute("**/autosave")
    notes.press("Control+End")
    notes.press_sequentially(NOTES_AFTER, delay=5)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text(SAVED, timeout=AUTOSAVE)
    everything = NOTES_BEFORE + NOTES_DURING + NOTES_AFTER
    wait_for_notes(page, everything)
    assert stored_session().private_notes.encode() == everything.encode()

    # Two agreements.
    for text in ("Sunday walks without phones.", "Alex answers messages within a day."):
        page.get_by_label("Agreement", exact=True).fill(text)
        page.get_by_role("button", name="Add agreement").click()
        expect(page.locator("#agreements").get_by_text(text)).to_be_visible()
    a11y.check(page)
    assert len(stored_session().agreements) == 2
    expect(notes).to_have_value(everything)

    # Signing locks it.
    expect(page.get_by_text("Signing locks this session; later corrections are addenda"
                            ).first).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign and lock this session").click()
    expect(page.get_by_role("heading", name="Signed record")).to_be_visible()
    a11y.check(page)
    expect(page.locator("textarea[name='private_notes']")).to_have_count(0)
    expect(page.get_by_role("button", name="Save session")).to_have_count(0)
    expect(page.get_by_text("The content still matches its signature.")).to_be_visible()
    signed = stored_session()
    assert signed.signed_at and signing.intact(signed)

    # A forged post (with a valid CSRF token) is refused and changes nothing.
    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    forged = page.request.post(f"{live_url}/sessions/{signed.id}", form={
        "csrf_token": token, "private_notes": "rewritten", "shared_summary": "rewritten",
        "date": practice_today().isoformat(), "start_time": "09:00", "end_time": "09:30",
        "format": "video", "type": "joint", "attendees": str(signed.attendees[0].client_id),
        "session_version": str(signed.version), "content_hash": "0" * 64})
    assert forged.status == 409 and "signed and can no longer be changed" in forged.text()
    forged_json = page.request.post(f"{live_url}/sessions/{signed.id}/autosave", data={
        "private_notes": "rewritten", "base_version": signed.version},
        headers={"X-CSRFToken": token})
    assert forged_json.status == 409
    after = stored_session()
    assert (after.private_notes, after.content_hash, after.version) == (
        everything, signed.content_hash, signed.version)
    assert signing.intact(after)
    assert len(db.session.scalars(select(Agreement)).all()) == 2
