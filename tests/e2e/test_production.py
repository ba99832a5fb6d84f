"""counsel as deployed (SECURITY.md 21): gunicorn with the shipped config and
``COUNSEL_ENV_NAME=production``, a real secret, TLS with a throwaway certificate,
PostgreSQL and Redis; once reached directly over TLS, once through nginx configured with
the block in docs/deploying.md and ``TRUSTED_PROXIES=1``. Chromium signs in as a
counselor, adds a client and takes the invitation link (its host must be BASE_URL's), the
client accepts it in a new browser, sets a password, writes, waits for the autosave and
submits. Every page is checked with axe-core. Behind nginx the counselor then opens a
case, prepares and generates its progress report (rendered in the request by a gunicorn
worker) and downloads the PDF. Afterwards no log holds the invitation token or report text.

This is the test that catches what the test client cannot: a Referrer-Policy that makes
the CSRF check refuse every HTTPS sign-in, links built from the Host header, a proxy
that is not believed (or believed too much)."""

import contextlib
import http.client
import io
import os
import re
import secrets
import ssl
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

import pytest
import redis
import trustme
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ..servers import ROOT, clean_environment, free_port, gunicorn, nginx, nginx_binary
from .conftest import PHONE

PG_SERVER = (os.environ.get("COUNSEL_TEST_DATABASE_URL") or os.environ.get("COUNSEL_TEST_PG")
             or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("COUNSEL_TEST_REDIS", "redis://127.0.0.1:6379/15")
COUNSELOR_NAME, COUNSELOR_PASSWORD = "Dr. Ada Quinn", "a long counselor passphrase 7"
CLIENT_PASSWORD = "sunlight over quiet water"
LETTER = "Dear Maya,\n\nI am sorry. I said I would be home and I was not, again and again."
SPOOFED = "203.0.113.9"
SAVED = re.compile(r"^Saved at \d\d:\d\d$")
REPORT_NARRATIVE = "Casey has found a steadier footing this month."

# It runs on PostgreSQL whatever the suite's database is, so scripts/test-all runs it once,
# in its PostgreSQL pass (which CI requires).
pytestmark = pytest.mark.skipif(not os.environ.get("COUNSEL_TEST_DATABASE_URL"),
                                reason="production runs on PostgreSQL: see the PostgreSQL pass")


def unavailable(reason: str):
    """Without CI a missing service skips; in CI it fails, so the test cannot vanish."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL database, dropped afterwards."""
    server = make_url(PG_SERVER)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"counsel_prod_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001 - any failure to reach the server
        admin.dispose()
        unavailable(f"PostgreSQL at {server.render_as_string()} unreachable: "
                    f"{e.__class__.__name__}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as e:
        unavailable(f"Redis at {REDIS_URL} unreachable: {e.__class__.__name__}")
    return REDIS_URL


@pytest.fixture
def tls(tmp_path):
    """A throwaway CA and a certificate for localhost, as files."""
    ca = trustme.CA()
    certificate = ca.issue_cert("localhost", "127.0.0.1")
    chain, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    certificate.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in certificate.cert_chain_pems))
    return ca, chain, key


@pytest.fixture(scope="module")
def migrated(postgres_url, redis_url):
    """The database migrated and the library loaded, as the deployment guide does it;
    both journeys share it (each with its own counselor)."""
    env = production_environment("https://localhost", postgres_url, redis_url, 0)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "sync-library")
    return postgres_url


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "ignore_https_errors": True}


