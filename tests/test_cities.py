"""Cities as data: the public pages and the API work alike for Leipzig and Dresden, and a
Dresden directory shows no trace of Leipzig."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from wegweiser import cli, create_app, db
from wegweiser.cities import UnknownCity, city_info
from wegweiser.i18n import ui_languages
from wegweiser.models import QUARTER, Area, Offer, Organisation
from wegweiser.search import SearchQuery, search_service
from wegweiser.search.analysis import THESAURUS, function_words_by_language, normalise
from wegweiser.search.thesaurus import Thesaurus

from .conftest import _make_app
from .helpers import csrf, mails, signed_in

# Per city: a Stadtbezirk with local offers, one of them and its organisation, a word to search.
CITIES = {
    "leipzig": {"district": "ost", "offer": "a-sprachwerk-deutschkurs-a1",
                "organisation": "a-sprachwerk-ost", "name": "Leipzig"},
    "dresden": {"district": "neustadt", "offer": "dd-sprachbruecke-deutsch-a1",
                "organisation": "dd-sprachbruecke", "name": "Dresden"},
}
# "Leipzig" as a word (Dresden's Stadtteil "Leipziger Vorstadt" is Dresden's own), its name in
# the other scripts, Leipzig-only area names and Leipzig's word for a Stadtteil.
LEIPZIG_WORDS = re.compile(
    r"\bLeipzig\b|Лейпциг|لايبزيغ|لایپزیگ|لایپزیګ|ላይፕዚግ|Connewitz|Plagwitz|Lindenau|Gohlis"
    r"|Grünau|Reudnitz|Eutritzsch|Schönefeld|Stötteritz|Paunsdorf|Ortsteil")
PAGE_LANGUAGES = ("de", "en", "ar", "uk")
DRESDEN_DEMO = Path(__file__).resolve().parents[1] / "wegweiser/data/demo/dresden/part-a.json"


@pytest.fixture(params=sorted(CITIES))
def city(request, backend):
    app = request.getfixturevalue("demo_app" if request.param == "leipzig" else "dresden_app")
    return request.param, app


def _get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def _district_quarters(app, district: str) -> set[str]:
    with app.app_context():
        parent = db.session().scalar(select(Area).where(Area.slug == district))
        return {district} | {child.slug for child in parent.children}


def _with_shortlist(client, offer: str) -> None:
    token = csrf(client, f"/de/offers/{offer}")
    response = client.post("/de/list/add", data={"csrf_token": token, "offer": offer,
                                                 "next": "/de/list"})
    assert response.status_code == 303


def test_public_pages_of_both_cities(city):
    slug, app = city
    case = CITIES[slug]
    client = app.test_client()
    start = _get(client, "/de/").get_data(as_text=True)
    assert f"Wegweiser {case['name']}" in start
    assert f"Geflüchtete in {case['name']}" in start
    results = _get(client, "/de/search?" + urlencode({"area": case["district"]}))
    assert f'value="{case["offer"]}"' in results.get_data(as_text=True)
    offer = _get(client, f"/de/offers/{case['offer']}").get_data(as_text=True)
    assert "openstreetmap.org/?mlat=" in offer and "application/ld+json" in offer
    assert f"/de/organisations/{case['organisation']}" in offer
    organisation = _get(client, f"/de/organisations/{case['organisation']}")
    assert case["offer"] in organisation.get_data(as_text=True)
    _with_shortlist(client, case["offer"])
    assert case["offer"] in _get(client, "/de/list").get_data(as_text=True)
    sheet = _get(client, "/de/list/sheet?client=ar").get_data(as_text=True)
    assert sheet.count('class="sheet-entry"') == 1 and f"Wegweiser {case['name']}" in sheet
    network = _get(client, "/de/network").get_data(as_text=True)
    with app.app_context():
        district_name = db.session().scalar(
            select(Area.name).where(Area.slug == case["district"]))
    assert district_name in network
    _get(client, "/de/network/coverage-areas.csv")


def test_api_of_both_cities(city):
    slug, app = city
    case = CITIES[slug]
    client = app.test_client()
    answer = _get(client, "/api/v1/offers?" + urlencode(
        {"area": case["district"], "per_page": 50})).get_json()
    assert answer["total"] > 0
    inside = _district_quarters(app, case["district"])
    for result in answer["results"]:
        assert set(result["areas"]) & inside or result.get("citywide"), result
    assert case["offer"] in {r["id"] for r in answer["results"]}
    with app.app_context():
        areas = set(db.session().scalars(select(Area.slug)))
        quarters = set(db.session().scalars(select(Area.slug).where(Area.kind == QUARTER)))
    everything = _get(client, "/api/v1/offers?per_page=1").get_json()
    facet = set(everything["facets"]["area"]) - {"citywide"}
    assert facet <= areas and facet & quarters
    one = _get(client, f"/api/v1/offers/{case['offer']}").get_json()
    assert set(one["areas"]) <= areas and one["organisation"]["id"] == case["organisation"]
    described = _get(client, "/api/v1/openapi.json").get_json()
    area_parameter = next(p for p in described["paths"]["/offers"]["get"]["parameters"]
                          if p["name"] == "area")
    assert f'"{case["district"]}"' in json.dumps(area_parameter, ensure_ascii=False)
    _get(client, "/api/v1/offers?area=nowhere-at-all", 400)


def test_the_two_cities_do_not_share_areas(demo_app, dresden_app):
    with demo_app.app_context():
        leipzig = set(db.session().scalars(select(Area.slug)))
    with dresden_app.app_context():
        dresden = set(db.session().scalars(select(Area.slug)))
        assert len(dresden) == 1 + 10 + 61
    assert "connewitz" in leipzig and "neustadt" in dresden
    assert not leipzig & dresden


def _dresden_texts(app):
    """Every kind of page, document and mail a Dresden directory makes, in several languages."""
    client = app.test_client()
    _with_shortlist(client, CITIES["dresden"]["offer"])
    for lang in PAGE_LANGUAGES:
        for path in ("/", "/search?q=Deutschkurs", "/search?area=neustadt&category=health",
                     "/offers/dd-sprachbruecke-deutsch-a1", "/offers/dd-ankerpunkt-hotline",
                     "/organisations/dd-sprachbruecke", "/list", "/list/sheet?client=fa",
                     "/list/text", "/network", "/network/coverage-areas.csv", "/privacy",
                     "/login", "/manifest.webmanifest", "/opensearch.xml", "/feed.atom",
                     "/near?q=Deutschkurs", "/search?near=neustadt", "/events", "/take-part",
                     "/join"):
            yield f"/{lang}{path}", _get(client, f"/{lang}{path}").get_data(as_text=True)
    with app.app_context():
        others = [lang for lang in ui_languages() if lang not in PAGE_LANGUAGES]
    assert len(others) >= 4
    for lang in others:
        for path in ("/", "/offers/dd-ankerpunkt-hotline", "/network", "/list/sheet?client=de",
                     "/manifest.webmanifest", "/opensearch.xml"):
            yield f"/{lang}{path}", _get(client, f"/{lang}{path}").get_data(as_text=True)
    for path in ("/api/v1/offers?area=stadtbezirk-blasewitz", "/api/v1/openapi.json",
                 "/api/v1/offers/dd-ankerpunkt-hotline", "/sitemap.xml", "/sw.js",
                 "/api/v1/hsds/services"):
        yield path, _get(client, path).get_data(as_text=True)
    from wegweiser.web.booklet import render_booklet

    with app.test_request_context("/", base_url="http://localhost"):
        yield "booklet", render_booklet("neustadt", "ar")
    # What the network's moderators and the initiatives' editors read: the forms, a history,
    # the spreadsheet template (its explanations row).
    staff = signed_in(app, "moderator@example.org", "moderator")
    for path in ("/manage/offers/dd-sprachbruecke-deutsch-a1/edit",
                 "/manage/offers/dd-sprachbruecke-deutsch-a1/history",
                 "/manage/organisations/dd-sprachbruecke/help-calls/new",
                 "/manage/organisations/dd-sprachbruecke/events/new", "/manage/needs",
                 "/manage/import/template.csv"):
        for lang in ("de", "en"):
            yield f"/{lang}{path}", _get(staff, f"/{lang}{path}").get_data(as_text=True)
    assert app.test_cli_runner().invoke(cli.main, ["remind"]).exit_code == 0
    for message in mails(app):
        yield f"mail {message['Subject']}", message.as_string() + "".join(
            part.get_content() for part in message.walk() if part.get_content_type() ==
            "text/plain")


def test_no_leipzig_word_on_dresden_pages(dresden_app):
    seen = 0
    for where, text in _dresden_texts(dresden_app):
        found = LEIPZIG_WORDS.findall(text)
        assert not found, (where, found)
        seen += 1
    assert seen > 60
    assert sum(1 for m in mails(dresden_app)) >= 2  # the invitation and a reminder


def test_dresden_names_itself(dresden_app):
    client = dresden_app.test_client()
    for lang, name in (("de", "Dresden"), ("ar", "دريسدن"), ("uk", "Дрезден"), ("fr", "Dresde")):
        page = _get(client, f"/{lang}/").get_data(as_text=True)
        assert "Wegweiser Dresden" in page and name in page, lang
    manifest = _get(client, "/de/manifest.webmanifest").get_json()
    assert manifest["name"] == "Wegweiser Dresden" and "Dresden" in manifest["description"]
    offer = _get(client, "/de/offers/dd-ankerpunkt-hotline").get_data(as_text=True)
    assert '"@type": "City", "name": "Dresden"' in offer and "13.7373" in offer
    network = _get(client, "/de/network").get_data(as_text=True)
    assert "Stadtteile ohne Angebot vor Ort" in network


def test_every_city_file_names_the_city_in_every_language():
    languages = {"de", "en", "ar", "fa", "uk", "ru", "tr", "fr", "ps", "prs", "ckb", "kmr",
                 "ti", "so"}
    for slug in ("leipzig", "dresden"):
        city = city_info(slug)
        assert languages <= set(city.names), (slug, languages - set(city.names))
        assert city.timezone == "Europe/Berlin" and city.latitude and city.longitude
        assert city.map_link(51.0, 13.0) == \
            "https://www.openstreetmap.org/?mlat=51.00000&mlon=13.00000#map=17/51.00000/13.00000"


def test_the_dresden_demo_is_invented_and_local(dresden_app):
    with dresden_app.app_context():
        session = db.session()
        offers = session.scalars(select(Offer)).all()
        organisations = session.scalars(select(Organisation)).all()
        assert len(offers) >= 30 and len(organisations) >= 10
        for org in organisations:
            assert org.website.endswith(".example.org/") and org.email.endswith(".example.org")
            assert org.phone.startswith("0351 555 ")
        for offer in offers:
            assert offer.phone.startswith("0351 555 ") and ".example.org" in offer.email
            assert offer.citywide or {a.kind for a in offer.areas} == {QUARTER}
        assert sum(bool(o.opening_hours) for o in offers) == len(offers)
        assert sum({"de", "en", "ar", "uk"} <= set(o.translations_of("title"))
                   for o in offers) >= 10
        assert {lang.code for o in offers for lang in o.languages} >= {
            "de", "en", "ar", "fa", "prs", "uk", "ru", "tr", "fr", "ti", "so"}


def test_a_city_file_sets_the_time_zone(tmp_path, monkeypatch):
    city_file = tmp_path / "porto-areas.toml"
    city_file.write_text('[city]\nslug = "porto"\nname = "Porto"\ntimezone = "Europe/Lisbon"\n'
                         'latitude = 41.15\nlongitude = -8.61\n'
                         'map_url = "https://maps.example.org/{lat},{lon}"\n\n'
                         '[[stadtbezirk]]\ncode = "1"\nslug = "ribeira"\nname = "Ribeira"\n'
                         'ortsteile = []\n', encoding="utf-8")
    monkeypatch.setattr("wegweiser.cities.REFERENCE_DIR", tmp_path)
    city_info.cache_clear()
    try:
        app = create_app({"WEGWEISER_CITY": "porto", "SECRET_KEY": "test", "TESTING": True,
                          "WEGWEISER_INDEX_DIR": str(tmp_path / "index"),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
        assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Lisbon"
        with app.app_context():
            assert search_service().settings.timezone == "Europe/Lisbon"
        assert city_info("porto").map_link(41.15, -8.61) == \
            "https://maps.example.org/41.15000,-8.61000"
    finally:
        city_info.cache_clear()  # before monkeypatch puts the real folder back


# A city file's [city] table with what every city must give.
PORTO = ('[city]\nslug = "porto"\nname = "Porto"\ntimezone = "Europe/Lisbon"\n'
         'latitude = 41.15\nlongitude = -8.61\n')
DISTRICT = '[[stadtbezirk]]\ncode = "1"\nslug = "ribeira"\nname = "Ribeira"\nortsteile = []\n'


@pytest.mark.parametrize("drop, add, message", [
    ("timezone", "", "the [city] table needs timezone"),
    ("latitude", "", "the [city] table needs latitude"),
    ("longitude", "", "the [city] table needs longitude"),
    ("latitude", "latitude = 141.15\n", "latitude must be a number of degrees between -90"),
    ("longitude", 'longitude = "-8.61"\n', "longitude must be a number of degrees"),
])
def test_a_city_file_gives_its_time_zone_and_position(tmp_path, monkeypatch, drop, add,
                                                       message):
    """No default fits another city: Europe/Berlin is Leipzig's clock, and an area without
    located offers is placed for "near me" at the city's position (a city file without one
    offered areas on the choice page that then answered 400)."""
    table = "".join(line + "\n" for line in PORTO.splitlines() if not line.startswith(drop))
    (tmp_path / "porto-areas.toml").write_text(f"{table}{add}\n{DISTRICT}", encoding="utf-8")
    monkeypatch.setattr("wegweiser.cities.REFERENCE_DIR", tmp_path)
    city_info.cache_clear()
    try:
        with pytest.raises(UnknownCity, match=re.escape(message)):
            city_info("porto")
    finally:
        city_info.cache_clear()


@pytest.mark.parametrize("table, message", [
    ('"Boavista" = ["Боавішта"]', "'Boavista', which is no area of the city"),
    ('"Ribeira" = "Рібейра"', "'Ribeira' must be a list of spellings"),
])
def test_area_spellings_must_name_an_area_of_the_city(tmp_path, monkeypatch, table, message):
    (tmp_path / "porto-areas.toml").write_text(
        f'{PORTO}\n[city.area_spellings]\n{table}\n\n'
        '[[stadtbezirk]]\ncode = "1"\nslug = "ribeira"\nname = "Ribeira"\nortsteile = []\n',
        encoding="utf-8")
    monkeypatch.setattr("wegweiser.cities.REFERENCE_DIR", tmp_path)
    city_info.cache_clear()
    try:
        with pytest.raises(UnknownCity, match=re.escape(message)):
            city_info("porto")
    finally:
        city_info.cache_clear()


@pytest.mark.parametrize("slug, name, spelt", [("leipzig", "Grünau", "Грюнау"),
                                               ("dresden", "Neustadt", "Нойштадт")])
def test_area_spellings_are_no_words_of_the_search_vocabulary(slug, name, spelt):
    """A spelling that is also a word of the thesaurus or a function word would name a place
    where the reader meant the word."""
    spellings = city_info(slug).area_spellings
    assert spelt in spellings[name]
    words = {normalise(w) for lang in function_words_by_language().values() for w in lang}
    concepts = tomllib.loads(THESAURUS.read_text(encoding="utf-8"))["concept"]
    words |= {normalise(w) for concept in concepts for lang, entries in concept.items()
              if lang != "id" for entry in entries for w in entry.split()}
    assert not {normalise(s) for written in spellings.values() for s in written} & words


def test_an_unknown_city_stops_the_start_with_a_clear_message():
    with pytest.raises(UnknownCity, match="Known cities: dresden, leipzig"):
        create_app({"WEGWEISER_CITY": "atlantis", "SECRET_KEY": "test"})
    result = CliRunner().invoke(cli.main, ["init"], env={"WEGWEISER_CITY": "atlantis"})
    assert result.exit_code != 0
    assert "WEGWEISER_CITY='atlantis'" in result.output and "Traceback" not in result.output


def test_a_database_serves_one_city(app):
    runner = app.test_cli_runner()
    assert runner.invoke(cli.main, ["init"]).exit_code == 0
    app.config["WEGWEISER_CITY"] = "dresden"
    result = runner.invoke(cli.main, ["demo"])
    assert result.exit_code == 1
    assert "holds the directory of Leipzig" in result.output
    # Nor does any other command or the site work on it: an operator who ran `init` before
    # setting WEGWEISER_CITY learns it at once, not from a Dresden site with Leipzig's areas.
    for command in (["reindex"], ["export", "--format", "json", "-"],
                    ["import", str(DRESDEN_DEMO)], ["remind"]):
        result = runner.invoke(cli.main, command)
        assert result.exit_code == 1 and "holds the directory of Leipzig" in result.output, \
            command
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503 and "Leipzig" in health.get_json()["error"]
    assert client.get("/de/").status_code == 500
    assert client.get("/api/v1/offers").status_code == 500
    app.config["WEGWEISER_CITY"] = "leipzig"
    assert client.get("/de/").status_code == 200
    assert client.get("/health").get_json() == {"status": "ok"}


def _found(app, query: str) -> list[str]:
    answer = _get(app.test_client(), "/api/v1/offers?" + urlencode(
        {"q": query, "per_page": 50})).get_json()
    return sorted(result["id"] for result in answer["results"])


def test_a_citys_own_words_are_its_own(demo_app, dresden_app):
    """Names that mean something in one city only (its social pass, its transport company)
    come from its <city>-concepts.toml: in Dresden "DVB" is the trams and "Dresden-Pass" the
    social pass, and Leipzig's LVB and Leipzig-Pass mean nothing there."""
    assert _found(dresden_app, "DVB") == _found(dresden_app, "Straßenbahn") != []
    assert _found(demo_app, "LVB") == _found(demo_app, "Straßenbahn") != []
    dresden, leipzig = Thesaurus.load(city="dresden"), Thesaurus.load(city="leipzig")

    def words(thesaurus, word):
        return {w for _, expansions in thesaurus.group([word]) for _, w in expansions}

    assert {"Sozialpass", "Dresdenpass"} <= words(dresden, "Дрезден-пас")
    assert {"Sozialpass", "Leipzigpass"} <= words(leipzig, "Лейпциг-пас")
    assert "Straßenbahn" in words(dresden, "DVB") and "Straßenbahn" in words(leipzig, "LVB")
    for word in ("LVB", "Leipzig-Pass", "Лейпциг-пас", "لايبزيغ باس"):
        assert not dresden.knows(word), word
    for word in ("DVB", "Dresden-Pass"):
        assert not leipzig.knows(word), word
    assert not LEIPZIG_WORDS.search(THESAURUS.read_text(encoding="utf-8"))


