"""Real servers for the tests that check counsel as deployed: gunicorn with the shipped
``counsel.gunicorn_conf``, and nginx with the site configuration from docs/deploying.md.
Each runs in its own process group and is stopped (never left behind) when the block ends."""

import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOYING = ROOT / "docs" / "deploying.md"
PROXY_ADDRESS = "127.0.0.3"  # where nginx connects to gunicorn from, in these tests


def _ephemeral_ports_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A local port nothing listens on, for a server about to start on it. It is drawn at
    random from below the kernel's ephemeral range, where neither ``bind(0)`` nor an
    outgoing connection (this run makes thousands, to PostgreSQL and Redis) takes ports:
    so the port is not taken between this check and the server's start, and two runs at
    once (scripts/test-all runs its SQLite and PostgreSQL passes together) are most
    unlikely to draw the same one."""
    top = _ephemeral_ports_start()
    draw = random.SystemRandom()  # not the global generator, which tests may seed alike
    bottom = max(1024, top - 20000)
    for _ in range(200):
        port = draw.randrange(bottom, top)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {bottom} and {top}")


def clean_environment(**settings: str) -> dict:
    """This process's environment without any COUNSEL_* setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNSEL_")}
    env.update(settings)
    return env


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} in {timeout} s:\n{_tail(log)}")


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@contextlib.contextmanager
def gunicorn(env: dict, logs: Path, *options: str, workers: int = 2, port: int | None = None):
    """Serves ``counsel:create_app()`` on ``port`` (a free one by default) and yields it.
    The access and error logs go to ``logs/access.log`` and ``logs/error.log``."""
    port = port or free_port()
    logs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "gunicorn", "-c", "python:counsel.gunicorn_conf",
               "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--access-logfile", str(logs / "access.log"),
               "--error-logfile", str(logs / "error.log"), *options, "counsel:create_app()"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, proc, logs / "error.log")
        yield port
    finally:
        _stop(proc)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def nginx_site_from_docs() -> str:
    """The ``nginx`` block of docs/deploying.md, exactly as a reader would copy it."""
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOYING.read_text(), re.S)
    assert len(blocks) == 1, "docs/deploying.md must hold exactly one nginx block"
    return blocks[0]


@contextlib.contextmanager
def nginx(upstream_port: int, certificate: Path, key: Path, logs: Path, port: int | None = None):
    """nginx with the guide's site configuration, its names and paths pointed at this
    test's: TLS on ``port`` in front of gunicorn on ``upstream_port``. Yields the port."""
    port = port or free_port()
    logs.mkdir(parents=True, exist_ok=True)
    site = (nginx_site_from_docs()
            .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
            .replace("listen [::]:443 ssl;", "")
            .replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
            .replace("listen [::]:80;", "")
            .replace("server_name counsel.example.org;", "server_name localhost;")
            .replace("/etc/ssl/counsel/fullchain.pem", str(certificate))
            .replace("/etc/ssl/counsel/privkey.pem", str(key))
            # As if nginx ran on another machine: gunicorn sees 127.0.0.3 as the peer.
            .replace("proxy_pass http://127.0.0.1:8000;",
                     f"proxy_pass http://127.0.0.1:{upstream_port}; proxy_bind {PROXY_ADDRESS};")
            .replace("/var/log/nginx/counsel.access.log", str(logs / "nginx-access.log"))
            .replace("/var/log/nginx/counsel.error.log", str(logs / "nginx-error.log")))
    assert str(certificate) in site and str(logs) in site and str(upstream_port) in site
    conf = logs / "nginx.conf"
    conf.write_text(f"""
daemon off;
worker_processes 1;
pid {logs}/nginx.pid;
error_log {logs}/nginx-main-error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {logs}/body;
    proxy_temp_path {logs}/proxy;
    fastcgi_temp_path {logs}/fastcgi;
    uwsgi_temp_path {logs}/uwsgi;
    scgi_temp_path {logs}/scgi;
    types {{ text/html html; text/css css; application/javascript js; }}
{site}
}}
""")
    command = [nginx_binary(), "-p", str(logs), "-c", str(conf), "-e",
               str(logs / "nginx-main-error.log")]
    if os.geteuid() == 0:  # workers would otherwise switch to "nobody" and lose the files
        conf.write_text(conf.read_text().replace("daemon off;", "daemon off;\nuser root;"))
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, proc, logs / "nginx-main-error.log")
        yield port
    finally:
        _stop(proc)