def flask_cli(env: dict, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "counsel", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def production_environment(base_url, database_url, redis_url, trusted_proxies,
                           mail: dict | None = None) -> dict:
    """Production settings; email goes to the test's SMTP server (``mail``: app settings),
    delivered after each commit by the gunicorn worker's delivery thread."""
    return clean_environment(
        **{f"COUNSEL_{key}": str(value) for key, value in (mail or {}).items()},
        COUNSEL_ENV_NAME="Production",  # any case is production
        COUNSEL_SECRET_KEY=secrets.token_urlsafe(48),
        COUNSEL_BASE_URL=base_url,
        COUNSEL_DATABASE_URL=database_url,
        COUNSEL_RATELIMIT_STORAGE_URI=redis_url,
        COUNSEL_RATELIMIT_KEY_PREFIX=f"counsel-test-{uuid.uuid4().hex[:8]}",
        COUNSEL_TRUSTED_PROXIES=str(trusted_proxies),
        COUNSEL_PRACTICE_NAME="Riverside Counselling",
    )


def counselor_invites_and_assigns(page, a11y, base_url, who) -> str:
    """Signs in, adds a client, assigns the apology letter; returns the invitation link.
    Every request claims to come from SPOOFED: the app must not believe it."""
    page.set_extra_http_headers({"X-Forwarded-For": SPOOFED})
    page.goto(base_url + "/sign-in")
    a11y.check(page)
    page.get_by_label("Email address").fill(f"dr.quinn.{who}@example.org")
    page.get_by_label("Password").fill(COUNSELOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Start here")).to_be_visible()
    a11y.check(page)

    page.get_by_role("link", name="Add your first client").click()
    page.get_by_label("Full name").fill("Casey Morgan")
    page.get_by_label("Preferred name (optional)").fill("Casey")
    page.get_by_label("Email address", exact=True).fill(f"casey.{who}@example.org")
    page.get_by_role("button", name="Add client and create invitation").click()
    expect(page.get_by_role("heading", name="Client added")).to_be_visible()
    a11y.check(page)
    link = page.get_by_label(re.compile("Invitation link for")).input_value()
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == base_url, link
    assert parts.path.startswith("/invitation/")

    page.get_by_role("link", name=re.compile("Go to Casey")).click()
    page.get_by_role("link", name="Assign an exercise").click()
    a11y.check(page)
    page.get_by_label("Exercise").select_option(label="Apology letter")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("“Apology letter” is assigned to Casey.")).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    return link


def client_accepts_writes_and_submits(browser, a11y, link) -> None:
    phone = browser.new_context(viewport=PHONE, ignore_https_errors=True)
    page = phone.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome, Casey")).to_be_visible()
    a11y.check(page)
    page.get_by_label("New password", exact=True).fill(CLIENT_PASSWORD)
    page.get_by_label("Type the new password again").fill(CLIENT_PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()
    expect(page.get_by_role("heading", name="Hello, Casey")).to_be_visible()
    a11y.check(page)

    page.locator(".next-up").get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="Apology letter", level=1)).to_be_visible()
    a11y.check(page)
    answer = page.locator("textarea[name='answers-0']")
    answer.fill(LETTER)
    expect(page.locator("[data-save-status]")).to_have_text(SAVED, timeout=15_000)
    page.reload()  # what is on the page now came from the server
    expect(answer).to_have_value(LETTER)
    page.get_by_role("button", name=f"Submit to {COUNSELOR_NAME}").click()
    expect(page.get_by_text("Submitted as revision 1.")).to_be_visible()
    a11y.check(page)
    phone.close()


def counselor_generates_a_report(page, base_url, who) -> bytes:
    """Opens a case for Casey, prepares its report and generates the client's version,
    rendered in the request by a gunicorn worker (the renderer forks its bounded child
    from there); returns the downloaded PDF. Redis is not the report queue here."""
    page.goto(base_url + "/sign-in")
    page.get_by_label("Email address").fill(f"dr.quinn.{who}@example.org")
    page.get_by_label("Password").fill(COUNSELOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(base_url + "/cases/new")
    page.get_by_label("Name of the case").fill("Casey Morgan")
    page.get_by_label("Client", exact=True).select_option(label="Casey Morgan (Casey)")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_text("Case “Casey Morgan” is open.")).to_be_visible()
    page.goto(page.url + "/report")
    page.get_by_label("Your narrative").fill(REPORT_NARRATIVE)
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", name="Preview: Report for Casey Morgan")).to_be_visible()
    page.get_by_role("button", name="Generate the PDF of this version").click()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = download.value.path().read_bytes()
    page.get_by_role("button", name="Sign out").click()
    return pdf


