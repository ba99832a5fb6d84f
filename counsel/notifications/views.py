"""Each person's email choices, one-click unsubscribe without signing in, and a client's
email safety setting."""

from . import bp


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences():
    raise NotImplementedError  # built by the preferences work


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    raise NotImplementedError  # built by the preferences work
