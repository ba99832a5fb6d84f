"""Flask-Login wiring: the cookie's token is checked against a live server-side session,
and every endpoint needs a signed-in person unless it is on the short public list."""

from flask import Flask, flash, g, jsonify, redirect, request, url_for
from flask_login import current_user

from ..extensions import login_manager
from ..rescue import rescue
from . import sessions

PUBLIC_ENDPOINTS = {"auth.sign_in", "auth.accept_invitation", "static", "web.health",
                    "web.favicon", "auth.forgot_password", "auth.reset_password",
                    "notifications.unsubscribe",  # the signed link is the key
                    "session_log.calendar_feed"}  # a calendar app: the secret URL is the key


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _unauthorized():
    rescued = rescue("signed_out", 401)
    if rescued is not None:
        return rescued
    if _wants_json():
        message = "You are signed out. Sign in again to save."
        return jsonify(error="signed_out", message=message), 401
    if g.get("session_expired"):
        flash("You were signed out after a period without activity. Sign in to carry on.", "info")
    else:
        flash("Please sign in to see that page.", "info")
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def _require_sign_in():
    """Deny by default (SECURITY.md 6)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return _unauthorized()
    return None


def init_app(app: Flask) -> None:
    login_manager.user_loader(sessions.load)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = None  # the server-side session does this job
    app.before_request(_require_sign_in)