def test_a_city_concept_file_is_checked(tmp_path, monkeypatch):
    (tmp_path / "porto-areas.toml").write_text(
        f'{PORTO}\n'
        '[[stadtbezirk]]\ncode = "1"\nslug = "ribeira"\nname = "Ribeira"\nortsteile = []\n',
        encoding="utf-8")
    (tmp_path / "porto-concepts.toml").write_text(
        '[[concept]]\nid = "public_transport"\nde = "STCP"\n', encoding="utf-8")
    monkeypatch.setattr("wegweiser.cities.REFERENCE_DIR", tmp_path)
    city_info.cache_clear()
    try:
        with pytest.raises(UnknownCity, match="public_transport.*must be a list"):
            city_info("porto")
    finally:
        city_info.cache_clear()


@pytest.mark.parametrize("spelt, lang, name", [
    ("Нойштадт", "uk", "Neustadt"), ("نويشتات", "ar", "Neustadt"), ("Альтштадт", "ru", "Altstadt"),
    ("يوهانشتات", "ar", "Johannstadt"), ("Лёбтау", "ru", "Löbtau"), ("Трахау", "uk", "Trachau")])
def test_dresdens_areas_written_in_another_script(dresden_app, spelt, lang, name):
    """German "-stadt" is "-штадт", "-شتات" in other scripts, and "eu"/"ö" are "ой"/"ё": such
    names come from the city file's [city.area_spellings], as Leipzig's "Грюнау" does."""
    with dresden_app.app_context():
        session = db.session()
        found = search_service().search(SearchQuery(text=spelt, locale=lang, per_page=500),
                                        session)
        there = search_service().search(SearchQuery(text=name, locale=lang, per_page=500),
                                        session)
    assert found.total == there.total > 0
    assert set(found.offer_ids) == set(there.offer_ids)
    areas = {f.value for f in found.recognised if f.facet == "area"}
    assert areas and areas == {f.value for f in there.recognised if f.facet == "area"}


