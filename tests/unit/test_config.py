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
    app = create_app(production())
    assert app.config["SESSION_COOKIE_SECURE"] is True


def production(**overrides):
    config = {"ENV_NAME": "production", "SECRET_KEY": "k" * 40,
              "BASE_URL": "https://counsel.example.org", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    config.update(overrides)
    return config


@pytest.mark.parametrize("name", ["Production", "PRODUCTION", " production\n"])
def test_production_in_any_case_runs_the_production_checks(name):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(production(ENV_NAME=name, SECRET_KEY="dev"))
    app = create_app(production(ENV_NAME=name))
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_in_any_case_refuses_the_demo():
    app = create_app(production(ENV_NAME="Production"))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output


@pytest.mark.parametrize("name", ["prod", "staging", "", "productionn", "test", 1])
def test_an_unknown_environment_name_refuses_to_start(name):
    with pytest.raises(ConfigError, match="ENV_NAME must be development or production"):
        create_app({"ENV_NAME": name, "SECRET_KEY": "x" * 40,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_environment_name_from_the_environment_is_checked(monkeypatch):
    monkeypatch.setenv("COUNSEL_ENV_NAME", "Prod")
    with pytest.raises(ConfigError, match="'Prod'"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("COUNSEL_ENV_NAME", " Development ")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["ENV_NAME"] \
        == "development"


def test_production_requires_an_https_base_url():
    with pytest.raises(ConfigError, match="BASE_URL is missing"):
        create_app(production(BASE_URL=""))
    with pytest.raises(ConfigError, match="BASE_URL must be https"):
        create_app(production(BASE_URL="http://counsel.example.org"))


@pytest.mark.parametrize("url", ["counsel.example.org", "ftp://counsel.example.org",
                                 "https://", "https://counsel.example.org/?a=1",
                                 "https://user:pw@counsel.example.org"])
def test_a_malformed_base_url_refuses_to_start(url):
    with pytest.raises(ConfigError, match="BASE_URL must look like"):
        create_app({"BASE_URL": url, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_base_url_is_kept_without_its_trailing_slash():
    app = create_app(production(BASE_URL=" https://example.org/counsel/ "))
    assert app.config["BASE_URL"] == "https://example.org/counsel"


def test_trusted_hosts_default_to_base_url_host_in_production_only():
    assert create_app(production()).config["TRUSTED_HOSTS"] == ["counsel.example.org"]
    app = create_app(production(BASE_URL="https://Counsel.Example.org:8443"))
    assert app.config["TRUSTED_HOSTS"] == ["counsel.example.org"]
    development = create_app({"BASE_URL": "http://127.0.0.1:5000",
                              "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert development.config["TRUSTED_HOSTS"] is None


def test_trusted_hosts_can_be_listed_in_the_environment(monkeypatch):
    monkeypatch.setenv("COUNSEL_TRUSTED_HOSTS", "counsel.example.org, .example.net")
    app = create_app(production())
    assert app.config["TRUSTED_HOSTS"] == ["counsel.example.org", ".example.net"]
    monkeypatch.setenv("COUNSEL_TRUSTED_HOSTS", '["a.example.org", "b.example.org"]')
    assert create_app(production()).config["TRUSTED_HOSTS"] == ["a.example.org",
                                                                "b.example.org"]


@pytest.mark.parametrize("value", [-1, "one", 1.5, True, "2 "])
def test_trusted_proxies_must_be_a_count(value):
    if value == "2 ":
        assert create_app({"TRUSTED_PROXIES": value,
                           "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["TRUSTED_PROXIES"] == 2
        return
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app({"TRUSTED_PROXIES": value, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_trusted_proxies_wraps_the_app_in_proxy_fix():
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert not isinstance(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).wsgi_app,
                          ProxyFix)
    fixed = create_app({"TRUSTED_PROXIES": 2, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).wsgi_app
    assert isinstance(fixed, ProxyFix)
    assert (fixed.x_for, fixed.x_proto, fixed.x_host, fixed.x_port, fixed.x_prefix) \
        == (2, 2, 2, 2, 0)


def test_absolute_links_outside_a_request_use_base_url_or_the_development_address():
    from counsel.links import absolute_url

    with create_app(production(BASE_URL="https://example.org/counsel")).app_context():
        assert absolute_url("auth.accept_invitation", token="t") \
            == "https://example.org/counsel/invitation/t"
    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).app_context():
        assert absolute_url("auth.sign_in") == "http://127.0.0.1:5000/sign-in"


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


@pytest.mark.parametrize(("value", "size"), [("A4", "A4"), ("Letter", "Letter"),
                                             (" letter ", "Letter"), ("a4", "A4")])
def test_report_page_size_is_a4_or_letter(value, size):
    app = create_app({"REPORT_PAGE_SIZE": value, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["REPORT_PAGE_SIZE"] == size


def test_report_page_size_defaults_to_a4():
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["REPORT_PAGE_SIZE"] \
        == "A4"


@pytest.mark.parametrize("value", ["A5", "Legal", "", None, 4])
def test_another_report_page_size_refuses_to_start(value):
    with pytest.raises(ConfigError, match="REPORT_PAGE_SIZE must be A4 or Letter"):
        create_app({"REPORT_PAGE_SIZE": value, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_report_page_size_from_the_environment_is_checked(monkeypatch):
    monkeypatch.setenv("COUNSEL_REPORT_PAGE_SIZE", "A5")
    with pytest.raises(ConfigError, match="'A5'"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize(("key", "value"), [("REPORT_TIMEOUT_SECONDS", 0),
                                            ("REPORT_TIMEOUT_SECONDS", "60"),
                                            ("REPORT_MEMORY_MB", 100),
                                            ("REPORT_MEMORY_MB", True)])
def test_report_limits_must_be_sensible_numbers(key, value):
    with pytest.raises(ConfigError, match=key):
        create_app({key: value, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
