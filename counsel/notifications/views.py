"""Each person's email choices, one-click unsubscribe without signing in, and a client's
email safety setting."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..forms import EmptyForm
from ..models import User
from . import bp, operations, tokens
from .forms import preferences_form


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences():
    user = current_user._get_current_object()
    offered = operations.optional_kinds(user)
    if not offered:  # an admin: only the reset links they ask for
        return render_template("notifications/preferences.html", form=None, offered=[])
    current = operations.settings_of(user)
    if user.is_client:
        current |= {"mail_safety": user.client.mail_safety,
                    "safe_email": user.client.safe_email}
    form = preferences_form(user, data=current)
    if form.validate_on_submit():
        operations.save_preferences(user, {k.name: form[k.name].data for k in offered})
        if user.is_client:
            operations.set_mail_safety(user, user.client, form.mail_safety.data,
                                       form.safe_email.data)
        db.session.commit()
        flash("Your email choices are saved. They apply from now on.", "success")
        return redirect(url_for(".preferences"))
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/preferences.html", form=form,
                           offered=offered), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """Works without signing in: the signed token names the person and the kind. A GET
    only asks (mail scanners follow links); the POST, CSRF-protected, turns it off."""
    found = tokens.read(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        return render_template("notifications/unsubscribe_unusable.html"), 404
    kind = found[1]
    form = EmptyForm()
    if form.validate_on_submit():
        operations.unsubscribe(user, kind)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", kind=kind)
    if request.method == "POST":
        abort(400)
    return render_template("notifications/unsubscribe.html", kind=kind, form=form)
