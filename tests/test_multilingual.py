"""Reading and searching across languages: fallbacks, provenance, typos, thesaurus."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.i18n import in_language
from wegweiser.languages import interface_languages, reading_order
from wegweiser.models import Offer
from wegweiser.search import SearchQuery, rebuild_index, search_service
from wegweiser.search.thesaurus import Thesaurus
from wegweiser.services.setup import import_files

from .conftest import DATA

UI_LANGUAGES = interface_languages()
RIGHT_TO_LEFT = {"ar", "fa", "prs", "ps", "ckb"}


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_every_page_language_has_its_direction_and_switcher(demo_client, lang):
    page = demo_client.get(f"/{lang}/search?q=Deutsch").get_data(as_text=True)
    direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert f'<a class="languages" href="/language?next=/{lang}/search?q%3DDeutsch">' in page
    choice = demo_client.get(f"/language?next=/{lang}/search").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in choice
    for name in ("Deutsch", "English", "العربية", "فارسی", "دری", "پښتو", "Українська", "Русский",
                 "Türkçe", "Français", "Kurmancî", "کوردی", "ትግርኛ", "Soomaali"):
        assert name in choice
    assert 'rel="alternate" hreflang=' not in page, "result pages are not indexed"
    start = demo_client.get(f"/{lang}/").get_data(as_text=True)
    assert start.count('rel="alternate" hreflang=') == len(UI_LANGUAGES)


def test_offer_in_the_readers_language_and_fallback_with_notice(client, app):
    with app.app_context():
        assert import_files([DATA / "valid.json"], "import:test").ok
        rebuild_index(db.session())
    arabic = client.get("/ar/offers/sprachbruecke-deutschkurs").get_data(as_text=True)
    assert "دورة لغة ألمانية للنساء" in arabic
    assert 'class="notice" role="note"' not in arabic
    assert "translation-note" in arabic
    farsi = client.get("/fa/offers/sprachbruecke-deutschkurs").get_data(as_text=True)
    assert re.search(r'<h1 lang="de" dir="ltr" data-speak>Deutschkurs für Frauen', farsi)
    # It has an Arabic text too: not "only in German", but not in Persian, shown in German.
    assert _notice(client, "fa", "not available", reader="fa", language="de") in farsi
    assert _notice(client, "fa", "only", language="de") not in farsi


def test_only_an_entry_without_other_languages_says_it_is_only_in_one(client):
    from types import SimpleNamespace

    from wegweiser.models.translation import TranslatedMixin
    from wegweiser.web.presenters import language_notice

    class Entry(TranslatedMixin):
        def __init__(self, texts):
            self.texts = texts

    def entry(*locales):
        return Entry([SimpleNamespace(field="title", locale=code, text="…") for code in locales])

    with client.application.test_request_context("/fa/"), in_language("fa"):
        assert language_notice(entry("de"), "de", "fa") == _notice(
            client, "fa", "only", language="de")
        assert language_notice(entry("de", "ar"), "de", "fa") == _notice(
            client, "fa", "not available", reader="fa", language="de")
        assert language_notice(entry("de", "fa"), "fa", "fa") is None


def _notice(client, locale: str, kind: str, **languages) -> str:
    """The notice above an entry not in the reader's language, as the reader reads it."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    with client.application.test_request_context(f"/{locale}/"), force_locale(locale):
        from wegweiser.web import language_name

        names = {key: language_name(code) for key, code in languages.items()}
        if kind == "only":
            return _("This entry is only available in %(language)s.", **names)
        return _("This entry is not available in %(reader)s; it is shown in %(language)s.",
                 **names)


