"""The session page's autosave (the JSON its script calls, with version conflicts like the
client's draft and the counselor's review draft), and handing the counselor's text back
when a post of the session page cannot be accepted (expired page, sign-out, outage)."""

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, rescue
from ..clock import localtime
from ..extensions import db
from ..inputs import takes_json
from ..models import CounselingSession
from ..models.types import unstorable
from ..permissions import session_for_counselor
from . import bp, operations, signing
from .forms import TEXT_LIMITS, AddendumForm, FollowUpForm, SessionForm
from .operations import TextConflict
from .page import agreement_form, assign_form, load_session, render_page, session_form


def _json_texts(payload) -> dict:
    """The text fields of a JSON body; ValueError, in plain words, for anything else."""
    if not isinstance(payload, dict):
        raise ValueError("The notes could not be read.")
    texts = {}
    for name, limit in TEXT_LIMITS.items():
        value = payload.get(name) or ""
        if not isinstance(value, str):
            raise ValueError("The notes could not be read.")
        label = getattr(SessionForm, name).args[0]
        if len(value) > limit:
            raise ValueError(f"{label} is longer than {limit:,} characters.")
        if problem := unstorable(value):
            raise ValueError(f"{label} contains {problem} that cannot be stored. Remove it "
                             "to save.")
        texts[name] = value
    return texts


def _held_json(session: CounselingSession, **extra) -> dict:
    return {"version": session.version, **operations.held_text(session),
            "saved_at": localtime(session.updated_at, "%H:%M") if session.updated_at else "",
            **extra}


@bp.post("/sessions/<int:session_id>/autosave")
@takes_json
def autosave(session_id):
    """JSON: the text fields and base_version. 200 saved; 409 conflict or locked; 422
    refused."""
    session = session_for_counselor(session_id, joinedload(CounselingSession.attendees))
    payload = request.get_json(silent=True)
    try:
        texts = _json_texts(payload)
        base = payload.get("base_version")
        operations.save_text(current_user, session, texts,
                             base if isinstance(base, int) and not isinstance(base, bool)
                             else -1)
        db.session.commit()
    except ValueError as bad:
        return jsonify(error="bad_input", message=str(bad)), 422
    except signing.SessionLocked as locked:
        db.session.rollback()
        return jsonify(error="locked", message=locked.message), 409
    except (TextConflict, StaleDataError, IntegrityError):
        db.session.rollback()
        db.session.refresh(session)
        # The answer holds the stored notes: a read of the session, so it is audited.
        audit.record("session.draft_conflict", session,
                     client=operations.first_attendee(session))
        db.session.commit()
        return jsonify(_held_json(session, error="conflict")), 409
    return jsonify(_held_json(session))


# --- handing text back ---------------------------------------------------------------------

EXPIRED = ("For your security this page had expired, so nothing was saved yet. Your "
           "writing is below, exactly as you left it: press the button again.")


def rescue_session_page(reason: str):
    """A signed-in counselor whose post was refused as expired gets the session page back
    with everything they typed in its boxes; anyone else gets the generic page."""
    if reason != "expired" or not (current_user.is_authenticated and current_user.is_counselor):
        return None
    args = request.view_args or {}
    found = db.session.scalar(select(CounselingSession.id).where(
        CounselingSession.id == args.get("session_id"),
        CounselingSession.counselor_id == current_user.id))
    if found is None:
        return None
    session = load_session(found)
    forms = {}
    endpoint = request.endpoint.split(".")[-1]
    if endpoint == "show":
        forms["form"] = session_form(session)
    elif endpoint == "add_agreement":
        forms["agreement"] = agreement_form(session.case)
    elif endpoint == "assign":
        forms["assign"] = assign_form(session)
    elif endpoint == "add_addendum":
        forms["addendum"] = AddendumForm()
    elif endpoint == "follow_up":
        agreement_id = args.get("agreement_id")
        forms["follow_up"] = (agreement_id, FollowUpForm(prefix=f"f{agreement_id}"))
    else:
        return None
    form = next(iter(forms.values()))
    form = form[1] if isinstance(form, tuple) else form
    form.form_errors.append(EXPIRED)
    return render_page(session, 400, **forms)



def init_app(state):
    # The other posts (new, sign, cancel, remove an agreement) carry no text of their own
    # beyond what the generic rescue page lists.
    for endpoint in ("show", "add_agreement", "assign", "add_addendum", "follow_up"):
        rescue.register(state.app, f"session_log.{endpoint}", rescue_session_page)
    rescue.register(state.app, "session_log.autosave", rescue.autosave_answer)