def test_an_area_is_found_by_the_short_names_people_write(dresden_app, tmp_path):
    """Dresden's Stadtteil "Äußere Neustadt (Antonstadt)" is "Äußere Neustadt" or "Antonstadt"
    in an initiative's file, in "near" and in a search, as people write it."""
    record = {"organisations": [{"id": "dd-kiez", "name": "Kiezladen"}],
              "offers": [{"id": f"dd-kiez-{n}", "organisation": "dd-kiez",
                          "original_language": "de", "title": {"de": f"Kiezberatung {n}"},
                          "categories": ["social-counselling"], "target_groups": ["everyone"],
                          "languages": ["de"], "cost": "free", "areas": [written]}
                         for n, written in enumerate(("Äußere Neustadt", "antonstadt"))]}
    (tmp_path / "kiez.json").write_text(json.dumps(record), encoding="utf-8")
    result = dresden_app.test_cli_runner().invoke(cli.main, ["import", str(tmp_path / "kiez.json")])
    assert result.exit_code == 0, result.output
    with dresden_app.app_context():
        for n in range(2):
            offer = db.session().scalar(select(Offer).where(Offer.external_id == f"dd-kiez-{n}"))
            assert [a.slug for a in offer.areas] == ["aeussere-neustadt-antonstadt"]
        found = search_service().search(SearchQuery(text="Kiezberatung Antonstadt", locale="de"),
                                        db.session())
    assert {(f.facet, f.value) for f in found.recognised} >= {
        ("area", "aeussere-neustadt-antonstadt")}
    near = _get(dresden_app.test_client(), "/de/search?q=Kiezberatung&near=Antonstadt")
    assert "Äußere Neustadt (Antonstadt)" in near.get_data(as_text=True)
    assert "near=aeussere-neustadt-antonstadt" in near.get_data(as_text=True)


