"""The session log: scheduling and logging counseling sessions, agreements and their
follow-ups, signing and addenda, and the counselor's calendar feed."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("session_log", __name__)
bp.before_request(lambda: role_required("counselor"))

from . import agreement_views, autosave_views, views  # noqa: E402, F401
from .calendar import calendar_feed  # noqa: E402, F401

bp.record_once(autosave_views.init_app)
