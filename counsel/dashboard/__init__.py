"""The counselor's home: what needs attention now."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.before_request(lambda: role_required("counselor"))

from . import views  # noqa: E402, F401
