"""The public pages through the Flask test client."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.i18n import in_language
from wegweiser.models import PUBLISHED, Offer


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_root_follows_the_browsers_language(demo_client):
    assert demo_client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}) \
        .headers["Location"].endswith("/en/")
    assert demo_client.get("/", headers={"Accept-Language": "de-DE"}).headers["Location"] \
        .endswith("/de/")
    assert demo_client.get("/", headers={"Accept-Language": "sw"}).headers["Location"] \
        .endswith("/de/")


def test_start_page_has_search_box_and_category_tiles(demo_client):
    page = text_of(demo_client.get("/de/"))
    assert '<html lang="de" dir="ltr">' in page
    assert 'role="search"' in page and 'name="q"' in page
    assert page.count('class="tile"') == 17
    assert "Deutschkurse &amp; Sprachcafés" in page
    assert 'hreflang="en"' in page


def test_search_filter_and_open_an_offer(demo_client, demo_app):
    page = text_of(demo_client.get("/de/search?q=Deutschkurs&area=connewitz"))
    assert "Connewitz" in page
    links = re.findall(r'href="(/de/offers/[^"]+)"', page)
    assert links, "Deutschkurs in Connewitz finds offers"
    offer_page = demo_client.get(links[0])
    assert offer_page.status_code == 200


def test_result_rows_highlight_the_words_found(demo_client):
    page = text_of(demo_client.get("/de/search?q=Deutschkurs"))
    assert "<mark" in page


def test_active_filters_are_removable_chips(demo_client):
    page = text_of(demo_client.get("/de/search?category=health&free=1"))
    chips = re.findall(r'<a class="chip" href="([^"]+)"', page)
    assert len(chips) == 2
    assert any("category" not in c and "free=1" in c for c in chips)
    assert any("free" not in c and "category=health" in c for c in chips)


def test_nothing_found_suggests_removing_a_filter(demo_client):
    page = text_of(demo_client.get("/de/search?q=zzzqqqxxyy&category=health"))
    assert "Nichts gefunden" in page
    assert re.search(r'<a class="chip" href="/de/search\?q=zzzqqqxxyy"', page)


def test_unknown_filter_values_in_a_stale_link_are_ignored(demo_client):
    response = demo_client.get("/de/search?category=gone&page=abc&free=maybe")
    assert response.status_code == 200


def test_offer_page_has_everything_needed_to_go_there(demo_client, demo_app):
    with demo_app.app_context():
        offer = db.session().scalars(select(Offer).where(
            Offer.status == PUBLISHED, Offer.street.is_not(None), Offer.lat.is_not(None),
            Offer.phone.is_not(None))).first()
        external_id, street, phone = offer.external_id, offer.street, offer.phone
        has_hours = bool(offer.opening_hours)
    page = text_of(demo_client.get(f"/de/offers/{external_id}"))
    assert street in page
    assert "openstreetmap.org/?mlat=" in page
    assert f'href="tel:{phone.replace(" ", "")}"' in page
    if has_hours:
        assert re.search(r"(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag)", page)
    for heading in ("Für wen", "Wo", "Wann", "Kosten", "Barrierefreiheit", "Kontakt"):
        assert f"<dt>{heading}</dt>" in page
    assert re.search(r"\d{1,2}\. \w+ 20\d\d", page), "last verified date, formatted for de"


def test_organisation_page_lists_its_offers(demo_client, demo_app):
    with demo_app.app_context():
        offer = db.session().scalars(select(Offer).where(Offer.status == PUBLISHED)).first()
        org_id = offer.organisation.external_id
        title = offer.translations_of("title")["de"]
    page = text_of(demo_client.get(f"/de/organisations/{org_id}"))
    assert title.replace("&", "&amp;") in page


def test_unknown_pages_get_a_friendly_404(demo_client):
    for url in ("/de/offers/does-not-exist", "/de/nowhere", "/xx/", "/de/organisations/nope"):
        response = demo_client.get(url)
        assert response.status_code == 404
        assert 'href="/de/"' in text_of(response)


def test_an_unexpected_error_gets_a_friendly_500_page(app):
    @app.get("/de/boom")
    def boom():
        raise RuntimeError("internal detail 4711")

    response = app.test_client().get("/de/boom")
    assert response.status_code == 500
    assert "<html" in text_of(response) and "4711" not in text_of(response)


def test_language_switcher_keeps_the_page_and_the_query(demo_client):
    page = text_of(demo_client.get("/de/search?q=Kurs&category=health"))
    assert 'href="/language?next=/de/search?q%3DKurs%26category%3Dhealth"' in page
    answer = demo_client.get("/language", query_string={
        "to": "en", "next": "/de/search?q=Kurs&category=health"})
    assert answer.headers["Location"].endswith("/en/search?q=Kurs&category=health")


def test_health_endpoint(demo_client):
    assert demo_client.get("/health").get_json() == {"status": "ok"}


def test_pages_reference_nothing_on_other_sites(demo_client):
    page = text_of(demo_client.get("/de/search?q=Deutsch"))
    for match in re.findall(r'(?:src|href)="([^"]+)"', page):
        if match.startswith(("http://", "https://")):
            assert "openstreetmap.org" in match or match.startswith("http://localhost/")
    scripts = re.findall(r"<script([^>]*)>", page)
    assert len(scripts) == 1 and re.fullmatch(
        r' src="/static/js/shortlist\.js\?v=[0-9a-f]+" defer'
        r' data-offline="/static/js/offline\.js\?v=[0-9a-f]+"', scripts[0]), \
        "no inline or foreign script"


def test_the_language_switcher_opens_the_same_page_in_another_language(demo_client):
    """One form with a button per language; no JavaScript needed."""
    page = text_of(demo_client.get("/de/search?q=Beratung&area=sued&free=1"))
    link = re.search(r'<a class="languages" href="([^"]+)"', page).group(1)
    assert link == "/language?next=/de/search?q%3DBeratung%26area%3Dsued%26free%3D1"
    assert 'name="to"' not in page, "the languages are on a page of their own"
    choice = text_of(demo_client.get(link.replace("&amp;", "&")))
    assert '<html lang="de" dir="ltr">' in choice
    assert 'name="next" value="/de/search?q=Beratung&amp;area=sued&amp;free=1"' in choice
    assert choice.count('name="to" value=') == len(demo_client.application.config[
        "WEGWEISER_LANGUAGE_LIST"])
    assert '<button name="to" value="ps" lang="ps" class="secondary">پښتو</button>' in choice
    arabic = text_of(demo_client.get("/language?next=/ar/list"))
    assert '<html lang="ar" dir="rtl">' in arabic
    answer = demo_client.get("/language?to=uk&next=/de/search%3Fq%3DBeratung%26area%3Dsued")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/uk/search?q=Beratung&area=sued")
    offer = demo_client.get("/language?to=ar&next=/de/offers/sprachwerk-deutsch-a1-abend")
    assert offer.headers["Location"].endswith("/ar/offers/sprachwerk-deutsch-a1-abend")
    for hostile in ("//evil.example/de/", "https://evil.example/", "/de/nowhere", "/api/v1/offers",
                    "/de/list/clear"):
        answer = demo_client.get("/language", query_string={"to": "fa", "next": hostile})
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/fa/"), hostile
    unknown = demo_client.get("/language?to=xx&next=/de/", headers={"Accept-Language": "ru"})
    assert unknown.headers["Location"].endswith("/ru/")


def test_read_only_pages_share_detached_vocabularies_and_see_changes_after_a_minute(
        ctx, monkeypatch):
    """The search page's vocabularies are read once per process for SHARED_VOCABULARY_SECONDS,
    with every area's parent and children at hand (a detached row cannot load them), and a
    change to the reference data shows once that time has passed."""
    from sqlalchemy import inspect

    from wegweiser.models import Area, Category
    from wegweiser.services import directory

    session = db.session()
    first = directory.reading_vocabularies(session)
    assert directory.reading_vocabularies(session) is first
    category = first.categories[0]
    assert inspect(category).detached
    quarter = first.districts[0].children[0]
    assert quarter.parent is first.districts[0] and quarter.children == []
    assert [a.slug for a in quarter.lineage()] == [quarter.slug, first.districts[0].slug]
    stored = session.get(Category, category.id)
    stored.labels = {**stored.labels, "de": "Neu benannt"}
    session.commit()
    client = ctx.test_client()
    assert client.get(f"/de/search?category={category.slug}&area={quarter.slug}").status_code \
        == 200
    assert directory.reading_vocabularies(db.session()).categories[0].label("de") != \
        "Neu benannt"
    assert "Neu benannt" not in client.get("/de/").get_data(as_text=True)
    later = directory.time.monotonic() + directory.SHARED_VOCABULARY_SECONDS + 1
    monkeypatch.setattr(directory.time, "monotonic", lambda: later)
    assert directory.reading_vocabularies(db.session()).categories[0].label("de") == \
        "Neu benannt"
    assert "Neu benannt" in client.get("/de/").get_data(as_text=True)
    assert db.session().get(Area, quarter.id) is not quarter  # the request's own rows


@pytest.mark.parametrize("lang", ["de", "ar", "uk"])
def test_every_public_page_has_a_plain_title_and_one_heading(demo_client, demo_app, lang,
                                                              monkeypatch):
    """The title is what a tab, a bookmark and a screen reader say first: text only (the
    privacy page once had two of its sections in it, so they were missing from the page)."""
    from .test_page_weight import page_types

    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)  # to add to the list
    for name, pattern in page_types(demo_client, demo_app).items():
        url = pattern.format(lang=lang)
        html = demo_client.get(url).get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title, url
        assert "<" not in title.group(1) and "\n" not in title.group(1).strip(), (url,
                                                                               title.group(1))
        assert title.group(1).strip().endswith("Wegweiser Leipzig"), (url, title.group(1))
        # The large-print card has a heading per language it shows (the reader's and German).
        headings = len(re.findall(r"<h1[ >]", html))
        assert headings == 1 or (name == "large print" and headings == 2), (name, url)


@pytest.mark.parametrize("now, is_open", [
    (datetime(2026, 12, 2, 10, 0), False),  # a Wednesday: "opens Thursday at 14:00"
    (datetime(2026, 12, 3, 16, 0), True),  # a Thursday: "open now, until 17:00"
])
def test_open_now_names_the_note_of_its_hours(demo_app, monkeypatch, now, is_open):
    """The note of the hours ("last admission 16:30") stands beside the status, in the offer's
    language, or a reader comes at 16:45 for "open until 17:00"."""
    from wegweiser import opening
    from wegweiser.web.presenters import open_now_text

    monkeypatch.setattr(opening, "local_now", lambda timezone: now)
    with demo_app.test_request_context("/ar/"), in_language("ar"):
        offer = db.session().scalar(select(Offer).where(
            Offer.external_id == "a-rechtskompass-sprechstunde"))
        state = open_now_text(offer, "Europe/Berlin")
    assert state["open"] is is_open
    assert (state["note"], state["note_lang"], state["note_dir"]) == (
        "letzter Einlass 16:30 Uhr", "de", "ltr")
    page = demo_app.test_client().get("/ar/offers/a-rechtskompass-sprechstunde").get_data(
        as_text=True)
    assert re.search(r'class="open-state[^"]*"[^>]*><strong>[^<]+</strong> <bdi '
                     r'class="slot-note" lang="de" dir="ltr">\(letzter Einlass 16:30 '
                     r'Uhr\)</bdi>', page)


@pytest.mark.parametrize("lang, now, expected", [
    ("de", datetime(2026, 12, 2, 10, 0), "Jetzt geschlossen · öffnet am Donnerstag, 3. "
                                         "Dezember 2026 um 15:00"),
    ("de", datetime(2026, 12, 3, 16, 0), "Jetzt geöffnet, bis 18:00"),
    # The second Thursday: not "opens Thursday", which would be tomorrow a week.
    ("de", datetime(2026, 12, 10, 16, 0), "Jetzt geschlossen · öffnet am Donnerstag, 7. "
                                          "Januar 2027 um 15:00"),
    ("ar", datetime(2026, 12, 10, 16, 0),
     "مغلق الآن · يفتح يوم الخميس، 7 يناير 2027 الساعة 3:00 م"),
])
def test_hours_on_the_first_thursday_of_the_month_say_so(demo_app, monkeypatch, lang, now,
                                                          expected):
    from wegweiser import opening

    monkeypatch.setattr(opening, "local_now", lambda timezone: now)
    page = demo_app.test_client().get(f"/{lang}/offers/a-rechtskompass-duldung").get_data(
        as_text=True)
    assert expected in page
    rule = {"de": "(nur am ersten Donnerstag im Monat)",
            "ar": "(فقط في الخميس من الأسبوع الأول من الشهر)"}[lang]
    assert f'<span class="slot-rule">{rule}</span>' in page
