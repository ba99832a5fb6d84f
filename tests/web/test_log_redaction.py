"""An invitation link is a live credential, and it travels in the request path and, on
pages opened from it, in the Referer. No server log may hold it (SECURITY.md 22): not
gunicorn's access or error log with the shipped config, not the development server's."""

import http.client
import logging
import secrets
import threading

from werkzeug.serving import make_server

from counsel import create_app
from counsel.serving import redact

from ..conftest import make_config
from ..servers import clean_environment, gunicorn


def visit(port: int, token: str) -> None:
    """Opens the invitation page, posts its form and fetches a stylesheet from it, as a
    browser does (the last two carry the link as their Referer)."""
    path = f"/invitation/{token}"
    link = f"http://127.0.0.1:{port}{path}"
    for method, url, body, headers in [
            ("GET", path + "?from=email", None, {}),
            ("POST", path, "password=x", {"Referer": link,
                                          "Content-Type": "application/x-www-form-urlencoded"}),
            ("GET", "/static/css/counsel.css", None, {"Referer": link})]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(method, url, body=body, headers=headers)
        connection.getresponse().read()
        connection.close()


def test_redact_hides_the_token_wherever_it_appears():
    line = ('127.0.0.1 - - "GET /invitation/abc-DEF_123?x=1 HTTP/1.1" 404 "'
            'https://counsel.example.org/invitation/abc-DEF_123" "/invitation/"')
    assert redact(line) == ('127.0.0.1 - - "GET /invitation/[redacted]?x=1 HTTP/1.1" 404 "'
                            'https://counsel.example.org/invitation/[redacted]" "/invitation/"')


def test_gunicorn_with_the_shipped_config_never_logs_the_token(database, tmp_path):
    token = secrets.token_urlsafe(32)
    env = clean_environment(COUNSEL_DATABASE_URL=database(),
                            COUNSEL_SECRET_KEY=secrets.token_urlsafe(48))
    with gunicorn(env, tmp_path, workers=1) as port:
        visit(port, token)
    access = (tmp_path / "access.log").read_text()
    assert access.count("/invitation/[redacted]") >= 4, access  # 2 request lines, 2 referers
    assert "/static/css/counsel.css" in access
    for log in ("access.log", "error.log"):
        assert token not in (tmp_path / log).read_text()


def test_the_development_server_never_logs_the_token(database, caplog):
    app = create_app(make_config(database(), TESTING=False))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = secrets.token_urlsafe(32)
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            visit(server.server_port, token)
    finally:
        server.shutdown()
        thread.join(5)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged.count("/invitation/[redacted]") >= 2, logged
    assert token not in logged


def test_the_apps_own_error_log_never_holds_the_token(database, caplog):
    create_app(make_config(database()))
    with caplog.at_level(logging.ERROR, logger="counsel"):
        logging.getLogger("counsel").error("Exception on %s [%s]", "/invitation/s3cret", "POST")
    assert caplog.records[-1].getMessage() == "Exception on /invitation/[redacted] [POST]"