def test_a_reader_gets_a_text_in_a_language_they_read(demo_client):
    # Every demo offer has a Persian (Farsi) text and none a Dari one: a Dari reader gets the
    # Persian, not the German original; so does a Pashto reader.
    for lang in ("prs", "ps"):
        page = demo_client.get(f"/{lang}/offers/a-hafenlicht-online").get_data(as_text=True)
        assert re.search(r'<h1 lang="fa" dir="rtl"', page), lang
    # An offer written in Arabic, with no Russian text: its German text, not the Arabic.
    russian = demo_client.get("/ru/offers/a-nour-deutschkurs-frauen").get_data(as_text=True)
    assert re.search(r'<h1 lang="de" dir="ltr"', russian)
    assert _notice(demo_client, "ru", "not available", reader="ru", language="de") in russian


def test_the_reading_order_puts_the_readers_languages_then_common_ones_first():
    assert reading_order("prs", "de") == ["prs", "fa", "de", "en"]
    assert reading_order("ru", "ar") == ["ru", "de", "en", "ar"]
    assert reading_order("fr", "en") == ["fr", "en", "de"]  # an English original first
    assert reading_order("de", "uk") == ["de", "en", "uk"]


def test_a_translation_older_than_its_original_says_so(client, app):
    with app.app_context():
        assert import_files([DATA / "valid.json"], "import:test").ok
        offer = db.session().scalar(select(Offer).where(
            Offer.external_id == "sprachbruecke-deutschkurs"))
        german = next(t for t in offer.texts if t.field == "title" and t.locale == "de")
        german.text = "Deutschkurs für Frauen (neue Zeiten)"
        db.session().commit()
    page = client.get("/ar/offers/sprachbruecke-deutschkurs").get_data(as_text=True)
    note = re.search(r'<p class="translation-note[^"]*">([^<]+)</p>', page).group(1)
    assert "الأصل" in note or "original" in note.lower()


def test_misspelt_words_find_offers_and_the_page_offers_a_correction(demo_client, demo_ctx):
    result = search_service().search(SearchQuery(text="Fahradwerkstatt"), db.session())
    assert result.total > 0 and result.fuzzy and result.suggestion == "fahrradwerkstatt"
    page = demo_client.get("/de/search?q=Fahradwerkstatt&free=1").get_data(as_text=True)
    assert re.search(r'href="/de/search\?q=fahrradwerkstatt&amp;free=1"', page)


def test_an_arabic_correction_is_spelt_as_the_offers_write_it(demo_client, demo_ctx):
    """Matching unifies letter forms (ة as ه, one alef, Persian and Arabic yeh), but the
    correction is read: it shows the words as written, not مدرسه or الالمانیه."""
    result = search_service().search(SearchQuery(text="مدرسسة", locale="ar"), db.session())
    assert result.fuzzy and result.suggestion == "مدرسة"
    result = search_service().search(SearchQuery(text="اللغة الألمانيةة", locale="ar"),
                                     db.session())
    assert result.suggestion == "اللغة الألمانية"
    page = demo_client.get("/ar/search", query_string={"q": "مدرسسة"}).get_data(as_text=True)
    assert re.search(r'<strong>مدرسة</strong>', page)


def test_correct_words_are_not_corrected(demo_ctx):
    result = search_service().search(SearchQuery(text="Deutschkurs"), db.session())
    assert result.suggestion is None and not result.fuzzy


def test_offers_in_my_language_link_on_non_german_pages(demo_client):
    page = demo_client.get("/ar/search?q=Beratung").get_data(as_text=True)
    link = re.search(r'<p class="own-language"><a class="button" href="([^"]+)"', page)
    assert link and "language=ar" in link.group(1)
    assert 'class="own-language"' not in demo_client.get("/de/search?q=Beratung") \
        .get_data(as_text=True)


def test_reader_language_ranks_offers_whose_staff_speak_it_higher(demo_ctx):
    session = db.session()
    for lang in ("ar", "uk"):
        result = search_service().search(SearchQuery(text="Beratung", locale=lang), session)
        offers = {o.id: o for o in session.scalars(select(Offer).where(
            Offer.id.in_(result.offer_ids)))}
        speaks = [lang in {x.code for x in offers[i].languages} for i in result.offer_ids]
        assert sum(speaks[:5]) >= sum(speaks[-5:])


