"""Import: valid files, idempotence, all-or-nothing with a report of every invalid record."""
from __future__ import annotations

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from wegweiser import db
from wegweiser.cli import main
from wegweiser.models import ChangeLogEntry, Event, Offer, Organisation, Revision
from wegweiser.services.records import offer_record
from wegweiser.services.setup import import_files, import_records

from .conftest import DATA


def _counts():
    session = db.session()
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Offer, Organisation, Revision, ChangeLogEntry)}


def test_valid_file_is_imported_with_vocabulary_matched_by_label(ctx):
    report = import_files([DATA / "valid.json"], "import:test")
    assert report.ok, report.problems
    assert report.created == {"organisations": 2, "offers": 3}
    offer = db.session().scalar(select(Offer).where(Offer.external_id ==
                                                    "sprachbruecke-deutschkurs"))
    assert [c.slug for c in offer.categories] == ["language-courses"]
    assert {t.slug for t in offer.target_groups} == {"women", "families"}
    assert [lang.code for lang in offer.languages] == ["de", "ar", "fa"]
    assert [a.slug for a in offer.areas] == ["connewitz"]
    assert offer.translations_of("title")["ar"].startswith("دورة")
    assert [(h.weekday, h.note) for h in offer.opening_hours] == [(1, None),
                                                                  (3, "in den Ferien nicht")]
    bike = db.session().scalar(select(Offer).where(Offer.external_id == "gruenau-fahrrad"))
    assert bike.status == "draft" and [a.slug for a in bike.areas] == ["gruenau-mitte"]


def test_new_offers_get_one_revision_and_one_change_log_entry_each(ctx):
    """New offers are inserted in bulk, beside the ORM's flush: their revisions and change-log
    entries (what the index reads) are written as for any other change; an event may name an
    offer new in the same file."""
    data = json.loads((DATA / "valid.json").read_text(encoding="utf-8"))
    offer = data["offers"][0]
    data["events"] = [{"id": "event-of-new-offer", "organisation": offer["organisation"],
                       "offer": offer["id"], "title": {"de": "Offener Abend"},
                       "starts_at": "2026-05-04T18:00", "ends_at": "2026-05-04T20:00",
                       "categories": offer["categories"], "online": True}]
    report = import_records(data, "import:test")
    assert report.ok, report.problems
    session = db.session()
    offers = session.scalars(select(Offer).order_by(Offer.id)).all()
    assert [o.external_id for o in offers] == [o["id"] for o in data["offers"]]
    ids = [o.id for o in offers]
    assert sorted(session.scalars(select(ChangeLogEntry.offer_id)
                                  .where(ChangeLogEntry.offer_id.is_not(None)))) == ids
    assert sorted(session.scalars(select(Revision.entity_id)
                                  .where(Revision.entity_type == "offer"))) == ids
    assert all(r.actor == "import:test" for r in session.scalars(select(Revision)))
    event = session.scalar(select(Event).where(Event.external_id == "event-of-new-offer"))
    assert event.offer.external_id == offer["id"]


