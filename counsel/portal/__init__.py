"""The client's own pages: what to do next, their work, who has seen their record."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("portal", __name__, url_prefix="/my")
bp.before_request(lambda: role_required("client"))

from . import (  # noqa: E402, F401
    checkins,
    commitments,
    journal,
    pathway,
    plans,
    reports,
    sessions,
    sharing,
    tracker,
    views,
    work,
)

bp.record_once(work.init_app)
