"""Progress reports: preparing one for a case, previewing each version, generating and
archiving the PDFs, and marking where they were shared."""

from flask import Blueprint

from ..permissions import role_required

bp = Blueprint("reports", __name__)
bp.before_request(lambda: role_required("counselor"))

from . import views  # noqa: E402, F401
