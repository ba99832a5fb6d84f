"""Absolute links that leave the app (copied invitation links, later e-mails). They are
built from the configured ``BASE_URL``, never from the request's ``Host`` header, which
whoever sends the request chooses (SECURITY.md 21)."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

# Development without BASE_URL and outside a request (a CLI command): where `make run`
# serves.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def absolute_url(endpoint: str, **values) -> str:
    """The full URL of ``endpoint``. In development with no BASE_URL the request's own
    host is used, so links work on whatever address the developer opened."""
    base = current_app.config["BASE_URL"]
    if not base:
        base = request.host_url if has_request_context() else DEVELOPMENT_BASE_URL
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/",
                                       url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
