"""Spreadsheets of offers (CSV, XLSX): one row ↔ one record of the JSON import format, the
demo directory exported and imported again unchanged, every problem of a sheet reported at its
row and column before anything is written, the command line, the JSON dump."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from wegweiser import cli, db, opening
from wegweiser.models import Offer, OfferClosure, OfferClosureText
from wegweiser.services.sheets.columns import (
    format_hours,
    parse_hours,
    record_to_row,
    row_to_record,
)
from wegweiser.services.sheets.files import read_sheet
from wegweiser.services.sheets.importing import check_sheet, import_sheet

from .helpers import OWN, directory_counts, directory_records

RECORD = {
    "id": "verein-x-sprachcafe", "organisation": "verein-x", "original_language": "de",
    "title": {"de": "Sprachcafé", "ar": "مقهى اللغة"}, "summary": {"de": "Deutsch üben"},
    "description": {"de": "Jeden Montag; mit Kinderbetreuung.\nAlle willkommen."},
    "categories": ["language-courses", "health"], "target_groups": ["women"],
    "languages": ["de", "ar", "fa"], "areas": ["connewitz"], "citywide": False,
    "address": {"street": "Musterstraße 1", "postal_code": "04277", "city": "Leipzig",
                "lat": 51.31, "lon": 12.38},
    "contact": {"phone": "+49 341 555 0100", "email": "info@verein-x.example",
                "website": "https://verein-x.example"},
    "opening_hours": [{"weekday": 1, "opens": "10:00", "closes": "12:00"},
                      {"weekday": 3, "opens": "14:00", "closes": "18:00",
                       "note": "nur mit Termin, Raum 2 (Hof)"}],
    "open_on_public_holidays": True,
    "closures": [{"from": "2026-12-22", "until": "2027-01-02", "note": {"de": "Winterpause"}},
                 {"from": "2027-05-01", "until": "2027-05-01"}],
    "cost": "free", "accessible": True,
    "appointment_needed": None, "status": "published",
    "verified_at": "2026-10-01",
}


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


# -- one row ↔ one record -------------------------------------------------------------------

def test_a_record_becomes_a_row_and_the_row_the_same_record():
    row = record_to_row(RECORD, "Verein X")
    assert row["title_ar"] == "مقهى اللغة" and row["categories"] == "language-courses; health"
    assert row["opening_hours"] == "Mo 10:00-12:00; Mi 14:00-18:00 (nur mit Termin, Raum 2 (Hof))"
    assert row["accessible"] == "yes" and row["appointment_needed"] is None
    assert row["closures"] == "2026-12-22 – 2027-01-02 (Winterpause); 2027-05-01"
    back, problems = row_to_record(row)
    assert problems == []
    assert back == {k: v for k, v in RECORD.items() if k != "appointment_needed"}


def test_cells_as_people_type_them():
    record, problems = row_to_record({
        "id": "x1", "organisation": "verein-x", "title_de": "Kurs", "categories": " Deutschkurse ;",
        "citywide": "Ja", "accessible": "no", "appointment_needed": "vielleicht",
        "postal_code": 4277, "lat": "51,3", "lon": 12.0, "phone": "'+49 341 1",
        "opening_hours": "Montag früh", "verified_at": None})
    assert record["categories"] == ["Deutschkurse"] and record["citywide"] is True
    assert record["accessible"] is False and "appointment_needed" not in record
    assert record["address"] == {"postal_code": "04277", "lat": 51.3, "lon": 12.0}
    assert record["contact"] == {"phone": "+49 341 1"}
    assert [p.column for p in problems] == ["appointment_needed", "opening_hours"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Mo 9:00-12:00", [{"weekday": 1, "opens": "09:00", "closes": "12:00"}]),
    ("We 14.00–18:00; Su 10:00 - 11:00 (Brunch)",
     [{"weekday": 3, "opens": "14:00", "closes": "18:00"},
      {"weekday": 7, "opens": "10:00", "closes": "11:00", "note": "Brunch"}]),
    ("Do 10:00-12:00\nFr 10:00-12:00", [{"weekday": 4, "opens": "10:00", "closes": "12:00"},
                                        {"weekday": 5, "opens": "10:00", "closes": "12:00"}]),
    ("7 08:00-09:00", [{"weekday": 7, "opens": "08:00", "closes": "09:00"}]),
    ("Do[1] 15:00-18:00; Fr[-1] 10:00-12:00 (Frühstück)",
     [{"weekday": 4, "week_of_month": 1, "opens": "15:00", "closes": "18:00"},
      {"weekday": 5, "week_of_month": -1, "opens": "10:00", "closes": "12:00",
       "note": "Frühstück"}]),
    ("Montag 10-12", None), ("Mo 10:00", None), ("Xy 10:00-12:00", None),
    ("Do[erster] 15:00-18:00", None),
])
def test_opening_hours_in_their_text_form(text, expected):
    assert parse_hours(text) == expected


def test_hours_of_one_weekday_of_the_month_are_written_as_they_are_read():
    slots = [{"weekday": 4, "week_of_month": 1, "opens": "15:00", "closes": "18:00"},
             {"weekday": 3, "week_of_month": -1, "opens": "14:00", "closes": "16:00",
              "note": "Café"}]
    assert format_hours(slots) == "Do[1] 15:00-18:00; Mi[-1] 14:00-16:00 (Café)"
    assert parse_hours(format_hours(slots)) == slots


@pytest.mark.parametrize(("text", "expected"), [
    ("22.12.2026-2.1.2027 (Weihnachtsferien); 1.5.2027",
     [{"from": "2026-12-22", "until": "2027-01-02", "note": {"de": "Weihnachtsferien"}},
      {"from": "2027-05-01", "until": "2027-05-01"}]),
    ("2026-12-22 – 2027-01-02\n01.05.2027 ( Tag der Arbeit;  geschlossen )",
     [{"from": "2026-12-22", "until": "2027-01-02"},
      {"from": "2027-05-01", "until": "2027-05-01",
       "note": {"de": "Tag der Arbeit; geschlossen"}}]),
    ("", []),
])
def test_closures_in_their_text_form(text, expected):
    record, problems = row_to_record({"id": "x1", "original_language": "de", "closures": text})
    assert problems == [] and record["closures"] == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("22.12.2026 bis 2.1.2027", "must be written like “22.12.2026-2.1.2027 (note); 1.5.2027”: "
                                "the first and last closed day, or a single day"),
    ("Weihnachten", "must be written like “22.12.2026-2.1.2027 (note); 1.5.2027”: "
                    "the first and last closed day, or a single day"),
    ("22.12.2026-31.2.2027", "31.2.2027 is not a day of the calendar"),
])
def test_closures_that_cannot_be_read_are_named_at_their_cell(text, reason):
    with force_locale("en"):
        record, problems = row_to_record({"id": "x1", "original_language": "de",
                                          "closures": text})
        assert [(p.column, str(p.reason)) for p in problems] == [("closures", reason)]
    assert record["closures"] == []


def test_a_sheet_without_the_closures_column_leaves_closures_alone():
    record, problems = row_to_record({"id": "x1", "original_language": "de"})
    assert problems == [] and "closures" not in record


# -- the demo directory, exported and imported again ------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_then_import_of_the_demo_directory_changes_nothing(directory, tmp_path, fmt):
    runner = directory.test_cli_runner()
    path = tmp_path / f"directory.{fmt}"
    exported = runner.invoke(cli.main, ["export", "--format", fmt, str(path)])
    assert exported.exit_code == 0, exported.output
    with directory.app_context():
        before, counts = directory_records(), directory_counts()
    result = runner.invoke(cli.main, ["import", "--format", fmt, str(path)])
    assert result.exit_code == 0, result.output
    assert "offers: 0 new, 0 changed, 156 unchanged" in result.output
    with directory.app_context():
        assert directory_records() == before and directory_counts() == counts


def _csv_rows(path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    return list(csv.reader(line for line in lines if not line.startswith("#")))


def test_closures_are_exported_and_changed_through_their_column(directory, tmp_path,
                                                               monkeypatch):
    """The cell shows the closures now or to come (the note in the offer's language); what is
    typed there replaces them, keeping the closures that are over and the notes in other
    languages of a closure that begins on the same day; an emptied cell removes them."""
    monkeypatch.setattr(opening, "local_now", lambda timezone: datetime(2026, 12, 7, 10, 0))
    with directory.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id == OWN))
        christmas = OfferClosure(first_day=date(2026, 12, 22), last_day=date(2027, 1, 2))
        christmas.texts = [OfferClosureText(field="note", locale="de", text="Weihnachtsferien"),
                           OfferClosureText(field="note", locale="ar", text="عطلة الميلاد")]
        offer.closures = [OfferClosure(first_day=date(2025, 8, 1), last_day=date(2025, 8, 15)),
                          christmas]
        session.commit()
    runner, path = directory.test_cli_runner(), tmp_path / "d.csv"
    assert runner.invoke(cli.main, ["export", "--format", "csv", str(path)]).exit_code == 0
    rows = _csv_rows(path)
    column, row = rows[0].index("closures"), next(r for r in rows if r[0] == OWN)
    assert row[column] == "2026-12-22 – 2027-01-02 (Weihnachtsferien)"

    def imported(cell: str) -> list[tuple[str, str, dict]]:
        row[column] = cell
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows)
        result = runner.invoke(cli.main, ["import", "--format", "csv", str(path)])
        assert result.exit_code == 0, result.output
        with directory.app_context():
            offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
            return [(c.first_day.isoformat(), c.last_day.isoformat(), c.translations_of("note"))
                    for c in sorted(offer.closures, key=lambda c: c.first_day)]

    assert imported("22.12.2026-3.1.2027 (Winterpause); 1.5.2027") == [
        ("2025-08-01", "2025-08-15", {}),
        ("2026-12-22", "2027-01-03", {"de": "Winterpause", "ar": "عطلة الميلاد"}),
        ("2027-05-01", "2027-05-01", {})]
    assert imported("") == [("2025-08-01", "2025-08-15", {})]


def test_a_closures_cell_that_cannot_be_read_changes_nothing(directory):
    with directory.app_context(), force_locale("en"):
        before = directory_records()
        data = _csv([["id", "organisation", "original_language", "title_de", "categories",
                      "citywide", "closures"],
                     [OWN, "a-sprachwerk-ost", "de", "Kurs", "health", "yes",
                      "2.1.2027-22.12.2026"]])
        check = import_sheet(db.session(), read_sheet(data, "csv"), "test")
        assert [(p.cell, p.column) for p in check.problems] == [("G2", "closures")]
        assert str(check.problems[0].reason) == \
            "the last closed day is before the first (2027-01-02)"
        assert directory_records() == before


def test_exports_state_the_licence(directory, tmp_path):
    runner = directory.test_cli_runner()
    for fmt in ("csv", "xlsx", "json"):
        assert runner.invoke(cli.main, ["export", "--format", fmt,
                                        str(tmp_path / f"d.{fmt}")]).exit_code == 0
    licence = "CC BY 4.0 https://creativecommons.org/licenses/by/4.0/"
    assert f"# Licence: {licence}" in (tmp_path / "d.csv").read_text(encoding="utf-8-sig")
    book = load_workbook(tmp_path / "d.xlsx")
    assert book["Licence"]["A1"].value == "Licence" and book["Licence"]["B1"].value == licence
    about = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["about"]
    assert about["licence"]["name"] == "CC BY 4.0" and about["source"] == "Wegweiser Leipzig"


def test_a_phone_number_is_never_a_formula(directory, tmp_path):
    runner = directory.test_cli_runner()
    runner.invoke(cli.main, ["export", "--format", "csv", str(tmp_path / "d.csv")])
    runner.invoke(cli.main, ["export", "--format", "xlsx", str(tmp_path / "d.xlsx")])
    text = (tmp_path / "d.csv").read_text(encoding="utf-8-sig")
    assert "'+49" in text and ",+49" not in text
    cells = [c for row in load_workbook(tmp_path / "d.xlsx")["Offers"].iter_rows() for c in row]
    assert any(str(c.value).startswith("+49") for c in cells)
    assert all(c.data_type != "f" for c in cells)


# -- new offers, and sheets with problems -----------------------------------------------------

HEADER = ["id", "organisation", "organisation_name", "title_de", "title_ar", "categories",
          "target_groups", "areas", "citywide", "email", "opening_hours", "cost", "accessible"]


def test_a_correct_xlsx_sheet_creates_its_organisation_and_offers(app, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["# explanations are skipped"])
    sheet.append(["neu-1", "neu-verein", "Neuer Verein", "Nähcafé", "مقهى الخياطة",
                  "Gesundheit", "Frauen", "Connewitz", "nein", "a@neu.example",
                  "Di 10:00-12:00", "free", "ja"])
    sheet.append(["neu-2", "neu-verein", None, "Beratung", None,
                  "Sozialberatung; Asyl- & Rechtsberatung", None, None, "ja", None, None,
                  "reduced", None])
    path = tmp_path / "neu.xlsx"
    book.save(path)
    result = app.test_cli_runner().invoke(cli.main, ["import", "--format", "xlsx", str(path)])
    assert result.exit_code == 0, result.output
    assert "organisations: 1 new" in result.output and "offers: 2 new" in result.output
    with app.app_context():
        offers, orgs = directory_records()
        assert orgs["neu-verein"]["name"] == "Neuer Verein"
        assert offers["neu-1"]["title"] == {"de": "Nähcafé", "ar": "مقهى الخياطة"}
        assert offers["neu-1"]["opening_hours"] == [{"weekday": 2, "opens": "10:00",
                                                     "closes": "12:00"}]
        assert offers["neu-2"]["citywide"] is True and offers["neu-2"]["cost"] == "reduced"


def test_every_problem_of_a_sheet_is_shown_at_its_cell_before_anything_is_written(app):
    data = _csv([
        [*HEADER, "colour"],
        ["ok-1", "neu-verein", "Neuer Verein", "Gut", "", "Gesundheit", "", "Connewitz", "nein",
         "", "", "", "", ""],
        ["bad-1", "neu-verein", "", "", "", "Zauberei", "Frauen", "Atlantis", "vielleicht",
         "kein-mail", "Montag", "teuer", "", ""],
        ["ok-1", "nirgends", "", "Doppelt", "", "Gesundheit", "", "", "ja", "", "", "", "", ""],
    ])
    with app.app_context():
        counts = directory_counts()
        check = check_sheet(db.session(), read_sheet(data, "csv"), "test")
        with force_locale("de"):
            found = [(p.row, p.column, p.cell, str(p.reason)) for p in check.problems]
        assert not check.ok and directory_counts() == counts
    cells = {(row, column, cell) for row, column, cell, _reason in found}
    assert cells >= {
        (1, "colour", "N1"),  # not a column
        (3, "title_de", "D3"), (3, "categories", "F3"), (3, "areas", "H3"),
        (3, "citywide", "I3"), (3, "email", "J3"), (3, "opening_hours", "K3"),
        (3, "cost", "L3"),
        (4, "id", "A4"),  # the same id twice
    }, found
    reasons = dict(((r, c), reason) for r, c, _cell, reason in found)
    assert "Zauberei" in reasons[(3, "categories")]
    assert reasons[(3, "citywide")] == "muss ja oder nein sein"
    assert [row.outcome for row in check.rows] == ["created", "invalid", "invalid"]


def test_command_line_lists_every_problem_and_imports_nothing(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv([HEADER, ["x", "unbekannt", "", "", "", "Nichts", "", "", "",
                                    "", "", "", ""]]))
    with app.app_context():
        counts = directory_counts()
    result = app.test_cli_runner().invoke(cli.main, ["import", "--format", "csv", str(path)])
    assert result.exit_code == 1
    assert "invalid: row 2 column organisation (B2):" in result.output
    assert "invalid: row 2 column categories (F2): unknown value 'Nichts'" in result.output
    assert "invalid: row 2 column title_de (D2): needs a text in the original language" \
        in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert directory_counts() == counts


def test_excel_csv_with_semicolons_and_windows_encoding(app):
    text = "id;organisation;organisation_name;title_de;categories;citywide\r\n" \
           "w-1;win-verein;Verein Größe;Schön;Gesundheit;ja\r\n"
    with app.app_context():
        sheet = read_sheet(text.encode("cp1252"), "csv")
        check = import_sheet(db.session(), sheet, "test")
        assert check.ok, check.problems
        db.session().commit()
        offers, orgs = directory_records()
    assert offers["w-1"]["title"] == {"de": "Schön"} and orgs["win-verein"]["name"] == \
        "Verein Größe"


def test_a_dry_run_reports_and_writes_nothing(app, tmp_path):
    path = tmp_path / "neu.csv"
    path.write_bytes(_csv([["id", "organisation", "organisation_name", "title_de", "categories",
                            "citywide"], ["d-1", "d-verein", "D-Verein", "Kurs", "health",
                                          "yes"]]))
    with app.app_context():
        counts = directory_counts()
    result = app.test_cli_runner().invoke(cli.main, ["import", "--format", "csv", "--dry-run",
                                                     str(path)])
    assert result.exit_code == 0, result.output
    assert "offers: 1 new, 0 changed, 0 unchanged (dry run)" in result.output
    with app.app_context():
        assert directory_counts() == counts


def test_an_xlsx_that_unpacks_to_too_much_is_refused(monkeypatch):
    from wegweiser.services.sheets import files

    book, out = Workbook(), io.BytesIO()
    book.active.append(["id", "title_de"])
    book.active.append(["x", "y" * 5000])
    book.save(out)
    assert read_sheet(out.getvalue(), "xlsx").rows[0][1][0] == "x"
    monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", 4000)
    with pytest.raises(files.UnreadableSheet):
        read_sheet(out.getvalue(), "xlsx")


def test_excels_unicode_text_utf_16_with_tabs_is_read(app):
    """Excel's "Unicode text (*.txt)": UTF-16 with a byte order mark, cells between tabs."""
    text = "id\torganisation\torganisation_name\ttitle_de\tcategories\tcitywide\r\n" \
           "u-1\tuni-verein\tВерein Üni\tКурс für alle\tGesundheit\tja\r\n"
    with app.app_context():
        check = check_sheet(db.session(), read_sheet(text.encode("utf-16"), "csv"), "test")
        assert check.ok, [str(p) for p in check.problems]
        assert [row.title for row in check.rows] == ["Курс für alle"]


def _workbook(*rows) -> bytes:
    book, out = Workbook(), io.BytesIO()
    for row in rows:
        book.active.append(row)
    book.save(out)
    return out.getvalue()


def test_cells_whose_value_the_file_does_not_hold_are_shown_not_read_as_empty(app):
    """A formula never computed (a file a program wrote) and a formula's error are refused at
    their cell: read as empty they would lose the phone number without a word."""
    data = _workbook(["id", "organisation", "organisation_name", "title_de", "categories",
                      "citywide", "phone", "email"],
                     ["f-1", "f-verein", "F-Verein", "Kurs", "health", "yes",
                      '="0341 "&"555"', "#REF!"])
    with app.app_context(), force_locale("en"):
        counts = directory_counts()
        check = import_sheet(db.session(), read_sheet(data, "xlsx"), "test")
        found = {(p.cell, str(p.reason)) for p in check.problems}
        assert directory_counts() == counts
    assert found == {
        ("G2", "holds a formula that was never computed: open and save the file in a "
               "spreadsheet program, or type the value"),
        ("H2", "holds the error #REF! of a formula: correct the formula or type the value")}


def test_a_phone_number_a_spreadsheet_took_for_a_number_is_refused(app):
    """0341 5550100 typed without a space becomes 3415550100: the lost 0 is not guessed."""
    data = _workbook(["id", "organisation", "organisation_name", "title_de", "categories",
                      "citywide", "phone"],
                     ["p-1", "p-verein", "P-Verein", "Kurs", "health", "yes", 3415550100])
    with app.app_context(), force_locale("en"):
        check = check_sheet(db.session(), read_sheet(data, "xlsx"), "test")
        assert [(p.cell, str(p.reason)) for p in check.problems] == [
            ("G2", "was read as a number, so a leading 0 or + is lost: format the column as "
                   "text and type the number again")]


def test_merged_cells_are_shown_at_each_cell_they_cover(app):
    """An organisation merged over three rows holds its value in the first cell only; titles
    merged over the summary and description columns hid those cells' texts: each such cell is
    refused, once, instead of read as empty."""
    book, out = Workbook(), io.BytesIO()
    sheet = book.active
    sheet.append(["id", "organisation", "organisation_name", "title_de", "summary_de",
                  "categories", "citywide"])
    for number in (1, 2, 3):
        sheet.append([f"m-{number}", "m-verein" if number == 1 else None, "M-Verein", "Kurs",
                      "Kurz", "health", "yes"])
    sheet.merge_cells("B2:B4")
    sheet.merge_cells("D3:E3")
    book.save(out)
    with app.app_context(), force_locale("en"):
        counts = directory_counts()
        check = import_sheet(db.session(), read_sheet(out.getvalue(), "xlsx"), "test")
        found = [(p.cell, str(p.reason)) for p in check.problems]
        assert directory_counts() == counts
    assert found == [
        ("B3", "is part of the merged cells B2:B4, which hold one value for all: unmerge them "
               "and fill in each cell"),
        ("E3", "is part of the merged cells D3:E3, which hold one value for all: unmerge them "
               "and fill in each cell"),
        ("B4", "is part of the merged cells B2:B4, which hold one value for all: unmerge them "
               "and fill in each cell")]


@pytest.mark.parametrize(("cell", "expected"), [
    ("01.10.2026", "2026-10-01"), ("1.10.2026", "2026-10-01"), ("1.2.2026", "2026-02-01"),
    (" 2026-10-01 ", "2026-10-01"), ("29.02.2024", "2024-02-29"),
])
def test_a_date_typed_as_text_the_german_way_or_iso_is_read(cell, expected):
    record, problems = row_to_record({"id": "d-1", "verified_at": cell})
    assert problems == [] and record["verified_at"] == expected


@pytest.mark.parametrize(("cell", "reason"), [
    ("31.02.2026", "31.02.2026 is not a day of the calendar"),
    ("29.02.2026", "29.02.2026 is not a day of the calendar"),
    ("2026-13-01", "2026-13-01 is not a day of the calendar"),
    ("01/10/2026", "must be a date written 01.10.2026 (day.month.year) or 2026-10-01"),
    ("1.10.26", "must be a date written 01.10.2026 (day.month.year) or 2026-10-01"),
    ("Oktober 2026", "must be a date written 01.10.2026 (day.month.year) or 2026-10-01"),
])
def test_an_ambiguous_or_impossible_date_is_refused_at_its_cell(app, cell, reason):
    data = _csv([["id", "organisation", "organisation_name", "title_de", "categories",
                  "citywide", "verified_at"],
                 ["d-1", "d-verein", "D-Verein", "Kurs", "health", "yes", cell]])
    with app.app_context(), force_locale("en"):
        counts = directory_counts()
        check = import_sheet(db.session(), read_sheet(data, "csv"), "test")
        assert [(p.cell, p.column, str(p.reason)) for p in check.problems] == [
            ("G2", "verified_at", reason)]
        assert directory_counts() == counts


def test_a_german_date_in_a_text_cell_of_an_xlsx_is_imported(app):
    data = _workbook(["id", "organisation", "organisation_name", "title_de", "categories",
                      "citywide", "verified_at"],
                     ["d-2", "d-verein", "D-Verein", "Kurs", "health", "yes", "01.10.2026"])
    with app.app_context():
        check = import_sheet(db.session(), read_sheet(data, "xlsx"), "test")
        assert check.ok, [str(p) for p in check.problems]
        db.session().commit()
        offers, _orgs = directory_records()
    assert offers["d-2"]["verified_at"] == "2026-10-01"
