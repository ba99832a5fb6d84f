import pytest

from counsel import create_app
from counsel.config import ConfigError


def test_production_refuses_a_missing_or_weak_secret(monkeypatch, tmp_path):
    for secret in (None, "dev", "short-but-not-32"):
        config = {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        if secret:
            config["SECRET_KEY"] = secret
        with pytest.raises(ConfigError, match="SECRET_KEY"):
            create_app(config)


def test_production_refuses_debug():
    with pytest.raises(ConfigError, match="debug"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "k" * 40, "DEBUG": True,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_with_a_strong_secret_sets_secure_cookies():
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "k" * 40,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("COUNSEL_IDLE_TIMEOUT_MINUTES", "30")
    monkeypatch.setenv("COUNSEL_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite")
    app = create_app({"SECRET_KEY": "x" * 40})
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 30
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.sqlite"


def test_development_default_is_instance_sqlite_with_a_kept_secret(monkeypatch):
    monkeypatch.delenv("COUNSEL_DATABASE_URL", raising=False)
    first, second = create_app(), create_app()
    assert first.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/counsel.sqlite")
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_sqlite_connections_get_the_safety_pragmas(app):
    from counsel.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        read = lambda p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()  # noqa: E731
        assert read("journal_mode") == "wal"
        assert read("foreign_keys") == 1
        assert read("synchronous") == 2
        assert read("busy_timeout") == 5000
