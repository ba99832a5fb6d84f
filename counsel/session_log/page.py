"""Loading a session with everything its page shows, in a fixed number of statements, and
rendering that page (also again, with the counselor's text, after a refusal).

Statements: the session with its case, partners, attendees, addenda and signer (one,
joined); every agreement of the case with its follow-ups (one), from which this session's
own agreements and follow-ups are filled in; the assignments given in it (one); and, while
it can change, the exercises to assign (one). The count never depends on how many sessions
the case has had.
"""

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..assignments.forms import exercise_choices
from ..clock import practice_today
from ..extensions import db
from ..forms import EmptyForm, choices
from ..models import (
    Addendum,
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    CaseMember,
    Client,
    CounselingSession,
    SessionAttendee,
)
from ..permissions import session_for_counselor
from . import operations, signing
from .forms import (
    BOTH,
    AddendumForm,
    AgreementForm,
    FollowUpForm,
    SessionAssignForm,
    SessionForm,
    session_form_data,
)


def load_session(session_id: int) -> CounselingSession:
    """The signed-in counselor's session (or 404) with its case and parts loaded."""
    session = session_for_counselor(
        session_id,
        joinedload(CounselingSession.case).joinedload(Case.members)
        .joinedload(CaseMember.client).joinedload(Client.user),
        joinedload(CounselingSession.attendees).joinedload(SessionAttendee.client),
        joinedload(CounselingSession.addenda).joinedload(Addendum.signed_by),
        joinedload(CounselingSession.signed_by))
    # A year of weekly sessions means a hundred agreements: of the sessions they were made
    # and followed up in, only when each was and whether it is signed, not their notes.
    when = (CounselingSession.id, CounselingSession.starts_at, CounselingSession.signed_at)
    agreements = db.session.scalars(
        select(Agreement).where(Agreement.case_id == session.case_id)
        .options(joinedload(Agreement.session).load_only(*when),
                 joinedload(Agreement.follow_ups).joinedload(AgreementFollowUp.session)
                 .load_only(*when))
        .order_by(Agreement.id)).unique().all()
    set_committed_value(session, "agreements",
                        [a for a in agreements if a.session_id == session.id])
    set_committed_value(session, "follow_ups", sorted(
        (f for a in agreements for f in a.follow_ups if f.session_id == session.id),
        key=lambda f: f.id))
    session.case_agreements = agreements
    return session


def open_earlier_agreements(session: CounselingSession) -> list[Agreement]:
    """Agreements from the case's other signed sessions that are still open (never
    followed up as kept), and those followed up in this session."""
    return [a for a in session.case_agreements
            if a.session_id != session.id and a.session.signed
            and (not a.follow_ups or a.follow_ups[-1].outcome != "kept"
                 or a.follow_ups[-1].session_id == session.id)]


def session_form(session: CounselingSession, formdata=True) -> SessionForm:
    form = (SessionForm(today=practice_today()) if formdata else
            SessionForm(today=practice_today(), formdata=None, data=session_form_data(session)))
    form.attendees.choices = choices({str(c.id): c.display_name for c in session.case.partners})
    return form


def agreement_form(case: Case, formdata=True) -> AgreementForm:
    form = AgreementForm() if formdata else AgreementForm(formdata=None)
    both = "Both partners" if case.is_couple else "The client"
    form.binds.choices = choices({BOTH: both} | {str(c.id): c.display_name
                                                 for c in case.partners if case.is_couple})
    return form


def assign_form(session: CounselingSession, formdata=True) -> SessionAssignForm:
    form = (SessionAssignForm(today=practice_today()) if formdata
            else SessionAssignForm(today=practice_today(), formdata=None))
    form.client.choices = choices({a.client_id: a.client.display_name
                                   for a in session.attendees})
    form.exercise.choices = (exercise_choices(current_user) if signing.allowed(session, "assign")
                             else choices({0: "Choose an exercise"}))
    return form


def render_page(session: CounselingSession, status: int = 200, *, form=None,
                agreement=None, follow_up=None, assign=None, addendum=None,
                screening_needed=None, conflict=None, notice=None, unsaved=()):
    """The session page. Forms passed in (bound to what was posted) are shown with their
    errors and text; the others start empty. Records the view."""
    audit.record("session.view", session, client=operations.first_attendee(session))
    db.session.commit()
    earlier = open_earlier_agreements(session)
    follow_ups = {a.id: FollowUpForm(formdata=None, prefix=f"f{a.id}") for a in earlier}
    if follow_up is not None:
        follow_ups[follow_up[0]] = follow_up[1]
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.session_id == session.id)
        .order_by(Assignment.id)).all()
    page = render_template(
        "session_log/show.html", s=session, case=session.case,
        earlier=earlier, follow_ups=follow_ups,
        form=form or session_form(session, formdata=False),
        agreement_form=agreement or agreement_form(session.case, formdata=False),
        assign_form=assign or assign_form(session, formdata=False),
        addendum_form=addendum or AddendumForm(formdata=None), button=EmptyForm(),
        assignments=assignments, state=signing.state(session),
        intact=signing.intact(session) if session.signed else None,
        screening_needed=screening_needed, conflict=conflict, notice=notice,
        unsaved=unsaved)
    return page, status


def refused_if_locked(session: CounselingSession, action: str, **forms):
    """The page again (409) with the reason, when the session's state does not allow
    ``action``; None when it does. Checked before any form, so a signed session's page says
    why whatever was posted."""
    if signing.allowed(session, action):
        return None
    posted = [f[1] if isinstance(f, tuple) else f for f in forms.values()]
    unsaved = [(field.label.text, field.data) for form in posted for field in form
               if field.type in ("TextAreaField", "StringField") and field.data]
    return render_page(session, 409, notice=signing.REFUSALS[signing.state(session)],
                       unsaved=unsaved, **forms)
