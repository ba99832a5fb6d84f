"""Driving a live counsel: gunicorn on 127.0.0.1, real sign-ins through the form, wrk for
throughput and latency, and a bounded thread driver for many concurrent autosave writers."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """A cookie-keeping HTTP client, enough to sign in and post JSON."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        headers = {"Cookie": self.cookie, **(headers or {})}
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # gunicorn's sync workers close after each response
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read().decode("utf-8", "replace")  # a PDF download too
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                self.cookie = value.split(";")[0]
        return response.status, data

    def sign_in(self, email: str, password: str) -> "Browser":
        _, page = self.request("GET", "/sign-in")
        status, page = self.request(
            "POST", "/sign-in",
            urlencode({"email": email, "password": password,
                       "csrf_token": CSRF.search(page).group(1)}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise SystemExit(f"sign-in as {email} failed with {status}")
        return self

    def work_page(self, path: str) -> tuple[str, int]:
        """The CSRF token and the draft version a client's work page starts from."""
        status, page = self.request("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
        version = re.search(r'name="base_version" type="hidden" value="(\d*)"', page)
        return CSRF.search(page).group(1), int(version.group(1) or 0) if version else 0


class Server:
    """gunicorn with sync workers (or threads) serving counsel from this checkout."""

    def __init__(self, database_url: str, workers: int = 4, threads: int = 1):
        self.port = _free_port()
        env = {**os.environ, "COUNSEL_DATABASE_URL": database_url,
               "COUNSEL_SECRET_KEY": "bench-" + "s" * 40,
               "COUNSEL_SIGN_IN_LIMIT": "100000 per minute", "PYTHONPATH": ROOT}
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
                   "--timeout", "120"]
        if threads > 1:
            command += ["--threads", str(threads)]
        self.process = subprocess.Popen([*command, "counsel:create_app()"], cwd=ROOT, env=env)
        for _ in range(200):
            try:
                if Browser(self.port).request("GET", "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("gunicorn did not answer /health")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed. On Debian or Ubuntu: apt-get install -y wrk")
    return path


DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""

AUTOSAVE = """
local targets = {%(targets)s}
local n = 0
function setup(thread)
  n = n + 1
  local t = targets[(n - 1) %% #targets + 1]
  thread:set("aid", t[1]); thread:set("prompts", t[2]); thread:set("version", t[3])
end
local counter = 0
function request()
  counter = counter + 1
  local answers = {'"draft ' .. counter .. ' ' .. string.rep("word ", 60) .. '"'}
  for i = 2, prompts do answers[i] = '""' end
  local body = '{"answers": [' .. table.concat(answers, ",") .. '], "base_version": '
    .. version .. '}'
  return wrk.format("POST", "/my/assignments/" .. aid .. "/draft", nil, body)
end
function response(status, headers, body)
  local v = body:match('"version":%%s*(%%d+)')
  if v then version = tonumber(v) end
end
"""


def wrk(port: int, path: str, cookie: str, seconds: float, *, connections: int = 4,
        threads: int = 2, csrf: str | None = None, autosave: list | None = None) -> dict:
    """One wrk run: requests/s, p50 and p95 in ms, and failed requests (non-2xx/3xx)."""
    headers = {"Cookie": cookie}
    script = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
    if autosave:
        script += ('wrk.headers["Content-Type"] = "application/json"\n'
                   f'wrk.headers["X-CSRFToken"] = "{csrf}"\n')
        script += AUTOSAVE % {"targets": ", ".join(f"{{{a}, {p}, {v}}}" for a, p, v in autosave)}
        threads = connections = len(autosave)  # one connection per thread: versions stay in step
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + DONE)
    try:
        out = subprocess.run(
            [require_wrk(), "-t", str(threads), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", f.name,
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    requests, duration, p50, p95, errors = map(int, out.split("RESULT")[1].split())
    return {"rps": requests / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000,
            "errors": errors, "requests": requests}


def writers(port: int, sessions: list[dict], seconds: float, period: float | None) -> dict:
    """Each writer (browser, csrf, aid, prompts, version) saves every ``period`` seconds (or flat
    out when None) for ``seconds``. Returns save times in ms and the failures."""
    times, failures, lock = [], [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(index, writer):
        browser, csrf, aid, prompts = (writer[k] for k in ("browser", "csrf", "aid", "prompts"))
        counter = 0
        headers = {"Content-Type": "application/json", "X-CSRFToken": csrf}
        next_at = time.monotonic() + (period or 0) * index / len(sessions)
        while True:
            if period:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += period
            if time.monotonic() >= stop_at:
                return
            counter += 1
            body = json.dumps({"answers": [f"save {counter} " + "word " * 60]
                               + [""] * (prompts - 1), "base_version": writer["version"]})
            start = time.perf_counter()
            status, data = browser.request("POST", f"/my/assignments/{aid}/draft", body,
                                           headers)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if status == 200:
                    times.append(elapsed)
                else:
                    failures.append(f"{status} after {elapsed:.0f} ms: {data[:80]}")
            if status in (200, 409):
                writer["version"] = json.loads(data)["version"]

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(times)
    return {"saves": len(times), "p50": statistics.median(ordered) if ordered else 0,
            "p95": ordered[int(len(ordered) * .95) - 1] if ordered else 0,
            "max": ordered[-1] if ordered else 0,
            "failures": failures[:5], "failed": len(failures)}
