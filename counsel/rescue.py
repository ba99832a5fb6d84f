"""Handing typed text back when a POST cannot be accepted: the person was signed out, the
page's CSRF token no longer matched, or the database was unreachable. Nothing is saved,
and nothing they wrote is thrown away (SECURITY.md 10, 15, 16).

A feature may register a richer page for one endpoint (the client's work page re-renders
itself); every other POST gets the generic page listing what was typed.
"""

from flask import Flask, current_app, render_template, request

# Fields that are never echoed: secrets and bookkeeping.
NOT_TEXT = {"csrf_token", "password", "current", "confirm", "base_version", "action", "start",
            "email"}


def typed_text() -> list[tuple[str, str]]:
    """(label, text) for every field of the POST that holds something a person wrote."""
    if request.method != "POST" or request.blueprint == "auth":
        return []
    return [(name.replace("_", " ").replace("-", " ").capitalize(), value)
            for name, value in request.form.items(multi=True)
            if name not in NOT_TEXT and len(value.strip()) > 2]


def rescue(reason: str, status: int):
    """A response that hands the text back, or None when there is nothing to hand back.
    ``reason`` is "signed_out", "expired" or "unavailable"."""
    specific = current_app.extensions["text_rescue"].get(request.endpoint)
    if specific is not None and request.method == "POST":
        response = specific(reason)
        if response is not None:
            return response
    fields = typed_text()
    if not fields:
        return None
    return render_template("rescued_text.html", fields=fields, reason=reason), status


def register(app: Flask, endpoint: str, handler) -> None:
    """``handler(reason)`` returns a response for ``endpoint``, or None for the generic page."""
    app.extensions.setdefault("text_rescue", {})[endpoint] = handler


def init_app(app: Flask) -> None:
    app.extensions.setdefault("text_rescue", {})
