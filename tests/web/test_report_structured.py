"""The progress report's check-ins, no-contact periods, quality-time plans and commitments
(issue 11, item 8): each version shows only what its readers may see (a person's check-ins,
no-contact days and commitments reach their own version and the counselor's file; a plan
reaches the other partner only if its author shared it), and nobody's notes, reflections or
follow-up notes are quoted in any version. The charts are the pages' own SVG and render in
WeasyPrint; a long history stays a bounded report."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
    CheckIn,
    Commitment,
    CommitmentFollowUp,
    PlanItem,
    Report,
    Share,
    Tracker,
    TrackerDay,
)
from counsel.reports import document, operations
from counsel.reports.audiences import audience_from_token

from .. import factories
from ..conftest import Auth
from . import report_couple
from .report_steps import download, generate, pdf_text, prepare, preview, preview_text

TODAY = practice_today


def _counselor(app, people, case):
    """The counselor, signed in, with the last 30 days prepared as the case's report."""
    browser = app.test_client()
    Auth(browser).login(people["counselor"])
    saved = prepare(browser, case.id, since=(TODAY() - timedelta(days=30)).isoformat(),
                    until=TODAY().isoformat(), audience="counselor")
    assert saved.status_code == 302, saved.text[-2000:]
    return browser


def _work(client, case, kind, stage, title):
    exercise = factories.ExerciseFactory(owner=client.counselor, kind=kind, stage=stage,
                                         title=title)
    assignment = factories.AssignmentFactory(client=client, exercise=exercise,
                                             _status="in_progress")
    assignment.case_id = case.id
    db.session.flush()
    return assignment


def _records(client, case, tag: str, *, tracker_days=20, checkins=4, items=3, follow_ups=3,
             note_words="") -> dict:
    """One person's structured work in ``case``: a tracker (kept days, one broken day,
    one missing day), a plan, a commitment with follow-ups, weekly check-ins. Every text the
    person typed carries ``tag`` so a test can look for it."""
    today = TODAY()
    tracker_work = _work(client, case, "tracker", "no-contact", f"{tag} space tracker")
    tracker = Tracker(assignment=tracker_work, starts_on=today - timedelta(days=tracker_days),
                      length_days=max(30, tracker_days + 5),
                      exceptions=f"{tag} exceptions: school handovers only")
    db.session.add(tracker)
    db.session.flush()
    for n in range(tracker_days):
        if n == 3:
            continue  # a missing day
        broke = n == tracker_days - 2
        db.session.add(TrackerDay(
            tracker=tracker, day=tracker.starts_on + timedelta(days=n),
            outcome="broke" if broke else "kept", urge=n % 11, late=n == 5,
            note=f"{tag} tracker note number {n} said privately.{note_words}",
            reflection=f"{tag} reflection on the broken day, kept private." if broke
            else None))
    plan_work = _work(client, case, "plan", "reconnection", f"{tag} plan title")
    for n in range(items):
        db.session.add(PlanItem(assignment=plan_work, what=f"{tag} picnic item {n} by the river",
                                planned_on=today - timedelta(days=n % 25), at_time="evening",
                                place=f"{tag} park", status="done" if n % 2 else "planned",
                                reflection=f"{tag} plan reflection {n}, kept private."
                                if n % 2 else None))
    commitment_work = _work(client, case, "commitment", "rebuilding-trust",
                            f"{tag} commitments title")
    commitment = Commitment(assignment=commitment_work, starts_on=today - timedelta(days=300),
                            text=f"{tag} commitment to call before plans change")
    db.session.add(commitment)
    db.session.flush()
    for n in range(follow_ups):
        db.session.add(CommitmentFollowUp(
            commitment=commitment, taken_on=today - timedelta(days=n),
            outcome=("kept", "partly", "not_yet")[n % 3],
            note=f"{tag} follow-up note {n}, kept private."))
    for n in range(checkins):
        db.session.add(CheckIn(client=client, taken_on=today - timedelta(days=n * 7),
                               ratings={"trust": n % 11, f"{tag}scale": (n + 3) % 11},
                               note=f"{tag} check-in note {n}, kept private."))
    db.session.flush()
    return {"tracker": tracker, "plan": plan_work, "commitment": commitment}


