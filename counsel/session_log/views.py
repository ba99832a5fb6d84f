"""The session pages: the counselor's list of sessions, logging a new one, and the session
page with its edit form, signing, addenda and cancelling. Agreements, follow-ups and
assigning from the session are in agreement_views; the autosave in autosave_views."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..clock import practice_today
from ..extensions import db
from ..forms import button_change, choices
from ..inputs import id_arg
from ..paging import requested_page
from ..permissions import case_for_counselor
from . import bp, operations, queries, signing
from .forms import AddendumForm, SessionForm
from .operations import ScreeningNeeded, SessionRefused
from .page import load_session, refused_if_locked, render_page, session_form


@bp.get("/sessions/")
def index():
    """The counselor's sessions: upcoming first (soonest first), then past (newest first)."""
    show = request.args.get("show", "all")
    show = show if show in queries.FILTERS else "all"
    case_id = request.args.get("case_id", type=id_arg)
    sessions = queries.sessions_of(current_user, show, case_id, requested_page())
    audit.record("session.list.view", detail=show)
    db.session.commit()
    return render_template("session_log/index.html", sessions=sessions, show=show,
                           case_id=case_id, filters=queries.FILTERS)


def _new_form(case) -> SessionForm:
    form = SessionForm(today=practice_today(), date=practice_today(),
                       type="joint" if case.is_couple else "individual",
                       attendees=[str(c.id) for c in case.partners])
    form.attendees.choices = choices({str(c.id): c.display_name for c in case.partners})
    return form


@bp.route("/cases/<int:case_id>/sessions/new", methods=["GET", "POST"])
def new(case_id):
    case = case_for_counselor(case_id)
    form, screening = _new_form(case), None
    if form.validate_on_submit():
        try:
            session = operations.create_session(
                current_user, case, starts_at=form.starts_at(), duration_minutes=form.duration(),
                format=form.format.data, type=form.type.data, attendee_ids=form.attendees.ids(),
                texts=form.texts(), confirm_screening=form.confirm_screening.data)
            db.session.commit()
            flash("Session saved. Add agreements below; sign it when it is complete.", "success")
            return redirect(url_for(".show", session_id=session.id))
        except ScreeningNeeded as needed:
            db.session.rollback()
            screening = needed.message
        except SessionRefused as refused:
            db.session.rollback()
            form.form_errors.append(refused.message)
    status = 422 if form.is_submitted() else 200
    return render_template("session_log/new.html", case=case, form=form,
                           screening_needed=screening), status


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
def show(session_id):
    """The session page; a POST saves its edit form. (One rule for both: with two, a POST
    to an out-of-range id matched the GET rule's path first and answered 405, not 404.)"""
    if request.method == "POST":
        return update(session_id)
    return render_page(load_session(session_id))[0]


def update(session_id):
    """Save the edit form: when and how, who attended, and the text."""
    session = load_session(session_id)
    form = session_form(session)
    if locked := refused_if_locked(session, "edit", form=form):
        return locked
    if not form.validate_on_submit():
        return render_page(session, 422, form=form)
    if form.base() != session.version and operations.held_text(session) != {
            k: v or "" for k, v in form.texts().items()}:
        return _conflict(session, form)
    try:
        operations.update_session(
            current_user, session, starts_at=form.starts_at(), duration_minutes=form.duration(),
            format=form.format.data, type=form.type.data, attendee_ids=form.attendees.ids(),
            texts=form.texts(), confirm_screening=form.confirm_screening.data)
        db.session.commit()
    except ScreeningNeeded as needed:
        db.session.rollback()
        return render_page(session, 422, form=form, screening_needed=needed.message)
    except (SessionRefused, signing.SessionLocked) as refused:
        db.session.rollback()
        form.form_errors.append(refused.message)
        return render_page(load_session(session_id), 409 if isinstance(
            refused, signing.SessionLocked) else 422, form=form,
                           notice=refused.message)
    except StaleDataError:  # another tab saved between the check above and this save
        db.session.rollback()
        return _conflict(load_session(session_id), form)
    flash("Session saved.", "success")
    return redirect(url_for(".show", session_id=session.id))


def _conflict(session, form):
    """The page again with the typed text, not saved, and the stored version beside it."""
    form.form_errors.append(
        "This session was changed in another tab or window since this page was opened. "
        "Your text is below, not saved yet; the saved version is shown above the form. "
        "Save again to keep yours.")
    # A second press of "Save" keeps this text: the form is now based on the stored one.
    form.session_version.data = str(session.version)
    audit.record("session.draft_conflict", session, client=operations.first_attendee(session))
    return render_page(session, 409, form=form, conflict=operations.held_text(session))


@bp.post("/sessions/<int:session_id>/sign")
def sign(session_id):
    session = load_session(session_id)
    button_change(lambda: signing.sign(current_user, session),
                  "Session signed. It is locked; corrections are addenda.", signing.SessionLocked)
    return redirect(url_for(".show", session_id=session_id))


@bp.post("/sessions/<int:session_id>/cancel")
def cancel(session_id):
    session = load_session(session_id)
    button_change(lambda: operations.cancel(current_user, session),
                  "Session cancelled. It stays on record.", signing.SessionLocked)
    return redirect(url_for(".show", session_id=session_id))


@bp.post("/sessions/<int:session_id>/addenda")
def add_addendum(session_id):
    session = load_session(session_id)
    form = AddendumForm()
    if locked := refused_if_locked(session, "add_addendum", addendum=form):
        return locked
    if not form.validate_on_submit():
        return render_page(session, 422, addendum=form)
    try:
        signing.add_addendum(current_user, session, form.body.data)
        db.session.commit()
    except signing.SessionLocked as refused:
        db.session.rollback()
        form.form_errors.append(refused.message)
        return render_page(load_session(session_id), 409, addendum=form,
                           notice=refused.message)
    flash("Addendum signed and added under the session.", "success")
    return redirect(url_for(".show", session_id=session_id) + "#addenda")
