"""Assigning exercises, the counselor's view of the work, reviews and revision diffs.
The client's side of the same work lives in ``portal``."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("assignments", __name__)
bp.before_request(lambda: role_required("counselor"))

from . import review_draft_views, tracker_views, views  # noqa: E402, F401

bp.record_once(review_draft_views.init_app)
