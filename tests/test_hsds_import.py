"""HSDS import of what maps: our own export comes back unchanged, the official HSDS 3.0 example
and the San Mateo County sample (Ohana CSV) import with a report of what was dropped and why,
all or nothing like the JSON import."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from wegweiser import db
from wegweiser.cli import main
from wegweiser.models import Offer
from wegweiser.services.hsds.export import export_document
from wegweiser.services.hsds.importing import import_hsds
from wegweiser.services.hsds.mapping import MAPPINGS
from wegweiser.services.records import offer_record

from .helpers import directory_counts, directory_records
from .hsds_schemas import EXAMPLES, SMC_SAMPLE, need

LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}


def _export(path):
    document = export_document(db.session(), LICENCE)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return document


def _offer(external_id: str) -> Offer:
    return db.session().scalar(select(Offer).where(Offer.external_id == external_id))


def _dropped(report) -> set[tuple[str, str]]:
    return {(d.field, d.reason) for d in report.dropped}


def test_export_then_import_of_the_demo_directory_changes_nothing(directory, tmp_path):
    with directory.app_context():
        before, counts = directory_records(), directory_counts()
        document = _export(tmp_path / "hsds.json")
        report = import_hsds([tmp_path / "hsds.json"], "import:roundtrip")
        assert report.ok, report.result.problems[:5]
        assert report.result.unchanged == {"organisations": len(document["organizations"]),
                                           "offers": len(document["services"])}
        assert report.result.created == report.result.updated == {"organisations": 0,
                                                                  "offers": 0}
        assert report.dropped == [] and report.ignored == []
        assert directory_records() == before and directory_counts() == counts


def test_closures_travel_in_the_extension_to_another_directory(directory, app, tmp_path):
    """HSDS 3.0 has no place for closed days: our extension carries them (past ones too), so a
    directory that imports our export has the demo's holidays with their notes."""
    with directory.app_context():
        originals, _orgs = directory_records()
        _export(tmp_path / "hsds.json")
    closed = {key: record["closures"] for key, record in originals.items() if record["closures"]}
    assert closed, "the demo has closures"
    with app.app_context():
        report = import_hsds([tmp_path / "hsds.json"], "import:other")
        assert report.ok, report.result.problems[:5]
        imported, _orgs = directory_records()
    assert {key: record["closures"] for key, record in imported.items()
            if record["closures"]} == closed


def test_standard_hsds_fields_alone_carry_what_our_model_holds(directory, tmp_path):
    """Without the extension (as another directory would send it back) every offer comes in
    as a new one under its HSDS id, with the same vocabularies, places, hours and contact."""
    with directory.app_context():
        originals, _orgs = directory_records()
        document = _export(tmp_path / "hsds.json")
        for record in document["services"] + document["organizations"]:
            del record["x-wegweiser"]
        (tmp_path / "plain.json").write_text(json.dumps(document), encoding="utf-8")
        report = import_hsds([tmp_path / "plain.json"], "import:plain")
        assert report.ok, report.result.problems[:5]
        assert report.result.created["offers"] == len(originals)
        for service in document["services"]:
            imported = offer_record(_offer(f"hsds-{service['id']}"))
            original = next(o for o in originals.values() if o["title"].get(
                o["original_language"]) == service["name"] and o["address"].get("street") ==
                imported["address"].get("street"))
            for key in ("categories", "target_groups", "languages", "areas", "citywide",
                        "opening_hours", "cost", "address", "contact", "verified_at", "status"):
                assert imported[key] == original[key], (original["id"], key)
            assert imported["accessible"] == (True if original["accessible"] else None)


def test_a_changed_service_updates_its_offer_with_a_revision(directory, tmp_path):
    with directory.app_context():
        document = _export(tmp_path / "hsds.json")
        service = document["services"][0]
        external_id = service["x-wegweiser"]["id"]
        service["schedules"] = [{"id": service["id"], "freq": "WEEKLY", "byday": "SU",
                                 "opens_at": "09:00:00", "closes_at": "12:00:00"}]
        (tmp_path / "changed.json").write_text(json.dumps(document), encoding="utf-8")
        revisions = directory_counts()["Revision"]
        report = import_hsds([tmp_path / "changed.json"], "import:changed")
        assert report.result.updated == {"organisations": 0, "offers": 1}
        assert [(h.weekday, h.opens.hour) for h in _offer(external_id).opening_hours] == [(7, 9)]
        assert directory_counts()["Revision"] == revisions + 1


