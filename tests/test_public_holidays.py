"""Public holidays: an offer's weekly hours do not hold on the city's public holidays (Saxony's,
from its city file) unless its initiative says it is open then too — on the offer page, in
"open now" (index and database alike), in imports, spreadsheets and the edit form."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from wegweiser import db, opening
from wegweiser.cities import UnknownCity, city_info
from wegweiser.models import Offer
from wegweiser.opening import Slot, open_state
from wegweiser.public_holidays import HolidayCalendar
from wegweiser.search import SearchQuery, search_service
from wegweiser.search.updater import IndexSettings
from wegweiser.services.plain_search import plain_search
from wegweiser.services.records import offer_record
from wegweiser.services.sheets.columns import record_to_row, row_to_record

from .helpers import csrf, form_of, notices_after, signed_in, trust

CHRISTMAS = {date(2026, 12, 25), date(2026, 12, 26)}
MON, THU, FRI = 1, 4, 5
CRISIS_LINE = "c-haltundhilfe-krisentelefon"  # open on public holidays too (demo data)
COURSE = "a-sprachwerk-deutschkurs-a1"  # Mon, Wed, Fri 9:00-11:30


def test_saxonys_holidays_come_from_the_city_file():
    saxony = city_info("leipzig").holidays
    assert saxony == HolidayCalendar("DE", "SN") == city_info("dresden").holidays
    assert saxony.is_holiday(date(2026, 12, 25)) and saxony.is_holiday(date(2026, 11, 18))
    assert not saxony.is_holiday(date(2026, 12, 24))  # Christmas Eve is a working day
    assert not HolidayCalendar("DE", "BE").is_holiday(date(2026, 11, 18))  # Saxony's own
    assert saxony.name_in(date(2026, 12, 25), "de") == "Erster Weihnachtstag"
    assert saxony.name_in(date(2026, 12, 25), "uk") == "Перший день Різдва"
    assert saxony.name_in(date(2026, 12, 25), "ar") is None  # no Arabic names in the package
    assert saxony.name_in(date(2026, 12, 24), "de") is None


@pytest.mark.parametrize("table, message", [
    ('public_holidays = { country = "XX" }', "Country XX not available"),
    ('public_holidays = { country = "DE", subdivision = "ZZ" }', "does not have subdivision"),
    ('public_holidays = "DE-SN"', "must be a table like"),
])
def test_a_city_file_names_known_holidays(tmp_path, monkeypatch, table, message):
    (tmp_path / "porto-areas.toml").write_text(
        '[city]\nname = "Porto"\ntimezone = "Europe/Lisbon"\nlatitude = 41.15\n'
        f'longitude = -8.61\n{table}\n'
        '[[stadtbezirk]]\ncode = "1"\nslug = "ribeira"\nname = "Ribeira"\nortsteile = []\n',
        encoding="utf-8")
    monkeypatch.setattr("wegweiser.cities.REFERENCE_DIR", tmp_path)
    city_info.cache_clear()
    try:
        with pytest.raises(UnknownCity, match=message):
            city_info("porto")
    finally:
        city_info.cache_clear()


def test_no_slot_opens_on_a_holiday_and_opens_next_skips_it():
    weekdays = [Slot(day, time(10), time(12)) for day in range(MON, FRI + 1)]
    closed = CHRISTMAS.__contains__
    christmas = open_state(weekdays, datetime(2026, 12, 25, 11), closed=closed)
    assert not christmas.is_open and christmas.next_opening == datetime(2026, 12, 28, 10)
    assert open_state(weekdays, datetime(2026, 12, 25, 11)).is_open  # without holidays
    eve = open_state(weekdays, datetime(2026, 12, 24, 9), closed=closed)
    assert eve.next_opening == datetime(2026, 12, 24, 10)
    # A slot belongs to the day it opens on, as with an initiative's own closures: the night
    # café of Christmas Eve stays open past midnight, the one of Christmas Day does not open.
    night = [Slot(THU, time(22), time(2)), Slot(FRI, time(22), time(2))]
    assert open_state(night, datetime(2026, 12, 24, 23), closed=closed).closes_at == \
        datetime(2026, 12, 25, 2, 0)
    assert open_state(night, datetime(2026, 12, 25, 1), closed=closed).is_open
    assert not open_state(night, datetime(2026, 12, 25, 23), closed=closed).is_open
    assert not open_state(night, datetime(2026, 12, 26, 1), closed=closed).is_open
    only_thursday = [Slot(THU, time(10), time(12))]
    new_year = {date(2026, 1, 1)}.__contains__
    assert open_state(only_thursday, datetime(2026, 1, 1, 9), closed=new_year).next_opening == \
        datetime(2026, 1, 8, 10)


@pytest.mark.parametrize("now", [
    datetime(2026, 12, 25, 11, 0), datetime(2026, 12, 26, 15, 30),  # Christmas, a Saturday
    datetime(2026, 12, 24, 11, 0), datetime(2026, 11, 18, 10, 0), datetime(2026, 12, 28, 11, 0)])
def test_open_now_on_a_holiday_in_the_index_and_the_database(demo_ctx, now):
    """On a public holiday only the offers open on public holidays are open now; the index,
    the database search and each offer's own state agree."""
    session = db.session()
    query = SearchQuery(per_page=500, now=now, open_now=True)
    indexed = search_service().search(query, session)
    plain = plain_search(session, query, IndexSettings(timezone="Europe/Berlin"))
    assert sorted(plain.offer_ids) == sorted(indexed.offer_ids)
    saxony = city_info("leipzig").holidays
    offers = session.scalars(select(Offer).where(Offer.status == "published")).all()
    expected = {o.id for o in offers if open_state(
        (h.slot() for h in o.opening_hours), now, [c.closure() for c in o.closures],
        None if o.open_on_public_holidays else saxony.is_holiday).is_open}
    assert set(indexed.offer_ids) == expected
    crisis_line = session.scalar(select(Offer).where(Offer.external_id == CRISIS_LINE))
    if saxony.is_holiday(now.date()):
        assert expected and all(o.open_on_public_holidays for o in offers if o.id in expected)
        assert crisis_line.id in expected
    else:
        assert any(not o.open_on_public_holidays for o in offers if o.id in expected)


