"""Handing typed text back when a POST cannot be accepted: the person was signed out, the
page's CSRF token no longer matched, or the database was unreachable. Nothing is saved,
and nothing they wrote is thrown away (SECURITY.md 10, 15, 16).

A feature may register a richer page for one endpoint (the client's work page re-renders
itself); every other POST gets the generic page listing what was typed, each piece under
the label it had on the form. That page also keeps the text in the browser tab
(static/js/rescue.js), and the form it came from fills itself back in once the person is
signed in again (static/js/counsel.js); the client's work page has its own copy on the
device already (autosave.js).
"""

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask_login import current_user
from wtforms import Form
from wtforms.fields.core import UnboundField

# Fields that are never echoed: secrets and bookkeeping.
NOT_TEXT = {"csrf_token", "password", "current", "confirm", "base_version", "action", "start",
            "email"}
# The work page posts each answer's prompt beside it (``prompt-0``...), so the text can be
# labelled without loading anything for someone who is no longer signed in.
PROMPT = re.compile(r"^prompt-(\d+)$")
LIST_ENTRY = re.compile(r"^(?P<name>[a-z_]+)-(?P<n>\d+)(?:-(?P<sub>[a-z_]+))?$")


def _form_classes():
    """Every form class counsel defines (row forms inside lists included)."""
    pending, seen = list(Form.__subclasses__()), []
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("counsel."):
            seen.append(cls)
        pending.extend(cls.__subclasses__())
    return seen


def _field_labels(blueprint: str | None) -> dict[str, str]:
    """Field name -> label over every form in counsel, the request's own feature first."""
    labels: dict[str, str] = {}
    own = f"counsel.{blueprint}." if blueprint else None
    forms = sorted(_form_classes(), key=lambda c: bool(own and c.__module__.startswith(own)))
    for cls in forms:  # later (the feature's own forms) win
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args and
                                                    isinstance(unbound.args[0], str) else None)
            if label:
                labels[name] = label
    return labels


def _label(name: str, labels: dict[str, str], prompts: dict[str, str]) -> str:
    entry = LIST_ENTRY.match(name)
    if entry and entry["name"] == "answers" and entry["n"] in prompts:
        return f"{int(entry['n']) + 1}. {prompts[entry['n']]}"
    if entry:
        number = int(entry["n"]) + 1
        if entry["sub"] and entry["sub"] in labels:
            return f"{labels[entry['sub']]} {number}"  # prompts-0-text: "Prompt 1"
        base = labels.get(entry["name"], entry["name"].replace("_", " ").capitalize())
        return f"{base} {number}" + (f": {entry['sub'].replace('_', ' ')}" if entry["sub"]
                                     else "")
    return labels.get(name) or name.replace("_", " ").replace("-", " ").capitalize()


def typed_text() -> list[tuple[str, str, str]]:
    """(field name, label, text) for every field of the POST that holds something a
    person wrote."""
    if request.method != "POST" or request.blueprint == "auth":
        return []
    prompts = {m[1]: value for name, value in request.form.items()
               if (m := PROMPT.match(name))}
    labels = _field_labels(request.blueprint)
    return [(name, _label(name, labels, prompts), value)
            for name, value in request.form.items(multi=True)
            if name not in NOT_TEXT and not PROMPT.match(name) and len(value.strip()) > 2]


def return_path() -> str | None:
    """Where to go back to after signing in: this URL when it is a page (the work page
    posts to itself), else the same-site page the form was on, when the browser said."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path
    return None


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
    return render_template("rescued_text.html", fields=fields, reason=reason,
                           form_path=request.path, back=return_path(),
                           work_page=request.endpoint == "portal.work"), status


def autosave_answer(reason: str):
    """The answer to an autosave (JSON) that cannot be accepted. The page's script
    (static/js/draft-saver.js) keeps the text and acts on the code: sign in again, fetch a
    fresh token, or retry later."""
    codes = {"signed_out": ("signed_out", 401), "expired": ("csrf", 400),
             "unavailable": ("unavailable", 503)}
    if not current_user.is_authenticated:
        reason = "signed_out"  # a CSRF failure after sign-out means: sign in again
    code, status = codes[reason]
    return jsonify(error=code, message="Not saved yet."), status


def register(app: Flask, endpoint: str, handler) -> None:
    """``handler(reason)`` returns a response for ``endpoint``, or None for the generic page."""
    app.extensions.setdefault("text_rescue", {})[endpoint] = handler


def init_app(app: Flask) -> None:
    app.extensions.setdefault("text_rescue", {})
