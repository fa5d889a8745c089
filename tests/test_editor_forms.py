"""The editors' forms (WTForms): what a form turns into for the services (a plain record),
each problem of the importer shown at the field it concerns, and empty rows for adding
opening hours without JavaScript."""
from __future__ import annotations

import re

import pytest
from flask import g
from werkzeug.datastructures import MultiDict

from wegweiser import db
from wegweiser.services import editing
from wegweiser.services.directory import load_vocabularies
from wegweiser.web.forms import HOUR_ROWS_EXTRA, OfferForm, ProfileForm

from .helpers import OWN, form_of, read_form, signed_in

pytestmark = pytest.mark.demo_directory


def tag(page: str, name: str) -> str:
    """The opening tag of the form control called ``name``."""
    return re.search(rf'<(?:input|select|textarea)[^>]*name="{re.escape(name)}"[^>]*>',
                     page).group(0)


def test_an_offer_form_becomes_a_plain_record_in_the_import_format(app):
    base = {"id": "x", "organisation": "a-sprachwerk-ost", "original_language": "de",
            "title": {"en": "Course"}, "summary": {"de": "alt"}, "status": "published"}
    data = MultiDict([
        ("title", "  Kurs\r\n"), ("summary", ""), ("description", "Zeile 1\r\nZeile 2"),
        ("categories", "language-courses"), ("categories", "counselling"),
        ("areas", "volkmarsdorf"), ("citywide", "1"),
        ("address_street", " Straße 1 "), ("address_lat", "51,33"), ("address_lon", "zwölf"),
        ("contact_phone", " 0341 1 "), ("contact_email", ""),
        ("hours-0-weekday", "1"), ("hours-0-opens", "10:00"), ("hours-0-closes", "12:00"),
        ("hours-0-note", " Café "),
        ("hours-1-weekday", ""), ("hours-1-opens", ""), ("hours-1-closes", ""),
        ("hours-1-note", "nur eine Notiz"),
        ("hours-2-weekday", "7"), ("hours-2-opens", "09:00"), ("hours-2-closes", ""),
        ("cost", "reduced"), ("accessible", "no"), ("appointment_needed", ""),
        ("status", "archived"), ("organisation", "b-kompass")])
    with app.test_request_context("/de/manage/", method="POST", data=data):
        g.lang = "de"
        record = OfferForm.build(load_vocabularies(db.session())).record(base)
    assert record == {
        "id": "x", "organisation": "a-sprachwerk-ost", "original_language": "de",
        "status": "published", "title": {"en": "Course", "de": "Kurs"}, "summary": {},
        "description": {"de": "Zeile 1\nZeile 2"},
        "categories": ["language-courses", "counselling"], "target_groups": [],
        "languages": [], "areas": ["volkmarsdorf"], "citywide": True,
        "address": {"street": "Straße 1", "lat": 51.33, "lon": "zwölf"},
        "contact": {"phone": "0341 1"},
        "opening_hours": [{"weekday": 1, "opens": "10:00", "closes": "12:00", "note": "Café"},
                          {"weekday": None, "opens": "", "closes": "", "note": "nur eine Notiz"},
                          {"weekday": 7, "opens": "09:00", "closes": ""}],
        "open_on_public_holidays": False, "closures": [],
        "cost": "reduced", "accessible": False, "appointment_needed": None}


def test_a_profile_form_becomes_a_plain_record(app):
    base = {"id": "o", "name": "Alt", "website": "https://alt.example", "email": None,
            "phone": None, "street": None, "postal_code": None, "city": None,
            "description": {"de": "alt", "en": "old"}, "original_language": "de"}
    data = MultiDict({"name": " Neu ", "website": "", "city": "Leipzig", "description": " "})
    with app.test_request_context("/de/manage/", method="POST", data=data):
        record = ProfileForm().record(base)
    assert record == {**base, "name": "Neu", "website": None, "city": "Leipzig",
                      "description": {"en": "old"}}


def test_editing_services_take_plain_records_only():
    assert not hasattr(editing, "record_from_form")
    assert not hasattr(editing, "record_with_texts")


