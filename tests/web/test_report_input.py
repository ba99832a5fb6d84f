"""Bad input to the counselor's report pages (issue 9, Bad input): each gets a clear message
on the page and loses nothing typed, and nothing half-made is archived. An empty period
is a short report that says so; an end before a start, a version of someone not in the
case, a preview gone stale in another tab are refused; markup is escaped in the preview
and in the HTML given to the renderer; very long words wrap inside the page; a runaway
document is stopped within its bound and the app lives on; work whose author did not
agree is never quoted."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import func, select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import ExcerptConsent, Report, ReportPreparation
from counsel.reports import operations as report_operations
from counsel.reports import queries, render

from ..conftest import Auth
from . import report_couple
from .report_steps import (
    download,
    generate,
    hidden,
    pdf_text,
    prepare,
    preview,
    preview_text,
)

TYPED = "My narrative, typed at length and not to be lost."


def _period(**days) -> dict:
    today = practice_today()
    return {"since": (today - timedelta(days=days.get("since", 30))).isoformat(),
            "until": (today + timedelta(days=days.get("until", 0))).isoformat()}


def _reports() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Report))


def _versions(world) -> list[str]:
    return ["joint", f"partner:{world['alex'].id}", f"partner:{world['sam'].id}", "counselor"]


@pytest.fixture
def counselor(app, people):
    browser = app.test_client()
    Auth(browser).login(people["counselor"])
    return browser


@pytest.fixture
def world(people):
    return report_couple.build(people)


def test_a_period_with_nothing_in_it_is_a_short_report_that_says_so(counselor, world):
    case = world["case"]
    saved = prepare(counselor, case.id, since="2020-01-01", until="2020-01-31",
                    audience="joint", narrative="")
    assert saved.status_code == 302
    page = preview(counselor, case.id, "joint")
    assert "No work, signed sessions or agreements" in page.text
    report_id = generate(counselor, case.id, "joint")
    report = db.session.get(Report, report_id)
    assert report.status == "ready" and report.contents == []
    found = pdf_text(download(counselor, report_id))
    assert found.has("No work, signed sessions or agreements that this version may show "
                     "fall between 01 Jan 2020 and 31 Jan 2020")
    assert len(found.pages) == 1 and "Page 1 of 1" in found.pages[0]
    shown = counselor.get(f"/reports/{report_id}")
    assert shown.status_code == 200 and "nothing in this period" in shown.text


def test_an_end_before_the_start_is_refused_and_keeps_what_was_typed(counselor, world):
    case = world["case"]
    response = prepare(counselor, case.id, since=practice_today().isoformat(),
                       until=(practice_today() - timedelta(days=1)).isoformat(),
                       audience="joint", narrative=TYPED, next_steps="Steps typed too.")
    assert response.status_code == 422
    assert "The end of the period is before its start" in response.text
    assert TYPED in response.text and "Steps typed too." in response.text
    assert db.session.scalar(select(func.count()).select_from(ReportPreparation)) == 0


@pytest.mark.parametrize("token", ["partner:{jordan}", "client:{alex}", "partner:999",
                                   "everyone", ""])
def test_a_version_for_someone_not_in_the_case_is_refused(counselor, people, world, token):
    case = world["case"]
    token = token.format(jordan=people["jordan"].id, alex=people["alex"].id)
    refused = prepare(counselor, case.id, **_period(), audience=token, narrative=TYPED)
    assert refused.status_code == 422
    assert TYPED in refused.text
    assert ("Choose one of this case&#39;s versions." if token else
            "Choose the version to preview.") in refused.text
    assert prepare(counselor, case.id, **_period(), audience="joint").status_code == 302
    assert preview(counselor, case.id, token).status_code == 404
    page = preview(counselor, case.id, "joint")
    response = counselor.post(f"/cases/{case.id}/report/generate",
                              data={"audience": token, "version": hidden(page.text, "version")})
    assert response.status_code in (302, 404)
    if response.status_code == 302:  # an empty token: back to the preparation, nothing made
        assert response.location.endswith(f"/cases/{case.id}/report")
    assert _reports() == 0


PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
            "<link rel=attachment href=file:///etc/passwd>"]


def marked(tag: str) -> str:
    return f"{tag}: " + " ".join(PAYLOADS)


@pytest.fixture
def captured(monkeypatch):
    """Every HTML page given to the renderer, and the real render after it."""
    pages = []
    real = render.render_pdf

    def keep(html, **limits):
        pages.append(html)
        return real(html, **limits)

    monkeypatch.setattr(render, "render_pdf", keep)
    return pages


def _agree_to_every_excerpt(counselor, case, **fields):
    ids = [str(c.revision_id) for c in queries.excerpt_choices(
        case, practice_today() - timedelta(days=30), practice_today())]
    assert ids
    asked = prepare(counselor, case.id, **_period(), excerpts=ids, action="ask", **fields)
    assert asked.status_code == 302, asked.text[-2000:]
    db.session.expire_all()
    for consent in db.session.scalars(select(ExcerptConsent)):
        report_operations.decide_consent(consent.client.user, consent, "agreed")
    db.session.commit()
    return ids


def test_markup_in_every_text_is_escaped_in_the_preview_and_the_pdf(app, counselor, people,
                                                                    captured):
    world = report_couple.build(people, text=marked)
    case = world["case"]
    _agree_to_every_excerpt(counselor, case, audience="counselor",
                            narrative=marked("narrative"), next_steps=marked("next"))
    tags = ["narrative", "next", "summary", "later", "agreement", "followup", "title",
            "prompt", people["alex"].user.email, people["sam"].user.email, "flag"]
    prepared = counselor.get(f"/cases/{case.id}/report").text  # excerpt labels, narrative
    for tag in ("title", "case", "narrative", "next"):
        assert str(escape(marked(tag))) in prepared, ("prepare", tag)
    assert not any(payload in prepared for payload in PAYLOADS)
    page = preview(counselor, case.id, "counselor")
    assert page.status_code == 200
    report_id = generate(counselor, case.id, "counselor")
    assert len(captured) == 1
    article = re.search(r'<article class="report-paper".*</article>', page.text, re.S)[0]
    for where, html in (("preview", article), ("renderer", captured[0])):
        for tag in tags:
            assert str(escape(marked(tag))) in html, (where, tag)
        for payload in PAYLOADS:
            assert payload not in html, (where, payload)
        assert "<img" not in html and "<script" not in html, where
        assert "file:///etc/passwd" not in re.sub(r"&lt;link[^<]*?&gt;", "", html), where
    pdf = download(counselor, report_id)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {} and b"/EmbeddedFile" not in pdf
    found = pdf_text(pdf)
    assert found.has(marked("narrative")) and found.has(marked("summary"))


LONG = "x" * 5000


def long_words(tag: str) -> str:
    return f"{tag} {LONG} {'é' * 300}{'🙂' * 50}"


def _boxes_outside_the_page(document) -> tuple[int, list]:
    """(boxes checked, those ending past the right edge of their page)."""
    checked, outside = 0, []
    for page in document.pages:
        for box in page._page_box.descendants():
            right = box.position_x + box.margin_width()
            if right > page.width + 0.5:
                outside.append((box.element_tag, type(box).__name__, round(right),
                                 round(page.width), getattr(box, "text", "")[:20]))
            checked += 1
    return checked, outside


def test_very_long_unbroken_words_wrap_inside_the_page(app, counselor, people, monkeypatch):
    """Renders here, in this process (one render, kept to look at its boxes), with the
    renderer's own fetcher, stylesheet and page size."""
    world = report_couple.build(people, text=long_words)
    case = world["case"]
    _agree_to_every_excerpt(counselor, case, audience="counselor",
                            narrative=long_words("narrative"), next_steps=long_words("next"))
    laid_out = []

    from counsel.reports import engine

    class KeptHTML(engine.HTML):
        def render(self, *args, **kwargs):
            laid_out.append(super().render(*args, **kwargs))
            return laid_out[-1]

    monkeypatch.setattr(engine, "HTML", KeptHTML)
    monkeypatch.setattr(render, "render_pdf", lambda html, **limits: render.render_in_process(
        html, page_size=limits["page_size"]))
    report_id = generate(counselor, case.id, "counselor")
    report = db.session.get(Report, report_id)
    assert report.status == "ready", report.error
    [document] = laid_out
    checked, outside = _boxes_outside_the_page(document)
    assert checked > 500 and not outside, outside
    assert {round(page.width) for page in document.pages} == {794}  # A4 at 96 px an inch
    pdf = download(counselor, report_id)
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert round(float(page.mediabox.width)) == 595  # A4 in points
    found = pdf_text(pdf)
    lines = [line for page in found.pages for line in page.splitlines()]
    assert all(len(line) < 200 for line in lines if set(line) <= {"x", " "})
    # Every letter is there (a page break may cut the word, with the page's running
    # header and footer, which hold no "x", between its parts).
    for tag in ("narrative", "next"):
        start = found.flat.index(tag + "x") + len(tag)
        assert found.flat[start:found.flat.index("é", start)].count("x") == len(LONG), tag


