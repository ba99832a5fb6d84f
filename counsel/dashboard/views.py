from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..permissions import caseload_query
from . import bp


@bp.get("/")
def index():
    client_count = db.session.scalar(
        select(func.count()).select_from(caseload_query(current_user).subquery())
    )
    return render_template("dashboard/index.html", client_count=client_count)
