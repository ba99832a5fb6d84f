"""PRODUCT.md journey 7 in a browser: the counselor prints the case's progress report for
the last 30 days, and it holds the shared summary and not the private notes.

The counselor opens Alex and Sam's case, goes to "Progress report", keeps the default
period, chooses Alex's shared letter as an excerpt and asks Alex's consent; Alex agrees;
the counselor writes the narrative and next steps, previews every version (joint, each
partner's, the counselor's file), generates the joint PDF, downloads it and reads its
text, and marks it shared at the joint session; each partner's own version too. Then Alex
(desktop) and Sam (phone) get the joint report and their own version, and never the other
partner's. axe-core on every page; nothing scrolls sideways on a phone.

COUNSEL_SHOTS=1 keeps screenshots of the report pages on a desktop and a phone, and the
joint PDF, in /tmp/shots-report to be looked at.
"""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import ExcerptConsent, Report

from .. import factories
from ..web import couple
from .conftest import PHONE

SHOTS = Path("/tmp/shots-report")
DESKTOP = {"width": 1280, "height": 800}
NARRATIVE = ("Alex and Sam have kept their Sunday check-ins. Alex listened without "
             "defending himself in our joint session; Sam said what hurt.")
NEXT_STEPS = "Keep the check-ins going and begin the rebuilding-trust stage together."


def t(tag: str) -> str:
    return couple.plain(tag)


# Never in any version a client reads (the safety flag is in the counselor's file only).
NEVER = [t(tag) for tag in ("notes", "samnotes", "draftnotes", "plannotes", "screening",
                            "casename", "unsignedsummary", "draftfollowup", "comment",
                            "overall", "draft", "alexprivate", "samprivate")]
NEVER_JOINT = [*NEVER, t("safety"), t("agreealex"), t("agreesam"), t("samsummary")]


def scene() -> dict:
    people = {"counselor": factories.CounselorFactory(email="counselor@example.org",
                                                      name="Dr. Lena Rivera"),
              "other_counselor": factories.CounselorFactory(email="other@example.org")}
    people |= {"alex": factories.ClientFactory(counselor=people["counselor"],
                                               user__email="alex@example.org"),
               "sam": factories.ClientFactory(counselor=people["counselor"],
                                              user__email="sam@example.org"),
               "jordan": factories.ClientFactory(counselor=people["other_counselor"],
                                                 user__email="jordan@example.org")}
    return couple.build(people)




def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def assert_pdf(data: bytes, shows, hides) -> None:
    assert data.startswith(b"%PDF-"), data[:20]
    text, pages = pdf_text(data)
    for words in shows:
        assert words in text, words
    for words in hides:
        assert words not in text, words
    assert f"Page 1 of {pages}" in text


def shot(page, name: str) -> None:
    """A full-page screenshot to look at, when COUNSEL_SHOTS is set (they cost seconds)."""
    if os.environ.get("COUNSEL_SHOTS"):
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, \
        f"{page.url} scrolls sideways at {width} px"


def stored_reports() -> list[Report]:
    db.session.expire_all()
    reports = db.session.scalars(select(Report).order_by(Report.id)).all()
    db.session.rollback()
    return reports


def signed_in(page, sign_in, email: str) -> None:
    """Signs in and waits for the page after it, so nothing runs on the sign-in page
    while the browser is still leaving it."""
    sign_in(page, email)
    expect(page).not_to_have_url(re.compile(r"/sign-in$"))


def agree_in_portal(page, a11y, consent_id: int) -> None:
    """Alex finds the request on "My progress reports", reads exactly what would be
    quoted, and agrees."""
    page.goto("/my/reports")
    a11y.check(page)
    page.locator(f"a[href='/my/consents/{consent_id}']").click()
    expect(page.get_by_role("heading", name="May your counselor quote this?")).to_be_visible()
    expect(page.locator("article")).to_contain_text(t("shared1"))
    expect(page.locator("article")).not_to_contain_text(t("comment"))
    a11y.check(page)
    page.get_by_label("Yes, my counselor may quote it").check()
    page.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_text("Thank you. Your counselor may quote this")).to_be_visible()
    a11y.check(page)


