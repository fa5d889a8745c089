"""Opening hours keep their weekday everywhere: ISO numbers (1 = Monday … 7 = Sunday) are named
through Babel by key, never by the order in which Babel's mapping happens to iterate (Babel
2.19 starts it at Sunday, which once made the editor save Monday's hours as Sunday's)."""
from __future__ import annotations

import re
from datetime import time
from html import unescape

import pytest
from babel.dates import get_day_names
from flask_babel import format_time
from sqlalchemy import select

from wegweiser import db, formatting
from wegweiser.i18n import in_language
from wegweiser.languages import interface_languages, locale_name
from wegweiser.models import Offer
from wegweiser.services.importer import Importer
from wegweiser.services.records import offer_record

from .helpers import OWN, csrf, form_of, read_form, signed_in, trust

UI_LANGUAGES = interface_languages()
# The editor round trip is slow: the first eight languages and one of each new script.
EDITOR_LANGUAGES = tuple(lang for lang in ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr", "prs",
                                           "ti") if lang in UI_LANGUAGES)
WEEK = range(1, 8)
# Every day of the week with its own times: 1 → 08:00–08:30 … 7 → 14:00–14:30.
HOURS = [{"weekday": day, "opens": f"{7 + day:02d}:00", "closes": f"{7 + day:02d}:30"}
         for day in WEEK]
ADDED_SATURDAY = {"weekday": 6, "opens": "18:00", "closes": "19:00"}
# Written down independently of Babel, from the languages themselves.
KNOWN = {"de": {1: "Montag", 3: "Mittwoch", 6: "Samstag", 7: "Sonntag"},
         "en": {1: "Monday", 7: "Sunday"}, "ar": {1: "الاثنين", 6: "السبت", 7: "الأحد"},
         "fa": {1: "دوشنبه", 6: "شنبه", 7: "یکشنبه"}, "uk": {1: "понеділок", 7: "неділя"},
         "ru": {1: "понедельник", 7: "воскресенье"}, "tr": {1: "Pazartesi", 7: "Pazar"},
         "fr": {1: "lundi", 7: "dimanche"}, "prs": {1: "دوشنبه", 7: "یکشنبه"},
         "ps": {1: "دوشنبه", 7: "یکشنبه"}, "ti": {1: "ሰኑይ", 7: "ሰንበት"},
         "so": {1: "Isniin", 7: "Axad"},
         "kmr": {1: "duşem", 7: "yekşem"}, "ckb": {1: "دووشەممە", 7: "یەکشەممە"}}


def babel_name(lang: str, day: int) -> str:
    """Babel's own contract: its day names are keyed 0 = Monday … 6 = Sunday."""
    return get_day_names("wide", locale=locale_name(lang))[day - 1]


def test_the_helper_reads_babel_by_key_whatever_order_the_mapping_has():
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    monday_first = dict(enumerate(names))
    sunday_first = {6: "Sun", **{key: names[key] for key in range(6)}}
    assert list(sunday_first.values())[0] == "Sun"
    expected = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
    for mapping in (monday_first, sunday_first, dict(reversed(monday_first.items()))):
        assert formatting.by_iso_weekday(mapping) == expected
        assert list(formatting.by_iso_weekday(mapping)) == list(WEEK), "Monday first in lists"


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_the_helper_names_every_iso_day_like_babel_and_the_language(lang):
    names = formatting.weekday_names(locale_name(lang))
    assert names == {day: babel_name(lang, day) for day in WEEK}
    for day, name in KNOWN[lang].items():
        assert names[day] == name


def set_hours(app, hours: list[dict]) -> None:
    with app.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id == OWN))
        Importer(session, "test").write_offer(
            offer, {**offer_record(offer), "opening_hours": hours}, offer.organisation)
        session.commit()


def saved_hours(app) -> list[dict]:
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        return offer_record(offer)["opening_hours"]


def shown_time(app, lang: str, text: str) -> str:
    with app.test_request_context(f"/{lang}/"), in_language(lang):
        return format_time(time.fromisoformat(text), "short")


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def check_editor(page: str, lang: str) -> None:
    """Every weekday picker offers Monday … Sunday by ISO number under the language's names,
    and row n shows day n selected; the rows for adding hours show none."""
    form = read_form(page)
    pickers = sorted((n for n in form.selects if n.endswith("-weekday")),
                     key=lambda n: int(n.split("-")[1]))
    assert len(pickers) > len(HOURS), "empty rows for adding hours"
    for name in pickers:
        options = form.selects[name]
        assert [(value, text) for value, text, _chosen in options if value] == \
            [(str(day), babel_name(lang, day)) for day in WEEK]
        for day, known in KNOWN[lang].items():
            assert (str(day), known) in [(value, text) for value, text, _ in options]
    for row, slot in enumerate(HOURS):
        chosen = [(value, text) for value, text, on in form.selects[pickers[row]] if on]
        assert chosen == [(str(slot["weekday"]), babel_name(lang, slot["weekday"]))]
    for name in pickers[len(HOURS):]:
        assert not [value for value, _text, on in form.selects[name] if on and value]


