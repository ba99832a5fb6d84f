"""A counselor's caseload: adding clients, inviting them, their record and access history."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("clients", __name__, url_prefix="/clients")
bp.before_request(lambda: role_required("counselor"))

from . import checkins, pathway, views  # noqa: E402, F401
