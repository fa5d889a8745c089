"""Offline and installable, in Chromium: from the second page view a service worker keeps the
start page, the list, the offers on it and the pages opened; when the server can no longer be
reached they still open, with a note saying when they were saved. The first visit registers
nothing and fetches nothing extra.

The network is cut by stopping the page's own server (Playwright's offline switch does not
reach a service worker's requests in Chromium)."""
from __future__ import annotations

import threading
import time

import pytest
from werkzeug.serving import make_server

from .screenshots import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

PAGES_CACHE = "wegweiser-pages-v1"
OFFLINE_NOTE = {"de": "Sie sind offline", "ar": "أنت غير متصل"}
NOT_SAVED = {"de": "nicht gespeichert", "ar": "لم تُحفظ"}


@pytest.fixture
def own_server(demo_app):
    """A server of the page's own, so that the test can cut it off."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    server.stop = stop
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    if thread.is_alive():
        stop()


def wait_until(page, script: str, seconds: float = 30.0) -> None:
    """Poll ``script`` in the page (wait_for_function evaluates a string, which the site's
    Content-Security-Policy forbids), bounded in time: 30 s, as a service worker that saves a
    page in the background on a machine busy with the rest of the suite took more than 10."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def saved_urls(page) -> list[str]:
    return page.evaluate(
        f"caches.open('{PAGES_CACHE}').then(c => c.keys()).then(k => k.map(r => r.url))")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_saved_pages_open_without_a_network(chromium, own_server, artifacts, lang):
    base = own_server.url
    context = chromium.new_context(locale="de-DE", viewport={"width": 360, "height": 740},
                                   service_workers="allow")
    page = context.new_page()
    try:
        page.goto(f"{base}/{lang}/")
        assert page.evaluate("navigator.serviceWorker.getRegistrations()"
                             ".then(r => r.length)") == 0, "nothing on the first visit"
        assert page.locator("link[rel=manifest]").count() == 0
        assert page.locator(".offline-note").count() == 1
        assert not page.locator(".offline-note").is_visible(), "online: no note, no empty bar"
        assert page.locator(".offline-note").bounding_box() is None

        page.goto(f"{base}/{lang}/search?q=Deutschkurs")
        assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        manifest = page.evaluate(
            "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
        assert manifest["start_url"] == f"/{lang}/"
        assert manifest["lang"] == lang
        assert manifest["dir"] == ("rtl" if lang == "ar" else "ltr")

        # Add the first result to the list (in the background, by the page's script).
        first = page.locator(".offer-card").first
        offer_url = first.locator(".offer-card-title a").get_attribute("href")
        title = first.locator(".offer-card-title").inner_text()
        first.locator("button[name=offer]").click()
        wait_until(page, "document.querySelector('.my-list .badge').textContent == '1'")

        page.goto(f"{base}/{lang}/")  # now under the worker: the start page is saved
        page.goto(f"{base}/{lang}/list")
        for url in (f"{base}{offer_url}", f"{base}/{lang}/list/sheet"):
            wait_until(page, f"caches.open('{PAGES_CACHE}').then(c => c.match('{url}'))"
                             ".then(r => !!r)")
        organisation_url = None
        saved = saved_urls(page)
        assert f"{base}/{lang}/" in saved and f"{base}/{lang}/list" in saved
        assert f"{base}/{lang}/list/sheet" in saved
        page.goto(f"{base}{offer_url}")
        organisation_url = page.locator("a[href*='/organisations/']").first.get_attribute(
            "href")

        own_server.stop()

        page.goto(f"{base}/{lang}/list")
        assert page.locator(".shortlist .offer-card-title").first.inner_text() == title
        note = page.locator(".offline-note")
        assert note.is_visible()
        assert OFFLINE_NOTE[lang] in note.inner_text()
        assert any(char.isdigit() for char in note.inner_text()), "when it was saved"
        screenshot(page, path=str(artifacts / f"offline-list-{lang}-360.png"), full_page=True)

        page.goto(f"{base}{offer_url}")
        assert page.locator("h1").inner_text() == title
        assert page.locator(".offline-note").is_visible()

        # A page never opened: the start page stands in, and says so.
        never = f"{base}/{lang}/organisations/not-opened-before"
        if organisation_url and f"{base}{organisation_url}" not in saved_urls(page):
            never = f"{base}{organisation_url}"
        page.goto(never)
        assert NOT_SAVED[lang] in page.locator(".offline-note").inner_text()
        assert page.locator(".offline-note").is_visible()
        screenshot(page, path=str(artifacts / f"offline-missing-{lang}-360.png"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
    finally:
        context.close()
