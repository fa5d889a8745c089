"""The filter registry (search/filters.py): every filter is documented in the OpenAPI document
and the README; the switches `accessible` and `no_appointment`, which came through the registry
alone, work on pages, the API and the plain database search with honest counts."""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import PUBLISHED, Offer
from wegweiser.search import FILTERS, SearchQuery, search_service
from wegweiser.search.filters import FLAG_FILTERS
from wegweiser.search.understanding import FilterRecogniser
from wegweiser.search.updater import IndexSettings
from wegweiser.services.plain_search import plain_search

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "wegweiser" / "openapi.json"
README = ROOT / "README.md"
NEW = {"accessible": lambda offer: offer.accessible is True,
       "no_appointment": lambda offer: offer.appointment_needed is False}


# ---- every registered filter is documented ----------------------------------------------

def test_every_filter_is_in_the_openapi_document():
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    parameters = {p["name"]: p for p in document["paths"]["/offers"]["get"]["parameters"]}
    schemas = document["components"]["schemas"]
    facets = schemas["SearchResponse"]["properties"]["facets"]
    recognised = schemas["RecognisedFilter"]["properties"]["filter"]["enum"]
    for f in FILTERS:
        assert parameters.get(f.name) == f.openapi_parameter(), f.name
        assert f.name in facets["required"] and f.name in facets["properties"], f.name
        assert f.name in recognised, f.name
    assert set(facets["properties"]) == {f.name for f in FILTERS}


def test_every_filter_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Search filters\n(.*?)^## ", text, re.S | re.M)
    assert section, "the README has no section 'Search filters'"
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", section.group(1),
                                                           re.M)}
    for f in FILTERS:
        assert f.name in rows, f"{f.name} is not in the README's table of filters"
    for f in FLAG_FILTERS:
        assert f"`{f.value}`" in rows[f.name], f"{f.name}: its facet key {f.value}"


def test_the_served_document_lists_every_filter(demo_client):
    document = demo_client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in document["paths"]["/offers"]["get"]["parameters"]}
    assert {f.name for f in FILTERS} <= names


# ---- the two switches that came through the registry -------------------------------------

@pytest.fixture(scope="module")
def published(demo_app):
    with demo_app.app_context():
        offers = db.session().scalars(select(Offer).where(Offer.status == PUBLISHED)).all()
        return {o.external_id: {name: has(o) for name, has in NEW.items()} for o in offers}


