"""Configuration in layers: defaults here, then ``instance/config.py``, then ``COUNSEL_*``
environment variables (``COUNSEL_SECRET_KEY``, ``COUNSEL_DATABASE_URL``...), then the
test config. Production refuses to start on a missing or weak secret or with debug on."""

import os
import secrets
from datetime import timedelta

from flask import Flask

DEFAULTS = {
    # "development" or "production"; production turns on the fail-fast checks below.
    "ENV_NAME": "development",
    "PRACTICE_NAME": "Your practice",
    "PRACTICE_TIMEZONE": "Europe/London",
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
    if is_production(app):
        check_production(app)
        app.config["SESSION_COOKIE_SECURE"] = True
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)


def is_production(app: Flask) -> bool:
    return app.config["ENV_NAME"] == "production"


def check_production(app: Flask) -> None:
    secret = app.config.get("SECRET_KEY") or ""
    problems = []
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
