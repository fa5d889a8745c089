"""The JSON API, validated against its own OpenAPI document."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012


@pytest.fixture(scope="module")
def spec(demo_app):
    document = demo_app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    return document


def validator(spec, name):
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(spec))
    schema = {"$ref": f"urn:openapi#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry)


def check(spec, name, body):
    errors = sorted(validator(spec, name).iter_errors(body), key=str)
    assert not errors, [e.message for e in errors[:5]]


@pytest.mark.parametrize("query", [
    "", "?q=Deutschkurs", "?area=sued&category=language-courses",
    "?area=connewitz&area=citywide&free=true&lang=en", "?target_group=women&language=ar",
    "?q=%22((%20AND&per_page=5&page=2", "?q=" + "x" * 5000,
])
def test_search_responses_follow_the_schema(demo_client, spec, query):
    response = demo_client.get("/api/v1/offers" + query)
    assert response.status_code == 200
    check(spec, "SearchResponse", response.get_json())


def test_search_answers_with_external_ids_and_facets(demo_client):
    body = demo_client.get("/api/v1/offers?q=Deutschkurs&per_page=3").get_json()
    assert body["total"] > 0 and len(body["results"]) <= 3
    first = body["results"][0]
    assert not first["id"].isdigit()
    assert first["url"].endswith(f"/de/offers/{first['id']}")
    assert sum(body["facets"]["category"].values()) >= body["total"]


def test_offer_detail_has_all_translations(demo_client, spec):
    listing = demo_client.get("/api/v1/offers?per_page=1").get_json()
    offer_id = listing["results"][0]["id"]
    response = demo_client.get(f"/api/v1/offers/{offer_id}?lang=en")
    assert response.status_code == 200
    body = response.get_json()
    check(spec, "Offer", body)
    assert "de" in body["title"] and body["url"].endswith(f"/en/offers/{offer_id}")


@pytest.mark.parametrize("query, parameter", [
    ("?area=atlantis", "area"), ("?category=", "category"), ("?page=0", "page"),
    ("?page=abc", "page"), ("?per_page=1000", "per_page"), ("?free=maybe", "free"),
    ("?lang=xx", "lang"), ("?q=" + "x" * 10_001, "q"),
])
def test_bad_parameters_get_a_400_with_a_json_error(demo_client, spec, query, parameter):
    response = demo_client.get("/api/v1/offers" + query)
    assert response.status_code == 400
    body = response.get_json()
    check(spec, "Error", body)
    assert body["error"]["parameter"] == parameter


@pytest.mark.parametrize("path, query, parameter", [
    ("/api/v1/offers", "q=sprache&q=arzt", "q"), ("/api/v1/offers", "page=1&page=2", "page"),
    ("/api/v1/offers", "per_page=10&per_page=50", "per_page"),
    ("/api/v1/offers", "lang=de&lang=en", "lang"), ("/api/v1/offers", "free=1&free=0", "free"),
    ("/api/v1/offers/a-aljisr-elternberatung", "lang=de&lang=ar", "lang"),
    ("/api/v1/events", "this_week=1&this_week=0", "this_week"),
    ("/api/v1/help-calls", "area=connewitz&area=gohlis-nord", "area"),
    ("/api/v1/hsds/services", "page=1&page=2", "page"),
])
def test_a_parameter_that_takes_one_value_given_twice_is_refused(demo_client, spec, path, query,
                                                                 parameter):
    """Answering with the first value would drop the second without a word."""
    response = demo_client.get(f"{path}?{query}")
    assert response.status_code == 400
    body = response.get_json()
    check(spec, "Error", body)
    assert body["error"] == {"code": "invalid_parameter", "parameter": parameter,
                             "message": f"{parameter} must be given once"}


def test_the_filters_are_still_repeatable(demo_client):
    response = demo_client.get("/api/v1/offers?area=connewitz&area=gohlis-nord&category=health"
                               "&category=housing")
    assert response.status_code == 200
    assert demo_client.get("/api/v1/events?language=ar&language=fa").status_code == 200


def test_unknown_offer_is_a_json_404(demo_client, spec):
    response = demo_client.get("/api/v1/offers/nope")
    assert response.status_code == 404
    check(spec, "Error", response.get_json())
    assert demo_client.get("/api/v1/nothing").get_json()["error"]["code"] == "not_found"
