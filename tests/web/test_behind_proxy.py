"""Production over HTTPS and behind a proxy (issue 6 section 1, SECURITY.md 11 and 21):
the CSRF check sees same-origin HTTPS posts, forwarded addresses are believed only from
the configured number of proxies, and absolute links never come from the Host header."""

import re

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, Client, User

from ..conftest import PASSWORD, csrf_token_from

BASE = "https://counsel.example.org"
PRODUCTION = {"ENV_NAME": "production", "BASE_URL": BASE}
EVIL = "http://evil.example"
PROXY = "10.0.0.2"  # the proxy's own address, as the app's socket sees it


def failed_sign_in_ips():
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent.ip).where(
        AuditEvent.action == "auth.sign_in", AuditEvent.outcome == "failure")
        .order_by(AuditEvent.id)).all()


def bad_sign_in(client, n, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/sign-in", data={"email": f"nobody{n}@example.org",
                                         "password": "not the password"},
                       headers=headers, environ_base={"REMOTE_ADDR": PROXY})


def sign_in_at(client, user, base_url):
    response = client.post("/sign-in", base_url=base_url,
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def invitation_link(html):
    return re.search(r'value="([^"]*/invitation/[^"]+)"', html).group(1)


# --- 1. sign-in over HTTPS --------------------------------------------------------------

def test_referrer_policy_keeps_the_referer_for_our_own_pages(client):
    """no-referrer made browsers send no Referer, and the strict CSRF check then refused
    every HTTPS POST; same-origin still keeps URLs (invitation tokens) off other sites."""
    assert client.get("/sign-in").headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("app_config", [dict(PRODUCTION, WTF_CSRF_ENABLED=True)])
def test_https_sign_in_with_a_same_origin_referer_succeeds_and_others_fail(client, people):
    assert client.application.config["WTF_CSRF_SSL_STRICT"] is True
    token = csrf_token_from(client.get("/sign-in", base_url=BASE).text)
    data = {"email": people["counselor"].email, "password": PASSWORD, "csrf_token": token}

    for referer in (None, "https://evil.example/sign-in", "http://counsel.example.org/sign-in"):
        headers = {"Referer": referer} if referer else {}
        refused = client.post("/sign-in", data=data, base_url=BASE, headers=headers)
        assert refused.status_code == 400, referer
        assert "expired" in refused.text

    signed_in = client.post("/sign-in", data=data, base_url=BASE,
                            headers={"Referer": BASE + "/sign-in"})
    assert signed_in.status_code == 302
    assert client.get("/dashboard/", base_url=BASE).status_code == 200


# --- 2. trusted proxies -----------------------------------------------------------------

def test_without_trusted_proxies_forwarded_for_is_ignored(client):
    bad_sign_in(client, 1, forwarded_for="203.0.113.9")
    assert failed_sign_in_ips() == [PROXY]


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_one_trusted_proxy_gives_the_client_address_and_cannot_be_spoofed(client):
    bad_sign_in(client, 1, forwarded_for="203.0.113.9")
    # A client sends its own X-Forwarded-For; the proxy appends the real address.
    bad_sign_in(client, 2, forwarded_for="198.51.100.66, 203.0.113.9")
    assert failed_sign_in_ips() == ["203.0.113.9", "203.0.113.9"]


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_bad_sign_ins_from_one_address_do_not_lock_out_others_behind_the_proxy(client):
    statuses = [bad_sign_in(client, n, "203.0.113.9").status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
    # Choosing another address from outside does not escape the limit...
    assert bad_sign_in(client, 11, "192.0.2.1, 203.0.113.9").status_code == 429
    # ...and someone else coming through the same proxy is not locked out.
    assert bad_sign_in(client, 12, "203.0.113.10").status_code == 200


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_forwarded_proto_and_host_from_the_proxy_make_the_request_https(app, client):
    seen = {}
    inner = app.wsgi_app.app  # what ProxyFix hands the rewritten environ to

    def capture(environ, start_response):
        seen.update(environ)
        return inner(environ, start_response)

    app.wsgi_app.app = capture
    client.get("/health", environ_base={"REMOTE_ADDR": PROXY},
                          headers={"X-Forwarded-For": "203.0.113.9",
                                   "X-Forwarded-Proto": "https",
                                   "X-Forwarded-Host": "counsel.example.org",
                                   "X-Forwarded-Port": "443"})
    assert (seen["wsgi.url_scheme"], seen["HTTP_HOST"], seen["REMOTE_ADDR"]) == (
        "https", "counsel.example.org:443", "203.0.113.9")


# --- 3. links from BASE_URL, trusted hosts ----------------------------------------------

@pytest.mark.parametrize("app_config", [{"BASE_URL": BASE}])
def test_invitation_links_come_from_base_url_not_the_host_header(client, people):
    sign_in_at(client, people["counselor"], EVIL)
    response = client.post("/clients/new", base_url=EVIL,
                           data={"name": "Casey Morgan", "email": "casey@example.org"})
    assert response.status_code == 200
    link = invitation_link(response.text)
    assert link.startswith(BASE + "/invitation/")
    assert "evil.example" not in response.text

    client_id = db.session.scalars(select(Client.id).join(Client.user).where(
        User.email == "casey@example.org")).one()
    again = client.post(f"/clients/{client_id}/invitation", base_url=EVIL)
    assert invitation_link(again.text).startswith(BASE + "/invitation/")


@pytest.mark.parametrize("app_config", [{"BASE_URL": BASE + "/counsel/"}])
def test_admin_counselor_invitation_comes_from_base_url_with_its_path(client, people):
    sign_in_at(client, people["admin"], EVIL)
    response = client.post("/admin/counselors/new", base_url=EVIL,
                           data={"name": "Dr. New", "email": "new@example.org"})
    assert invitation_link(response.text).startswith(BASE + "/counsel/invitation/")
    assert "evil.example" not in response.text

    counselor_id = db.session.scalars(select(User.id).where(
        User.email == "new@example.org")).one()
    again = client.post(f"/admin/counselors/{counselor_id}/invitation", base_url=EVIL)
    assert invitation_link(again.text).startswith(BASE + "/counsel/invitation/")
    assert "evil.example" not in again.text


def test_development_without_base_url_links_to_the_request_host(client, auth, people):
    auth.login(people["counselor"])
    response = client.post("/clients/new", data={"name": "Casey", "email": "c@example.org"})
    assert invitation_link(response.text).startswith("http://localhost/invitation/")


@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_production_refuses_an_untrusted_host_with_400(client):
    assert client.application.config["TRUSTED_HOSTS"] == ["counsel.example.org"]
    for method in (client.get, client.post):
        refused = method("/sign-in", base_url="https://evil.example")
        assert refused.status_code == 400
        assert "evil.example" not in refused.text
        assert refused.headers["X-Frame-Options"] == "DENY"
    refused = client.get("/sign-in", base_url=BASE, headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert client.get("/sign-in", base_url=BASE).status_code == 200
    assert client.get("/sign-in", base_url=BASE + ":443").status_code == 200


@pytest.mark.parametrize("app_config", [dict(PRODUCTION, TRUSTED_PROXIES=1)])
def test_production_behind_a_proxy_refuses_a_forwarded_untrusted_host(client):
    refused = client.get("/sign-in", base_url=BASE, environ_base={"REMOTE_ADDR": PROXY},
                         headers={"X-Forwarded-Host": "evil.example",
                                  "X-Forwarded-Proto": "https"})
    assert refused.status_code == 400
