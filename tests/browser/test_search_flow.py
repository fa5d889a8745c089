"""In a real browser, without JavaScript: search, filter by district, open an offer."""
from __future__ import annotations

import pytest

from .screenshots import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_search_filter_by_district_and_open_an_offer(page, live_server, artifacts):
    page.goto(live_server + "/")
    assert page.url.endswith("/de/")
    page.get_by_label("Was suchen Sie?").fill("Deutschkurs")
    page.keyboard.press("Enter")
    page.wait_for_url("**/de/search?q=Deutschkurs")
    assert "Deutschkurs" in page.locator("h1").inner_text()

    # Ortsteile open under their Stadtbezirk once it is chosen.
    assert page.locator(".filters a.facet-option", has_text="Connewitz").count() == 0
    page.locator('.filters a.facet-option[href$="area=sued"]').click()
    page.wait_for_url("**area=sued**")
    page.locator(".filters a.facet-option", has_text="Connewitz").first.click()
    page.wait_for_url("**area=connewitz**")
    chip = page.locator(".chips a.chip", has_text="Connewitz")
    assert chip.count() == 1
    screenshot(page, path=str(artifacts / "search-deutschkurs-connewitz.png"), full_page=True)

    first = page.locator(".result-list .offer-card-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/de/offers/**")
    assert page.locator("h1").inner_text() == title
    facts = page.locator(".offer-facts").inner_text()
    for label in ("Für wen", "Wo", "Wann", "Kosten"):
        assert label in facts
    assert page.locator("a[href^='https://www.openstreetmap.org/']").count() == 1
    screenshot(page, path=str(artifacts / "offer-page.png"), full_page=True)

    assert all(url.startswith(live_server) for url in page.requests), \
        "the site requests nothing from other sites"


def test_pages_fit_a_360_pixel_wide_phone(chromium, live_server):
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ("/de/", "/de/search?q=Beratung&area=sued", "/en/search?category=health"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    context.close()
