"""A social worker's flow in a real browser without JavaScript: collect three offers, switch
language, print the Arabic–German referral sheet to PDF, and share the list."""
from __future__ import annotations

import re

import pytest

from .screenshots import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_collect_print_and_share_a_list(chromium, page, live_server, artifacts):
    page.goto(live_server + "/de/search?q=Beratung")
    titles = []
    for index in range(3):
        card = page.locator(".offer-card").nth(index)
        titles.append(card.locator(".offer-card-title").inner_text())
        card.get_by_role("button", name="Zu meiner Liste").click()
        page.wait_for_url("**/de/search?q=Beratung")
    assert page.locator(".my-list .badge").inner_text() == "3"

    page.locator("a.languages").click()
    page.locator(".language-choice button[value='ar']").click()
    page.wait_for_url("**/ar/search?q=Beratung")
    assert page.locator(".my-list .badge").inner_text() == "3", "the list survives the switch"
    page.goto(live_server + "/ar/list")
    assert page.locator(".shortlist .offer-card").count() == 3

    # A German-speaking social worker chooses Arabic for the client: the choice is kept.
    page.goto(live_server + "/de/list")
    page.select_option("#client", "ar")
    page.locator("form[action$='/list'] button").click()
    page.wait_for_url("**/de/list?client=ar")
    page.get_by_role("link", name="Blatt zum Drucken zeigen").click()
    page.wait_for_url("**/de/list/sheet")
    assert page.locator(".no-print-button").is_visible(), "without JavaScript: how to print"
    entries = page.locator(".sheet-entry")
    assert entries.count() == 3
    first = entries.first
    assert first.locator(".sheet-column[lang=ar][dir=rtl]").count() == 1
    assert first.locator(".sheet-column[lang=de][dir=ltr]").count() == 1
    assert first.locator(".sheet-qr svg").count() == 1
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    screenshot(page, path=str(artifacts / "sheet-ar-de-print.png"), full_page=False)
    pdf = page.pdf(path=str(artifacts / "sheet-ar-de.pdf"), format="A4",
                   print_background=True)
    assert pdf.startswith(b"%PDF")

    page.emulate_media(media="screen")
    page.goto(live_server + "/de/list")
    assert page.locator("#client").input_value() == "ar", "remembered after the sheet"
    share_url = page.locator("input.share-url").input_value()
    assert re.search(r"/ar/list/shared\?ids=", share_url)
    other = chromium.new_context(java_script_enabled=False, locale="uk")
    stranger = other.new_page()
    assert other.cookies() == []
    stranger.goto(share_url.replace("/ar/", "/uk/"))
    assert stranger.locator(".offer-card").count() == 3
    assert stranger.locator("html").get_attribute("lang") == "uk"
    other.close()


def test_with_javascript_the_list_updates_in_place(chromium, live_server):
    context = chromium.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(live_server + "/de/search?q=Deutschkurs")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    card = page.locator(".offer-card").first
    card.get_by_role("button", name="Zu meiner Liste").click()
    page.locator(".my-list .badge", has_text="1").wait_for()
    assert card.get_by_role("button", name="Auf meiner Liste – entfernen").count() == 1
    assert loads == [], "no page load"
    card.get_by_role("button", name="Auf meiner Liste – entfernen").click()
    page.locator(".my-list .badge", has_text="0").wait_for()
    context.close()


def test_with_javascript_the_sheet_has_a_print_button(chromium, live_server, artifacts):
    context = chromium.new_context(locale="ar", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/ar/search?q=Deutschkurs")
    page.locator(".offer-card").first.locator("button[name=offer]").click()
    page.locator(".my-list .badge", has_text="1").wait_for()
    page.goto(live_server + "/ar/list/sheet")
    button = page.locator("button.print-button")
    assert button.is_visible() and not page.locator(".no-print-button").is_visible()
    page.evaluate("window.print = () => { window.printed = true; }")
    button.click()
    assert page.evaluate("window.printed === true")
    screenshot(page, path=str(artifacts / "sheet-ar-phone.png"), full_page=False)
    context.close()


def test_emptying_the_list_asks_first(page, live_server):
    page.goto(live_server + "/de/search?q=Beratung")
    page.locator(".offer-card").first.get_by_role("button", name="Zu meiner Liste").click()
    page.wait_for_url("**/de/search?q=Beratung")
    page.goto(live_server + "/de/list")
    confirm = page.get_by_role("button", name="Ja, Liste leeren")
    assert not confirm.is_visible(), "one click does not empty the list"
    page.get_by_text("Liste leeren", exact=True).click()
    confirm.click()
    page.wait_for_url("**/de/list")
    assert page.locator(".my-list .badge").inner_text() == "0"


def test_quick_clicks_on_a_slow_line_keep_every_offer(chromium, live_server):
    """Three offers added 250 ms apart while each answer takes 400 ms: every change must go
    out with the list of the one before (the list is a cookie), not undo it."""
    context = chromium.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(live_server + "/de/search?category=language-courses")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1})
    cards = page.locator(".offer-card")
    for n in range(3):
        cards.nth(n).get_by_role("button", name="Zu meiner Liste").click()
        page.wait_for_timeout(250)
    page.locator(".my-list .badge", has_text="3").wait_for(timeout=15000)
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    page.goto(live_server + "/de/list")
    assert page.locator(".my-list .badge").inner_text().strip() == "3"
    context.close()
