from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from .. import audit
from ..extensions import db, limiter
from ..forms import EmptyForm
from ..models import User
from . import bp, invitations, reset, sessions, throttle
from .forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm, SignInForm
from .passwords import hash_password, verify_password


def home_for(user) -> str:
    return url_for({"counselor": "dashboard.index", "client": "portal.home",
                    "admin": "admin.index"}[user.role])


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never an open redirect. Control characters (a CR/LF would
    break the Location header) and backslashes (browsers read "/\\evil.example" as
    "//evil.example") are refused outright."""
    if not target or any(ord(c) < 32 or c in "\x7f\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _sign_in_limit():
    return current_app.config["SIGN_IN_LIMIT"]


def _begin_session(user: User, action: str):
    """Renew the session at sign-in: nothing from before survives it."""
    session.clear()
    sessions.start(user)
    login_user(user)
    audit.record(action, user.client or user, actor=user)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()[:254]
        attempt = throttle.attempt("sign-in", "address:" + throttle.address(),
                                   "account:" + email)
    if form.validate_on_submit():
        user = db.session.scalars(select(User).where(User.email == form.email.data)).first()
        if verify_password(user.password_hash if user else None, form.password.data) \
                and user.active:
            _begin_session(user, "auth.sign_in")
            db.session.commit()
            attempt.succeeded()
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        audit.record_now("auth.sign_in", outcome="failure", target_type="users",
                         target_id=user.id if user else None)
        form.form_errors.append("That email and password do not match an active account.")
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    if EmptyForm().validate_on_submit():
        sessions.end(current_user.get_id())
        audit.record("auth.sign_out", current_user.client or current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You have signed out.", "info")
    return redirect(url_for("auth.sign_in"))


def _set_password_by_link(token: str, purpose: str, pages: tuple[str, str], welcome: str):
    """A single-use link's page (an invitation or a password reset): unknown, used,
    expired and replaced links, and links of the other purpose, all get the same 404 page;
    saving sets the password, ends every other session and signs the person in."""
    unusable, page = pages
    link = invitations.find_usable(token, purpose=purpose)
    if link is None:
        return render_template(unusable), 404
    user = link.user
    form = NewPasswordForm(email=user.email, name=user.name)
    if form.validate_on_submit():
        invitations.accept(link, form.password.data)
        _begin_session(user, "auth.sign_in")
        db.session.commit()
        flash(welcome, "success")
        return redirect(home_for(user))
    return render_template(page, form=form, user=user)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def accept_invitation(token):
    return _set_password_by_link(
        token, "invitation", ("auth/invitation_unusable.html", "auth/accept_invitation.html"),
        "Welcome. Your password is set and you are signed in.")


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """The same page, status and work whether or not the address has an account; counted
    against the address and the requester like sign-in (SECURITY.md 2-3)."""
    form = ForgotPasswordForm()
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()[:254]
        throttle.attempt("reset", "address:" + throttle.address(), "account:" + email)
    if form.validate_on_submit():
        reset.request_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def reset_password(token):
    return _set_password_by_link(
        token, "reset", ("auth/reset_unusable.html", "auth/reset_password.html"),
        "Your new password is saved and you are signed in. Every other device has been "
        "signed out.")


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm(email=current_user.email, name=current_user.name)
    if form.validate_on_submit():
        attempt = throttle.attempt("password-check", "address:" + throttle.address(),
                                   f"account:{current_user.id}")
        if verify_password(current_user.password_hash, form.current.data):
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.password.data)
            sessions.end_all(user)
            _begin_session(user, "auth.password_change")
            db.session.commit()
            attempt.succeeded()
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(home_for(user))
        audit.record_now("auth.password_change", outcome="failure", target_type="users",
                         target_id=current_user.id)
        form.current.errors.append("That is not your current password.")
    return render_template("auth/change_password.html", form=form)