def test_thesaurus_groups_phrases_and_expands_across_languages(tmp_path):
    path = Path(tmp_path) / "concepts.toml"
    path.write_text('[[concept]]\nid = "football"\nde = ["Fußball"]\ntr = ["futbol"]\n'
                    'ar = ["كرة القدم"]\n', encoding="utf-8")
    thesaurus = Thesaurus.load(path)
    assert thesaurus.group(["futbol"]) == [("futbol", [("de", "Fußball"), ("tr", "futbol")])]
    assert thesaurus.group(["كرة", "القدم", "Leipzig"]) == [
        ("كرة القدم", [("de", "Fußball"), ("tr", "futbol")]), ("Leipzig", [])]
    assert thesaurus.group(["FUSSBALL"])[0][1] == [("de", "Fußball"), ("tr", "futbol")]


def test_a_word_written_as_no_entry_finds_its_concept_by_its_stem(tmp_path):
    # The entries are "eviction" and "лікар"; a question says "evict", "лікарів" (of doctors),
    # "Kündigungen": each found by its stem in the languages the query may be in, and only there.
    path = Path(tmp_path) / "concepts.toml"
    path.write_text('[[concept]]\nid = "eviction"\nde = ["Kündigung"]\nen = ["eviction"]\n'
                    '[[concept]]\nid = "doctor"\nde = ["Arzt"]\nuk = ["лікар"]\n',
                    encoding="utf-8")
    thesaurus = Thesaurus.load(path)
    assert thesaurus.group(["evict"], ("en",)) == [("evict", [("de", "Kündigung"),
                                                              ("en", "eviction")])]
    assert thesaurus.group(["лікарів"], ("uk",))[0][1] == [("de", "Arzt"), ("uk", "лікар")]
    assert thesaurus.group(["Kündigungen"], ("de",))[0][1] == [("de", "Kündigung"),
                                                              ("en", "eviction")]
    assert thesaurus.group(["evict"], ("de",)) == [("evict", [])]  # not an English query
    assert thesaurus.group(["evict"]) == [("evict", [])]


def test_the_concepts_file_is_found_by_stems_a_question_writes():
    # "الطبيب" (the doctor) is no entry of concepts.toml (طبيب is); by its stem it is the
    # concept doctor, so an Arabic question finds the German "Arzt" of an untranslated offer.
    from wegweiser.search.thesaurus import concept_key
    thesaurus = Thesaurus.load()
    assert concept_key("الطبيب") not in thesaurus._by_key
    assert ("de", "Arzt") in dict(thesaurus.group(["الطبيب"], ("ar",)))["الطبيب"]
    assert ("de", "Arzt") not in dict(thesaurus.group(["الطبيب"]))["الطبيب"]


@pytest.mark.parametrize("query", ["تعلم اللغة الألمانية", "юридична консультація",
                                   "bike repair", "cours d'allemand", "Almanca kursu",
                                   "کلاس زبان آلمانی"])
def test_cross_language_queries_find_offers(demo_ctx, query):
    assert search_service().search(SearchQuery(text=query), db.session()).total > 0


@pytest.mark.parametrize("query, title", [
    ("ez li doktorekî digerim", "Arzt"),  # I am looking for a doctor
    ("kursek almanî ji bo zarokan", "für Kinder"),  # a German course for children
    ("پارێزەرێک", "Asyl"),  # a lawyer
])
def test_a_kurdish_question_finds_its_offers_through_the_words_lemmas(demo_ctx, query, title):
    lang = "ckb" if query[0] > "\u0600" else "kmr"
    session = db.session()
    result = search_service().search(SearchQuery(text=query, locale=lang, per_page=3), session)
    titles = [session.get(Offer, i).translations_of("title")["de"] for i in result.offer_ids]
    assert titles and all(title in t for t in titles[:1]), titles