@pytest.mark.parametrize("places, country", [
    ('[dresden]\nstate_province = "Sachsen"\ncountry = "DE"\n', '"addressCountry": "DE"'),
    ('[dresden]\nstate_province = "Niederösterreich"\ncountry = "AT"\n',
     '"addressCountry": "AT"'),
    ("[leipzig]\ncountry = \"DE\"\n", None)])
def test_an_offers_schema_org_address_names_the_citys_country(dresden_app, tmp_path,
                                                              monkeypatch, places, country):
    """The country of the addresses in an offer's JSON-LD is the city's, as in the HSDS
    export (data/hsds/places.toml), not always Germany; a city the file does not name gets
    none rather than a wrong one."""
    (tmp_path / "places.toml").write_text(places, encoding="utf-8")
    monkeypatch.setattr("wegweiser.services.hsds.export.PLACES", tmp_path / "places.toml")
    page = _get(dresden_app.test_client(), "/de/offers/dd-sprachbruecke-deutsch-a1")
    data = re.search(r'<script type="application/ld\+json">(.*?)</script>',
                     page.get_data(as_text=True), re.S).group(1)
    assert '"PostalAddress"' in data
    if country:
        assert country in data
    else:
        assert "addressCountry" not in data


def test_the_operator_of_the_site_is_a_setting(dresden_app, monkeypatch):
    """Who runs a city's site is the operator's to say (WEGWEISER_OPERATOR): the footer names
    it instead of "the network of refugee initiatives", and the privacy page names it as
    responsible for the data, with its contact (WEGWEISER_OPERATOR_CONTACT)."""
    client = dresden_app.test_client()
    plain = _get(client, "/de/privacy").get_data(as_text=True)
    assert "Netzwerk der Initiativen für Geflüchtete in Dresden" in plain
    assert "Verantwortlich" not in plain
    monkeypatch.setitem(dresden_app.config, "WEGWEISER_OPERATOR", "Ausländerrat Dresden e.V.")
    monkeypatch.setitem(dresden_app.config, "WEGWEISER_OPERATOR_CONTACT",
                        "Heinrich-Zille-Straße 6, 01219 Dresden, datenschutz@example.org")
    privacy = _get(client, "/de/privacy").get_data(as_text=True)
    assert "Der Wegweiser wird von Ausländerrat Dresden e.V. betrieben." in privacy
    assert "Netzwerk der Initiativen" not in privacy
    assert "Ausländerrat Dresden e.V. betreibt diese Website und ist für die Daten " \
           "verantwortlich" in privacy
    assert "Kontakt: Heinrich-Zille-Straße 6, 01219 Dresden, datenschutz@example.org" in privacy
    arabic = _get(client, "/ar/privacy").get_data(as_text=True)
    assert "الجهة المسؤولة عن هذا الموقع" in arabic and "datenschutz@example.org" in arabic
    assert "Ausländerrat Dresden e.V." in _get(client, "/uk/").get_data(as_text=True)