@pytest.fixture
def world(people):
    world = report_couple.build(people)
    alex, sam, case = world["alex"], world["sam"], world["case"]
    world["alex_records"] = _records(alex, case, "Alexword")
    world["sam_records"] = _records(sam, case, "Samword")
    # Alex shares the plan with Sam; Sam's stays Sam's.
    db.session.add(Share(case_id=case.id, author_id=alex.id, recipient_id=sam.id,
                         plan_id=world["alex_records"]["plan"].id))
    db.session.commit()
    return world


def _private(tag: str) -> list[str]:
    """What the person typed that no version quotes: notes and reflections."""
    return [f"{tag} tracker note number 1 said privately.",
            f"{tag} reflection on the broken day, kept private.",
            f"{tag} plan reflection 1, kept private.", f"{tag} follow-up note 0, kept private.",
            f"{tag} check-in note 0, kept private."]


def _own(tag: str) -> list[str]:
    """What shows in the person's own version and the counselor's file only."""
    return [f"{tag} space tracker", f"{tag} commitment to call before plans change",
            f"{tag}scale", f"{tag} exceptions: school handovers only"]


def _plan(tag: str) -> list[str]:
    return [f"{tag} plan title", f"{tag} picnic item 0 by the river"]


def _expected(token: str, alex, sam):
    if token == "joint":
        return _plan("Alexword"), _own("Alexword") + _own("Samword") + _plan("Samword")
    if token == f"partner:{alex.id}":
        return _own("Alexword") + _plan("Alexword"), _own("Samword") + _plan("Samword")
    if token == f"partner:{sam.id}":
        return (_own("Samword") + _plan("Samword") + _plan("Alexword"), _own("Alexword"))
    return _own("Alexword") + _own("Samword") + _plan("Alexword") + _plan("Samword"), []


def test_each_version_shows_its_readers_own_records_and_shared_plans_and_no_notes(
        app, world, people):
    alex, sam, case = world["alex"], world["sam"], world["case"]
    browser = _counselor(app, people, case)
    for token in ("joint", f"partner:{alex.id}", f"partner:{sam.id}", "counselor"):
        present, absent = _expected(token, alex, sam)
        absent = absent + _private("Alexword") + _private("Samword")
        page = preview(browser, case.id, token)
        assert page.status_code == 200, (token, page.status_code)
        shown = preview_text(page.text)
        report = db.session.get(Report, generate(browser, case.id, token))
        assert report.status == "ready", (token, report.error)
        found = pdf_text(download(browser, report.id))
        for where, text in (("preview", shown), ("PDF", found)):
            assert not [p for p in present if not text.has(p)], (token, where, "missing")
            assert not [a for a in absent if text.has(a)], (token, where, "leaked")
        kinds = {kind for kind, _id in report.contents}
        if token == "joint":
            # The joint version: no one's check-ins, no-contact days or commitments.
            assert not {"checkins", "trackers", "tracker_days", "commitments"} & kinds
            assert "plan_items" in kinds
            assert not found.has("Check-ins") and not found.has("No-contact periods")
        else:
            assert {"checkins", "trackers", "tracker_days", "commitments",
                    "commitment_follow_ups", "plan_items"} <= kinds, token
            # The strip's own description, the streaks and the counts.
            assert found.has("Current streak 1 days, longest 14"), token
            assert found.has("18 kept, 0 allowed exceptions, 1 broken, 1 without a check-in")
            assert found.has("19 notes and 1 reflection written"), token
            assert found.has("1 kept, 1 partly, 1 not yet"), token


def test_the_charts_are_the_pages_svg_and_render_in_weasyprint(app, world, caplog):
    """The HTML holds the SVG the pages draw (charts.no_contact_strip, ratings_chart); the
    PDF, rendered in this process, logs no WeasyPrint error and holds text drawn only by
    the SVG (the strip's legend, the chart's axis)."""
    from counsel.reports.engine import render_in_process
    from counsel.reports.render import ASSET_ORIGIN

    case, alex = world["case"], world["alex"]
    doc = document.build(case, audience_from_token(case, f"partner:{alex.id}"),
                         TODAY() - timedelta(days=30), TODAY())
    html = document.pdf_html(doc, ASSET_ORIGIN)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    tracker = world["alex_records"]["tracker"]
    assert f'id="no-contact-{tracker.id}-desc"' in html and 'data-state="broke"' in html
    assert 'data-state="missing"' in html and f'id="checkins-{alex.id}-title"' in html
    with caplog.at_level(logging.WARNING):
        rendered = render_in_process(html)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")
                and r.levelno >= logging.ERROR], caplog.text
    found = pdf_text(rendered.pdf)
    assert found.has("Broke it") and found.has("Rating (0-10)"), found.pages
    assert found.has("No-contact period of 30 days")  # describe_strip, as the pages say it


