"""The counselor's report pages: prepare (period, version, excerpts, narrative), preview
each version, generate, and the archive (a report's page, its PDF, where it was shared)."""

from datetime import timedelta

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import defer, undefer

from ..cases.operations import record_for_partners
from ..extensions import db
from ..models import Report, utcnow
from ..paging import requested_page
from ..permissions import case_for_counselor, refuse, report_for_counselor, session_for_counselor
from . import bp, jobs, operations, queries
from .audiences import UnknownAudience, audience_from_token, audiences_for
from .document import build
from .download import pdf_response
from .forms import GenerateForm, PreparationForm, SharedAtForm
from .operations import ReportRefused

STALLED = timedelta(minutes=10)


def _excerpt_labels(case, choices) -> list[tuple[int, str]]:
    names = {c.id: c.name for c in case.partners}
    return [(c.revision_id, f"{names.get(c.client_id, '')}: {c.title}, revision {c.number}")
            for c in choices]


@bp.route("/cases/<int:case_id>/report", methods=["GET", "POST"])
def prepare(case_id):
    case = case_for_counselor(case_id)
    prep = operations.preparation_for(current_user, case)
    form = PreparationForm(obj=prep if request.method == "GET" else None)
    form.audience.choices = [(a.token, a.title) for a in audiences_for(case)]
    period = (form.since.data or prep.since, form.until.data or prep.until)
    choices = queries.excerpt_choices(case, *sorted(period))
    form.excerpts.choices = _excerpt_labels(case, choices)
    if form.validate_on_submit():
        if prep.id and form.version.data != str(prep.version):
            form.version.data = str(prep.version)
            form.form_errors.append("This preparation was saved in another tab since you "
                                    "opened this page. What you typed is below: save again "
                                    "to keep it.")
        else:
            try:
                _save(case, prep, form, choices)
                db.session.commit()
                return redirect(_after_save(case, prep))
            except ReportRefused as refused:
                db.session.rollback()
                form[refused.field or "audience"].errors = [refused.message]
    record_for_partners("case.view", case, current_user)
    db.session.commit()
    return render_template("reports/prepare.html", case=case, form=form, prep=prep,
                           choices={c.revision_id: c for c in choices},
                           archive=queries.archive(case, requested_page())), \
        422 if form.errors or form.form_errors else 200


def _save(case, prep, form, choices) -> None:
    operations.save_preparation(
        current_user, case, prep, since=form.since.data, until=form.until.data,
        audience=form.audience.data, excerpts=form.excerpts.data or [],
        narrative=form.narrative.data, next_steps=form.next_steps.data,
        allowed_excerpts={c.revision_id for c in choices})
    if request.form.get("action") == "ask":
        waiting = [c.revision_id for c in choices
                   if c.revision_id in prep.excerpts and not c.asked]
        asked = operations.request_consent(current_user, case,
                                           queries.revisions_of_case(case, waiting))
        flash(f"Asked for consent to quote {asked} piece{'s' if asked != 1 else ''} of work. "
              "The answers appear here." if asked else
              "Everything chosen has already been asked about.", "success")
    else:
        flash("The preparation is saved.", "success")


def _after_save(case, prep) -> str:
    if request.form.get("action") == "preview":
        return url_for(".preview", case_id=case.id, audience=prep.audience)
    return url_for(".prepare", case_id=case.id)


@bp.get("/cases/<int:case_id>/report/preview")
def preview(case_id):
    case = case_for_counselor(case_id)
    prep = operations.preparation_for(current_user, case)
    if prep.id is None:
        flash("Choose the period and save it first.", "warning")
        return redirect(url_for(".prepare", case_id=case.id))
    try:
        audience = audience_from_token(case, request.args.get("audience", prep.audience))
    except UnknownAudience:
        refuse("cases", case.id)
    document = build(case, audience, prep.since, prep.until, excerpts=prep.excerpts,
                     narrative=prep.narrative, next_steps=prep.next_steps)
    record_for_partners("report.preview", case, current_user)
    db.session.commit()
    shown = {id_ for kind, id_ in document.records if kind == "revisions"}
    return render_template("reports/preview.html", case=case, doc=document, prep=prep,
                           audiences=audiences_for(case), audience=audience,
                           left_out=[i for i in prep.excerpts if i not in shown],
                           form=GenerateForm(audience=audience.token, version=prep.version))


@bp.post("/cases/<int:case_id>/report/generate")
def generate(case_id):
    case = case_for_counselor(case_id)
    prep = operations.preparation_for(current_user, case)
    form = GenerateForm()
    if not form.validate_on_submit() or prep.id is None:
        return redirect(url_for(".prepare", case_id=case.id))
    try:
        audience = audience_from_token(case, form.audience.data)
    except UnknownAudience:
        refuse("cases", case.id)
    if form.version.data != str(prep.version):
        flash("The preparation changed after this preview was shown (in another tab?). "
              "Check the preview again, then generate.", "warning")
        return redirect(url_for(".preview", case_id=case.id, audience=audience.token))
    report = operations.request_report(
        current_user, case, audience, prep.since, prep.until, excerpts=prep.excerpts,
        narrative=prep.narrative, next_steps=prep.next_steps)
    if jobs.enabled(current_app):
        db.session.commit()
        jobs.enqueue(report)
    else:
        operations.produce(report)
        db.session.commit()
    return redirect(url_for(".show", report_id=report.id))


@bp.get("/reports/<int:report_id>")
def show(report_id):
    report = report_for_counselor(report_id, defer(Report.pdf), queries.WITH_PARTNERS)
    form = SharedAtForm()
    sessions = queries.sessions_to_share_at(report.case) if report.ready \
        and report.for_clients else []
    form.session_id.choices = [(s.id, s.starts_at) for s in sessions]
    # A job no worker has taken for this long: the worker is probably not running.
    stalled = report.status == "queued" and utcnow() - report.requested_at > STALLED
    operations.record_view(current_user, report)
    db.session.commit()
    return render_template("reports/show.html", report=report, case=report.case, form=form,
                           sessions=sessions, stalled=stalled)


@bp.get("/reports/<int:report_id>/status")
def status(report_id):
    """For the page waiting on a worker: is the PDF ready yet?"""
    report = report_for_counselor(report_id, defer(Report.pdf))
    return jsonify(status=report.status, error=report.error)


@bp.get("/reports/<int:report_id>/pdf")
def download(report_id):
    report = report_for_counselor(report_id, undefer(Report.pdf), queries.WITH_PARTNERS)
    if not report.ready:
        flash("This report has no PDF yet.", "warning")
        return redirect(url_for(".show", report_id=report.id))
    operations.record_download(current_user, report)
    db.session.commit()
    return pdf_response(report)


@bp.post("/reports/<int:report_id>/shared")
def mark_shared(report_id):
    report = report_for_counselor(report_id, defer(Report.pdf), queries.WITH_PARTNERS)
    form = SharedAtForm()
    form.session_id.choices = []
    if form.validate_on_submit():
        session = session_for_counselor(form.session_id.data)
        try:
            operations.mark_shared(current_user, report, session)
            db.session.commit()
            flash("Marked as shared at that session. The people it is for can download it "
                  "from their portal.", "success")
        except ReportRefused as refused:
            db.session.rollback()
            flash(refused.message, "warning")
    else:
        flash("Choose the session the report was shared at.", "warning")
    return redirect(url_for(".show", report_id=report.id))