@pytest.mark.parametrize("lang, holiday, rule", [
    ("de", "Heute ist ein Feiertag: Erster Weihnachtstag.", "An Feiertagen geschlossen."),
    ("ar", "اليوم عطلة رسمية.", "مغلق في العطل الرسمية."),
    ("uk", "Сьогодні святковий день: Перший день Різдва.", "У святкові дні зачинено."),
])
def test_the_offer_page_says_so_on_a_holiday(demo_app, monkeypatch, lang, holiday, rule):
    monkeypatch.setattr(opening, "local_now", lambda timezone: datetime(2026, 12, 25, 11, 0))
    client = demo_app.test_client()
    page = client.get(f"/{lang}/offers/{COURSE}").get_data(as_text=True)
    # Beside "closed now", so the reader knows why; whether it ever opens on them, under the hours.
    assert re.search(r'class="open-state"[^>]*><strong>[^<]+</strong></p>\s*<p class="holiday-'
                     rf'today" data-speak><strong>{re.escape(holiday)}</strong></p>', page)
    assert re.search(rf"</table>\s*<p data-speak>{re.escape(rule)}</p>", page)
    # Christmas Day is a Friday, the 26th a Saturday: it opens again on Monday.
    assert {"de": "öffnet Montag um 09:00", "ar": "الاثنين", "uk": "понеділок"}[lang] in page
    crisis = client.get(f"/{lang}/offers/{CRISIS_LINE}").get_data(as_text=True)
    assert {"de": "Auch an Feiertagen geöffnet.", "ar": "مفتوح أيضًا في العطل الرسمية.",
            "uk": "Відкрито також у святкові дні."}[lang] in crisis
    monkeypatch.setattr(opening, "local_now", lambda timezone: datetime(2026, 12, 23, 11, 0))
    ordinary = client.get(f"/{lang}/offers/{COURSE}").get_data(as_text=True)
    assert holiday not in ordinary and rule in ordinary


