"""Helpers that walk the app's URL map, so a new route is covered by the access and CSRF
tests the moment it exists."""

from werkzeug.routing import IntegerConverter, Rule

PUBLIC = {"auth.sign_in", "auth.accept_invitation", "static", "web.health", "web.favicon",
          "session_log.calendar_feed", "auth.forgot_password", "auth.reset_password",
          "notifications.unsubscribe"}


def sample_url(rule: Rule, ids: dict | None = None) -> str:
    """A concrete URL for a rule: integer arguments from ``ids`` (or 1), the first choice
    of an ``any()`` argument, and "x" for anything else."""
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if isinstance(converter, IntegerConverter):
            values[name] = (ids or {}).get(name, 1)
        elif kind == "AnyConverter":
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    return rule.build(values)[1]


def rules(app, *, method: str | None = None):
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if method and method not in methods:
            continue
        yield rule, methods


def protected_rules(app):
    return [(rule, methods) for rule, methods in rules(app) if rule.endpoint not in PUBLIC]


def endpoint_role(endpoint: str) -> str | None:
    """Which role a blueprint is for; None for pages every signed-in person may open (the
    notifications blueprint's preferences page is each person's own)."""
    return {"dashboard": "counselor", "clients": "counselor", "library": "counselor",
            "assignments": "counselor", "cases": "counselor", "session_log": "counselor",
            "reports": "counselor", "admin": "admin", "portal": "client"}.get(
        endpoint.split(".")[0])
