"""The session pages. (Placeholder for the endpoint names other features link to; the
session-log feature replaces it.)"""

from ..permissions import case_for_counselor, session_for_counselor
from . import bp


@bp.get("/sessions/")
def index():
    return "sessions"


@bp.get("/cases/<int:case_id>/sessions/new")
def new(case_id):
    case_for_counselor(case_id)
    return "new session"


@bp.get("/sessions/<int:session_id>")
def show(session_id):
    session_for_counselor(session_id)
    return "session page"
