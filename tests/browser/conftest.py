"""A live server for the demo app and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..conftest import unavailable

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def expect(chromium):
    """Playwright's retrying assertions: after a click that submits a form, the next page
    may not be parsed yet; ``expect(locator)`` waits for it, ``locator.count()`` does not."""
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect


@pytest.fixture(scope="session")
def live_server(demo_app):
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def server(app):
    """A live server for the per-test ``app`` (tests that change data), its index current: built
    if there is none, otherwise (the demo directory's copy) brought up to date."""
    from wegweiser import db
    from wegweiser.search import search_service

    with app.app_context():
        search_service().catch_up(db.session(), fully=True)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def page(chromium, live_server):
    """A page without JavaScript that records every request it makes."""
    context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                   viewport={"width": 390,
                                                                          "height": 844})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