def test_a_runaway_document_is_stopped_within_its_bound_and_the_app_lives_on(
        app, counselor, world, monkeypatch):
    case = world["case"]
    assert prepare(counselor, case.id, **_period(), audience="joint",
                   narrative=TYPED).status_code == 302
    app.config["REPORT_TIMEOUT_SECONDS"] = 2
    runaway = "<html lang=en><title>Runaway</title><body>" + \
        "<table>" + "<tr><td>cell</td><td>cell</td></tr>" * 60_000 + "</table></body></html>"
    monkeypatch.setattr(report_operations, "pdf_html", lambda document, origin: runaway)
    started = time.monotonic()
    report_id = generate(counselor, case.id, "joint")
    assert time.monotonic() - started < 10
    report = db.session.get(Report, report_id)
    assert (report.status, report.pdf, report.sha256) == ("failed", None, None)
    page = counselor.get(f"/reports/{report_id}")
    assert page.status_code == 200
    assert "took longer than 2 seconds to render and was stopped" in page.text
    assert counselor.get(f"/reports/{report_id}/pdf").status_code == 302
    assert counselor.get(f"/reports/{report_id}/status").json == {
        "status": "failed", "error": report.error}
    # The app still answers, and the next report is made as usual.
    monkeypatch.undo()
    app.config["REPORT_TIMEOUT_SECONDS"] = 60
    assert counselor.get(f"/cases/{case.id}/report").status_code == 200
    again = db.session.get(Report, generate(counselor, case.id, "joint"))
    assert again.status == "ready" and pdf_text(download(counselor, again.id)).has(TYPED)


