"""The warning before an idle sign-out (SECURITY.md 5): how long the session has left,
and a "Stay signed in" button that counts as activity. static/js/idle.js drives both;
the server alone decides when a session ends."""

from flask import current_app, jsonify, url_for
from flask_login import current_user

from ..extensions import db
from . import bp, sessions

WARNING_SECONDS = 120


@bp.get("/session/status")
def session_status():
    """Seconds left, without counting the question as activity (see sessions.load)."""
    return jsonify(remaining=round(sessions.seconds_left(), 1))


@bp.post("/session/keep-alive")
def keep_alive():
    """CSRF-protected like every POST; writes last_seen_at now."""
    sessions.touch(current_user.get_id())
    db.session.commit()
    return jsonify(remaining=round(sessions.seconds_left(), 1))


@bp.app_context_processor
def idle_settings():
    """What base.html gives idle.js: nothing for someone not signed in."""
    if not current_user.is_authenticated:
        return {"idle": None}
    return {"idle": {
        "remaining": round(sessions.seconds_left(), 1),
        "warning": current_app.config.get("IDLE_WARNING_SECONDS", WARNING_SECONDS),
        "status_url": url_for("auth.session_status"),
        "keep_alive_url": url_for("auth.keep_alive"),
        "sign_in_url": url_for("auth.sign_in"),
    }}
