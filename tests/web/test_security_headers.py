"""Every security header (SECURITY.md 11) on a sample of every blueprint's pages, the
error pages and the JSON answers: removing any one header from any kind of response
fails here."""

import pytest

from counsel import create_app
from counsel.extensions import db

from ..conftest import PASSWORD, IsolatedClient, make_config
from . import scene as scenes

HSTS_MIN_SECONDS = 31_536_000  # a year


def directives(csp: str) -> dict[str, set[str]]:
    parsed = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = set(words[1:])
    return parsed


def assert_security_headers(response, where, *, page=True):
    """The headers every response carries; ``page`` adds Cache-Control: no-store."""
    headers = response.headers
    csp = directives(headers.get("Content-Security-Policy", ""))
    assert csp.get("default-src") == {"'self'"}, where
    assert csp.get("object-src") == {"'none'"}, where
    assert csp.get("frame-ancestors") == {"'none'"}, where
    scripts = csp.get("script-src", csp["default-src"])
    assert not scripts & {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"}, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    policy = {p.split("=")[0].strip(): p.split("=", 1)[1].strip() for p in
              headers.get("Permissions-Policy", "").split(",") if "=" in p}
    for feature in ("camera", "microphone", "geolocation"):
        assert policy.get(feature) == "()", (where, feature)
    if page:
        assert "no-store" in headers.get("Cache-Control", ""), where
    assert "Strict-Transport-Security" not in headers, (where, "development is plain HTTP")


@pytest.fixture
def scene(people):
    return scenes.build(people)


def test_anonymous_pages_errors_and_json(client, people):
    for url, status in (("/sign-in", 200),
                        ("/no-such-page", 404), ("/", 302), ("/dashboard/", 302)):
        response = client.get(url)
        assert response.status_code == status, url
        assert_security_headers(response, url)
    health = client.get("/health")
    assert health.is_json
    assert_security_headers(health, "/health")
    signed_out_save = client.post("/my/assignments/1/draft", json={"answers": []})
    assert signed_out_save.status_code == 401 and signed_out_save.is_json
    assert_security_headers(signed_out_save, "autosave, signed out")
    json_404 = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert json_404.status_code == 404 and json_404.is_json
    assert_security_headers(json_404, "JSON 404")
    asset = client.get("/static/css/counsel.css")
    assert asset.status_code == 200
    assert_security_headers(asset, "static", page=False)


def test_counselor_pages_and_their_errors(client, auth, people, scene):
    auth.login(people["counselor"])
    urls = dict(scenes.pages(scene)["counselor"])
    urls.update({"library": "/library/", "assign": "/assign", "new client": "/clients/new",
                 "password": "/account/password"})
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert_security_headers(response, name)
    forbidden = client.get("/my/")
    assert forbidden.status_code == 403
    assert_security_headers(forbidden, "403 for a counselor on the portal")
    other = client.get(f"/clients/{people['jordan'].id}")
    assert other.status_code == 404
    assert_security_headers(other, "404 for another counselor's client")
    refused_review = client.post(f"/assignments/{scene['waiting'].id}/revisions/1/send",
                                 data={})
    assert refused_review.status_code == 422
    assert_security_headers(refused_review, "422 review page")


def test_client_pages_json_and_errors(client, auth, people, scene):
    auth.login(people["alex"].user)
    for name, url in scenes.pages(scene)["client"].items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert_security_headers(response, name)
    saved = client.post(f"/my/assignments/{scene['reviewed'].id}/draft",
                        json={"answers": ["new words", ""],
                              "base_version": scene["reviewed"].draft.version})
    assert saved.status_code == 200 and saved.is_json
    assert_security_headers(saved, "autosave 200")
    refused = client.post(f"/my/assignments/{scene['waiting'].id}/draft",
                          json={"answers": ["x", ""]})
    assert refused.status_code == 409 and refused.is_json
    assert_security_headers(refused, "autosave 409")
    forbidden = client.get("/dashboard/")
    assert forbidden.status_code == 403
    assert_security_headers(forbidden, "403 for a client on the dashboard")
    assert_security_headers(client.get("/my/assignments/999999"), "404 on the portal")


def test_admin_pages(client, auth, people):
    auth.login(people["admin"])
    for url in ("/admin/", "/admin/counselors/new", "/account/password"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response, url)
    assert_security_headers(client.get("/clients/"), "403 for an admin")


def test_referrer_policy_keeps_urls_on_this_site(client, auth, people, scene):
    """``same-origin``: invitation tokens never reach other sites, and Chromium still sends
    a Referer to our own HTTPS forms, which WTF_CSRF_SSL_STRICT needs (issue 6, item 1)."""
    assert client.get("/sign-in").headers.get("Referrer-Policy") == "same-origin"
    assert client.get("/no-such-page").headers.get("Referrer-Policy") == "same-origin"
    auth.login(people["alex"].user)
    for url in (f"/my/assignments/{scene['reviewed'].id}", "/dashboard/"):
        assert client.get(url).headers.get("Referrer-Policy") == "same-origin", url


def _hsts(response) -> dict[str, str]:
    value = response.headers.get("Strict-Transport-Security")
    assert value, response.request.path
    return dict((part.strip().split("=") + [""])[:2] for part in value.split(";"))


def test_hsts_when_cookies_are_secure(people, other_app):
    app = other_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    for url in ("/sign-in", "/no-such-page", "/health"):
        response = client.get(url, base_url="https://localhost")
        assert int(_hsts(response)["max-age"]) >= HSTS_MIN_SECONDS, url


def test_hsts_in_production(people, other_app):
    app = other_app(ENV_NAME="production", BASE_URL="https://localhost",
               TRUSTED_HOSTS=["localhost"])
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    for url in ("/sign-in", "/no-such-page", "/health"):
        response = client.get(url, base_url="https://localhost")
        assert int(_hsts(response)["max-age"]) >= HSTS_MIN_SECONDS, url
    signed_in = client.post("/sign-in", base_url="https://localhost", data={
        "email": people["counselor"].email, "password": PASSWORD})
    assert signed_in.status_code == 302
    dashboard = client.get("/dashboard/", base_url="https://localhost")
    assert dashboard.status_code == 200
    assert int(_hsts(dashboard)["max-age"]) >= HSTS_MIN_SECONDS


def test_no_hsts_in_development(client, auth, people):
    """HSTS over plain HTTP on localhost would pin a developer's browser to HTTPS."""
    for url in ("/sign-in", "/no-such-page", "/health"):
        assert "Strict-Transport-Security" not in client.get(url).headers, url
    auth.login(people["counselor"])
    assert "Strict-Transport-Security" not in client.get("/dashboard/").headers


@pytest.fixture
def other_app(app):
    """A second app on the ``app`` fixture's database (so ``people`` exist there),
    configured differently; its connections are closed afterwards."""
    made = []

    def make(**overrides):
        other = create_app(make_config(db.engine.url.render_as_string(hide_password=False),
                                       **overrides))
        other.test_client_class = IsolatedClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
