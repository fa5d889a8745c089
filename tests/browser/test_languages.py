"""What only a browser shows of the languages: right-to-left layout, the language switcher,
and the notice on an entry that exists only in German."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from wegweiser import db
from wegweiser.search import rebuild_index
from wegweiser.services.setup import import_files

from ..conftest import DATA
from .screenshots import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_arabic_results_page_is_right_to_left(chromium, live_server, artifacts):
    context = chromium.new_context(viewport={"width": 1100, "height": 900}, locale="ar")
    page = context.new_page()
    page.goto(live_server + "/ar/search?q=دورة لغة ألمانية&area=sued")
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    results = page.locator(".results").bounding_box()
    filters = page.locator(".filters").bounding_box()
    assert filters["x"] > results["x"], "the filter column sits on the right"
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > 550, "the site name starts at the right"
    chip = page.locator(".chips .chip").first.bounding_box()
    assert chip["x"] + chip["width"] > 1000, "chips start at the right"
    direction = page.locator("ol.result-list").evaluate("e => getComputedStyle(e).direction")
    assert direction == "rtl"
    screenshot(page, path=str(artifacts / "arabic-results-rtl.png"), full_page=True)
    context.close()


def test_language_switcher_keeps_query_and_filters(page, live_server):
    page.goto(live_server + "/de/search?q=Beratung&area=sued&free=1")
    page.locator("a.languages").click()
    page.locator(".language-choice button[value='uk']").click()
    page.wait_for_url("**/uk/search?**")
    assert "q=Beratung" in page.url and "area=sued" in page.url and "free=1" in page.url
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.locator(".chips .chip:not(.chip-clear)").count() == 2
    assert page.locator("input[name=q]").first.input_value() == "Beratung"


@pytest.fixture
def german_only_server(app):
    with app.app_context():
        assert import_files([DATA / "valid.json"], "import:test").ok
        rebuild_index(db.session())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_german_only_offer_in_farsi_shows_the_notice(chromium, german_only_server,
                                                      artifacts):
    context = chromium.new_context(java_script_enabled=False, locale="fa")
    page = context.new_page()
    page.goto(german_only_server + "/fa/offers/telefon-hotline")
    assert page.locator("html").get_attribute("dir") == "rtl"
    notice = page.locator("p.notice[role=note]")
    assert notice.count() == 1
    assert "آلمانی" in notice.inner_text(), "names the language, in Persian"
    title = page.locator("h1")
    assert title.get_attribute("lang") == "de" and title.get_attribute("dir") == "ltr"
    screenshot(page, path=str(artifacts / "farsi-german-only-offer.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("lang, direction, script_sample", [
    ("ps", "rtl", "پښتو"), ("ckb", "rtl", "کوردی"), ("prs", "rtl", "دری"),
    ("ti", "ltr", "ትግርኛ"), ("kmr", "ltr", "Kurmancî"), ("so", "ltr", "Soomaali")])
def test_the_new_languages_on_a_phone(chromium, live_server, artifacts, lang, direction,
                                      script_sample):
    """Pashto, Sorani and Dari read right to left, Tigrinya in Ethiopic letters from a font
    that has them; every page fits 360 px and the language page lists all fourteen."""
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + f"/{lang}/search?q=Deutsch")
    html = page.locator("html")
    assert html.get_attribute("lang") == lang and html.get_attribute("dir") == direction
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("a.languages").inner_text().strip().endswith(script_sample)
    if lang == "ti":
        assert page.evaluate("document.fonts.check('16px \"Noto Sans Ethiopic\"', 'ትግርኛ')")
        heading = page.locator("h1").first.inner_text()
        assert any("\u1200" <= char <= "\u137f" for char in heading), heading
    screenshot(page, path=str(artifacts / f"results-{lang}-phone.png"), full_page=False)
    page.locator("a.languages").click()
    page.wait_for_url("**/language?**")
    assert page.locator(".language-choice button").count() == 14
    page.locator(".language-choice button[value='de']").click()
    page.wait_for_url("**/de/search?q=Deutsch")
    context.close()
