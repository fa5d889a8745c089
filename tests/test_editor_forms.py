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
                          {"weekday": 7, "opens": "09:00", "closes": ""}],
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