def _empty_dresden(backend, root: Path):
    app = _make_app(backend.empty(), root / "index", WEGWEISER_CITY="dresden",
                    WEGWEISER_OUTBOX=str(root / "outbox"))
    result = app.test_cli_runner().invoke(cli.main, ["init"])
    # The operator sees which city the database now holds (WEGWEISER_CITY, else Leipzig).
    assert result.exit_code == 0
    assert result.output.startswith("Database ready for Dresden: 61 Stadtteile, "), result.output
    return app


def test_a_stadtbezirk_keeps_its_place_through_an_hsds_round_trip(backend, tmp_path):
    """Dresden's Stadtbezirk Blasewitz and its Stadtteil Blasewitz shared a name: the HSDS
    export (service areas are names) wrote both "Blasewitz", and an import of it put an offer
    for the whole Stadtbezirk in the Stadtteil. Every area's name is its own now."""
    source, target = (_empty_dresden(backend, tmp_path / name) for name in ("a", "b"))
    record = {"organisations": [{"id": "dd-verein", "name": "Verein"}],
              "offers": [{"id": "dd-bezirk", "organisation": "dd-verein",
                          "original_language": "de", "title": {"de": "Beratung im Bezirk"},
                          "categories": ["social-counselling"], "target_groups": ["everyone"],
                          "languages": ["de"], "cost": "free",
                          "areas": ["stadtbezirk-blasewitz", "leuben", "Stadtbezirk Plauen"]}]}
    (tmp_path / "offers.json").write_text(json.dumps(record), encoding="utf-8")
    exported = tmp_path / "hsds.json"
    runner = source.test_cli_runner()
    assert runner.invoke(cli.main, ["import", str(tmp_path / "offers.json")]).exit_code == 0
    assert runner.invoke(cli.main, ["export", "--format", "hsds", str(exported)]).exit_code == 0
    names = {area["name"] for area in json.loads(exported.read_text())["services"][0]
             ["service_areas"]}
    assert names == {"Stadtbezirk Blasewitz", "Leuben", "Stadtbezirk Plauen"}
    result = target.test_cli_runner().invoke(cli.main, ["import", "--format", "hsds",
                                                        str(exported)])
    assert result.exit_code == 0, result.output
    for app in (source, target):
        with app.app_context():
            offer = db.session().scalar(select(Offer).where(Offer.external_id == "dd-bezirk"))
            assert sorted(a.slug for a in offer.areas) == [
                "leuben", "stadtbezirk-blasewitz", "stadtbezirk-plauen"]
        with app.app_context():  # a new context: the session above has given back its connection
            db.engine().dispose()
        backend.drop(app.config["SQLALCHEMY_DATABASE_URI"])


