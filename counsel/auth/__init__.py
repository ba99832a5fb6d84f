"""Sign-in, sign-out, invitations and passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import idle, views  # noqa: E402, F401
