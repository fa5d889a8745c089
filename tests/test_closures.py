"""Temporary closures of an offer ("closed 22 December – 2 January"): the offer page, the
referral sheet and text, the API and the history show a current or coming closure in the
reader's language; "open now" says "closed until"."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from wegweiser import db, opening
from wegweiser.models import Offer, OfferClosure, OfferClosureText

from .helpers import OWN, csrf
from .test_api import check

pytestmark = pytest.mark.demo_directory

CHRISTMAS = (date(2026, 12, 22), date(2027, 1, 2))  # OWN: Tuesday and Thursday 09:30–11:30


@pytest.fixture
def closed(app, monkeypatch):
    """OWN closed over Christmas (notes in German and Arabic), a past closure, and "now"."""
    with app.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id == OWN))
        christmas = OfferClosure(first_day=CHRISTMAS[0], last_day=CHRISTMAS[1])
        christmas.texts = [OfferClosureText(field="note", locale="de", text="Weihnachtsferien"),
                           OfferClosureText(field="note", locale="ar", text="عطلة الميلاد")]
        offer.closures = [OfferClosure(first_day=date(2025, 8, 1), last_day=date(2025, 8, 15)),
                          christmas]
        session.commit()

    def at(moment: datetime) -> None:
        monkeypatch.setattr(opening, "local_now", lambda timezone: moment)
    return at


def _days(locale: str) -> str:
    """The closure's days as Babel writes an interval in ``locale`` (thin spaces and all)."""
    from babel.dates import format_interval

    return format_interval(*CHRISTMAS, "yMMMMd", locale=locale)


def test_during_a_closure_the_page_says_closed_until_and_when_it_opens(app, closed):
    closed(datetime(2026, 12, 23, 10, 0))
    page = app.test_client().get(f"/de/offers/{OWN}").get_data(as_text=True)
    assert f"Vorübergehend geschlossen: {_days('de')}" in page
    assert "Geschlossen bis 2. Januar 2027 · öffnet am Dienstag, 5. Januar 2027 um 09:30" \
        in page
    assert '<bdi lang="de" dir="ltr">(Weihnachtsferien)</bdi>' in page
    assert page.count("(Weihnachtsferien)") == 1, "the note once, beside the closure"
    assert "Jetzt geöffnet" not in page
    assert page.count("Vorübergehend geschlossen") == 1, "the past closure is not shown"


def test_in_arabic_with_babels_dates_and_the_arabic_note(app, closed):
    from babel.dates import format_date, format_skeleton

    closed(datetime(2026, 12, 23, 10, 0))
    page = app.test_client().get(f"/ar/offers/{OWN}").get_data(as_text=True)
    assert f"مغلق مؤقتًا: {_days('ar')}" in page
    until = format_skeleton("yMMMMd", CHRISTMAS[1], locale="ar")
    opens = format_date(date(2027, 1, 5), "full", locale="ar")
    assert f"مغلق حتى {until} · يفتح يوم {opens}" in page
    assert '<bdi lang="ar" dir="rtl">(عطلة الميلاد)</bdi>' in page


@pytest.mark.parametrize("now, shown", [
    (datetime(2026, 11, 20, 10, 0), False),  # 32 days before: not yet
    (datetime(2026, 11, 26, 10, 0), True),  # within four weeks: announced
    (datetime(2027, 1, 2, 18, 0), True),  # the last day
    (datetime(2027, 1, 3, 10, 0), False),  # over
])
def test_a_coming_closure_is_announced_four_weeks_ahead(app, closed, now, shown):
    closed(now)
    page = app.test_client().get(f"/de/offers/{OWN}").get_data(as_text=True)
    assert ("Vorübergehend geschlossen" in page) is shown
    if now.date() < CHRISTMAS[0]:
        assert "Geschlossen bis" not in page, "not closed yet"


def test_the_referral_sheet_and_the_text_carry_the_closure(app, closed):
    closed(datetime(2026, 12, 10, 10, 0))
    client = app.test_client()
    token = csrf(client, "/de/search?q=Deutsch")
    response = client.post("/de/list/add", data={"csrf_token": token, "offer": OWN,
                                                 "next": "/de/list"})
    assert response.status_code == 303
    sheet = client.get("/de/list/sheet?client=ar").get_data(as_text=True)
    assert f"Vorübergehend geschlossen: {_days('de')}" in sheet
    assert "مغلق مؤقتًا" in sheet and "(عطلة الميلاد)" in sheet
    text = client.get("/de/list/text?client=ar").get_data(as_text=True)
    assert re.search(r"^مغلق مؤقتًا: .+ \(عطلة الميلاد\)$", text, re.M), text


