""""Near me": results ordered by distance from a position (rounded to about 500 m before it is
used) or from the centre of a part of town; distances shown in the page's language and given
by the API; bad places refused clearly."""
from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import select

from wegweiser import db, geo
from wegweiser.models import PUBLISHED, Offer
from wegweiser.search import SearchQuery, search_service
from wegweiser.search.updater import IndexSettings
from wegweiser.services.plain_search import plain_search

pytestmark = pytest.mark.demo_directory

HBF = (51.3455, 12.3821)  # near Leipzig's main station


def haversine(a, b) -> float:
    """Independent of geo.py: the textbook formula, mean earth radius 6371 km."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


# -- geo: rounding, parsing, distance -------------------------------------------------------

@pytest.mark.parametrize("lat, lon", [(51.34171, 12.37712), (51.3425, 12.3775), (-33.9, 18.4),
                                      (0.0024, -0.0026), (89.999, 179.999)])
def test_a_position_is_rounded_to_a_grid_of_about_500_m(lat, lon):
    r_lat, r_lon = geo.rounded(lat, lon)
    assert abs(r_lat - lat) <= geo.GRID / 2 + 1e-9 and abs(r_lon - lon) <= geo.GRID / 2 + 1e-9
    for value in (r_lat, r_lon):
        assert abs(value / geo.GRID - round(value / geo.GRID)) < 1e-6
    assert geo.rounded(r_lat, r_lon) == (r_lat, r_lon)
    # Every position within the same cell of the grid gives the same rounded one.
    assert geo.rounded(r_lat + 0.002, r_lon - 0.002) == (r_lat, r_lon)


def test_a_rounded_position_is_at_most_about_400_m_from_the_real_one():
    worst = max(haversine((lat, lon), geo.rounded(lat, lon))
                for lat in (51.30, 51.3024, 51.3374) for lon in (12.30, 12.3024, 12.3776))
    assert worst < 0.4


@pytest.mark.parametrize("text", ["", "51.3", "51.3,12.3,1", "a,b", "nan,12", "51,inf",
                                  "91,12", "51,181", "-90.1,0", "1e400,0", "0x1,2"])
def test_anything_but_two_numbers_in_range_is_not_a_position(text):
    with pytest.raises(ValueError):
        geo.parse_point(text)


def test_positions_are_read_and_formatted_on_the_grid():
    assert geo.parse_point(" 51.34171 , 12.37712 ") == (51.34, 12.375)
    assert geo.format_point((51.34, 12.375)) == "51.340,12.375"
    assert geo.parse_point("-90,180") == (-90.0, 180.0)


def test_distances_match_the_textbook_formula():
    for a, b in [(HBF, (51.3104, 12.3784)), (HBF, HBF), ((51.3, 12.3), (52.52, 13.405))]:
        assert float(geo.distance_km(*a, *b)) == pytest.approx(haversine(a, b), rel=1e-3)
    assert float(geo.distance_km(51.0, 12.0, 51.01, 12.0)) == pytest.approx(1.112, abs=0.002)


# -- the search service -----------------------------------------------------------------------

@pytest.fixture
def located(demo_app):
    """Published offers' coordinates by id, from the database."""
    with demo_app.app_context():
        rows = db.session().execute(select(Offer.id, Offer.lat, Offer.lon)
                                    .where(Offer.status == PUBLISHED)).all()
    return {i: (lat, lon) for i, lat, lon in rows if lat is not None}


def _distances_in_order(result, located, point):
    return [haversine(located[i], point) for i in result.offer_ids if i in located]


@pytest.mark.parametrize("text, filters", [("", {}), ("Beratung", {}),
                                           ("", {"category": ("language-courses",)}),
                                           ("Deutsch", {"area": ("sued",)})])
def test_results_come_nearest_first(demo_app, located, text, filters):
    with demo_app.app_context():
        service = search_service()
        plain = service.search(SearchQuery(text, per_page=200, **filters), db.session())
        near = service.search(SearchQuery(text, per_page=200, near=HBF, **filters),
                              db.session())
    assert near.total == plain.total and set(near.offer_ids) == set(plain.offer_ids)
    assert near.total > 3
    km = _distances_in_order(near, located, HBF)
    assert km == sorted(km)
    # Offers without coordinates (none in the demo data) would come last; all have a distance.
    assert set(near.distances) == {i for i in near.offer_ids if i in located}
    for i, d in near.distances.items():
        assert d == pytest.approx(haversine(located[i], HBF), rel=1e-3)


def test_pages_continue_the_order(demo_app, located):
    with demo_app.app_context():
        service = search_service()
        first = service.search(SearchQuery(per_page=7, near=HBF), db.session())
        second = service.search(SearchQuery(per_page=7, page=2, near=HBF), db.session())
        whole = service.search(SearchQuery(per_page=14, near=HBF), db.session())
    assert first.offer_ids + second.offer_ids == whole.offer_ids
    assert max(first.distances.values()) <= min(second.distances.values())