def test_the_import_and_the_export_carry_it(directory, tmp_path):
    """(A directory of its own: the demo directory is shared by the tests of a worker.)"""
    with directory.app_context():
        _import_and_export(tmp_path)


def _import_and_export(tmp_path):
    from wegweiser.services.setup import import_files

    session = db.session()
    record = offer_record(session.scalar(select(Offer).where(Offer.external_id == COURSE)))
    assert record["open_on_public_holidays"] is False
    changed = {"organisations": [], "offers": [{**record, "open_on_public_holidays": True}]}
    path = tmp_path / "offers.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    assert import_files([path], "import:test").ok
    session.expire_all()
    offer = session.scalar(select(Offer).where(Offer.external_id == COURSE))
    assert offer.open_on_public_holidays is True
    assert offer_record(offer)["open_on_public_holidays"] is True
    wrong = {"organisations": [], "offers": [{**record, "open_on_public_holidays": "sometimes"}]}
    path.write_text(json.dumps(wrong), encoding="utf-8")
    report = import_files([path], "import:test")
    assert not report.ok
    assert any(p.field == "open_on_public_holidays" for p in report.problems)
    session.expire_all()
    assert session.scalar(select(Offer).where(Offer.external_id == COURSE)) \
        .open_on_public_holidays is True


def test_a_spreadsheet_row_carries_it(demo_ctx):
    record = offer_record(db.session().scalar(select(Offer).where(
        Offer.external_id == CRISIS_LINE)))
    row = record_to_row(record)
    assert row["open_on_public_holidays"] == "yes"
    back, problems = row_to_record({**row, "open_on_public_holidays": "ja"})
    assert not problems and back["open_on_public_holidays"] is True
    _, problems = row_to_record({**row, "open_on_public_holidays": "manchmal"})
    assert [p.column for p in problems] == ["open_on_public_holidays"]


def test_an_editor_ticks_it(directory):
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get(f"/de/manage/offers/{COURSE}/edit").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="open_on_public_holidays" value="1" '
                     r'aria-describedby="public-holidays-hint"> Auch an Feiertagen geöffnet', page)
    assert 'id="public-holidays-hint">Ohne dieses Häkchen wird das Angebot an Feiertagen als ' \
        'geschlossen angezeigt.' in page
    data = form_of(editor, COURSE)
    assert "open_on_public_holidays" not in data
    data["open_on_public_holidays"] = "1"
    response = editor.post(f"/de/manage/offers/{COURSE}/edit", data=data)
    assert "Gespeichert und veröffentlicht." in notices_after(editor, response)
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == COURSE))
        assert offer.open_on_public_holidays is True
    data = form_of(editor, COURSE)
    assert data["open_on_public_holidays"] == "1"
    del data["open_on_public_holidays"]  # the tick taken away
    editor.post(f"/de/manage/offers/{COURSE}/edit", data=data)
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == COURSE))
        assert offer.open_on_public_holidays is False


def test_the_referral_sheet_says_it_in_both_languages(demo_client):
    """A social worker prints the sheet before Christmas: the client reads in Arabic that the
    course is closed on public holidays, the crisis line that it is not."""
    csrf_token = csrf(demo_client, "/de/search?q=Beratung")
    for offer_id in (COURSE, CRISIS_LINE):
        demo_client.post("/de/list/add", data={"csrf_token": csrf_token, "offer": offer_id})
    sheet = demo_client.get("/de/list/sheet?client=ar").get_data(as_text=True)
    for text in ("An Feiertagen geschlossen.", "مغلق في العطل الرسمية.",
                 "Auch an Feiertagen geöffnet.", "مفتوح أيضًا في العطل الرسمية."):
        assert sheet.count(f"<br>{text}") == 1, text
