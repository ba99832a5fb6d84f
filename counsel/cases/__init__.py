"""Cases: opening one for a client or a couple, the case page, closing and reopening, the
safety flag and the private safety screenings."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("cases", __name__, url_prefix="/cases")
bp.before_request(lambda: role_required("counselor"))

from . import views  # noqa: E402, F401