def test_stage_reached_is_the_pathway_rule(app, world, people):
    """Alex completed an apology letter and has tracker work open: the pages' current stage
    (pathway.stages.current_stage) is the first stage with open work, "No contact"."""
    browser = _counselor(app, people, world["case"])
    page = preview(browser, world["case"].id, "counselor")
    stages = re.findall(r'data-label="Stage reached">([^<]*)<', page.text)
    assert stages == ["No contact", "No contact"], stages


def test_a_long_history_stays_a_bounded_report(app, people):
    """A year of daily check-ins, a sixty-day tracker with long notes, two hundred plan
    items and a year of follow-ups: the rows are cut with notes saying so, and the PDF
    stays a few pages."""
    world = report_couple.build(people)
    alex, case = world["alex"], world["case"]
    _records(alex, case, "Longword", tracker_days=55, checkins=52, items=200,
             follow_ups=365, note_words=" word" * 800)
    for n in range(1, 365):  # daily check-ins besides the weekly ones
        if n % 7:
            db.session.add(CheckIn(client=alex, taken_on=TODAY() - timedelta(days=n),
                                   ratings={"trust": n % 11}))
    db.session.commit()
    report = operations.request_report(
        case.counselor, case, audience_from_token(case, f"partner:{alex.id}"),
        TODAY() - timedelta(days=365), TODAY(), excerpts=[], narrative="", next_steps="")
    operations.produce(report)
    assert report.ready, report.error
    found = pdf_text(report.pdf)
    assert found.has("The chart shows the latest 120 of 364 check-ins")
    assert found.has("earlier left out")
    assert found.has("The latest 12 follow-ups; 353 earlier left out")
    assert found.has("175 earlier left out")  # plan items
    assert not found.has("word word word word")
    assert report.page_count <= 14, report.page_count
    rows = {kind: sum(k == kind for k, _ in report.contents) for kind, _ in report.contents}
    assert rows["checkins"] == 120 and rows["plan_items"] == 25
    assert rows["commitment_follow_ups"] == 12


def test_markup_typed_into_records_shows_escaped(app, people):
    world = report_couple.build(people)
    alex, case = world["alex"], world["case"]
    records = _records(alex, case, "<b>Markword</b>")
    records["tracker"].exceptions = "<script>alert(1)</script> exceptions"
    db.session.commit()
    browser = _counselor(app, people, case)
    page = preview(browser, case.id, "counselor")
    assert page.status_code == 200
    assert "<b>Markword</b>" not in page.text and "<script>alert(1)" not in page.text
    assert "&lt;b&gt;Markword&lt;/b&gt; commitment to call" in page.text
    assert "&lt;b&gt;Markword&lt;/b&gt; picnic item 0" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; exceptions" in page.text


def test_a_withdrawn_tracker_is_not_in_any_version(app, world):
    case = world["case"]
    tracker = world["alex_records"]["tracker"]
    tracker.assignment._status = "withdrawn"
    db.session.commit()
    doc = document.build(case, audience_from_token(case, "counselor"),
                         TODAY() - timedelta(days=30), TODAY())
    assert ("trackers", tracker.id) not in [tuple(r) for r in doc.records]
    assert db.session.scalars(select(Tracker)).all()


def test_a_withdrawn_plan_share_no_longer_reaches_the_other_partner(app, world):
    from counsel.models import utcnow

    case, sam = world["case"], world["sam"]
    plan = world["alex_records"]["plan"]

    def sams_plan_items():
        db.session.expire_all()
        doc = document.build(case, audience_from_token(case, f"partner:{sam.id}"),
                             TODAY() - timedelta(days=30), TODAY())
        ids = {i for kind, i in doc.records if kind == "plan_items"}
        return ids & {item.id for item in db.session.scalars(
            select(PlanItem).where(PlanItem.assignment_id == plan.id))}

    assert len(sams_plan_items()) == 3
    share = db.session.scalars(select(Share).where(Share.plan_id == plan.id)).one()
    share.withdrawn_at = utcnow()
    db.session.commit()
    assert sams_plan_items() == set()