def test_each_problem_is_shown_at_its_field_and_what_was_typed_is_kept(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update({"contact_website": "ftp://nicht-erlaubt", "hours-1-closes": "09:30",
                 "address_lat": "400", "title": "Getippter Titel"})
    response = editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in page and "Noch wurde nichts gespeichert" in page
    for name, error_id in (("contact_website", "e-f-contact_website"),
                           ("hours-1-closes", "e-hours-1-closes"),
                           ("address_lat", "e-f-address_lat")):
        control = tag(page, name)
        assert 'aria-invalid="true"' in control and f'aria-describedby="{error_id}"' in control
        assert re.search(rf'<p class="field-error" id="{error_id}">[^<]+</p>', page), name
    for name in ("contact_phone", "hours-1-opens", "hours-0-closes", "address_lon", "title"):
        assert "aria-invalid" not in tag(page, name), name
    typed = dict(read_form(page).fields)
    assert typed["contact_website"] == "ftp://nicht-erlaubt"
    assert typed["title"] == "Getippter Titel" and typed["hours-1-closes"] == "09:30"


def test_empty_rows_for_more_opening_hours_without_javascript(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    filled = [n for n in data if n.endswith("-weekday") and data[n]]
    empty = [n for n in data if n.endswith("-weekday") and not data[n]]
    assert len(filled) == 2 and len(empty) == HOUR_ROWS_EXTRA
    for row, name in enumerate(empty, start=len(filled)):
        data.update({name: "5", f"hours-{row}-opens": f"1{row}:00",
                     f"hours-{row}-closes": f"1{row}:45"})
    page = editor.post(f"/de/manage/offers/{OWN}/edit",
                       data={**data, "action": "preview"}).get_data(as_text=True)
    pickers = [(n, v) for n, v in read_form(page).fields if n.endswith("-weekday")]
    assert [v for _n, v in pickers] == ["2", "4", "5", "5", "5"] + [""] * HOUR_ROWS_EXTRA
    assert dict(read_form(page).fields)["hours-4-closes"] == "14:45", "typed values are kept"


def _post_hours(editor, *rows):
    """The offer form with its opening hours replaced by ``rows`` (day, opens, closes, note,
    and the week of the month if not every week)."""
    data = {k: v for k, v in form_of(editor, OWN).items() if not k.startswith("hours-")}
    for i, (day, opens, closes, note, *week) in enumerate(rows):
        data.update({f"hours-{i}-weekday": day, f"hours-{i}-opens": opens,
                     f"hours-{i}-closes": closes, f"hours-{i}-note": note,
                     f"hours-{i}-week_of_month": week[0] if week else ""})
    return editor.post(f"/de/manage/offers/{OWN}/edit", data=data)


def _error_at(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{re.escape(name)}">([^<]+)</p>', page)
    return found.group(1) if found else ""


def _nothing_waits(app) -> bool:
    from sqlalchemy import select

    from wegweiser.models import Proposal

    with app.app_context():
        return db.session().scalars(select(Proposal)).first() is None


def test_a_note_without_day_and_times_is_kept_and_refused_at_its_row(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_hours(editor, ("2", "09:30", "11:30", ""),
                           ("", "", "", "In den Schulferien geschlossen"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Ein Hinweis braucht einen Tag und Uhrzeiten" in _error_at(page, "hours-1-note")
    assert 'aria-invalid="true"' in tag(page, "hours-1-note")
    assert dict(read_form(page).fields)["hours-1-note"] == "In den Schulferien geschlossen"
    assert _nothing_waits(app)


@pytest.mark.parametrize(("row", "field", "words"), [
    (("", "09:00", "12:00", ""), "weekday", "Wählen Sie einen Tag"),
    (("1", "", "12:00", ""), "opens", "Geben Sie an, wann geöffnet wird, z. B. 09:00"),
    (("1", "09:00", "zwölf", ""), "closes", "Geben Sie an, wann geschlossen wird, z. B. 17:00"),
    (("1", "12:00", "12:00", ""), "closes", "später als die Öffnungszeit"),
    (("1", "14:00", "12:00", ""), "closes", "zwei Zeilen: eine bis 23:59"),
    (("1", "20:00", "00:00", ""), "closes", "und eine ab 00:00 am nächsten Tag"),
])
def test_opening_hours_are_refused_in_the_words_of_the_form(app, row, field, words):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_hours(editor, ("2", "09:30", "11:30", ""), row)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert words in _error_at(page, f"hours-1-{field}")
    assert "HH:MM" not in page and "1 (Montag)" not in page, "the import's words"
    kept = dict(read_form(page).fields)
    assert [kept[f"hours-1-{name}"] for name in ("weekday", "opens", "closes")] == list(row[:3])
    assert _nothing_waits(app)


def test_overlapping_rows_of_one_day_are_refused(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_hours(editor, ("1", "09:00", "17:00", ""), ("3", "10:00", "12:00", ""),
                           ("1", "10:00", "12:00", "Beratung"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Überschneidet sich mit 09:00–17:00" in _error_at(page, "hours-2-opens")
    assert not _error_at(page, "hours-1-opens") and not _error_at(page, "hours-0-opens")
    assert _nothing_waits(app)


def test_hours_on_weekdays_of_the_month_are_saved_and_shown_again(app):
    """The first and the third Friday afternoon beside every Friday morning: no overlap (the
    first and the third never meet), saved with their weeks, and the form shows them again."""
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_hours(editor, ("5", "09:00", "12:00", ""),
                           ("5", "14:00", "17:00", "", "1"), ("5", "14:00", "17:00", "", "3"),
                           ("3", "14:00", "16:00", "Café", "-1"))
    assert response.status_code == 303
    from sqlalchemy import select

    from wegweiser.models import Proposal

    with app.app_context():
        hours = db.session().scalars(select(Proposal)).one().record["opening_hours"]
    assert [(h["weekday"], h.get("week_of_month"), h["opens"]) for h in hours] == [
        (3, -1, "14:00"), (5, None, "09:00"), (5, 1, "14:00"), (5, 3, "14:00")]
    shown = dict(read_form(editor.get(f"/de/manage/offers/{OWN}/edit").get_data(
        as_text=True)).fields)
    weeks = sorted((shown[f"hours-{i}-weekday"], shown[f"hours-{i}-week_of_month"])
                   for i in range(4))
    assert weeks == [("3", "-1"), ("5", ""), ("5", "1"), ("5", "3")]


@pytest.mark.parametrize(("rows", "overlaps"), [
    ((("4", "09:00", "12:00", ""), ("4", "10:00", "11:00", "", "1")), True),  # weekly meets all
    ((("4", "10:00", "12:00", "", "4"), ("4", "11:00", "13:00", "", "-1")), True),  # 4th = last
    ((("4", "10:00", "12:00", "", "1"), ("4", "11:00", "13:00", "", "2")), False),
])
def test_overlaps_count_only_for_rows_that_can_fall_on_one_day(app, rows, overlaps):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_hours(editor, *rows)
    assert response.status_code == (400 if overlaps else 303)
    if overlaps:
        assert "Überschneidet sich mit" in _error_at(response.get_data(as_text=True),
                                                     "hours-1-opens")


def test_a_week_of_the_month_without_day_and_times_is_refused_not_dropped(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_hours(editor, ("2", "09:30", "11:30", ""), ("", "", "", "", "1"))
    assert response.status_code == 400
    assert "wieder auf „jede Woche“" in _error_at(response.get_data(as_text=True),
                                                  "hours-1-week_of_month")
    assert _nothing_waits(app)


def test_hours_past_midnight_in_two_rows_and_times_typed_by_hand_are_saved(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_hours(editor, ("5", "20:00", "23:59", ""), ("6", "00:00", "02:00", ""),
                           ("1", "9.30", "12:00", ""), ("1", "12:00", "14:00", "Mittag"))
    assert response.status_code == 303
    from sqlalchemy import select

    from wegweiser.models import Proposal

    with app.app_context():
        hours = db.session().scalars(select(Proposal)).one().record["opening_hours"]
    assert [(h["weekday"], h["opens"], h["closes"]) for h in hours] == [
        (1, "09:30", "12:00"), (1, "12:00", "14:00"), (5, "20:00", "23:59"),
        (6, "00:00", "02:00")]


# ---- temporary closures -----------------------------------------------------------------------

def _days_ahead(n: int) -> str:
    from datetime import date, timedelta

    return (date.today() + timedelta(days=n)).isoformat()


def _post_closures(editor, *rows, lang="de"):
    """The offer form with its closures replaced by ``rows`` (first day, last day, note)."""
    data = {k: v for k, v in form_of(editor, OWN, lang).items() if not k.startswith("closures-")}
    for i, (first, last, note) in enumerate(rows):
        data.update({f"closures-{i}-first_day": first, f"closures-{i}-last_day": last,
                     f"closures-{i}-note": note})
    return editor.post(f"/{lang}/manage/offers/{OWN}/edit", data=data)


def _waiting_closures(app) -> list:
    from sqlalchemy import select

    from wegweiser.models import Proposal

    with app.app_context():
        return db.session().scalars(select(Proposal)).one().record["closures"]


def test_a_closure_is_added_as_a_change_like_any_other_and_shown_again(app):
    """Typed as 22.12.… or sent by a date field: saved in the import format, through the same
    change (a proposal waiting for review, for this organisation) as every other edit; the
    form shows it again, with an empty row for one more."""
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    first, last = _days_ahead(20), _days_ahead(31)
    typed = ".".join(reversed(first.split("-")))
    response = _post_closures(editor, (typed, last, " Weihnachtsferien "))
    assert response.status_code == 303
    assert _waiting_closures(app) == [{"from": first, "until": last,
                                       "note": {"de": "Weihnachtsferien"}}]
    shown = dict(read_form(editor.get(f"/de/manage/offers/{OWN}/edit").get_data(
        as_text=True)).fields)
    assert (shown["closures-0-first_day"], shown["closures-0-last_day"],
            shown["closures-0-note"]) == (first, last, "Weihnachtsferien")
    assert shown["closures-1-first_day"] == ""
    # Emptied, the row is no closure any more.
    assert _post_closures(editor, ("", "", "")).status_code == 303
    assert _waiting_closures(app) == []


@pytest.mark.parametrize("row, field, words", [
    (("in drei Tagen", "", ""), "first_day", "Jahr-Monat-Tag"),
    ((_days_ahead(9), _days_ahead(5), ""), "last_day", "vor dem ersten"),
    ((_days_ahead(5), _days_ahead(500), ""), "last_day", "höchstens ein Jahr"),
])
def test_a_wrong_closure_is_refused_at_its_field_and_kept_as_typed(app, row, field, words):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_closures(editor, row)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert words in _error_at(page, f"f-closures-0-{field}")
    assert f'aria-describedby="e-f-closures-0-{field}"' in tag(page, f"closures-0-{field}")
    kept = dict(read_form(page).fields)
    assert (kept["closures-0-first_day"], kept["closures-0-last_day"]) == row[:2]
    assert _nothing_waits(app)


def test_overlapping_closures_are_refused(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = _post_closures(editor, (_days_ahead(5), _days_ahead(15), ""),
                              (_days_ahead(10), _days_ahead(20), ""))
    assert response.status_code == 400
    assert "Überschneidet sich" in _error_at(response.get_data(as_text=True),
                                             "f-closures-1-first_day")
    assert _nothing_waits(app)


def test_past_closures_are_not_in_the_form_but_kept_and_other_languages_notes_too(app):
    """The history stays when a closure is added; the Arabic note of a closure edited in
    German stays with it."""
    from sqlalchemy import select

    from wegweiser.models import Offer, OfferClosure, OfferClosureText

    with app.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id == OWN))
        past = OfferClosure(first_day=__import__("datetime").date(2020, 8, 1),
                            last_day=__import__("datetime").date(2020, 8, 14))
        coming = OfferClosure(first_day=__import__("datetime").date.fromisoformat(
            _days_ahead(20)), last_day=__import__("datetime").date.fromisoformat(
            _days_ahead(25)))
        coming.texts = [OfferClosureText(field="note", locale="de", text="Umbau"),
                        OfferClosureText(field="note", locale="ar", text="تجديد")]
        offer.closures = [past, coming]
        session.commit()
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    shown = dict(read_form(editor.get(f"/de/manage/offers/{OWN}/edit").get_data(
        as_text=True)).fields)
    assert shown["closures-0-first_day"] == _days_ahead(20), "the past one is not shown"
    response = _post_closures(editor, (_days_ahead(20), _days_ahead(25), "Umbau der Räume"))
    assert response.status_code == 303
    assert _waiting_closures(app) == [
        {"from": "2020-08-01", "until": "2020-08-14"},
        {"from": _days_ahead(20), "until": _days_ahead(25),
         "note": {"ar": "تجديد", "de": "Umbau der Räume"}}]
