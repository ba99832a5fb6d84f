"""Configuration in layers: defaults here, then ``instance/config.py``, then ``COUNSEL_*``
environment variables (``COUNSEL_SECRET_KEY``, ``COUNSEL_DATABASE_URL``...), then the
test config. Production refuses to start on a missing or weak secret, with debug on, or
without an https ``BASE_URL``; an unknown ``ENV_NAME`` refuses to start anywhere."""

import os
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask

DEFAULTS = {
    # "development" or "production" (any case); production turns on the fail-fast checks
    # below. Anything else is refused rather than quietly run as development.
    "ENV_NAME": "development",
    # Where people reach counsel, e.g. "https://counsel.example.org": every absolute link
    # (invitations) is built from it, never from the request's Host header. Required in
    # production; in development links follow the request's host when it is empty.
    "BASE_URL": "",
    # Host names the app answers to (Flask refuses others with 400). Production defaults
    # it to BASE_URL's host; None means any host (development).
    "TRUSTED_HOSTS": None,
    # How many reverse proxies stand in front of counsel and set X-Forwarded-For/-Proto/
    # -Host/-Port. 0 (direct) ignores those headers; 1 for nginx in front of gunicorn.
    "TRUSTED_PROXIES": 0,
    "PRACTICE_NAME": "Your practice",
    "PRACTICE_TIMEZONE": "Europe/London",
    # Where the "Quick exit" control on every client page goes: a neutral site that gives
    # nothing away on a shared screen (PRODUCT.md "Safety").
    "QUICK_EXIT_URL": "https://www.bbc.com/weather",
    # Set DATABASE_URL to a postgresql:// URL for PostgreSQL; empty means instance SQLite.
    "DATABASE_URL": "",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Sessions (SECURITY.md 4-5): idle and absolute limits enforced on the server.
    "IDLE_TIMEOUT_MINUTES": 15,
    "ABSOLUTE_TIMEOUT_HOURS": 12,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "counsel_session",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    # Whole request; per-field limits live in the forms.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
    # CSRF tokens live as long as the signed-in session, so an hour of writing never
    # expires the form; the session itself is bounded by the timeouts above.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_SSL_STRICT": True,
    # Flask-Limiter: memory for one process; set to redis://... with several workers.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "SIGN_IN_LIMIT": "10 per minute",
    "INVITATION_DAYS": 7,
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
    # Progress reports (PDF): the practice's paper, "A4" or "Letter".
    "REPORT_PAGE_SIZE": "A4",
    # A report rendering longer than this is stopped with a message (SECURITY.md 20).
    "REPORT_TIMEOUT_SECONDS": 60,
    # Address space the rendering child may use, in MiB; WeasyPrint itself takes ~250.
    "REPORT_MEMORY_MB": 1024,
}

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development"}


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unsafe to run with."""


def load(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="COUNSEL")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or (
            "sqlite:///" + os.path.join(app.instance_path, "counsel.sqlite")
        )
    app.config["ENV_NAME"] = _env_name(app.config["ENV_NAME"])
    app.config["TRUSTED_PROXIES"] = _trusted_proxies(app.config["TRUSTED_PROXIES"])
    app.config["BASE_URL"] = _base_url(app.config["BASE_URL"])
    app.config["TRUSTED_HOSTS"] = _host_list(app.config["TRUSTED_HOSTS"])
    app.config["REPORT_PAGE_SIZE"] = _page_size(app.config["REPORT_PAGE_SIZE"])
    for key, least in (("REPORT_TIMEOUT_SECONDS", 1), ("REPORT_MEMORY_MB", 512)):
        app.config[key] = _at_least(key, app.config[key], least)
    if is_production(app):
        check_production(app)
        app.config["SESSION_COOKIE_SECURE"] = True
        if app.config["TRUSTED_HOSTS"] is None:
            app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["BASE_URL"]).hostname]
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)


def is_production(app: Flask) -> bool:
    return app.config["ENV_NAME"] == "production"


def _env_name(value) -> str:
    """"Production" and " production " are production; a typo must not run as development
    (no secret check, demo allowed), so anything unknown stops start-up."""
    name = str(value or "").strip().lower()
    if name not in ("development", "production"):
        raise ConfigError(f"ENV_NAME must be development or production, not {value!r}: "
                          "set COUNSEL_ENV_NAME to one of them")
    return name


def _trusted_proxies(value) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if isinstance(value, bool) or count < 0 or str(count) != str(value).strip():
        raise ConfigError(f"TRUSTED_PROXIES must be a whole number of proxies (0 or more), "
                          f"not {value!r}")
    return count


def _page_size(value) -> str:
    """"letter" is Letter; A5 or a typo must not quietly print on A4."""
    for size in ("A4", "Letter"):
        if str(value or "").strip().lower() == size.lower():
            return size
    raise ConfigError(f"REPORT_PAGE_SIZE must be A4 or Letter, not {value!r}: "
                      "set COUNSEL_REPORT_PAGE_SIZE to one of them")


def _at_least(key: str, value, least: int) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < least:
        raise ConfigError(f"{key} must be a number, at least {least}, not {value!r}")
    return value


def _base_url(value) -> str:
    """The scheme, host, optional port and optional path prefix links are built from."""
    url = str(value or "").strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"BASE_URL must look like https://counsel.example.org, not {value!r}")
    return url


def _host_list(value) -> list[str] | None:
    """A JSON list from COUNSEL_TRUSTED_HOSTS, or a comma-separated string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.split(",")
    hosts = [str(h).strip().lower() for h in value if str(h).strip()]
    return hosts or None


def check_production(app: Flask) -> None:
    secret = app.config.get("SECRET_KEY") or ""
    problems = []
    base_url = app.config["BASE_URL"]
    if not base_url:
        problems.append("BASE_URL is missing: set COUNSEL_BASE_URL to the https address "
                        "people use, e.g. https://counsel.example.org")
    elif urlsplit(base_url).scheme != "https":
        problems.append(f"BASE_URL must be https in production, not {base_url}")
    if secret.lower() in WEAK_SECRETS or len(secret) < 32:
        problems.append(
            "SECRET_KEY is missing or weak: set COUNSEL_SECRET_KEY to at least 32 random "
            'characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    if app.debug or app.config.get("DEBUG"):
        problems.append("debug mode is on: never run production with --debug or FLASK_DEBUG")
    if problems:
        raise ConfigError("counsel refuses to start in production: " + "; ".join(problems))


def _development_secret(app: Flask) -> str:
    """A random key kept in the instance folder so development sessions survive restarts."""
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(48))
    with open(path) as f:
        return f.read().strip()