def save_with_saturday_added(editor, lang: str) -> None:
    """Save the form as shown, with "Saturday 18:00–19:00" added in an empty row: the day
    picked by its name, as a person picks it."""
    data = form_of(editor, OWN, lang)
    page = editor.get(f"/{lang}/manage/offers/{OWN}/edit").get_data(as_text=True)
    free = f"hours-{len(HOURS)}"
    options = read_form(page).selects[f"{free}-weekday"]
    data[f"{free}-weekday"] = next(value for value, text, _ in options
                                   if text == KNOWN[lang].get(6, babel_name(lang, 6)))
    data.update({f"{free}-opens": ADDED_SATURDAY["opens"],
                 f"{free}-closes": ADDED_SATURDAY["closes"]})
    response = editor.post(f"/{lang}/manage/offers/{OWN}/edit", data=data)
    assert response.status_code == 303, text_of(response.get_data(as_text=True))[:500]


def expected_days(app, lang: str) -> list[tuple[str, list[str]]]:
    week = sorted([*HOURS, ADDED_SATURDAY], key=lambda s: (s["weekday"], s["opens"]))
    days: dict[int, list[str]] = {}
    for slot in week:
        days.setdefault(slot["weekday"], []).append(
            f"{shown_time(app, lang, slot['opens'])}–{shown_time(app, lang, slot['closes'])}")
    return [(babel_name(lang, day), slots) for day, slots in days.items()]


def check_offer_page(app, client, lang: str) -> None:
    page = client.get(f"/{lang}/offers/{OWN}").get_data(as_text=True)
    table = re.search(r'<table class="hours"[^>]*>(.*?)</table>', page, re.S).group(1)
    rows = [(text_of(day), [text_of(s) for s in re.findall(r'<bdi>(.*?)</bdi>', slots)])
            for day, slots in re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', table)]
    assert rows == expected_days(app, lang)


def check_sheet(app, client, lang: str) -> None:
    client.post(f"/{lang}/list/add", data={"csrf_token": csrf(client, f"/{lang}/offers/{OWN}"),
                                           "offer": OWN})
    sheet = client.get(f"/{lang}/list/sheet?client={lang}").get_data(as_text=True)
    for column_lang in dict.fromkeys((lang, "de")):
        column = re.search(rf'<div class="sheet-column" lang="{column_lang}".*?</dl>', sheet,
                           re.S).group(0)
        when = next(dd for dd in re.findall(r"<dd>(.*?)</dd>", column, re.S)
                    if re.search(r"<bdi>[^<]*–", dd))
        lines = [line for line in when.split("<br>") if "<bdi>" in line]
        shown = [(text_of(line.split("<bdi>")[0]),
                  [text_of(s) for s in re.findall(r"<bdi>(.*?)</bdi>", line)]) for line in lines]
        assert shown == expected_days(app, column_lang), column_lang


def check_api(client, lang: str) -> None:
    record = client.get(f"/api/v1/offers/{OWN}?lang={lang}").get_json()
    week = sorted([*HOURS, ADDED_SATURDAY], key=lambda s: (s["weekday"], s["opens"]))
    assert [(s["weekday"], s["opens"], s["closes"]) for s in record["opening_hours"]] == \
        [(s["weekday"], s["opens"], s["closes"]) for s in week]


@pytest.mark.parametrize("lang", EDITOR_LANGUAGES)
def test_every_weekday_survives_the_editor_offer_page_sheet_and_api(directory, lang):
    trust(directory, "a-sprachwerk-ost")
    set_hours(directory, HOURS)
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    check_editor(editor.get(f"/{lang}/manage/offers/{OWN}/edit").get_data(as_text=True), lang)
    save_with_saturday_added(editor, lang)
    week = sorted([*HOURS, ADDED_SATURDAY], key=lambda s: (s["weekday"], s["opens"]))
    assert [(s["weekday"], s["opens"], s["closes"]) for s in saved_hours(directory)] == \
        [(s["weekday"], s["opens"], s["closes"]) for s in week]
    public = directory.test_client()
    check_offer_page(directory, public, lang)
    check_sheet(directory, public, lang)
    check_api(public, lang)
