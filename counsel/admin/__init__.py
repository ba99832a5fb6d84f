"""The practice admin: counselor accounts only, never clinical content."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(lambda: role_required("admin"))

from . import views  # noqa: E402, F401
