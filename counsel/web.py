"""Cross-cutting web behaviour: security headers, error pages, template helpers, and the
two routes that belong to no feature (the root redirect and a health check)."""

import re

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from .clock import localtime
from .extensions import db
from .forms import EmptyForm
from .permissions import can
from .rescue import rescue

bp = Blueprint("web", __name__)

CSP = ("default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'; img-src 'self' data:")


@bp.route("/")
def index():
    from .auth.views import home_for

    return redirect(home_for(current_user))


@bp.route("/favicon.ico")
def favicon():
    """Browsers and bookmark tools ask for this path whatever the page links."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


def security_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # Invitation tokens live in URLs: never send them to another site. Same-origin
    # requests keep their Referer, which the CSRF check needs on HTTPS (SECURITY.md 11).
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint not in ("static", "web.favicon"):
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _error(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title,
                           message=message), status


def text_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Plain instructions as ("paragraph", lines) and ("list", items) blocks, so templates
    can build the markup themselves with autoescaping (nothing is marked safe). Paragraphs are
    separated by blank lines; a line starting with "- " is a list item."""
    blocks: list[tuple[str, list[str]]] = []
    in_paragraph = False
    for line in re.split(r"\r\n|\r|\n", text or ""):
        line = line.strip()
        if line.startswith("- "):
            if blocks and blocks[-1][0] == "list" and not in_paragraph:
                blocks[-1][1].append(line[2:].strip())
            else:
                blocks.append(("list", [line[2:].strip()]))
            in_paragraph = False
        elif not line:
            in_paragraph = False
        elif in_paragraph:
            blocks[-1][1].append(line)
        else:
            blocks.append(("paragraph", [line]))
            in_paragraph = True
    return blocks


def register_errors(app: Flask) -> None:
    messages = {
        400: ("Something in that request was not right", "Go back and try again."),
        403: ("This page is not for your account", "Your account cannot open this page."),
        404: ("Page not found", "There is nothing here, or it is not yours to see."),
        405: ("Not allowed", "That action is not available here."),
        413: ("Too much at once", "That was larger than counsel accepts in one go. "
              "Shorten it, or split it into parts, and try again."),
        500: ("Something went wrong", "The problem was recorded. Your saved work is safe; "
              "please try again in a moment."),
    }
    for status, (title, message) in messages.items():
        app.register_error_handler(
            status, lambda e, s=status, t=title, m=message: _error(s, t, m)
        )

    @app.errorhandler(429)
    def too_many(e):
        window = getattr(getattr(e, "limit", None), "limit", None)
        seconds = window.get_expiry() if window else 60
        minutes = max(1, round(seconds / 60))
        return _error(429, "Too many attempts",
                      f"For your security, please wait {minutes} minute"
                      f"{'s' if minutes > 1 else ''} and try again.")

    @app.errorhandler(OperationalError)
    def database_unavailable(e):
        db.session.rollback()
        app.logger.warning("database unavailable: %s", type(e.orig).__name__)
        return rescue("unavailable", 503) or _error(
            503, "counsel cannot reach its database",
            "Please try again in a minute. Nothing already saved has been lost.")

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return rescue("expired", 400) or _error(400, "This page had expired",
                      "For your security the form had expired. Go back, reload the page "
                      "and try again.")


def init_app(app: Flask) -> None:
    from . import rescue as rescue_module

    rescue_module.init_app(app)
    app.register_blueprint(bp)
    app.after_request(security_headers)
    register_errors(app)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["text_blocks"] = text_blocks
    app.jinja_env.globals.update(can=can, EmptyForm=EmptyForm)
    from .charts import ratings_chart, table_rows

    app.jinja_env.globals.update(ratings_chart=ratings_chart, ratings_table=table_rows)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
