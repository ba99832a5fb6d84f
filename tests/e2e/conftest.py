"""Browser journeys: a live counsel on a free local port, driven by Playwright through
Debian's Chromium (Playwright cannot download browsers here), with axe-core on every page."""

import os
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from counsel import create_app
from counsel.extensions import db

from .. import factories
from ..conftest import make_config

CHROMIUM = os.environ.get("COUNSEL_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture
def live_app(database):
    """The real app, CSRF on, served by a werkzeug server in a thread."""
    app = create_app(make_config(database(), WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        factories.bind(db.session)
        yield app
        db.session.remove()
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_url(live_app):
    return live_app.config["LIVE_URL"]


class Accessibility:
    """Runs axe-core on a page and fails on serious or critical violations."""

    def __init__(self):
        self.axe = Axe()
        self.checked = []

    def check(self, page):
        # A click that opens a page returns once the page has started to load: axe must
        # see all of it (on a busy machine it once ran on a page with no document yet).
        page.wait_for_load_state()
        results = self.axe.run(page)
        bad = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
        summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
        assert not bad, f"{page.url}: {summary}"
        self.checked.append(page.url)


@pytest.fixture
def a11y():
    return Accessibility()


@pytest.fixture
def sign_in(live_url):
    def sign_in(page, email, password=factories.PASSWORD):
        page.goto(live_url + "/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    return sign_in