@pytest.mark.parametrize("query, lang, title", [
    ("د ډاکټرانو سره مرسته", "ps", "Arzt"),  # help with doctors (oblique plural)
    ("وکیلانو", "ps", "Asyl"),  # (of the) lawyers
    ("qareenka", "so", "Asyl"),  # the lawyer
])
def test_a_pashto_or_somali_word_finds_its_concept_in_any_form(demo_ctx, query, lang, title):
    # No offer has a Pashto or Somali text: the words reach the German offers through the
    # thesaurus, whose entries ("ډاکټران", "وکیلان", "qareen") now match their other forms.
    session = db.session()
    result = search_service().search(SearchQuery(text=query, locale=lang, per_page=3), session)
    titles = [session.get(Offer, i).translations_of("title")["de"] for i in result.offer_ids]
    assert titles and title in titles[0], titles
    assert ("category", "health" if title == "Arzt" else "asylum-legal-advice") in {
        (f.facet, f.value) for f in result.recognised}


@pytest.mark.parametrize("query, lang, latin", [
    ("Плагвіц", "uk", "Plagwitz"),  # as a Ukrainian writes it
    ("كونيفيتس", "ar", "Connewitz"),  # in Arabic letters
    # Names no offer's text has: heard among the area names of the vocabularies.
    ("Лінденау", "uk", "Lindenau"),
    ("باونسدورف", "ar", "Paunsdorf"),
])
def test_a_place_written_in_another_script_finds_the_offers_there(demo_ctx, query, lang, latin):
    session = db.session()
    found = search_service().search(SearchQuery(text=query, locale=lang, per_page=500), session)
    there = search_service().search(SearchQuery(text=latin, locale=lang, per_page=500), session)
    assert found.total == there.total > 0
    assert set(found.offer_ids) == set(there.offer_ids)
    # The district is recognised as such: its offers first, its filter offered.
    assert ("area", latin.lower()) in {(f.facet, f.value) for f in found.recognised}
    assert found.offer_ids[:3] == there.offer_ids[:3]


GRUENAU = {"gruenau-ost", "gruenau-mitte", "gruenau-siedlung", "gruenau-nord"}


@pytest.mark.parametrize("query, lang", [
    ("Грюнау", "uk"), ("غروناو", "ar"), ("گروناو", "fa"), ("ګروناو", "ps")])
def test_a_short_place_name_in_another_script_is_known_from_the_city_data(demo_ctx, query, lang):
    """"Grünau" has three consonants, as "Korona" and "країні" have: its spellings in other
    scripts come from the city's data ([city.area_spellings]), not from its sound."""
    session = db.session()
    found = search_service().search(SearchQuery(text=query, locale=lang, per_page=500), session)
    there = search_service().search(SearchQuery(text="Grünau", locale=lang, per_page=500),
                                    session)
    assert found.total == there.total > 0
    assert found.offer_ids[:3] == there.offer_ids[:3]
    assert {f.value for f in found.recognised if f.facet == "area"} == GRUENAU
    # The name decides no match: a German course elsewhere is not dropped for lacking it.
    course = search_service().search(
        SearchQuery(text=f"دورة ألمانية في {query}" if lang == "ar" else f"Deutschkurs {query}",
                    locale=lang), session)
    alone = search_service().search(
        SearchQuery(text="دورة ألمانية" if lang == "ar" else "Deutschkurs", locale=lang), session)
    assert course.with_all_words == alone.with_all_words
    assert all(f.words == (query,) for f in course.recognised if f.facet == "area")


@pytest.mark.parametrize("query, lang", [("корона", "uk"), ("كورونا", "ar"), ("країні", "uk")])
def test_a_word_with_the_consonants_of_a_short_place_name_names_no_place(demo_ctx, query, lang):
    found = search_service().search(SearchQuery(text=query, locale=lang), db.session())
    assert not [f for f in found.recognised if f.facet == "area"]


def test_the_api_names_the_words_of_a_place_as_typed(demo_client):
    data = demo_client.get("/api/v1/offers", query_string={"q": "مساعدة في غروناو",
                                                           "lang": "ar"}).get_json()
    areas = [f for f in data["recognised_filters"] if f["filter"] == "area"]
    assert areas and all(f["words"] == ["غروناو"] for f in areas)
    assert set(data["results"][0]["areas"]) & GRUENAU  # an offer in Grünau first
    assert data["total"] == data["with_all_words"]  # the place decides no match


