"""A live, threaded werkzeug server for tests that need requests truly in parallel."""

import http.client
import threading
from contextlib import contextmanager
from urllib.parse import urlencode

from werkzeug.serving import make_server


@contextmanager
def live_server(app):
    """Serves ``app`` on a free local port; yields its port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join()


def post(port: int, path: str, data: dict, cookie: str | None = None):
    """One form POST; returns (status, headers). Redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request("POST", path, body=urlencode(data), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def sign_in(port: int, email: str, password: str) -> str:
    """Signs in over HTTP; returns the session cookie to send back."""
    status, headers = post(port, "/sign-in", {"email": email, "password": password})
    assert status == 302, status
    return headers["Set-Cookie"].split(";", 1)[0]


def together(count: int, action) -> list:
    """Runs ``action(n)`` in ``count`` threads released at the same moment."""
    gate = threading.Barrier(count)
    results: list = [None] * count

    def one(n):
        gate.wait()
        results[n] = action(n)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