def test_an_invalid_record_imports_nothing(directory, tmp_path):
    with directory.app_context():
        document = _export(tmp_path / "hsds.json")
        document["services"][0]["name"] = "changed"
        document["services"][1]["x-wegweiser"]["translations"]["title"]["xx"] = "?"
        (tmp_path / "bad.json").write_text(json.dumps(document), encoding="utf-8")
        (tmp_path / "broken.json").write_text("{", encoding="utf-8")
        before, counts = directory_records(), directory_counts()
        report = import_hsds([tmp_path / "bad.json"], "import:bad")
        assert not report.ok
        assert [(p.record, p.field) for p in report.result.problems] == \
            [(document["services"][1]["x-wegweiser"]["id"], "title.xx")]
        assert not import_hsds([tmp_path / "broken.json"], "import:broken").ok
        assert directory_records() == before and directory_counts() == counts


def test_the_official_example_imports_with_a_report(ctx):
    need(EXAMPLES)
    report = import_hsds([EXAMPLES], "import:example", MAPPINGS / "openreferral-example.toml")
    assert report.ok, report.result.problems
    assert report.result.created == {"organisations": 1, "offers": 1}
    offer = offer_record(_offer("hsds-ac148810-d857-441c-9679-408f346de14b"))
    assert offer["title"] == {"en": "Community Counselling"}
    assert offer["description"]["en"].startswith("Counselling Services provided by trained")
    assert offer["categories"] == ["psychosocial-support"] and offer["citywide"]
    assert offer["languages"] == ["ur"] and offer["cost"] == "paid"
    assert offer["opening_hours"] == [
        {"weekday": 4, "opens": "10:00", "closes": "18:00", "note": "The service is available "
         "from 10 am to 6pm weekdays. The service is not available on public holidays."},
        {"weekday": 5, "opens": "10:00", "closes": "18:00", "note": "The service is available "
         "from 10 am to 6pm weekdays. The service is not available on public holidays."}]
    assert offer["contact"] == {"phone": "+44 1234 234567", "email": "email@example.com",
                                "website": "http://example.com/counselling"}
    assert offer["address"] == {"street": "1-30 Main Street, MyVillage", "postal_code": "ABC 1234",
                                "city": "MyCity"}
    assert offer["verified_at"] == "2005-01-01" and offer["organisation"] == \
        "hsds-d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    dropped = _dropped(report)
    assert ("contacts", "names of people are not kept") in dropped
    assert ("location.latitude", "100, 101 is no point on Earth") in dropped
    assert ("alert", "no field for it in Wegweiser's model") in dropped
    assert ("service_areas", "no area of this city: imported as citywide") in dropped
    assert any(f == "attributes" and "given 'psychosocial-support'" in r for f, r in dropped)
    assert {w for w, _r in report.ignored} == {"location.json",
                                               "taxonomy_term_list.json.contents[0]"}
    again = import_hsds([EXAMPLES], "import:example", MAPPINGS / "openreferral-example.toml")
    assert again.result.unchanged == {"organisations": 1, "offers": 1}


def test_without_a_category_the_example_is_reported_not_imported(ctx):
    need(EXAMPLES)
    report = import_hsds([EXAMPLES / "service_full.json"], "import:example")
    assert report.ok and report.result.created == {"organisations": 1, "offers": 0}
    assert ("(record)", "no term maps to one of our categories; not imported") in \
        _dropped(report)


def test_the_san_mateo_sample_imports_with_its_taxonomy_mapping(ctx):
    need(SMC_SAMPLE)
    report = import_hsds([SMC_SAMPLE], "import:smc", MAPPINGS / "ohana-smc.toml")
    assert report.ok, report.result.problems[:5]
    assert report.result.created == {"organisations": 8, "offers": 20}
    offers = {o.translations_of("title")["en"]: offer_record(o)
              for o in db.session().scalars(select(Offer))}
    centre = offers["Fair Oaks Adult Activity Center"]
    assert centre["target_groups"] == ["seniors"] and "everyday-help" in centre["categories"]
    assert centre["address"] == {"street": "2600 Middlefield Road", "postal_code": "94063",
                                 "city": "Redwood City", "lat": 37.477227, "lon": -122.213221}
    assert centre["languages"] == ["es"] and centre["accessible"] is True
    assert centre["opening_hours"] == [{"weekday": 1, "opens": "09:00", "closes": "03:00"}]
    assert centre["contact"] == {"phone": "650 780-7525"} and centre["cost"] == "reduced"
    passports = offers["Passport Photos"]
    # Open Eligibility 105, 108, 108-05, 111, 111-05 and the keywords "Salud", "Medicina":
    assert set(passports["categories"]) == {"mobility", "everyday-help", "social-counselling",
                                            "asylum-legal-advice", "health"}
    assert passports["opening_hours"] == [
        {"weekday": 1, "opens": "08:00", "closes": "12:00"},
        {"weekday": 1, "opens": "14:00", "closes": "16:00"},
        {"weekday": 3, "opens": "10:00", "closes": "15:00"}]
    assert offers["Senior Peer Counseling"]["target_groups"] == ["seniors", "lgbtiq"]
    dropped = _dropped(report)
    assert ("languages", "'Tagalog' is not one of our languages") in dropped
    assert ("eligibility_description", "no field for it in Wegweiser's model") in dropped
    not_imported = [d.record for d in report.dropped if d.field == "(record)"]
    assert len(not_imported) == 3
    assert any(w.endswith("contacts.csv") and "31 row(s)" in r for w, r in report.ignored)
    again = import_hsds([SMC_SAMPLE], "import:smc", MAPPINGS / "ohana-smc.toml")
    assert again.result.unchanged == {"organisations": 8, "offers": 20}


