"""Open Referral HSDS 3.0 export: every exported record of the demo directory is valid against
the official HSDS 3.0 JSON Schemas, ids are stable, nothing of an offer is lost on the way."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.cli import main
from wegweiser.models import PUBLISHED, Offer
from wegweiser.services.hsds.ids import NAMESPACE, hsds_id
from wegweiser.services.hsds.schedules import BYDAY_TO_ISO, ISO_TO_BYDAY
from wegweiser.services.records import offer_record

from .hsds_schemas import api_errors, schema_errors
from .test_api import check


@pytest.fixture(scope="module")
def exported(demo_app, tmp_path_factory):
    path = tmp_path_factory.mktemp("hsds") / "directory.json"
    result = demo_app.test_cli_runner().invoke(main, ["export", "--format", "hsds", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def published(demo_app):
    with demo_app.app_context():
        offers = db.session().scalars(select(Offer).where(Offer.status == PUBLISHED)).all()
        return {o.external_id: offer_record(o) for o in offers}


def test_every_exported_record_is_valid_hsds(exported, published):
    assert len(exported["services"]) == len(published) > 100
    assert not schema_errors("service_package", exported["services"])
    assert not schema_errors("organization_package", exported["organizations"])
    for record in exported["services"]:
        assert not schema_errors("service", record), record["x-wegweiser"]["id"]
    for record in exported["organizations"]:
        assert not schema_errors("organization", record), record["x-wegweiser"]["id"]
    assert exported["x-wegweiser"]["licence"]["name"] == "CC BY 4.0"


def test_the_validation_rejects_what_hsds_does_not_allow(exported):
    """The check above is real: a slug as id, an unknown status and a bad e-mail fail."""
    broken = {**exported["services"][0], "id": "a-slug", "status": "published",
              "email": "no address"}
    errors = " ".join(schema_errors("service", broken))
    assert "'a-slug' is not a 'uuid'" in errors and "'published' is not one of" in errors
    assert "is not a 'email'" in errors


def test_ids_are_uuid5_of_the_external_ids_and_link_up(exported):
    organisations = {o["id"]: o for o in exported["organizations"]}
    for service in exported["services"]:
        extension = service["x-wegweiser"]
        assert service["id"] == str(uuid.uuid5(NAMESPACE, "service/" + extension["id"]))
        assert organisations[service["organization_id"]]["x-wegweiser"]["id"] == \
            extension["organisation"]
    ids = [s["id"] for s in exported["services"]] + list(organisations)
    assert len(ids) == len(set(ids))
    assert hsds_id("service", "x") == hsds_id("service", "x") != hsds_id("organization", "x")


def test_schedules_name_the_right_weekdays(exported, published):
    seen = monthly = 0
    for service in exported["services"]:
        record = published[service["x-wegweiser"]["id"]]
        slots = sorted((BYDAY_TO_ISO[day[-2:]], int(day[:-2] or 0), s["opens_at"][:5],
                        s["closes_at"][:5], s.get("description"))
                       for s in service["schedules"] for day in s["byday"].split(","))
        # A slot on one weekday of the month is a MONTHLY schedule ("1TH", "-1WE").
        assert all(s["freq"] == ("MONTHLY" if s["byday"][0] in "-1234" else "WEEKLY")
                   for s in service["schedules"])
        assert slots == sorted((h["weekday"], h.get("week_of_month", 0), h["opens"],
                                h["closes"], h.get("note")) for h in record["opening_hours"])
        seen += len(slots)
        monthly += sum(s["freq"] == "MONTHLY" for s in service["schedules"])
    assert seen > 200 and monthly >= 3
    assert ISO_TO_BYDAY == {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
    # A known case: the demo's morning course, Monday, Wednesday and Friday.
    course = next(s for s in exported["services"]
                  if s["x-wegweiser"]["id"] == "a-sprachwerk-deutschkurs-a1")
    assert [(s["byday"], s["opens_at"]) for s in course["schedules"]] == [("MO,WE,FR", "09:00:00")]
    children = next(s for s in exported["services"]
                    if s["x-wegweiser"]["id"] == "a-lindenblatt-kindervorsorge")
    assert [(s["freq"], s["byday"]) for s in children["schedules"]] == [("MONTHLY", "1FR,3FR")]


def test_texts_vocabularies_and_places_are_all_exported(exported, published):
    for service in exported["services"]:
        record = published[service["x-wegweiser"]["id"]]
        extension = service["x-wegweiser"]
        assert extension["translations"] == {k: record[k] for k in ("title", "summary",
                                                                    "description")}
        assert extension["closures"] == record["closures"]
        assert service["name"] == record["title"][record["original_language"]]
        terms = [a["taxonomy_term"] for a in service["attributes"]]
        assert [t["code"] for t in terms if t["taxonomy"] == "wegweiser-categories"] == \
            record["categories"]
        assert [t["code"] for t in terms if t["taxonomy"] == "wegweiser-target-groups"] == \
            record["target_groups"]
        assert [lang["code"] for lang in service["languages"]] == record["languages"]
        names = [a["name"] for a in service["service_areas"]]
        assert ("Leipzig" in names) == record["citywide"]
        assert len(names) == len(record["areas"]) + record["citywide"]
        location = service["service_at_locations"][0]["location"]
        assert location["addresses"][0]["address_1"] == record["address"]["street"]
        assert (location["latitude"], location["longitude"]) == \
            (record["address"]["lat"], record["address"]["lon"])
        assert service["cost_options"][0]["option"] in ("free of charge", "reduced fee", "paid")
        assert service.get("assured_date") == record["verified_at"]


def test_api_pages_follow_the_hsds_api_and_our_openapi(demo_client, published):
    spec = demo_client.get("/api/v1/openapi.json").get_json()
    seen, page = [], 1
    while True:
        body = demo_client.get(f"/api/v1/hsds/services?page={page}&per_page=40").get_json()
        assert not api_errors("/services", body)
        check(spec, "HsdsPage", body)
        assert body["page_number"] == page and body["size"] == len(body["contents"]) <= 40
        assert body["first_page"] == (page == 1)
        seen += [s["x-wegweiser"]["id"] for s in body["contents"]]
        assert all("schedules" not in s for s in body["contents"])
        if body["last_page"]:
            break
        page += 1
    assert body["total_items"] == len(published) and sorted(seen) == sorted(published)
    assert body["total_pages"] == page == -(-len(published) // 40)
    full = demo_client.get("/api/v1/hsds/services?per_page=5&full=true").get_json()
    for service in full["contents"]:
        assert not schema_errors("service", service)
        check(spec, "HsdsService", service)
        assert service["organization"]["id"] == service["organization_id"]
        assert "phones" not in service["organization"]
    one = demo_client.get(f"/api/v1/hsds/services/{full['contents'][0]['id']}").get_json()
    assert one == full["contents"][0]
    past = demo_client.get("/api/v1/hsds/services?page=999").get_json()
    assert past["empty"] and past["size"] == 0 and not api_errors("/services", past)


def test_api_organizations(demo_client, exported):
    body = demo_client.get("/api/v1/hsds/organizations?per_page=100").get_json()
    assert not api_errors("/organizations", body)
    assert body["total_items"] == len(exported["organizations"]) == len(body["contents"])
    full = demo_client.get("/api/v1/hsds/organizations?full=1&per_page=3").get_json()
    for org in full["contents"]:
        assert not schema_errors("organization", org)
    one = demo_client.get(f"/api/v1/hsds/organizations/{full['contents'][0]['id']}")
    assert one.get_json() == full["contents"][0]


@pytest.mark.parametrize("query, parameter", [("?page=0", "page"), ("?per_page=500", "per_page"),
                                              ("?full=maybe", "full"), ("?page=x", "page")])
def test_bad_parameters_get_a_json_400(demo_client, query, parameter):
    for path in ("/api/v1/hsds/services", "/api/v1/hsds/organizations"):
        response = demo_client.get(path + query)
        assert response.status_code == 400
        assert response.get_json()["error"]["parameter"] == parameter


def test_unknown_ids_get_a_json_404(demo_client):
    for path in ("services", "organizations"):
        response = demo_client.get(f"/api/v1/hsds/{path}/{uuid.uuid4()}")
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_export_to_standard_output_and_to_an_impossible_place(demo_app, tmp_path):
    runner = demo_app.test_cli_runner()
    result = runner.invoke(main, ["export", "--format", "hsds", "-"])
    assert result.exit_code == 0 and json.loads(result.stdout)["services"]
    failed = runner.invoke(main, ["export", str(tmp_path / "missing" / "x.json")])
    assert failed.exit_code == 1 and "Could not open file" in failed.output
    assert "Traceback" not in failed.output


def test_services_can_be_narrowed_as_the_hsds_api_says(demo_client, published, exported):
    everything = demo_client.get("/api/v1/hsds/services?modified_after=2000-01-01").get_json()
    assert everything["total_items"] == len(published)
    later = demo_client.get("/api/v1/hsds/services?modified_after=2999-01-01T00:00:00Z")
    assert later.get_json()["total_items"] == 0 and later.get_json()["empty"]
    org = exported["organizations"][0]
    own = demo_client.get(f"/api/v1/hsds/services?organization_id={org['id']}&per_page=100")
    assert {s["organization_id"] for s in own.get_json()["contents"]} == {org["id"]}
    assert own.get_json()["total_items"] == sum(
        1 for s in exported["services"] if s["organization_id"] == org["id"])
    stranger = demo_client.get(f"/api/v1/hsds/services?organization_id={uuid.uuid4()}")
    assert stranger.get_json()["total_items"] == 0
    bad = demo_client.get("/api/v1/hsds/services?modified_after=yesterday")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "modified_after"
