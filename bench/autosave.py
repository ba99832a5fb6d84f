"""Autosave round-trip: a client's draft saved over real HTTP to a live counsel.

Prints median and 95th-percentile times for a short answer and for a letter at the
50,000-character limit, and their ratio measured in the same run (this machine is shared,
so compare ratios, not absolute numbers). Run: .venv/bin/python bench/autosave.py [N]
Set COUNSEL_BENCH_DATABASE_URL to a PostgreSQL URL to measure there (it must be migrated).
"""

import http.client
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

from flask_migrate import upgrade
from werkzeug.serving import make_server

from counsel import create_app
from counsel.assignments import operations
from counsel.auth.passwords import hash_password
from counsel.extensions import db
from counsel.library.loader import sync_library
from counsel.models import Client, Exercise, User

PASSWORD = "benchmark password 1"


def seed(app):
    with app.app_context():
        upgrade()
        sync_library()
        counselor = User(email="c@bench.example.org", name="C", role="counselor",
                         password_hash=hash_password(PASSWORD))
        user = User(email="a@bench.example.org", name="A", role="client",
                    password_hash=hash_password(PASSWORD))
        client = Client(user=user, counselor=counselor)
        db.session.add_all([counselor, client])
        db.session.flush()
        letter = db.session.scalars(db.select(Exercise).where(
            Exercise.slug == "apology-letter")).one()
        assignment = operations.assign(counselor, client, letter, due_date=None, note=None)
        db.session.commit()
        return assignment.id


class Browser:
    """A tiny cookie-keeping HTTP client, enough to sign in and post JSON."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        headers = {"Cookie": self.cookie, **(headers or {})}
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                self.cookie = value.split(";")[0]
        return response.status, data.decode()


def main(rounds: int) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    folder = tempfile.mkdtemp()
    url = os.environ.get("COUNSEL_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b" * 40,
                      "SIGN_IN_LIMIT": "1000 per minute"})
    assignment_id = seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = Browser(server.server_port)
    _, page = browser.request("GET", "/sign-in")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    browser.request("POST", "/sign-in", urlencode({"email": "a@bench.example.org",
                    "password": PASSWORD, "csrf_token": token}),
                    {"Content-Type": "application/x-www-form-urlencoded"})
    _, page = browser.request("GET", f"/my/assignments/{assignment_id}")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    version = 0

    def timed_save(text):
        nonlocal version
        body = json.dumps({"answers": [text], "base_version": version})
        start = time.perf_counter()
        status, data = browser.request("POST", f"/my/assignments/{assignment_id}/draft", body,
                                       {"Content-Type": "application/json",
                                        "X-CSRFToken": token})
        elapsed = time.perf_counter() - start
        assert status == 200, (status, data[:200])
        version = json.loads(data)["version"]
        return elapsed * 1000

    results = {}
    for label, size in (("short answer (200 chars)", 200), ("letter at limit (50,000)", 50_000)):
        times = [timed_save(str(n % 10) + ("Ж" if n % 2 else "a") * (size - 1))
                 for n in range(rounds)]
        results[label] = times
        print(f"{label:28} median {statistics.median(times):7.2f} ms   "
              f"p95 {statistics.quantiles(times, n=20)[18]:7.2f} ms   ({rounds} saves)")
    short, full = (statistics.median(t) for t in results.values())
    print(f"ratio limit/short (median): {full / short:.2f}x   database: {url.split(':')[0]}")
    server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