def test_a_mapping_naming_unknown_values_is_refused(ctx, tmp_path):
    need(SMC_SAMPLE)
    (tmp_path / "wrong.toml").write_text('[categories]\n"HEALTH SERVICES" = "wellness"\n')
    report = import_hsds([SMC_SAMPLE], "import:smc", tmp_path / "wrong.toml")
    assert not report.ok and "unknown 'wellness'" in str(report.result.problems[0])
    assert directory_counts()["Offer"] == 0


def test_command_line_reports_dropped_fields(app, tmp_path):
    need(SMC_SAMPLE)
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["import", "--format", "hsds", "--mapping",
                                  str(MAPPINGS / "ohana-smc.toml"), "--report",
                                  str(tmp_path / "report.json"), str(SMC_SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "offers: 20 new" in result.output
    assert "dropped: languages: 'Tagalog' is not one of our languages" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert {"record", "field", "reason"} == set(report["dropped"][0])
    refused = runner.invoke(main, ["import", str(SMC_SAMPLE)])
    assert refused.exit_code == 2 and "a folder" in refused.output


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6)


def _paths(value, prefix=()):
    """Every place in a JSON document, as a tuple of keys and indexes."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replaced(document, path, new):
    if not path:
        return new
    copy = list(document) if isinstance(document, list) else dict(document)
    copy[path[0]] = _replaced(document[path[0]], path[1:], new)
    return copy


def test_any_malformed_record_is_reported_never_a_crash(ctx, tmp_path):
    """Whatever a field of the official example holds, the import answers with a report (and
    writes nothing when a record is invalid) instead of failing."""
    need(EXAMPLES)
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    paths = list(_paths(service))[1:]
    mapping = MAPPINGS / "openreferral-example.toml"

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(path=st.sampled_from(paths), new=JSON_VALUES)
    def check(path, new):
        broken = tmp_path / "broken.json"
        broken.write_text(json.dumps(_replaced(service, path, new)), encoding="utf-8")
        counts = directory_counts()
        report = import_hsds([broken], "import:fuzz", mapping, dry_run=True)
        assert report.ok or report.result.problems
        assert directory_counts() == counts

    check()


def test_the_tabular_form_of_the_example_gives_the_same_offer(ctx):
    need(EXAMPLES / "csv")
    mapping = MAPPINGS / "openreferral-example.toml"
    assert import_hsds([EXAMPLES / "csv"], "import:csv", mapping).result.created == \
        {"organisations": 1, "offers": 1}
    offers_from_csv, _orgs = directory_records()
    again = import_hsds([EXAMPLES], "import:json", mapping)
    # The example's locations.csv links its location to another organization id, so only the
    # JSON form gives the organisation an address.
    assert again.result.unchanged == {"organisations": 0, "offers": 1}
    assert again.result.updated == {"organisations": 1, "offers": 0}
    assert directory_records()[0] == offers_from_csv


def test_a_record_without_its_required_name_is_named_with_the_reason(app, tmp_path):
    """HSDS requires a name of every service and organization: a record without one is not
    "no HSDS record" but one that lacks its name, in the listing and in the report file."""
    path = tmp_path / "nameless.json"
    path.write_text(json.dumps({"organizations": [{"id": "o-1", "name": "Verein",
                                                   "services": [{"id": "s-1"}]}],
                                "services": [{"id": "s-2", "organization_id": "o-1"}]}))
    with app.app_context():
        counts = directory_counts()
    result = app.test_cli_runner().invoke(main, ["import", "--format", "hsds", "--report",
                                                 str(tmp_path / "report.json"), str(path)])
    reason = "has no name, which HSDS requires of every service and organization"
    assert f"ignored: nameless.json.services[0]: {reason}" in result.output, result.output
    assert f"ignored: nameless.json.organizations[0].services[0]: {reason}" in result.output
    ignored = json.loads((tmp_path / "report.json").read_text())["ignored"]
    assert {"where": "nameless.json.services[0]", "reason": reason} in ignored
    with app.app_context():
        assert directory_counts()["Offer"] == counts["Offer"]