def download_in_portal(page, a11y, on_phone: bool, *, mine, theirs) -> None:
    page.goto("/my/reports")
    a11y.check(page)
    if on_phone:
        fits(page)
        shot(page, "portal-reports-phone")
    for report in mine:
        with page.expect_download() as download:
            page.locator(f"a[href='/my/reports/{report.id}/pdf']").click()
        assert Path(download.value.path()).read_bytes() == report.pdf
    expect(page.locator(f"a[href*='/my/reports/{theirs.id}']")).to_have_count(0)
    refused = page.request.get(f"/my/reports/{theirs.id}/pdf")
    assert refused.status == 404 and b"%PDF" not in refused.body()


def test_journey_7_the_case_progress_report(live_app, live_url, browser, page, sign_in,
                                            a11y):
    world = scene()
    case, alex, sam, joint = world["couple"], world["alex"], world["sam"], world["joint"]
    today = practice_today()

    # The counselor opens the case and goes to its progress report.
    signed_in(page, sign_in, "counselor@example.org")
    page.goto(f"{live_url}/clients/{alex.id}")
    expect(page.locator(f"a[href='/cases/{case.id}/report']")).to_have_count(1)
    a11y.check(page)
    page.goto(f"{live_url}/cases/{case.id}")
    a11y.check(page)
    page.locator(".actions").get_by_role("link", name="Progress report").click()
    expect(page.get_by_role("heading", name="Progress report", exact=True)).to_be_visible()
    a11y.check(page)

    # The default period is the last 30 days; the counselor keeps it, chooses the letter
    # Alex shared with Sam as an excerpt and asks Alex's consent to quote it.
    since = today - timedelta(days=30)
    expect(page.get_by_label("From", exact=True)).to_have_value(since.isoformat())
    expect(page.get_by_label("To", exact=True)).to_have_value(today.isoformat())
    excerpt = page.get_by_label(f"{alex.name}: {t('title')}, revision 1")
    expect(excerpt).not_to_be_checked()
    expect(page.get_by_text("Not asked yet")).to_be_visible()
    shot(page, "prepare-desktop")
    excerpt.check()
    page.get_by_role("button", name="Save and ask for consent to quote").click()
    expect(page.get_by_text("Asked for consent to quote 1 piece of work.")).to_be_visible()
    expect(page.get_by_text("Asked, no answer yet")).to_be_visible()
    expect(excerpt).to_be_checked()
    a11y.check(page)

    # Alex, in a browser of their own, agrees to be quoted.
    consent = db.session.scalars(select(ExcerptConsent)).one()
    assert (consent.revision_id, consent.client_id, consent.decision) == (
        world["shared_rev"].id, alex.id, None)
    db.session.rollback()
    alex_page = browser.new_context(viewport=DESKTOP, base_url=live_url).new_page()
    signed_in(alex_page, sign_in, alex.email)
    a11y.check(alex_page)
    agree_in_portal(alex_page, a11y, consent.id)
    db.session.expire_all()
    assert db.session.get(ExcerptConsent, consent.id).decision == "agreed"
    db.session.rollback()

    page.reload()
    expect(page.get_by_text("Agreed to be quoted")).to_be_visible()
    page.get_by_label("Your narrative").fill(NARRATIVE)
    page.get_by_label("Next steps").fill(NEXT_STEPS)
    page.get_by_role("button", name="Save and preview").click()

    # The joint version's preview: the shared summary, the quoted letter, the narrative;
    # not the private notes, the safety flag, or what binds or belongs to one partner.
    expect(page.get_by_role("heading", name=f"Preview: Joint report for {alex.name} and "
                                            f"{sam.name}")).to_be_visible()
    paper = page.locator(".report-paper")
    tabs = page.get_by_role("navigation", name="Versions of this report")
    for words in (t("summary"), t("agreeboth"), t("followup"), t("shared1"), NARRATIVE,
                  NEXT_STEPS):
        expect(paper).to_contain_text(words)
    for words in NEVER_JOINT:
        expect(paper).not_to_contain_text(words)
    expect(tabs.get_by_role("link", name="Joint")).to_have_attribute("aria-current", "page")
    a11y.check(page)
    shot(page, "preview-joint-desktop")

    # Each partner's version and the counselor's file, one tab each.
    versions = [
        (alex.name, [t("summary"), t("agreeboth"), t("agreealex"), t("shared1")],
         [*NEVER, t("safety"), t("agreesam"), t("samsummary")]),
        (sam.name, [t("summary"), t("agreeboth"), t("agreesam"), t("samsummary"),
                    t("shared1")],
         [*NEVER, t("safety"), t("agreealex")]),
        ("Counselor's file", [t("safety"), t("summary"), t("samsummary"), t("agreealex"),
                              t("agreesam")],
         [t("notes"), t("samnotes"), t("screening"), t("draftnotes")]),
    ]
    for name, shows, hides in versions:
        tabs.get_by_role("link", name=name).click()
        expect(tabs.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
        for words in shows:
            expect(paper).to_contain_text(words)
        for words in hides:
            expect(paper).not_to_contain_text(words)
        a11y.check(page)

    # Back on the joint tab, the counselor generates its PDF and downloads it.
    tabs.get_by_role("link", name="Joint").click()
    expect(tabs.get_by_role("link", name="Joint")).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Generate the PDF of this version").click()
    expect(page.get_by_role("heading", name="Progress report: Joint, for both partners")
           ).to_be_visible()
    a11y.check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    joint_pdf = Path(download.value.path()).read_bytes()
    if os.environ.get("COUNSEL_SHOTS"):  # to look at, beside the screenshots
        (SHOTS / "joint.pdf").write_bytes(joint_pdf)
    assert download.value.suggested_filename.startswith("progress-report-")
    assert alex.name.split()[0] not in download.value.suggested_filename
    assert_pdf(joint_pdf, shows=[t("summary"), t("agreeboth"), t("shared1"), NARRATIVE,
                                 NEXT_STEPS],
               hides=NEVER_JOINT)

    # It was handed over at the joint session.
    page.get_by_label("Shared at the session of").select_option(str(joint.id))
    page.get_by_role("button", name="Mark as shared at this session").click()
    expect(page.get_by_text("Marked as shared at that session.")).to_be_visible()
    a11y.check(page)
    shot(page, "report-desktop")
    (joint_report,) = stored_reports()
    assert joint_report.audience == "joint" and joint_report.shared_session_id == joint.id
    assert joint_report.pdf == joint_pdf

    # Each partner's own version, generated and handed over at the same session.
    for partner in (alex, sam):
        page.goto(f"{live_url}/cases/{case.id}/report/preview?audience=partner:{partner.id}")
        page.get_by_role("button", name="Generate the PDF of this version").click()
        expect(page.get_by_role("heading", name="Progress report: For one partner: "
                                                f"{partner.name}")).to_be_visible()
        page.get_by_label("Shared at the session of").select_option(str(joint.id))
        page.get_by_role("button", name="Mark as shared at this session").click()
        expect(page.get_by_text("Marked as shared at that session.")).to_be_visible()
        a11y.check(page)
    _, alex_report, sam_report = stored_reports()
    assert (alex_report.audience_client_id, sam_report.audience_client_id) == (alex.id, sam.id)
    assert all(r.ready and r.shared_session_id == joint.id
               for r in (alex_report, sam_report))

    # The same pages on the counselor's phone: nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    for name, url in (("prepare", f"/cases/{case.id}/report"),
                      ("preview-joint", f"/cases/{case.id}/report/preview?audience=joint"),
                      ("preview-counselor",
                       f"/cases/{case.id}/report/preview?audience=counselor"),
                      ("report", f"/reports/{joint_report.id}")):
        page.goto(live_url + url)
        shot(page, f"{name}-phone")
        fits(page)
        a11y.check(page)

    # Alex on a desktop and Sam on a phone download the joint report and their own
    # version from their portal; neither gets the other partner's version.
    sam_page = browser.new_context(viewport=PHONE, base_url=live_url).new_page()
    signed_in(sam_page, sign_in, sam.email)
    a11y.check(sam_page)
    own = {alex.id: alex_report, sam.id: sam_report}
    for partner, reader, other in ((alex, alex_page, sam), (sam, sam_page, alex)):
        download_in_portal(reader, a11y, partner.id == sam.id,
                           mine=[joint_report, own[partner.id]], theirs=own[other.id])
        reader.context.close()
    assert_pdf(sam_report.pdf, shows=[t("summary"), t("agreesam"), t("samsummary")],
               hides=[*NEVER, t("safety"), t("agreealex")])
    assert_pdf(alex_report.pdf, shows=[t("summary"), t("agreealex"), t("shared1")],
               hides=[*NEVER, t("safety"), t("agreesam"), t("samsummary")])
