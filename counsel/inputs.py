"""What a request may carry, checked before any view runs.

Ids: ``<int:...>`` is bounded to the range of the id columns (PostgreSQL ``integer``): an id
beyond it cannot exist, and handing one to the database failed with a server error
("integer out of range" on PostgreSQL, an overflow on SQLite). Such URLs now match no
route, so they are a plain 404 before any view or query runs.

Bodies: Flask-WTF reads a JSON body as form data, and a body that is not an object of
strings (``true``, ``[1]``, ``{"name": 5}``) failed inside the form with a server error.
Such bodies are now a 400 before any form sees them, except for views marked
``@takes_json``, which read and check JSON themselves. An object of strings still reaches
the view, so access checks answer first as for any form.
"""

from flask import Flask, current_app, jsonify, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    regex = r"\d{1,10}"  # longer numbers are out of range anyway; int() never sees them

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_arg(value: str) -> int:
    """For ``request.args.get(name, type=id_arg)``: a number in range, else ValueError, so
    the argument's default is used."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


def takes_json(view):
    """Mark a view that reads a JSON body itself (and checks its shape)."""
    view.takes_json = True
    return view


def _form_like(body) -> bool:
    return isinstance(body, dict) and all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
        for v in body.values())


def refuse_unexpected_json():
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "takes_json", False):
        return None
    if _form_like(request.get_json(silent=True)):
        return None
    return jsonify(error="bad_request", message="This page takes a form; what was sent "
                   "was not understood, so nothing was saved."), 400


def init_app(app: Flask) -> None:
    """Must run before blueprints are registered: rules look up converters when added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_unexpected_json)