def status_for_host(port: int, ca: trustme.CA, host: str) -> tuple[int, str]:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    connection = http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
    connection.request("GET", "/sign-in", headers={"Host": host})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def emails_to(smtp_server, address: str, count: int) -> list:
    """The first ``count`` emails to ``address`` (waiting for them to arrive)."""
    deadline = time.monotonic() + 30
    while len(smtp_server.messages_to(address)) < count:
        assert time.monotonic() < deadline, f"{count} emails to {address} never arrived"
        time.sleep(0.2)
    return smtp_server.messages_to(address)[:count]


@pytest.mark.parametrize("route", ["direct", "behind nginx"])
def test_production_journey(route, page, a11y, tmp_path, migrated, redis_url, tls,
                            smtp_server):
    ca, certificate, key = tls
    proxied = route == "behind nginx"
    if proxied and not nginx_binary():
        unavailable("nginx is not installed (scripts/system-deps test installs it)")
    port = free_port()
    base_url = f"https://localhost:{port}"
    who = "proxied" if proxied else "direct"
    env = production_environment(base_url, migrated, redis_url, int(proxied), smtp_server.config)
    flask_cli(env, "create-user", "--role", "counselor", "--email",
              f"dr.quinn.{who}@example.org", "--name", COUNSELOR_NAME,
              "--password", COUNSELOR_PASSWORD)

    logs = tmp_path / "logs"
    with contextlib.ExitStack() as servers:
        if proxied:
            app_port = servers.enter_context(gunicorn(env, logs))
            servers.enter_context(nginx(app_port, certificate, key, logs, port=port))
        else:
            servers.enter_context(gunicorn(env, logs, "--certfile", str(certificate),
                                           "--keyfile", str(key), port=port))
        link = counselor_invites_and_assigns(page, a11y, base_url, who)
        client_accepts_writes_and_submits(page.context.browser, a11y, link)
        if proxied:  # once is enough: it is the same gunicorn either way
            pdf = counselor_generates_a_report(page, base_url, who)
            assert pdf.startswith(b"%PDF")
            assert REPORT_NARRATIVE in " ".join(
                p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")
        # The emails went out from the gunicorn workers after each commit, with links to
        # the https address: the invitation (the very link the page showed), the new work,
        # and the submission to the counselor.
        invitation, new_work = emails_to(smtp_server, f"casey.{who}@example.org", 2)
        assert link in smtp_server.text_of(invitation)
        assert f"{base_url}/my/" in smtp_server.text_of(new_work)
        (submitted,) = emails_to(smtp_server, f"dr.quinn.{who}@example.org", 1)
        assert submitted["Subject"] == "Work is waiting for your review"
        assert status_for_host(port, ca, f"localhost:{port}")[0] == 200
        status, body = status_for_host(port, ca, "evil.example")
        assert status == 400 and "evil.example" not in body
    assert len(a11y.checked) == 9

    # The throttle and the audit trail saw the browser's address: not the spoofed one, and
    # behind nginx not nginx's own (PROXY_ADDRESS) either.
    engine = create_engine(migrated)
    with engine.connect() as conn:
        addresses = set(conn.scalars(text(
            "SELECT DISTINCT e.ip FROM audit_events e JOIN users u ON u.id = e.actor_id "
            "WHERE u.email = :email"), {"email": f"dr.quinn.{who}@example.org"}))
    engine.dispose()
    assert addresses == {"127.0.0.1"}

    token = urlsplit(link).path.rsplit("/", 1)[1]
    access_logs = ["access.log", "nginx-access.log"] if proxied else ["access.log"]
    for log in access_logs:
        assert "/invitation/[redacted]" in (logs / log).read_text(), log
    for log in logs.glob("*.log"):
        assert token not in log.read_text(), log.name
        assert "steadier" not in log.read_text(), log.name  # no report text in any log
