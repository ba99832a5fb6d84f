"""The client's side of progress reports (issue 9): the versions their counselor handed
them at a session they attended, downloaded exactly as archived (never rendered again),
and the counselor's requests to quote a piece of their reviewed work, which only they
answer and may change their mind about at any time. Every loader filters by the client
in the query itself (PRODUCT.md privacy rules 1, 2 and 6)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, load_only, undefer
from wtforms import RadioField
from wtforms.validators import AnyOf, InputRequired

from .. import audit
from ..extensions import db
from ..forms import choices
from ..models import Assignment, Client, CounselingSession, ExcerptConsent, Report, Revision
from ..paging import Page, paged, requested_page
from ..permissions import (
    consent_for_client,
    own_client_record,
    report_for_client,
    reports_for_client,
)
from ..reports import operations
from ..reports.download import pdf_response
from ..reports.operations import ReportRefused
from ..reports.sections import EXCERPT_ANSWER_LIMIT, shorten
from . import bp, partners

REPORTS_PER_PAGE = 20
CONSENTS_PER_PAGE = 50
ANSWERS = {"agreed": "Yes, my counselor may quote it",
           "declined": "No, please do not quote it"}


class ConsentForm(FlaskForm):
    """The client's answer. A value the page never offers is refused in plain words
    (not WTForms' "Not a valid choice")."""

    decision = RadioField(
        "Your answer", choices=choices(ANSWERS), validate_choice=False,
        validators=[InputRequired(message="Choose yes or no."),
                    AnyOf(list(ANSWERS), message="Choose yes or no: nothing was changed.")])


# --- queries: by the client, in the query itself ------------------------------------------

def shared_reports(client: Client, page: int = 1) -> Page:
    """The versions handed to the client, newest first, with only what the list shows (not
    their bytes, nor the counselor's narrative), each with the date of the session it was
    shared at (one statement)."""
    return paged(reports_for_client(client)
                 .options(load_only(Report.id, Report.audience, Report.since, Report.until,
                                    Report.generated_at, Report.page_count,
                                    Report.shared_session_id),  # never the bytes
                          joinedload(Report.shared_session)
                          .load_only(CounselingSession.starts_at))
                 .order_by(Report.generated_at.desc(), Report.id.desc()),
                 page, REPORTS_PER_PAGE)


def consents_of(client: Client, page: int = 1) -> Page:
    """Requests to quote the client's work: those waiting for an answer first, then the
    answered ones, newest first; each with its revision's number and title."""
    waiting_first = case((ExcerptConsent.decision.is_(None), 0), else_=1)
    return paged(
        select(ExcerptConsent).where(ExcerptConsent.client_id == client.id)
        .options(joinedload(ExcerptConsent.revision)
                 .load_only(Revision.number, Revision.submitted_at, Revision.assignment_id)
                 .joinedload(Revision.assignment).load_only(Assignment.title))
        .order_by(waiting_first, ExcerptConsent.requested_at.desc(), ExcerptConsent.id.desc()),
        page, CONSENTS_PER_PAGE)


def waiting_consents(client: Client) -> int:
    """How many requests to quote the client's work wait for their answer (for the home
    page's notice: one statement)."""
    return db.session.scalar(select(func.count()).select_from(ExcerptConsent).where(
        ExcerptConsent.client_id == client.id, ExcerptConsent.decision.is_(None))) or 0


def quoted(revision: Revision) -> list[tuple[str, str, bool]]:
    """What a report would quote of the revision: each answered prompt with its answer,
    shortened as the report's excerpt section shortens it (reports/sections.py)."""
    pairs = zip(revision.assignment.prompts, revision.answers, strict=False)
    return [(prompt, *shorten(answer, EXCERPT_ANSWER_LIMIT)) for prompt, answer in pairs
            if (answer or "").strip()]


def versions_quoting(client: Client, revision: Revision) -> dict:
    """Which versions of the case's reports could show the excerpt (the redaction rule of
    reports/facts.visible): the client's own version and the counselor's file always; in a
    couple's case, the joint version and the other partner's only while the client shares
    this revision with the other partner."""
    assignment = revision.assignment
    if assignment.case_id is None:
        return {"couple": False, "partner": None, "shared": False, "in_case": False}
    partner = next((p.client for p in partners.partners_of(client)
                    if p.case.id == assignment.case_id), None)
    shared = partner is not None and any(
        s.recipient_id == partner.id and s.case_id == assignment.case_id
        for s in partners.active_shares_of(client, revision))
    return {"couple": partner is not None, "partner": partner, "shared": shared,
            "in_case": True}


# --- pages ----------------------------------------------------------------------------------

@bp.get("/reports")
def reports():
    client = own_client_record()
    audit.record("reports.view", client)
    db.session.commit()
    return render_template("portal/reports.html",
                           reports=shared_reports(client, requested_page()),
                           consents=consents_of(client, requested_page("consents")))


@bp.get("/reports/<int:report_id>/pdf")
def report_pdf(report_id):
    """The stored bytes, exactly as shared: nothing is rendered again."""
    client = own_client_record()
    report = report_for_client(client, report_id, undefer(Report.pdf))
    operations.record_download(current_user, report, client=client)
    db.session.commit()
    return pdf_response(report)


@bp.route("/consents/<int:consent_id>", methods=["GET", "POST"])
def consent(consent_id):
    """GET: exactly what would be quoted, where, and the answer. POST: answer it."""
    client = own_client_record()
    item = consent_for_client(client, consent_id, joinedload(ExcerptConsent.revision)
                              .joinedload(Revision.assignment))
    if request.method == "GET":
        return _consent_page(client, item, ConsentForm(formdata=None, decision=item.decision))
    form = ConsentForm()
    if not form.validate_on_submit():
        return _consent_page(client, item, form, status=422)
    try:
        operations.decide_consent(current_user, item, form.decision.data)
        db.session.commit()
    except ReportRefused as refused:
        db.session.rollback()
        form.decision.errors = [refused.message]
        return _consent_page(client, item, form, status=422)
    if item.agreed:
        flash("Thank you. Your counselor may quote this in progress reports. You can change "
              "your mind at any time.", "success")
    else:
        flash("Your counselor will not quote this in new progress reports. Reports already "
              "made stay as they were.", "success")
    return redirect(url_for(".reports"))


def _consent_page(client, item, form, status=200):
    revision = item.revision
    audit.record("consents.view", revision, client=client)
    db.session.commit()
    return render_template("portal/consent.html", consent=item, revision=revision,
                           assignment=revision.assignment, quoted=quoted(revision),
                           versions=versions_quoting(client, revision), form=form,
                           answers=ANSWERS), status
