"""The case pages. (Placeholder for the endpoint names other features link to; the cases
feature replaces it.)"""

from ..permissions import case_for_counselor
from . import bp


@bp.get("/<int:case_id>")
def show(case_id):
    case_for_counselor(case_id)
    return "case page"