def test_importing_the_same_file_twice_changes_nothing(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    before = _counts()
    report = import_files([DATA / "valid.json"], "import:test")
    assert report.ok
    assert report.unchanged == {"organisations": 2, "offers": 3}
    assert report.created == report.updated == {"organisations": 0, "offers": 0}
    assert _counts() == before


def test_a_changed_record_updates_the_offer_and_writes_a_revision(ctx, tmp_path):
    assert import_files([DATA / "valid.json"], "import:test").ok
    data = json.loads((DATA / "valid.json").read_text())
    data["offers"][1]["title"]["de"] = "Beratungstelefon für Geflüchtete (neu)"
    data["offers"][1]["cost"] = "reduced"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    log_before = _counts()["ChangeLogEntry"]
    report = import_files([changed], "import:changed")
    assert report.updated == {"organisations": 0, "offers": 1}
    offer = db.session().scalar(select(Offer).where(Offer.external_id == "telefon-hotline"))
    assert offer.cost == "reduced"
    revision = db.session().scalars(select(Revision).where(Revision.entity_id == offer.id)
                                    .order_by(Revision.id.desc())).first()
    assert revision.actor == "import:changed"
    assert set(revision.changes) == {"title", "cost"}
    assert revision.changes["cost"] == {"before": "free", "after": "reduced"}
    assert _counts()["ChangeLogEntry"] > log_before


EXPECTED_PROBLEMS = {
    ("no-name-org", "name"),
    ("bad-category", "categories"),
    ("bad-area", "areas"),
    ("no-org", "organisation"),
    ("bad-hours", "opening_hours[0].weekday"),
    ("bad-hours", "opening_hours[0].opens"),
    ("no-title", "title"),
    ("bad-cost", "cost"),
    ("bad-website", "contact.website"),
    ("typo-field", "catgories"),
    ("fine-offer", "id"),
    ("offers[10]", "id"),
}


def test_a_file_with_invalid_records_changes_nothing_and_reports_each(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    before = _counts()
    report = import_files([DATA / "invalid.json"], "import:bad")
    assert not report.ok
    assert {(p.record, p.field) for p in report.problems} == EXPECTED_PROBLEMS
    assert all(p.reason for p in report.problems)
    assert _counts() == before
    assert db.session().scalar(select(Organisation).where(Organisation.external_id == "ok-org")) \
        is None


def _with_hours(tmp_path, hours, key="opening_hours") -> object:
    """valid.json with the ``key`` (opening hours, or closures) of an offer replaced."""
    data = json.loads((DATA / "valid.json").read_text())
    offer = next(o for o in data["offers"] if o["id"] == "sprachbruecke-deutschkurs")
    offer[key] = hours
    path = tmp_path / f"{key}.json"
    path.write_text(json.dumps(data))
    return path


def test_hours_on_one_weekday_of_the_month_are_kept(ctx, tmp_path):
    """"The first and the third Friday, and every Monday": imported, stored, exported in the
    same words, and imported again without a change."""
    hours = [{"weekday": 1, "opens": "10:00", "closes": "12:00"},
             {"weekday": 5, "week_of_month": 1, "opens": "14:00", "closes": "17:00"},
             {"weekday": 5, "week_of_month": 3, "opens": "14:00", "closes": "17:00"},
             {"weekday": 3, "week_of_month": -1, "opens": "14:00", "closes": "16:00"}]
    path = _with_hours(tmp_path, hours)
    assert import_files([path], "import:test").ok
    offer = db.session().scalar(select(Offer).where(Offer.external_id ==
                                                    "sprachbruecke-deutschkurs"))
    assert sorted((h.weekday, h.week_of_month) for h in offer.opening_hours) == [
        (1, None), (3, -1), (5, 1), (5, 3)]
    assert sorted(offer_record(offer)["opening_hours"], key=str) == sorted(hours, key=str)
    again = import_files([path], "import:again")
    assert again.ok and again.updated == {"organisations": 0, "offers": 0}


@pytest.mark.parametrize("slot, field", [
    ({"weekday": 4, "week_of_month": 0, "opens": "15:00", "closes": "18:00"}, "week_of_month"),
    ({"weekday": 4, "week_of_month": 5, "opens": "15:00", "closes": "18:00"}, "week_of_month"),
    ({"weekday": 4, "week_of_month": "1", "opens": "15:00", "closes": "18:00"}, "week_of_month"),
    ({"weekday": 4, "week_of_month": True, "opens": "15:00", "closes": "18:00"},
     "week_of_month"),
    # Past midnight the next day may be another week of the month: refused, not guessed.
    ({"weekday": 6, "week_of_month": 1, "opens": "22:00", "closes": "01:00"}, "closes"),
])
def test_a_wrong_week_of_the_month_is_refused_and_changes_nothing(ctx, tmp_path, slot, field):
    before = _counts()
    report = import_files([_with_hours(tmp_path, [slot])], "import:bad")
    assert not report.ok
    assert [(p.record, p.field) for p in report.problems] == [
        ("sprachbruecke-deutschkurs", f"opening_hours[0].{field}")]
    assert _counts() == before


def test_dry_run_validates_without_writing(ctx):
    report = import_files([DATA / "valid.json"], "import:test", dry_run=True)
    assert report.ok and report.dry_run
    assert _counts()["Offer"] == 0


@pytest.mark.parametrize("content, reason", [
    ("{not json", "cannot be read as JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"offers": {}}', "must be a list"),
])
def test_unreadable_files_are_reported(ctx, tmp_path, content, reason):
    path = tmp_path / "broken.json"
    path.write_text(content)
    report = import_files([path], "import:broken")
    with force_locale("en"):
        assert not report.ok and reason in str(report.problems[0].reason)
    assert _counts()["Offer"] == 0


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_files_saved_with_a_byte_order_mark_or_as_utf_16_are_read(ctx, tmp_path, encoding):
    """What Windows editors write ("UTF-8 with BOM", "Unicode") imports like plain UTF-8."""
    path = tmp_path / "windows.json"
    path.write_bytes((DATA / "valid.json").read_text(encoding="utf-8").encode(encoding))
    report = import_files([path], "import:windows")
    assert report.ok, [str(p) for p in report.problems]
    assert _counts()["Offer"] == 3


@pytest.mark.parametrize("content, reason", [
    (b"{\n" + '"offers": [{"id": "café"}]}'.encode("latin-1"),
     "is not UTF-8 text (byte 0xE9 in line 2): save it as UTF-8"),
    (b'{"offers": [{"lat": 1' + b"0" * 5000 + b"}]}", "cannot be read as JSON: Exceeds the limit"),
    (b'{"offers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "cannot be read as JSON: nested too"),
])
def test_files_in_another_encoding_or_beyond_any_reason_are_reported(ctx, tmp_path, content,
                                                                     reason):
    path = tmp_path / "strange.json"
    path.write_bytes(content)
    report = import_files([path], "import:strange")
    assert [p.field for p in report.problems] == ["(file)"]
    with force_locale("en"):
        assert str(report.problems[0].reason).startswith(reason)


@pytest.mark.parametrize("text, code", [("Kurs\u0000", "U+0000"), ("Kurs\u001b[31m", "U+001B"),
                                        ("Kurs \ud800", "U+D800"), ("Ku\u0085rs", "U+0085")])
def test_texts_with_characters_no_database_stores_are_refused(ctx, tmp_path, text, code):
    """NUL (PostgreSQL refuses it), escape sequences and half a surrogate pair (no UTF-8
    encodes it) are named, and nothing is written, instead of failing in the middle."""
    data = json.loads((DATA / "valid.json").read_text(encoding="utf-8"))
    data["offers"][0]["title"]["de"] = text
    data["organisations"][1]["name"] = "Telefon " + text
    path = tmp_path / "controls.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = import_files([path], "import:controls")
    with force_locale("en"):
        found = {(p.record, p.field): str(p.reason) for p in report.problems}
    assert found[("sprachbruecke-deutschkurs", "title.de")] == \
        f"contains the invisible character {code}, which cannot be stored"
    assert found[("telefon-ev", "name")].startswith("contains the invisible character")
    assert _counts()["Offer"] == 0
    tabs = json.loads((DATA / "valid.json").read_text(encoding="utf-8"))
    tabs["offers"][0]["description"]["de"] = "Zeile 1\r\n\tZeile 2"
    path.write_text(json.dumps(tabs), encoding="utf-8")
    assert import_files([path], "import:tabs").ok


def test_cli_import_reports_and_exits_non_zero(app):
    runner = app.test_cli_runner()
    result = runner.invoke(main, args=["import", str(DATA / "invalid.json")])
    assert result.exit_code == 1
    assert "bad-area: areas: unknown value 'Atlantis'" in result.output
    assert "nothing was imported" in result.output
    ok = runner.invoke(main, args=["import", "--dry-run", str(DATA / "valid.json")])
    assert ok.exit_code == 0 and "dry run" in ok.output
    done = runner.invoke(main, args=["import", str(DATA / "valid.json")])
    assert done.exit_code == 0 and "offers: 3 new" in done.output


def test_an_event_naming_an_offer_id_with_a_nul_is_reported(ctx, tmp_path):
    """The offer an event belongs to is looked up only by a well-formed id (PostgreSQL refuses
    a NUL in a query)."""
    data = json.loads((DATA / "valid.json").read_text(encoding="utf-8"))
    data["events"] = [{"id": "ev-1", "organisation": "sprachbruecke", "offer": "kurs\u0000"}]
    path = tmp_path / "event.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = import_files([path], "import:event")
    assert ("ev-1", "offer") in {(p.record, p.field) for p in report.problems}
    assert _counts()["Offer"] == 0


def test_an_import_file_larger_than_the_limit_is_refused_naming_the_limit(app, tmp_path):
    """Refused before it is read into memory; the message names the limit and its setting."""
    app.config["WEGWEISER_IMPORT_MAX_BYTES"] = 1000
    assert (DATA / "valid.json").stat().st_size > 1000
    runner = app.test_cli_runner()
    result = runner.invoke(main, args=["import", str(DATA / "valid.json")])
    assert result.exit_code == 1
    assert "is larger than 1000 B, the limit for an import file" in result.output
    assert "WEGWEISER_IMPORT_MAX_BYTES=1000" in result.output
    with app.app_context():
        assert _counts()["Offer"] == 0
    small = tmp_path / "small.json"
    small.write_text('{"organisations": [], "offers": []}')
    assert runner.invoke(main, args=["import", str(small)]).exit_code == 0


def test_an_endless_import_file_is_refused_after_the_limit(app):
    """A file without a size (a device, a pipe) is read only up to the limit."""
    app.config["WEGWEISER_IMPORT_MAX_BYTES"] = 1000
    runner = app.test_cli_runner()
    for fmt in ("json", "hsds", "csv"):
        result = runner.invoke(main, args=["import", "--format", fmt, "/dev/zero"])
        assert result.exit_code != 0, fmt
        assert "is larger than 1000 B, the limit for an import file" in result.output, fmt


# ---- temporary closures -------------------------------------------------------------------

CHRISTMAS = {"from": "2026-12-22", "until": "2027-01-02",
             "note": {"de": "Weihnachtsferien", "ar": "عطلة عيد الميلاد"}}


def _with_closures(tmp_path, closures) -> object:
    return _with_hours(tmp_path, closures, "closures")


def test_closures_are_imported_exported_and_imported_again_unchanged(ctx, tmp_path):
    """Past closures too (the history an export writes back); a note per language."""
    past = {"from": "2025-08-01", "until": "2025-08-15"}
    path = _with_closures(tmp_path, [CHRISTMAS, past])
    assert import_files([path], "import:test").ok
    offer = db.session().scalar(select(Offer).where(Offer.external_id ==
                                                    "sprachbruecke-deutschkurs"))
    assert [(c.first_day.isoformat(), c.last_day.isoformat()) for c in offer.closures] == [
        ("2025-08-01", "2025-08-15"), ("2026-12-22", "2027-01-02")]
    assert offer.closures[1].translations_of("note") == CHRISTMAS["note"]
    exported = offer_record(offer)["closures"]
    assert exported == [past, CHRISTMAS], "earliest first, no empty note"
    again = import_files([path], "import:again")
    assert again.ok and again.updated == {"organisations": 0, "offers": 0}
    # A changed note is a change of the offer (a revision), and the rows follow it.
    changed = {**CHRISTMAS, "note": {"de": "Betriebsferien"}}
    assert import_files([_with_closures(tmp_path, [changed])], "import:changed").updated[
        "offers"] == 1
    db.session().expire_all()
    offer = db.session().scalar(select(Offer).where(Offer.external_id ==
                                                    "sprachbruecke-deutschkurs"))
    assert [c.translations_of("note") for c in offer.closures] == [{"de": "Betriebsferien"}]


@pytest.mark.parametrize("closures, field", [
    ([{"from": "2027-01-02", "until": "2026-12-22"}], "closures[0].until"),
    ([{"from": "2026-12-22", "until": "2026-02-30"}], "closures[0].until"),
    ([{"from": "22.12.2026", "until": "2027-01-02"}], "closures[0].from"),
    ([{"from": 20261222, "until": "2027-01-02"}], "closures[0].from"),
    ([{"until": "2027-01-02"}], "closures[0].from"),
    ([{"from": "2026-01-01", "until": "2027-01-02"}], "closures[0].until"),  # over a year
    ([{"from": "2026-12-22", "until": "2027-01-02", "reason": "x"}], "closures[0].reason"),
    ([{"from": "2026-12-22", "until": "2027-01-02", "note": "Ferien"}], "closures[0].note"),
    ([{"from": "2026-12-22", "until": "2027-01-02", "note": {"xx-nope": "Ferien"}}],
     "closures[0].note.xx-nope"),
    ([{"from": "2026-12-22", "until": "2027-01-02", "note": {"de": "x" * 201}}],
     "closures[0].note.de"),
    ([CHRISTMAS, {"from": "2026-12-01", "until": "2026-12-22"}], "closures[0].from"),
    ("2026-12-22", "closures"),
])
def test_a_wrong_closure_is_refused_at_its_field_and_changes_nothing(ctx, tmp_path, closures,
                                                                     field):
    before = _counts()
    report = import_files([_with_closures(tmp_path, closures)], "import:bad")
    assert not report.ok
    assert [(p.record, p.field) for p in report.problems] == [
        ("sprachbruecke-deutschkurs", field)]
    assert _counts() == before


def test_closures_of_a_year_and_ones_that_meet_are_accepted(ctx, tmp_path):
    closures = [{"from": "2027-01-03", "until": "2028-01-02"},  # 365 days
                {"from": "2026-12-22", "until": "2027-01-02"}]  # meets the next one
    report = import_files([_with_closures(tmp_path, closures)], "import:test")
    assert report.ok, report.problems
