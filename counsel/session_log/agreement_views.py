"""Agreements made in a session, follow-ups of earlier agreements recorded in it, and work
assigned from the session page. Each refusal shows the page again with what was typed."""

from flask import flash, redirect, url_for
from flask_login import current_user

from ..assignments.operations import WorkRefused
from ..extensions import db
from ..forms import button_change
from ..models import Agreement
from ..permissions import client_for_counselor, exercise_for_counselor, refuse
from . import bp, operations, signing
from .forms import FollowUpForm
from .operations import SessionRefused
from .page import agreement_form, assign_form, load_session, refused_if_locked, render_page

REFUSED = (SessionRefused, signing.SessionLocked)


def _status(refused) -> int:
    return 409 if isinstance(refused, signing.SessionLocked) else 422


def _agreement_of_case(session, agreement_id: int) -> Agreement:
    """An agreement of the session's case (loaded with the page), or 404."""
    for agreement in session.case_agreements:
        if agreement.id == agreement_id:
            return agreement
    refuse("agreements", agreement_id)


@bp.post("/sessions/<int:session_id>/agreements")
def add_agreement(session_id):
    session = load_session(session_id)
    form = agreement_form(session.case)
    if locked := refused_if_locked(session, "agree", agreement=form):
        return locked
    if not form.validate_on_submit():
        return render_page(session, 422, agreement=form)
    try:
        operations.add_agreement(current_user, session, text=form.text.data,
                                 binds_client_id=form.binds_client_id(),
                                 follow_up_on=form.follow_up_on.data)
        db.session.commit()
    except REFUSED as refused:
        db.session.rollback()
        form.form_errors.append(refused.message)
        return render_page(load_session(session_id), _status(refused), agreement=form,
                           notice=refused.message)
    flash("Agreement added.", "success")
    return redirect(url_for(".show", session_id=session_id) + "#agreements")


@bp.post("/sessions/<int:session_id>/agreements/<int:agreement_id>/remove")
def remove_agreement(session_id, agreement_id):
    session = load_session(session_id)
    agreement = _agreement_of_case(session, agreement_id)
    button_change(lambda: operations.remove_agreement(current_user, session, agreement),
                  "Agreement removed.", REFUSED)
    return redirect(url_for(".show", session_id=session_id) + "#agreements")


@bp.post("/sessions/<int:session_id>/agreements/<int:agreement_id>/follow-up")
def follow_up(session_id, agreement_id):
    session = load_session(session_id)
    agreement = _agreement_of_case(session, agreement_id)
    form = FollowUpForm(prefix=f"f{agreement.id}")
    if locked := refused_if_locked(session, "follow_up", follow_up=(agreement.id, form)):
        return locked
    if not form.validate_on_submit():
        return render_page(session, 422, follow_up=(agreement.id, form))
    try:
        operations.record_follow_up(current_user, session, agreement,
                                    outcome=form.outcome.data, note=form.note.data)
        db.session.commit()
    except REFUSED as refused:
        db.session.rollback()
        form.form_errors.append(refused.message)
        return render_page(load_session(session_id), _status(refused),
                           follow_up=(agreement.id, form), notice=refused.message)
    flash("Follow-up recorded.", "success")
    return redirect(url_for(".show", session_id=session_id) + "#follow-ups")


@bp.post("/sessions/<int:session_id>/assign")
def assign(session_id):
    session = load_session(session_id)
    form = assign_form(session)
    if locked := refused_if_locked(session, "assign", assign=form):
        return locked
    if not form.validate_on_submit() or not form.exercise.data:
        if form.is_submitted() and not form.exercise.data and not form.exercise.errors:
            form.exercise.errors = ["Choose an exercise."]
        return render_page(session, 422, assign=form)
    try:
        client = client_for_counselor(form.client.data)
        exercise = exercise_for_counselor(form.exercise.data)
        assignment = operations.assign_in_session(
            current_user, session, client, exercise, due_date=form.due_date.data,
            note=form.note.data, contact_reason=form.contact_reason.data)
        db.session.commit()
    except (*REFUSED, WorkRefused) as refused:
        db.session.rollback()
        form.form_errors.append(refused.message)
        return render_page(load_session(session_id), _status(refused), assign=form,
                           notice=refused.message)
    flash(f"“{assignment.title}” is assigned to {client.display_name}.", "success")
    return redirect(url_for(".show", session_id=session_id) + "#assignments")