def test_the_plain_database_search_orders_by_distance_too(demo_app, located):
    with demo_app.app_context():
        found = plain_search(db.session(), SearchQuery(per_page=30, near=HBF),
                             IndexSettings(timezone="Europe/Berlin"))
        indexed = search_service().search(SearchQuery(per_page=30, near=HBF), db.session())
    km = [found.distances[i] for i in found.offer_ids]
    assert km == sorted(km) and len(km) == 30
    assert km == pytest.approx([indexed.distances[i] for i in indexed.offer_ids], rel=1e-6)


# -- pages and API ----------------------------------------------------------------------------

def _shown_km(html: str) -> list[float]:
    return [float(k.replace(",", ".")) for k in re.findall(r'class="distance">([\d.,]+)', html)]


def test_a_part_of_town_orders_the_results_page(demo_client):
    response = demo_client.get("/de/search?q=Beratung&near=connewitz")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    km = _shown_km(html)
    assert len(km) >= 10 and km == sorted(km) and km[0] < 1
    assert re.search(r'class="distance">\d+,\d km<', html)  # German decimal comma
    assert "Sortiert nach Entfernung von Connewitz" in html
    # Further pages and a new search keep the order.
    assert re.search(r'href="/de/search\?[^"]*near=connewitz[^"]*page=2', html) or \
        re.search(r'href="/de/search\?[^"]*page=2[^"]*near=connewitz', html)
    assert '<input type="hidden" name="near" value="connewitz">' in html


def test_a_typed_part_of_town_is_understood(demo_client):
    by_name = demo_client.get("/de/search?near=Schleussig").get_data(as_text=True)
    by_slug = demo_client.get("/de/search?near=schleussig").get_data(as_text=True)
    assert _shown_km(by_name) == _shown_km(by_slug) and _shown_km(by_name)


def test_distances_are_in_the_page_language(demo_client):
    html = demo_client.get("/ar/search?near=51.34,12.375").get_data(as_text=True)
    assert re.search(r'class="distance">[\d.]+ كم<', html)
    assert "dir=\"rtl\"" in html


def test_a_position_is_rounded_again_by_the_server(demo_client):
    html = demo_client.get("/de/search?near=51.34171,12.37712").get_data(as_text=True)
    # The links the page makes (further pages, the choice of place, a new search) carry the
    # rounded position.
    assert 'href="/de/near?near=51.340,12.375"' in html
    assert "page=2&amp;near=51.340,12.375" in html
    assert '<input type="hidden" name="near" value="51.340,12.375">' in html
    assert "Sortiert nach Entfernung von Ihrem Standort" in html


@pytest.mark.parametrize("value", ["abc", "91,12", "51.3", "nan,nan", "x" * 500, "51,12,3"])
def test_an_unknown_place_says_so_and_still_shows_results(demo_client, value):
    response = demo_client.get("/de/search", query_string={"q": "Beratung", "near": value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in html and 'href="/de/near?q=Beratung"' in html
    assert html.count("<article") >= 5 and "class=\"distance\"" not in html


def test_the_choice_page_keeps_the_search_and_lists_every_part_of_town(demo_client):
    html = demo_client.get("/de/near?q=Beratung&category=language-courses&near=connewitz"
                           "&page=3").get_data(as_text=True)
    assert '<input type="hidden" name="q" value="Beratung">' in html
    assert '<input type="hidden" name="category" value="language-courses">' in html
    assert 'name="page"' not in html
    assert len(re.findall(r'<option value="[a-z]', html)) == 63 and html.count("<optgroup") == 10
    assert '<option value="connewitz" selected>' in html
    # The position button is for browsers with JavaScript: hidden until the script shows it.
    assert re.search(r'<div class="near-position" hidden data-script="/static/js/near\.js',
                     html)
    assert 'data-locate="/de/search?q=Beratung&amp;category=language-courses"' in html


def test_the_api_orders_by_distance_and_gives_it(demo_client, located):
    body = demo_client.get("/api/v1/offers?near=51.3455,12.3821&per_page=50").get_json()
    assert body["near"] == {"lat": 51.345, "lon": 12.38, "area": None}
    km = [r["distance_km"] for r in body["results"]]
    assert km == sorted(km) and len(km) == 50
    plain = demo_client.get("/api/v1/offers?per_page=50").get_json()
    assert "distance_km" not in plain["results"][0] and "near" not in plain
    by_area = demo_client.get("/api/v1/offers?near=connewitz").get_json()
    assert by_area["near"]["area"] == "connewitz"
    assert by_area["results"][0]["distance_km"] < 1


@pytest.mark.parametrize("value", ["abc", "91,12", "12", "inf,0", "51.3;12.3", "citywide"])
def test_the_api_refuses_a_bad_place_with_a_400(demo_client, value):
    response = demo_client.get("/api/v1/offers", query_string={"near": value})
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "near"


def test_the_privacy_page_says_what_happens_to_a_position(demo_client):
    assert "500 m" in demo_client.get("/en/privacy").get_data(as_text=True)