def test_the_api_gives_closures_not_yet_over_and_follows_its_document(app, closed):
    closed(datetime(2026, 12, 10, 10, 0))
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    body = app.test_client().get(f"/api/v1/offers/{OWN}").get_json()
    check(spec, "Offer", body)
    assert body["closures"] == [{"from": "2026-12-22", "until": "2027-01-02",
                                 "note": {"ar": "عطلة الميلاد", "de": "Weihnachtsferien"}}]
    closed(datetime(2027, 1, 3, 10, 0))
    assert app.test_client().get(f"/api/v1/offers/{OWN}").get_json()["closures"] == []


def test_the_pages_structured_data_names_the_closure(app, closed):
    """schema.org's way: an OpeningHoursSpecification from 00:00 to 00:00 valid on those
    days; a past closure is left out."""
    import json

    closed(datetime(2026, 12, 10, 10, 0))
    page = app.test_client().get(f"/de/offers/{OWN}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                                re.S).group(1))
    closures = [h for h in data["hoursAvailable"] if "validFrom" in h]
    assert closures == [{"@type": "OpeningHoursSpecification", "opens": "00:00",
                         "closes": "00:00", "validFrom": "2026-12-22",
                         "validThrough": "2027-01-02"}]


def test_the_history_shows_a_closure_in_words(app):
    """A closure added by an import: its revision in the offer's history names the field and
    the days as people write them, with the note."""
    from babel.dates import format_interval

    from wegweiser.services.records import offer_record
    from wegweiser.services.setup import import_records

    from .helpers import signed_in

    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        record = {**offer_record(offer), "closures": [
            {"from": "2026-12-22", "until": "2027-01-02", "note": {"de": "Weihnachtsferien"}}]}
        report = import_records({"organisations": [], "offers": [record]}, "import:test")
        assert report.ok and report.updated["offers"] == 1, report.problems
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get(f"/de/manage/offers/{OWN}/history").get_data(as_text=True)
    days = format_interval(*CHRISTMAS, "yMMMMd", locale="de")
    assert "Schließzeiten" in page and f"{days} (Weihnachtsferien)" in page


def test_an_editor_translates_a_closures_note_beside_the_original(app, closed):
    """The translation form has the note of each closure now or to come, the original beside;
    what is typed goes through the same change as the other texts, and the Ukrainian page then
    gives the note in Ukrainian. The past closure (no note) is not offered."""
    from .helpers import propose_title, read_form, review_paths, signed_in

    editor = propose_title(app, "Deutschkurs für Eltern")  # a change waiting: untrusted
    page = editor.get(f"/de/manage/offers/{OWN}/translate/uk").get_data(as_text=True)
    assert "Weihnachtsferien" in page and "2025" not in page.split("edit-form")[1]
    data = dict(read_form(page).fields)
    field = "closure_note-2026-12-22"
    assert data[field] == ""
    assert re.search(rf'<label for="t-{field}">.*? · <strong>fehlt</strong>', page)
    data[field] = "  Різдвяні   канікули "
    assert editor.post(f"/de/manage/offers/{OWN}/translate/uk", data=data).status_code == 303
    moderator = signed_in(app, "mod@example.org", "moderator")
    path = review_paths(moderator)[0]
    assert moderator.post(path, data={"csrf_token": csrf(moderator, path),
                                      "decision": "approve"}).status_code == 303
    closed(datetime(2026, 12, 23, 10, 0))
    ukrainian = app.test_client().get(f"/uk/offers/{OWN}").get_data(as_text=True)
    assert "(Різдвяні канікули)" in ukrainian and "Weihnachtsferien" not in ukrainian
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        christmas = next(c for c in offer.closures if c.first_day == CHRISTMAS[0])
        assert {t.locale: t.text for t in christmas.texts} == {
            "de": "Weihnachtsferien", "ar": "عطلة الميلاد", "uk": "Різдвяні канікули"}
    # Emptying the field removes that translation, the others stay.
    page = editor.get(f"/de/manage/offers/{OWN}/translate/ar").get_data(as_text=True)
    data = dict(read_form(page).fields)
    assert data[field] == "عطلة الميلاد"
    data[field] = ""
    assert editor.post(f"/de/manage/offers/{OWN}/translate/ar", data=data).status_code == 303
    with app.app_context():
        from wegweiser.models import Proposal

        record = db.session().scalars(select(Proposal).order_by(Proposal.id.desc())).first().record
        christmas = next(c for c in record["closures"] if c["from"] == "2026-12-22")
        assert christmas["note"] == {"de": "Weihnachtsferien", "uk": "Різдвяні канікули"}


def test_a_closures_note_is_kept_on_one_line_as_in_the_other_forms(app):
    """The offer form keeps a note as the translation form and a spreadsheet do: runs of
    spaces and line breaks become one space."""
    from .helpers import form_of, signed_in, trust

    trust(app, "a-sprachwerk-ost")
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    typed = form_of(editor, OWN)
    typed.update({"closures-0-first_day": "2026-12-22", "closures-0-last_day": "2027-01-02",
                  "closures-0-note": "  Umbau   im\r\nHaus "})
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=typed).status_code == 303
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert [c.translations_of("note") for c in offer.closures] == [{"de": "Umbau im Haus"}]