def test_two_areas_of_a_city_file_may_not_share_a_name(tmp_path, monkeypatch):
    (tmp_path / "porto-areas.toml").write_text(
        f'{PORTO}\n[[stadtbezirk]]\ncode = "1"\nslug = "bezirk-ribeira"\nname = "Ribeira"\n'
        'ortsteile = [{ code = "11", slug = "ribeira", name = "Ribeira" }]\n',
        encoding="utf-8")
    monkeypatch.setattr("wegweiser.cities.REFERENCE_DIR", tmp_path)
    city_info.cache_clear()
    try:
        with pytest.raises(UnknownCity, match="two areas are named 'Ribeira'"):
            city_info("porto")
    finally:
        city_info.cache_clear()


def test_leipzigs_open_data_makes_no_suggestions_to_dresden(dresden_app, tmp_path):
    """LeipzigData's dumps describe Leipzig's associations: a Dresden directory refuses them
    instead of filing 55 Leipzig associations in its moderators' queue."""
    from .test_leipzigdata import SAMPLE

    dump = tmp_path / "Vereine.ttl"
    dump.write_text(SAMPLE, encoding="utf-8")
    result = dresden_app.test_cli_runner().invoke(
        cli.main, ["import", "--format", "leipzigdata", "--dry-run", str(dump)])
    assert result.exit_code == 1
    assert "LeipzigData describes the associations of Leipzig; this directory serves Dresden" \
        in result.output