def _api(client, query: str) -> dict:
    response = client.get(f"/api/v1/offers?per_page=100&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def _all_ids(client, query: str) -> set[str]:
    ids, page = set(), 1
    while True:
        body = _api(client, f"{query}&page={page}")
        ids |= {r["id"] for r in body["results"]}
        if page * body["per_page"] >= body["total"]:
            return ids
        page += 1


@pytest.mark.parametrize("name", sorted(NEW))
@pytest.mark.parametrize("base", ["", "q=Beratung", "category=language-courses",
                                  "area=sued&free=1"])
def test_the_api_counts_what_the_filter_gives(demo_client, published, name, base):
    value = next(f.value for f in FLAG_FILTERS if f.name == name)
    before = _api(demo_client, base)
    count = before["facets"][name].get(value, 0)
    matching = _all_ids(demo_client, base)
    assert count == sum(published[i][name] for i in matching)
    after = _all_ids(demo_client, f"{base}&{name}=1")
    assert len(after) == count == _api(demo_client, f"{base}&{name}=1")["total"]
    assert after == {i for i in matching if published[i][name]}
    # Switched on, its own count stays (facets are counted over the other filters).
    assert _api(demo_client, f"{base}&{name}=true")["facets"][name].get(value, 0) == count
    assert _api(demo_client, f"{base}&{name}=0")["total"] == before["total"]


def test_both_switches_together(demo_client, published):
    both = _all_ids(demo_client, "accessible=1&no_appointment=1")
    assert both and both == {i for i, v in published.items() if all(v.values())}


@pytest.mark.parametrize("name", sorted(NEW))
def test_a_bad_value_is_a_400_in_the_api_and_ignored_on_pages(demo_client, name):
    response = demo_client.get(f"/api/v1/offers?{name}=maybe")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == name
    assert demo_client.get(f"/de/search?{name}=maybe").status_code == 200


def _facet_links(html: str) -> dict[str, tuple[int, bool]]:
    """href → (count, selected) of every option in the filter column."""
    column = html[html.index('<aside class="filters"'):]
    return {m.group(2).replace("&amp;", "&"): (int(m.group(3)), bool(m.group(1)))
            for m in re.finditer(r'<a class="facet-option( selected)?" href="([^"]+)">'
                                 r'.*?<small>(\d+)</small></a>', column)}


def _heading_total(html: str) -> int:
    return int(re.search(r'<h1 id="results-heading">\D*(\d+)', html).group(1))


@pytest.mark.parametrize("lang, label, chip", [
    ("de", "Für Rollstuhlnutzende zugänglich", "rollstuhlgerecht"),
    ("en", "Accessible for wheelchair users", "wheelchair accessible"),
    ("ar", "مناسب لمستخدمي الكراسي المتحركة", "مناسب للكراسي المتحركة"),
])
def test_the_page_offers_step_free_access_as_a_link_with_an_honest_count(
        demo_client, published, lang, label, chip):
    page = demo_client.get(f"/{lang}/search?q=Beratung").get_data(as_text=True)
    assert label in page
    links = {url: found for url, found in _facet_links(page).items()
             if parse_qs(urlsplit(url).query).get("accessible") == ["1"]}
    assert len(links) == 1
    url, (count, selected) = next(iter(links.items()))
    assert not selected
    filtered = demo_client.get(url).get_data(as_text=True)
    assert _heading_total(filtered) == count
    assert f"<bdi>{chip}</bdi>" in filtered  # the chip
    back = [u for u, (n, s) in _facet_links(filtered).items() if s
            and "accessible" not in parse_qs(urlsplit(u).query)]
    assert back and _facet_links(filtered)[back[0]] == (count, True)


@pytest.mark.parametrize("lang, chip", [("de", "ohne Termin"), ("uk", "без запису"),
                                        ("fr", "sans rendez-vous")])
def test_the_page_filters_offers_without_appointment(demo_client, published, lang, chip):
    page = demo_client.get(f"/{lang}/search?category=language-courses&no_appointment=1")
    html = page.get_data(as_text=True)
    expected = _all_ids(demo_client, "category=language-courses&no_appointment=1")
    assert _heading_total(html) == len(expected) > 0
    assert f"<bdi>{chip}</bdi>" in html
    for offer_id in re.findall(rf'href="/{lang}/offers/([\w-]+)"', html):
        assert published[offer_id]["no_appointment"]


@pytest.mark.parametrize("filters", [
    {"accessible": True}, {"no_appointment": True},
    {"accessible": True, "no_appointment": True, "free": True},
    {"accessible": True, "category": ("language-courses", "health")},
    {"no_appointment": True, "area": ("sued",), "target_group": ("women",)},
    {"no_appointment": True, "open_now": True},
])
def test_the_plain_database_search_agrees_with_the_index(demo_ctx, filters):
    """The fallback when the index cannot be read: the same results and facet counts."""
    session = db.session()
    query = SearchQuery(per_page=100, now=datetime(2026, 11, 24, 10, 20), **filters)
    indexed = search_service().search(query, session)
    plain = plain_search(session, query, IndexSettings(timezone="Europe/Berlin"))
    assert plain.total == indexed.total
    assert sorted(plain.offer_ids) == sorted(indexed.offer_ids)
    assert plain.facets == indexed.facets


@pytest.mark.parametrize("now, is_open", [
    (datetime(2026, 12, 3, 16, 0), True),  # the first Thursday of December
    (datetime(2026, 12, 10, 16, 0), False),  # the second
    (datetime(2026, 12, 31, 16, 0), False),  # the fifth and last
])
def test_open_now_knows_the_first_thursday_of_the_month(demo_ctx, now, is_open):
    """An offer open on the first Thursday of the month only is "open now" on that Thursday
    and on no other, in the index and in the plain database search alike."""
    session = db.session()
    query = SearchQuery(per_page=200, now=now, open_now=True)
    indexed = search_service().search(query, session)
    plain = plain_search(session, query, IndexSettings(timezone="Europe/Berlin"))
    duldung = session.scalar(select(Offer.id).where(
        Offer.external_id == "a-rechtskompass-duldung"))
    assert (duldung in indexed.offer_ids) is is_open
    assert sorted(plain.offer_ids) == sorted(indexed.offer_ids)
    assert plain.facets == indexed.facets


# ---- query understanding ------------------------------------------------------------------

@pytest.fixture(scope="module")
def recogniser(demo_app):
    from wegweiser.search.documents import vocabulary_sources
    with demo_app.app_context():
        return FilterRecogniser.load(vocabulary_sources(db.session()))


@pytest.mark.parametrize("text, facet", [
    ("barrierefreie Beratung", "accessible"),
    ("Deutschkurs rollstuhlgerecht", "accessible"),
    ("wheelchair accessible language course", "accessible"),
    ("step-free counselling", "accessible"),
    ("استشارة مناسبة للكراسي المتحركة", "accessible"),
    ("مشاوره مناسب ویلچر", "accessible"),
    ("безбар'єрна консультація", "accessible"),
    ("безбарьерная консультация", "accessible"),
    ("engelsiz danışmanlık", "accessible"),
    ("conseil accessible en fauteuil roulant", "accessible"),
    ("Beratung ohne Termin", "no_appointment"),
    ("walk-in legal advice", "no_appointment"),
    ("استشارة بدون موعد", "no_appointment"),
    ("مشاوره بدون نوبت", "no_appointment"),
    ("консультація без запису", "no_appointment"),
    ("консультация без записи", "no_appointment"),
    ("randevusuz danışmanlık", "no_appointment"),
    ("conseil sans rendez-vous", "no_appointment"),
])
def test_words_name_the_new_switches_in_every_language(recogniser, text, facet):
    found = {f.facet for f in recogniser.recognise(text)}
    assert facet in found
    assert "target_group" not in found  # step-free access is not a group of people


def test_the_api_and_the_page_offer_a_recognised_switch(demo_client):
    body = _api(demo_client, "q=Beratung+ohne+Termin&lang=en")
    found = {f["filter"]: f for f in body["recognised_filters"]}
    assert found["no_appointment"]["value"] == "no_appointment"
    assert found["no_appointment"]["label"] == "no appointment needed"
    count = found["no_appointment"]["count"]
    assert 0 < count < body["total"]
    page = demo_client.get("/en/search?q=Beratung+ohne+Termin").get_data(as_text=True)
    assert f"Only the {count} offers without an appointment?" in page


# ---- open now and temporary closures ---------------------------------------------------------

def _a_monday_ahead():
    """A Monday two to three weeks from today: the index is written before the closure, as it
    would be (and the test holds next year)."""
    from datetime import date, timedelta

    day = date.today() + timedelta(days=14)
    return day + timedelta(days=(7 - day.weekday()) % 7)


@pytest.mark.parametrize("days, hour, is_open", [
    (-2, 11, True),  # Saturday before the closure
    (1, 1, True),  # Monday night's café, past midnight into the first closed day
    (1, 11, False),  # Tuesday, the first closed day
    (7, 21, False),  # Monday night, closed
    (8, 1, False),  # … and so past midnight too
    (12, 11, False),  # Saturday, the last closed day
    (15, 1, True),  # Monday night after the closure, past midnight
    (15, 11, True),  # Tuesday after
])
def test_open_now_leaves_out_a_closed_offer_in_the_index_and_the_database(ctx, tmp_path, days,
                                                                           hour, is_open):
    """The index (written once, before the closure: no reindex on its days), the plain
    database search and open_state agree about an offer closed from a Tuesday to the
    Saturday of the week after."""
    from datetime import timedelta

    from wegweiser.opening import open_state
    from wegweiser.services.setup import import_files

    from .conftest import DATA

    monday = _a_monday_ahead()
    now = datetime.combine(monday + timedelta(days=days), datetime.min.time()).replace(hour=hour)
    data = json.loads((DATA / "valid.json").read_text())
    offer = next(o for o in data["offers"] if o["id"] == "sprachbruecke-deutschkurs")
    offer["opening_hours"] = [{"weekday": 2, "opens": "10:00", "closes": "12:00"},
                              {"weekday": 6, "opens": "10:00", "closes": "14:00"},
                              {"weekday": 1, "opens": "20:00", "closes": "02:00"}]
    offer["closures"] = [{"from": (monday + timedelta(days=1)).isoformat(),
                          "until": (monday + timedelta(days=12)).isoformat(),
                          "note": {"de": "Ferien"}}]
    path = tmp_path / "closed.json"
    path.write_text(json.dumps(data))
    assert import_files([path], "import:test").ok
    session = db.session()
    found = session.scalar(select(Offer).where(Offer.external_id == offer["id"]))
    query = SearchQuery(per_page=50, now=now, open_now=True)
    indexed = search_service().search(query, session)
    plain = plain_search(session, query, IndexSettings(timezone="Europe/Berlin"))
    state = open_state([h.slot() for h in found.opening_hours], now,
                       [c.closure() for c in found.closures])
    assert state.is_open is is_open
    assert (found.id in indexed.offer_ids) is is_open
    assert (found.id in plain.offer_ids) is is_open
