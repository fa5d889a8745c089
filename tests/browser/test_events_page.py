"""The events page in a phone's browser without JavaScript, in German and Arabic: dates by day,
the filter form, an event's page and its "add to calendar" file; screenshots saved."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from wegweiser import db
from wegweiser.search import rebuild_index

from ..event_factory import add_event, days_ahead
from .screenshots import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def events_server(app):
    with app.app_context():
        session = db.session()
        add_event(session, "netzwerktreffen", {"de": "Netzwerktreffen der Initiativen",
                                               "ar": "لقاء شبكة المبادرات"},
                  days_ahead(1, 18), rrule="FREQ=WEEKLY", categories=["network-meeting"],
                  areas=["volkmarsdorf"], languages=["de", "ar"], street="Eisenbahnstraße 1",
                  descriptions={"de": "Alle Initiativen im Osten tauschen sich aus: "
                                      "Neuigkeiten, Termine, Bedarfe."},
                  offer="a-sprachwerk-sprachcafe")
        add_event(session, "frauencafe", {"de": "Frauencafé mit Kinderbetreuung"},
                  days_ahead(2, 10), target_groups=["women"], areas=["connewitz"],
                  languages=["fa", "ar"], registration_needed=True,
                  organisation="a-lernwerkstatt-connewitz")
        add_event(session, "online-info", {"de": "Online-Infoabend: Aufenthalt und Arbeit",
                                           "ar": "أمسية معلومات عبر الإنترنت: الإقامة والعمل"},
                  days_ahead(2, 19), online=True, cost="free",
                  categories=["asylum-legal-advice"], languages=["ar", "de"])
        rebuild_index(db.session())
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide"


@pytest.mark.parametrize("lang, direction", [("de", "ltr"), ("ar", "rtl")])
def test_the_events_page_on_a_phone(chromium, events_server, artifacts, lang, direction):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale=lang)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{events_server}/{lang}/events")
    assert page.locator("html").get_attribute("dir") == direction
    assert page.locator(".event-day h2").count() >= 3
    assert page.locator(".event-card").count() >= 5
    no_sideways_scroll(page)
    screenshot(page, path=str(artifacts / f"events-{lang}-360.png"), full_page=True)
    screenshot(page, path=str(artifacts / f"events-{lang}-360-top.png"))
    page.locator(".event-day").first.scroll_into_view_if_needed()
    screenshot(page, path=str(artifacts / f"events-{lang}-360-first-day.png"))
    assert all(url.startswith(events_server) for url in requests), "nothing from elsewhere"

    # Filter by a category without JavaScript: the form is sent as a GET request.
    page.locator(".event-filter-more summary").click()  # the filters open without scripts
    page.select_option("#filter-category", "network-meeting")
    page.locator(".event-filters button[type=submit]").click()
    page.wait_for_url("**/events?**category=network-meeting**")
    titles = page.locator(".event-card-title").all_inner_texts()
    mine = "Netzwerktreffen der Initiativen" if lang == "de" else "لقاء شبكة المبادرات"
    assert mine in titles
    assert not {"Frauencafé mit Kinderbetreuung", "Online-Infoabend: Aufenthalt und Arbeit",
                "أمسية معلومات عبر الإنترنت: الإقامة والعمل"} & set(titles)
    assert page.locator("#filter-category").input_value() == "network-meeting"
    assert page.locator(".event-filter-more").get_attribute("open") is not None
    screenshot(page, path=str(artifacts / f"events-{lang}-360-filtered.png"), full_page=True)

    page.locator(".event-card-title a[href$='/events/netzwerktreffen']").first.click()
    page.wait_for_url("**/events/netzwerktreffen")
    assert page.locator(".event-dates li").count() == 10
    no_sideways_scroll(page)
    screenshot(page, path=str(artifacts / f"event-{lang}-360.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("a[href$='/calendar.ics']").click()
    assert download.value.suggested_filename == "netzwerktreffen.ics"
    context.close()
