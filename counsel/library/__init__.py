"""The exercise library: the guide's exercises and counselors' own."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("library", __name__, url_prefix="/library")
bp.before_request(lambda: role_required("counselor"))

from . import views  # noqa: E402, F401