def test_a_preview_gone_stale_in_another_tab_is_not_generated(counselor, world):
    case = world["case"]
    assert prepare(counselor, case.id, **_period(), audience="joint",
                   narrative="First words.").status_code == 302
    first_tab = preview(counselor, case.id, "joint")
    assert "First words." in first_tab.text
    # The other tab changes the narrative.
    assert prepare(counselor, case.id, **_period(), audience="joint",
                   narrative="Second words.").status_code == 302
    response = counselor.post(f"/cases/{case.id}/report/generate",
                              data={"audience": "joint",
                                    "version": hidden(first_tab.text, "version")},
                              follow_redirects=True)
    assert response.status_code == 200
    assert "The preparation changed after this preview was shown" in response.text
    assert "Second words." in response.text
    assert _reports() == 0


def test_a_preparation_saved_in_another_tab_keeps_what_this_tab_typed(counselor, world):
    case = world["case"]
    page = counselor.get(f"/cases/{case.id}/report")
    assert prepare(counselor, case.id, **_period(), audience="joint",
                   narrative="Other tab.").status_code == 302
    stale = counselor.post(f"/cases/{case.id}/report", data={
        **_period(), "audience": "joint", "narrative": TYPED, "next_steps": "",
        "version": hidden(page.text, "version"), "action": "save"})
    assert stale.status_code == 422
    assert "saved in another tab" in stale.text and TYPED in stale.text
    db.session.expire_all()
    assert db.session.scalars(select(ReportPreparation)).one().narrative == "Other tab."


def test_work_whose_author_did_not_agree_is_in_no_version(counselor, world):
    case = world["case"]
    alex_revision, sam_revision = world["alex_revision"], world["sam_revision"]
    ids = [str(alex_revision.id), str(sam_revision.id)]
    asked = prepare(counselor, case.id, **_period(), audience="counselor", excerpts=ids,
                    action="ask")
    assert asked.status_code == 302
    db.session.expire_all()
    consents = {c.revision_id: c for c in db.session.scalars(select(ExcerptConsent))}
    assert set(consents) == {alex_revision.id, sam_revision.id}
    # Alex agrees, then changes their mind; Sam never answers.
    alex_consent = consents[alex_revision.id]
    report_operations.decide_consent(alex_consent.client.user, alex_consent, "agreed")
    report_operations.decide_consent(alex_consent.client.user, alex_consent, "declined")
    db.session.commit()
    prep = db.session.scalars(select(ReportPreparation)).one()
    assert set(prep.excerpts) == {alex_revision.id, sam_revision.id}
    answers = [alex_revision.answers[0], sam_revision.answers[0]]
    for token in _versions(world):
        page = preview(counselor, case.id, token)
        assert "not agreed to be quoted" in page.text, token
        found = [preview_text(page.text),
                 pdf_text(download(counselor, generate(counselor, case.id, token)))]
        for text in found:
            assert not any(text.has(a) for a in answers), token
            assert not text.has("Quoted with the permission"), token
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert not [i for kind, i in report.contents if kind == "revisions"]