def _found_in_order(app, tmp_path, data: dict, text: str, locale: str) -> list[str]:
    """Imports ``data`` (the import format) into the empty ``app``, indexes it and returns the
    external ids ``text`` finds for a reader of ``locale``."""
    path = tmp_path / "offers.json"
    if not path.exists():
        path.write_text(json.dumps(data), encoding="utf-8")
        with app.app_context():
            report = import_files([path], "import:test")
            assert report.ok, report.problems
            rebuild_index(db.session())
    with app.app_context():
        session = db.session()
        result = search_service().search(SearchQuery(text=text, locale=locale), session)
        return [session.get(Offer, i).external_id for i in result.offer_ids]


def test_a_kurdish_text_is_found_by_another_form_of_its_words(app, tmp_path):
    data = {"organisations": [{"id": "komele", "name": "Komeleya Kurdî"}], "offers": [
        {"id": "kurs", "organisation": "komele", "original_language": "kmr",
         "title": {"kmr": "Kursên almanî ji bo jinan"}, "summary": {"kmr": "Roja Duşemê."},
         "categories": ["language-courses"], "target_groups": ["women"], "languages": ["kmr"],
         "areas": ["connewitz"], "cost": "free"}]}
    # The course, a course, a woman; the courses typed without Kurdish letters.
    for query in ("kursa almanî", "kursek", "jinekê", "kursen"):
        assert _found_in_order(app, tmp_path, data, query, "kmr") == ["kurs"], query


def test_a_match_in_the_offers_original_language_weighs_more(app, tmp_path):
    """Two offers with "bicycle" in their English title: one was written in English, the
    other in German and translated. For an Arabic reader the English original comes first;
    for an English reader both match in the reader's language and the default order holds."""
    def offer(external_id, original, titles):
        return {"id": external_id, "organisation": "rad-verein", "original_language": original,
                "title": titles, "summary": {original: "Dienstags ab 16 Uhr."},
                "categories": ["leisure-sports-culture"], "target_groups": ["everyone"],
                "languages": ["de"], "areas": ["connewitz"], "cost": "free"}

    data = {"organisations": [{"id": "rad-verein", "name": "Rad und Tat e.V."}], "offers": [
        offer("translated", "de", {"de": "Ausbesserung von Kleidung und Fahrrädern",
                                   "en": "Mending clothes and bicycles"}),
        offer("original", "en", {"en": "Bicycle repair workshop",
                                 "de": "Fahrradwerkstatt"})]}
    assert _found_in_order(app, tmp_path, data, "bicycle", "en") == ["translated", "original"]
    assert _found_in_order(app, tmp_path, data, "bicycle", "ar") == ["original", "translated"]


def test_a_description_in_another_language_says_so_in_the_readers_language(demo_client):
    from flask_babel import force_locale
    from flask_babel import gettext as _

    page = demo_client.get("/fa/offers/a-sprachwerk-deutschkurs-a1").get_data(as_text=True)
    details = page[page.index('id="description-heading"'):]
    block = re.search(r'<div lang="(\w+)" dir="ltr">', details)
    assert block, "the description keeps its own language and direction"
    with demo_client.application.test_request_context("/fa/"), force_locale("fa"):
        from wegweiser.web import language_name

        notice = _("This text is only available in %(language)s.",
                   language=language_name(block.group(1)))
    assert notice in details[:block.start()]
    german = demo_client.get("/de/offers/a-sprachwerk-deutschkurs-a1").get_data(as_text=True)
    assert 'class="notice-inline" role="note"' not in german


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("uk", "ltr"), ("prs", "rtl")])
def test_a_missing_page_speaks_the_language_of_its_address(demo_client, lang, direction):
    response = demo_client.get(f"/{lang}/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert f'<html lang="{lang}" dir="{direction}"' in response.get_data(as_text=True)
