"""Moderators' spreadsheets page: template with drop-downs, upload → preview → "Import now",
a stale confirm that writes nothing, downloads of the directory."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from wegweiser import db
from wegweiser.models import Offer, Revision

from .helpers import OWN, csrf, signed_in

pytestmark = pytest.mark.demo_directory
PAGE = "/de/manage/import"


@pytest.fixture
def moderator(app, tmp_path):
    app.config["WEGWEISER_IMPORT_DIR"] = str(tmp_path / "imports")
    return signed_in(app, "mod@example.org", "moderator")


def _upload(client, data: bytes, name: str, lang: str = "de"):
    return client.post(f"/{lang}/manage/import", data={
        "csrf_token": csrf(client, f"/{lang}/manage/import"), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def _confirm_form(page: str) -> dict:
    return dict(re.findall(r'name="(csrf_token|token|fingerprint)" value="([^"]+)"', page))


def _title(app, external_id: str) -> str:
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == external_id))
        return offer.translations_of("title")["de"]


def _revisions(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Revision))


def _changed_export(moderator, new_title: str) -> bytes:
    """The directory as XLSX with one title changed, as a moderator would edit it."""
    book = load_workbook(io.BytesIO(moderator.get("/de/manage/export/directory.xlsx").data))
    sheet = book["Offers"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == OWN:
            row[header.index("title_de")].value = new_title
    return _saved(book)


def test_upload_preview_then_import(app, moderator, tmp_path):
    preview = _upload(moderator, _changed_export(moderator, "Zebrakurs für Eltern"),
                      "liste.xlsx")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "Import now" in page or "Jetzt importieren" in page
    assert re.search(r"title_de", page) and OWN in page
    assert _title(app, OWN) != "Zebrakurs für Eltern", "a preview writes nothing"
    assert len(list((tmp_path / "imports").glob("*.sheet"))) == 1
    done = moderator.post("/de/manage/import/confirm", data=_confirm_form(page))
    assert done.status_code == 303
    assert _title(app, OWN) == "Zebrakurs für Eltern"
    assert f"/de/offers/{OWN}" in moderator.get("/de/search?q=Zebrakurs").get_data(as_text=True)
    assert list((tmp_path / "imports").glob("*")) == [], "the kept file is gone after import"
    again = moderator.post("/de/manage/import/confirm", data=_confirm_form(page))
    assert again.status_code == 409 and _title(app, OWN) == "Zebrakurs für Eltern"


def test_a_confirm_after_the_directory_changed_writes_nothing(app, moderator):
    page = _upload(moderator, _changed_export(moderator, "Aus der Tabelle"),
                   "liste.xlsx").get_data(as_text=True)
    # Meanwhile someone else changes the same offer through another import.
    other = _upload(moderator, _changed_export(moderator, "Von jemand anderem"), "b.xlsx")
    assert moderator.post("/de/manage/import/confirm",
                          data=_confirm_form(other.get_data(as_text=True))).status_code == 303
    revisions = _revisions(app)
    stale = moderator.post("/de/manage/import/confirm", data=_confirm_form(page))
    assert stale.status_code == 200
    assert "seit der Vorschau" in stale.get_data(as_text=True) or \
        "since the preview" in stale.get_data(as_text=True)
    assert _title(app, OWN) == "Von jemand anderem" and _revisions(app) == revisions
    # The page shows what the import would do now; confirming that imports.
    done = moderator.post("/de/manage/import/confirm",
                          data=_confirm_form(stale.get_data(as_text=True)))
    assert done.status_code == 303 and _title(app, OWN) == "Aus der Tabelle"


def test_a_sheet_with_errors_shows_each_cell_and_keeps_nothing(app, moderator, tmp_path):
    text = ("id,organisation,title_de,categories,email,cost\n"
            f"{OWN},a-sprachwerk-ost,,Zauberei,kein-mail,teuer\n")
    revisions = _revisions(app)
    answer = _upload(moderator, text.encode(), "fehler.csv", lang="ar")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for cell in ("C2", "D2", "E2", "F2"):
        assert f">{cell}<" in page
    assert "Import now" not in page and 'name="token"' not in page
    assert list((tmp_path / "imports").glob("*")) == []
    assert _revisions(app) == revisions


def test_files_that_are_no_spreadsheet(moderator):
    assert _upload(moderator, b"hello", "notes.txt").status_code == 400
    answer = _upload(moderator, b"PK\x03\x04 not really", "broken.xlsx")
    assert answer.status_code == 400


def test_the_template_has_drop_downs_from_the_vocabularies(moderator):
    answer = moderator.get("/de/manage/import/template.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data))
    sheet, lists = book["Offers"], book["Lists"]
    assert lists.sheet_state == "hidden"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["id", "organisation", "organisation_name"] and "title_ar" in header
    assert sheet["A2"].value.startswith("#") and "Titel" in sheet.cell(
        row=2, column=header.index("title_de") + 1).value
    # The date column explains the forms the reader takes (1.10.2026 as well as ISO).
    assert sheet.cell(row=2, column=header.index("verified_at") + 1).value == \
        "Zuletzt geprüft: ein Datum, z. B. 1.10.2026 oder 2026-10-01"
    assert sheet.cell(row=2, column=header.index("closures") + 1).value == (
        "Geschlossen (etwa in den Ferien): erster und letzter geschlossener Tag, z. B. "
        "22.12.2026-2.1.2027 (Hinweis); 1.5.2027 für einen einzelnen Tag")
    validated = {}
    for check in sheet.data_validations.dataValidation:
        for cells in check.sqref.ranges:
            validated[header[cells.min_col - 1]] = (check.formula1, check.showErrorMessage)
    assert set(validated) >= {"categories", "target_groups", "languages", "areas", "cost",
                              "citywide", "accessible", "appointment_needed", "status"}
    column = validated["categories"][0].split("!")[1].split(":")[0].replace("$", "")[:-1]
    values = [c.value for c in lists[column] if c.value is not None][1:]
    assert "Deutschkurse & Sprachcafés" in values and len(values) == 17
    assert validated["cost"][1] is True and validated["categories"][1] is False
    csv_template = moderator.get("/de/manage/import/template.csv").get_data(as_text=True)
    assert csv_template.lstrip("\ufeff").startswith("id,organisation,organisation_name,")


def test_moderators_download_the_directory_with_its_licence(moderator):
    as_csv = moderator.get("/de/manage/export/directory.csv")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert "# Licence: CC BY 4.0" in as_csv.get_data(as_text=True)
    as_json = moderator.get("/de/manage/export/directory.json").get_json()
    assert len(as_json["offers"]) == 156 and as_json["about"]["licence"]["name"] == "CC BY 4.0"
    page = moderator.get(PAGE).get_data(as_text=True)
    assert "CC BY 4.0" in page and "directory.xlsx" in page


def test_editors_may_not_upload(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    answer = editor.post("/de/manage/import", data={
        "csrf_token": csrf(editor, "/de/search?q=Beratung"),
        "file": (io.BytesIO(b"id\n"), "a.csv")}, content_type="multipart/form-data")
    assert answer.status_code == 403


def test_the_template_filled_in_with_its_drop_down_values_imports(app, moderator):
    book = load_workbook(io.BytesIO(moderator.get("/ar/manage/import/template.xlsx").data))
    sheet, lists = book["Offers"], book["Lists"]
    header = [c.value for c in sheet[1]]
    choices = {lists.cell(row=1, column=i).value: lists.cell(row=3, column=i).value
               for i in range(1, lists.max_column + 1)}
    assert _upload(moderator, _saved(book), "empty.xlsx").status_code == 400, "no offer rows"
    row = {"id": "vorlage-1", "organisation": "a-sprachwerk-ost", "title_ar": "درس",
           "original_language": "ar", "cost": "free", "citywide": "no",
           "closures": "22.12.2026-2.1.2027 (عطلة الميلاد)",
           **{name: choices[name] for name in ("categories", "target_groups", "languages",
                                               "areas")}}
    for name, value in row.items():
        sheet.cell(row=3, column=header.index(name) + 1, value=value)
    page = _upload(moderator, _saved(book), "vorlage.xlsx").get_data(as_text=True)
    done = moderator.post("/de/manage/import/confirm", data=_confirm_form(page))
    assert done.status_code == 303, page
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == "vorlage-1"))
        assert offer.translations_of("title") == {"ar": "درس"}
        assert len(offer.categories) == len(offer.target_groups) == len(offer.areas) == 1
        assert [(c.first_day.isoformat(), c.last_day.isoformat(), c.translations_of("note"))
                for c in offer.closures] == [("2026-12-22", "2027-01-02", {"ar": "عطلة الميلاد"})]


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
