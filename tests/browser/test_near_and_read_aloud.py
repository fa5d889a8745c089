""""Near me" and "Read aloud" in Chromium on a 360-pixel phone, in German and Arabic.

Near me: with the position granted, one click orders the results by distance; the only
position that ever leaves the browser is the rounded one (every request is recorded).
Without JavaScript the part of town is chosen from a list. Read aloud: the button appears
only where the browser has a voice for the page's language, and reads the essentials.
"""
from __future__ import annotations

import re

import pytest

from .screenshots import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

PHONE = {"width": 360, "height": 740}
POSITION = {"latitude": 51.34171, "longitude": 12.37712}  # the unrounded position
ROUNDED = "near=51.340%2C12.375"
SORT = {"de": "Nach Entfernung sortieren", "ar": "الترتيب حسب المسافة"}
USE_POSITION = {"de": "Meinen Standort verwenden", "ar": "استخدام موقعي"}
FROM_POSITION = {"de": "Sortiert nach Entfernung von Ihrem Standort",
                 "ar": "مرتبة حسب المسافة من موقعكم"}
READ_ALOUD = {"de": "Vorlesen", "ar": "قراءة بصوت عالٍ"}
# Speech synthesis with a German and an Arabic voice, recording what it is asked to say.
FAKE_VOICES = """
window.spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  speaking: false,
  getVoices: function () {
    return [{lang: "de-DE", name: "Anna"}, {lang: "ar-SA", name: "Maged"}];
  },
  addEventListener: function () {},
  speak: function (u) { window.spoken.push([u.lang, u.text]); },
  cancel: function () {}
}});
"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


def _shown_km(page) -> list[float]:
    texts = page.locator(".distance").all_inner_texts()
    return [float(re.sub(r"[^\d.,]", "", t).replace(",", ".")) for t in texts]


def _check_width(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_my_position_orders_results_and_only_a_rounded_one_is_sent(chromium, live_server,
                                                                   artifacts, lang):
    context = chromium.new_context(viewport=PHONE, locale="de-DE", geolocation=POSITION,
                                   permissions=["geolocation"])
    page = context.new_page()
    sent = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(f"{live_server}/{lang}/search?q=Beratung")
    page.get_by_role("link", name=SORT[lang]).click()
    page.wait_for_load_state()
    assert "/near?q=Beratung" in page.url
    button = page.get_by_role("button", name=USE_POSITION[lang])
    button.wait_for(state="visible")
    _check_width(page)
    screenshot(page, path=str(artifacts / f"near-choice-{lang}-360.png"), full_page=True)
    with page.expect_navigation():
        button.click()
    assert ROUNDED in page.url and "q=Beratung" in page.url
    assert FROM_POSITION[lang] in page.locator(".near-choice").inner_text()
    km = _shown_km(page)
    assert len(km) >= 10 and km == sorted(km)
    assert page.locator(".distance").first.inner_text().endswith(
        "km" if lang == "de" else "كم")
    # Nothing the browser asked for carried more than the rounded position.
    assert not [url for url in sent if "51.3417" in url or "12.3771" in url], sent
    assert [url for url in sent if ROUNDED in url]
    _check_width(page)
    screenshot(page, path=str(artifacts / f"near-results-{lang}-360.png"), full_page=False)
    context.close()


def test_a_refused_position_leaves_the_choice_of_a_part_of_town(chromium, live_server):
    context = chromium.new_context(viewport=PHONE, locale="de-DE")  # permission not granted
    page = context.new_page()
    page.goto(f"{live_server}/de/near?q=Beratung")
    page.get_by_role("button", name=USE_POSITION["de"]).click()
    page.get_by_role("status").wait_for(state="visible")
    assert "Stadtteil" in page.get_by_role("status").inner_text()
    assert "/de/near" in page.url
    context.close()


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_without_javascript_the_part_of_town_is_chosen_from_a_list(page, live_server, artifacts,
                                                                   lang):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/{lang}/near?q=Beratung")
    assert not page.get_by_role("button", name=USE_POSITION[lang]).is_visible()
    page.locator("select[name=near]").select_option("connewitz")
    _check_width(page)
    screenshot(page, path=str(artifacts / f"near-choice-no-js-{lang}-360.png"), full_page=True)
    page.get_by_role("button", name=SORT[lang]).click()
    page.wait_for_load_state()
    assert "near=connewitz" in page.url and "q=Beratung" in page.url
    km = _shown_km(page)
    assert km and km == sorted(km)
    if lang == "de":
        assert "Sortiert nach Entfernung von Connewitz" in page.locator(".near-choice").inner_text()
    assert not [url for url in page.requests if url.endswith(".js") or ".js?" in url]


def _first_offer(demo_app) -> str:
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.models import PUBLISHED, Offer

    with demo_app.app_context():
        return db.session().scalars(select(Offer.external_id)
                                    .where(Offer.status == PUBLISHED, Offer.lat.is_not(None))
                                    .order_by(Offer.id)).first()


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_read_aloud_reads_the_essentials_where_a_voice_exists(chromium, live_server, demo_app,
                                                              artifacts, lang):
    context = chromium.new_context(viewport=PHONE, locale="de-DE")
    context.add_init_script(FAKE_VOICES)
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/offers/{_first_offer(demo_app)}")
    button = page.get_by_role("button", name=READ_ALOUD[lang])
    button.wait_for(state="visible")
    _check_width(page)
    screenshot(page, path=str(artifacts / f"read-aloud-{lang}-360.png"), full_page=False)
    button.click()  # fetches js/speak.js, which then reads
    for _ in range(100):  # (wait_for_function evaluates a string: the security policy says no)
        spoken = page.evaluate("window.spoken")
        if spoken:
            break
        page.wait_for_timeout(50)
    title = page.locator("h1").inner_text()
    assert spoken[0][1] == title
    texts = " ".join(text for _, text in spoken)
    assert page.locator("address").inner_text().split("\n")[0] in texts
    # Each part in its own language: the address is German on every page.
    assert ["de", page.locator("address").inner_text()] in [list(s) for s in spoken]
    if page.locator("table.hours").count():
        assert page.locator("table.hours th").first.inner_text() in texts
    context.close()


@pytest.mark.parametrize("lang, script", [("ti", FAKE_VOICES), ("de", NO_SPEECH)],
                         ids=["no-voice-for-the-language", "no-speech-synthesis"])
def test_read_aloud_is_hidden_without_a_voice(chromium, live_server, demo_app, lang, script):
    context = chromium.new_context(viewport=PHONE, locale="de-DE")
    context.add_init_script(script)
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/offers/{_first_offer(demo_app)}")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-speak-button]").count() == 1
    assert not page.locator("[data-speak-button]").is_visible()
    context.close()


@pytest.mark.parametrize("path", ["offers/{offer}", "near?q=Beratung"])
def test_a_first_visit_with_javascript_costs_four_requests(chromium, live_server, demo_app,
                                                           path):
    """The page, its stylesheet, shortlist.js and the icons: the code behind "Read aloud" and
    "Use my position" is fetched on their first click, not with the page."""
    context = chromium.new_context(viewport=PHONE, locale="de-DE")
    context.add_init_script(FAKE_VOICES)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server}/de/" + path.format(offer=_first_offer(demo_app)))
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-script]").is_visible(), "the button is offered"
    assert len(requests) <= 4, requests
    context.close()


def test_read_aloud_is_not_offered_without_javascript(page, live_server, demo_app):
    page.goto(f"{live_server}/de/offers/{_first_offer(demo_app)}")
    assert not page.locator("[data-speak-button]").is_visible()
