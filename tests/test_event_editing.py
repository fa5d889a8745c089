"""Editing events in the manage area: new, edit, validation at the fields, conflicts,
moderation through the same queue as offers, cancelling, history and restore."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.languages import language
from wegweiser.models import Event, Offer, Proposal, Revision

from .helpers import csrf, mails, notices_after, read_form, signed_in, trust

pytestmark = pytest.mark.demo_directory
ORG = "a-sprachwerk-ost"
OWN_EVENT = "e-sprachwerk-einstufungstag"  # a demo event of a-sprachwerk-ost
OWN_OFFER = "a-sprachwerk-deutsch-eltern"  # a demo offer of a-sprachwerk-ost


def _form(client, path: str) -> dict:
    page = client.get(path).get_data(as_text=True)
    data: dict = {}
    for name, value in read_form(page).fields:
        data.setdefault(name, []).append(value)
    return {k: (v if len(v) != 1 or k in ("categories", "target_groups", "languages", "areas")
                else v[0]) for k, v in data.items()}


def _new_event(client, **changes) -> tuple[str, dict]:
    path = f"/de/manage/organisations/{ORG}/events/new"
    day = date.today() + timedelta(days=10)
    data = {**_form(client, path), "title": "Lesecafé für Eltern",
            "description": "Wir lesen gemeinsam Bilderbücher.",
            "start_date": day.isoformat(), "start_time": "16:00", "end_time": "17:30",
            "repetition": "monthly_weekday", "until": "", "categories": ["network-meeting"],
            "languages": ["de", "ar"], "target_groups": ["families"],
            "address_street": "Eisenbahnstraße 34", "address_postal_code": "04315",
            "address_city": "Leipzig", "areas": ["neustadt-neuschoenefeld"], "cost": "free",
            **changes}
    return path, data


def _event(external_id: str | None = None, like: str | None = None) -> Event:
    query = select(Event).where(Event.external_id == external_id) if external_id \
        else select(Event).where(Event.external_id.like(like))
    return db.session().scalar(query)


def test_a_new_event_of_an_untrusted_organisation_waits_and_is_published_by_a_moderator(
        directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    page = editor.get(f"/de/manage/organisations/{ORG}/events/new").get_data(as_text=True)
    assert "Netzwerktreffen" in page and "Jeden Monat am gleichen Wochentag" in page
    path, data = _new_event(editor)
    response = editor.post(path, data=data)
    assert "prüft Ihre Änderungen" in notices_after(editor, response)
    with directory.app_context():
        event = _event(like=f"{ORG}-lesecafe-fur-eltern%")
        assert event.status == "in_review"
        day = date.today() + timedelta(days=10)
        assert event.starts_at == datetime.combine(day, datetime.min.time()).replace(hour=16)
        n = (day.day - 1) // 7 + 1
        weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
        assert event.rrule == f"FREQ=MONTHLY;BYDAY={-1 if n == 5 else n}{weekday}"
        external_id = event.external_id
    dashboard = editor.get("/de/manage/").get_data(as_text=True)
    assert "Lesecafé für Eltern" in dashboard and "in Prüfung" in dashboard
    moderator = signed_in(directory, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    assert "Veranstaltung" in queue and "Lesecafé für Eltern" in queue
    review = re.search(r'href="(/de/manage/review/\d+)"[^>]*><bdi>Lesecafé', queue).group(1)
    shown = moderator.get(review).get_data(as_text=True)
    assert "Lesecafé für Eltern" in shown and "Jeden Monat am gleichen Wochentag" in shown
    moderator.post(review, data={"csrf_token": csrf(moderator, review), "decision": "approve"})
    with directory.app_context():
        assert _event(external_id).status == "published"
    history = editor.get(f"/de/manage/events/{external_id}/history").get_data(as_text=True)
    assert "vorgeschlagen von ed@example.org" in history


def test_problems_are_shown_at_the_fields_and_nothing_typed_is_lost(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    path, data = _new_event(editor, start_date="31.12.", end_time="15:00", start_time="16:00",
                            categories=[], address_street="", address_city="",
                            online_url="meet.example")
    response = editor.post(path, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for words in ("Bitte geben Sie das Datum wie im Kalender an",
                  "mindestens ein Thema", "als online", "http"):
        assert words in page, words
    assert 'value="31.12."' in page and "Lesecafé für Eltern" in page
    assert 'aria-invalid="true"' in page
    end = dict(data, start_date=(date.today() + timedelta(days=3)).isoformat())
    page = editor.post(path, data=end).get_data(as_text=True)
    assert "Das Ende muss nach dem Beginn liegen" in page
    with directory.app_context():
        assert _event(like=f"{ORG}-lesecafe%") is None


def test_editing_over_a_newer_version_shows_a_conflict(directory):
    trust(directory, ORG)
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    colleague = signed_in(directory, "colleague@example.org", "editor", ORG)
    path = f"/de/manage/events/{OWN_EVENT}/edit"
    mine, theirs = _form(editor, path), _form(colleague, path)
    assert mine["repetition"] == "none" and mine["start_time"] == "10:00"
    theirs["title"] = "Einstufungstag (neuer Raum)"
    assert colleague.post(path, data=theirs).status_code == 303
    mine["title"] = "Einstufungstag mit Kinderbetreuung"
    response = editor.post(path, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Einstufungstag (neuer Raum)" in page and "Einstufungstag mit Kinderbetreuung" in page
    with directory.app_context():
        assert _event(OWN_EVENT).text_in("title", "de")[0] == "Einstufungstag (neuer Raum)"


def test_a_trusted_editor_changes_the_repetition_in_words(directory):
    trust(directory, ORG)
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    path = f"/de/manage/events/{OWN_EVENT}/edit"
    data = _form(editor, path)
    later = date.fromisoformat(data["start_date"]) + timedelta(days=14)
    data.update(repetition="biweekly", until=(date.today() + timedelta(days=120)).isoformat(),
                start_date=later.strftime("%d.%m.%Y"), start_time="9.30")  # as typed by hand
    assert editor.post(path, data=data).status_code == 303
    with directory.app_context():
        event = _event(OWN_EVENT)
        until = (date.today() + timedelta(days=120)).strftime("%Y%m%d")
        assert event.rrule == f"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL={until}T235959"
        assert event.starts_at == datetime.combine(later, datetime.min.time()).replace(
            hour=9, minute=30)
        assert event.status == "published"
    again = _form(editor, path)
    assert again["repetition"] == "biweekly" and again["until"]


def test_cancelling_closes_a_waiting_change_and_restore_brings_back_the_old_title(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    path = f"/de/manage/events/{OWN_EVENT}/edit"
    data = {**_form(editor, path), "title": "Einstufungstag verschoben"}
    assert editor.post(path, data=data).status_code == 303
    moderator = signed_in(directory, "mod@example.org", "moderator")
    review = re.search(r'href="(/de/manage/review/\d+)"[^>]*><bdi>Einstufungstag verschoben',
                       moderator.get("/de/manage/review/").get_data(as_text=True)).group(1)
    cancel = f"/de/manage/events/{OWN_EVENT}/archive"
    response = editor.post(cancel, data={"csrf_token": csrf(editor, "/de/manage/")})
    assert "abgesagt" in notices_after(editor, response)
    with directory.app_context():
        event = _event(OWN_EVENT)
        assert event.status == "archived"
        assert db.session().scalar(select(Proposal).where(
            Proposal.event_id == event.id)).status == "closed"
    assert "Einstufungstag verschoben" not in moderator.get("/de/manage/review/").get_data(
        as_text=True)
    refused = moderator.post(review, data={"csrf_token": csrf(moderator, review),
                                           "decision": "approve"})
    assert "Veranstaltung wurde abgesagt" in notices_after(moderator, refused)
    back = f"/de/manage/events/{OWN_EVENT}/reactivate"
    assert editor.post(back, data={"csrf_token": csrf(editor, "/de/manage/")}).status_code == 303
    with directory.app_context():
        assert _event(OWN_EVENT).status == "archived"  # waits for a moderator
    trust(directory, ORG)
    title = f"/de/manage/events/{OWN_EVENT}/edit"
    data = {**_form(editor, title), "title": "Einstufungstag (geändert)"}
    assert editor.post(title, data=data).status_code == 303
    with directory.app_context():
        revision = db.session().scalars(select(Revision).where(
            Revision.entity_type == "event", Revision.entity_id == _event(OWN_EVENT).id)
            .order_by(Revision.id.desc())).first()
    restore = f"/de/manage/events/{OWN_EVENT}/restore/{revision.id}"
    history = editor.get(f"/de/manage/events/{OWN_EVENT}/history").get_data(as_text=True)
    assert restore in history
    assert editor.post(restore, data={"csrf_token": csrf(editor, "/de/manage/")}
                       ).status_code == 303
    with directory.app_context():
        assert _event(OWN_EVENT).text_in("title", "de")[0] == \
            "Einstufungstag für die neuen Deutschkurse"


def test_editors_of_other_organisations_may_not_touch_the_event(directory):
    other = signed_in(directory, "other@example.org", "editor", "b-portitzer-winkel")
    assert other.get(f"/de/manage/events/{OWN_EVENT}/edit").status_code == 403
    assert other.get(f"/de/manage/organisations/{ORG}/events/new").status_code == 403
    assert "Einstufungstag" not in other.get("/de/manage/").get_data(as_text=True)


def test_an_event_is_translated_on_the_translation_page_of_offers(directory):
    trust(directory, ORG)
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    assert f"/de/manage/events/{OWN_EVENT}/translate/ru" in editor.get("/de/manage/").get_data(
        as_text=True)
    path = f"/de/manage/events/{OWN_EVENT}/translate/ru"
    page = editor.get(path).get_data(as_text=True)
    assert "Veranstaltung übersetzen" in page and 'name="summary"' not in page
    assert 'value="preview"' not in page  # no preview of a public event page here
    data = {**_form(editor, path), "title": "День определения уровня",
            "description": "Приходите без записи."}
    assert editor.post(path, data=data).status_code == 303
    with directory.app_context():
        event = _event(OWN_EVENT)
        assert event.translations_of("title")["ru"] == "День определения уровня"
        assert event.translations_of("description")["ru"] == "Приходите без записи."
        assert event.text_in("title", "de")[0] == "Einstufungstag für die neuen Deutschkurse"
    assert editor.get(f"/de/manage/events/{OWN_EVENT}/translate/de").status_code == 404


def test_saving_the_event_form_keeps_a_translation_that_waits_for_review(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)  # untrusted: reviewed
    path = f"/de/manage/events/{OWN_EVENT}/translate/ru"
    data = {**_form(editor, path), "title": "День определения уровня"}
    assert editor.post(path, data=data).status_code == 303
    edit = f"/de/manage/events/{OWN_EVENT}/edit"
    data = {**_form(editor, edit), "description": "Bitte bringen Sie Ihr Zeugnis mit."}
    assert editor.post(edit, data=data).status_code == 303
    with directory.app_context():
        record = db.session().scalars(select(Proposal)).one().record
    assert record["title"]["ru"] == "День определения уровня"
    assert record["description"]["de"] == "Bitte bringen Sie Ihr Zeugnis mit."


def test_a_returned_event_change_is_mailed_with_a_link_to_the_event_form(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    path = f"/de/manage/events/{OWN_EVENT}/edit"
    data = {**_form(editor, path), "title": "Einstufungstag ohne Uhrzeit"}
    assert editor.post(path, data=data).status_code == 303
    moderator = signed_in(directory, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    review = re.search(r'href="(/de/manage/review/\d+)"[^>]*><bdi>Einstufungstag ohne',
                       queue).group(1)
    moderator.post(review, data={"csrf_token": csrf(moderator, review), "decision": "return",
                                 "comment": "Bitte die Uhrzeit nennen."})
    mail = mails(directory)[-1]
    assert mail["To"] == "ed@example.org"
    body = mail.get_body(("plain",)).get_content()
    assert f"/de/manage/events/{OWN_EVENT}/edit" in body and "Bitte die Uhrzeit nennen." in body
    page = editor.get(path).get_data(as_text=True)
    assert "Bitte die Uhrzeit nennen." in page and "Einstufungstag ohne Uhrzeit" in page


def test_a_too_long_title_is_refused_and_kept_not_cut_by_the_browser(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    title = "Lesecafé " + "für Eltern und Kinder " * 10
    path, data = _new_event(editor, title=title)
    control = re.search(r'<input[^>]*name="title"[^>]*>',
                        editor.get(path).get_data(as_text=True)).group(0)
    assert "maxlength" not in control
    response = editor.post(path, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="e-f-title">[^<]*länger als 200 Zeichen', page)
    assert f'value="{title.strip()}"' in page or f'value="{title}"' in page
    with directory.app_context():
        assert _event(like=f"{ORG}-lesecafe%") is None


def test_a_new_event_or_a_changed_date_that_is_over_is_refused(directory):
    trust(directory, ORG)
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    yesterday = date.today() - timedelta(days=1)
    path, data = _new_event(editor, start_date=yesterday.isoformat(), repetition="none")
    response = editor.post(path, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="e-f-start_date">Dieses Datum ist schon vorbei', page)
    assert f'value="{yesterday.isoformat()}"' in page and "Lesecafé für Eltern" in page
    weeks_ago = date.today() - timedelta(days=21)
    path, data = _new_event(editor, start_date=weeks_ago.isoformat(), repetition="weekly",
                            until=yesterday.isoformat())
    page = editor.post(path, data=data).get_data(as_text=True)
    assert re.search(r'id="e-f-until">Der letzte Termin der Wiederholung ist schon vorbei',
                     page)
    path, data = _new_event(editor, start_date=weeks_ago.isoformat(), repetition="weekly")
    assert editor.post(path, data=data).status_code == 303, "a repetition without end goes on"
    with directory.app_context():
        assert len(db.session().scalars(select(Event).where(
            Event.external_id.like(f"{ORG}-lesecafe%"))).all()) == 1
    edit = f"/de/manage/events/{OWN_EVENT}/edit"
    data = {**_form(editor, edit), "start_date": yesterday.isoformat()}
    assert editor.post(edit, data=data).status_code == 400
    with directory.app_context():
        assert _event(OWN_EVENT).starts_at.date() != yesterday


def test_the_review_page_names_an_events_values_in_the_page_language(directory):
    """Yes or no, the cost and the dates as a moderator reads them, not as stored
    ("True", "free", "2027-01-05T16:00")."""
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    path, data = _new_event(editor, registration_needed="y",
                            registration_contact="anmeldung@example.org", offer=OWN_OFFER)
    editor.post(path, data=data)
    moderator = signed_in(directory, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    review = re.search(r'href="/de(/manage/review/\d+)"[^>]*><bdi>Lesecafé', queue).group(1)
    day = date.today() + timedelta(days=10)
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN_OFFER))
        offer_titles = {lang: offer.text_in("title", lang)[0] for lang in ("de", "ar")}
    for lang, yes, free, no in (("de", "ja", "kostenlos", "nein"),
                                ("ar", "نعم", "مجاني", "لا")):
        page = moderator.get(f"/{lang}{review}").get_data(as_text=True)
        values = {re.sub(r"<[^>]+>", "", after).strip() for after in re.findall(
            r'<td data-label="[^"]*" dir="[^"]*"><code>(.*?)</code></td>', page)}
        assert {"True", "False", "free", f"{day.isoformat()}T16:00"}.isdisjoint(values), lang
        assert {yes, free, no} <= values, (lang, values)
        # the text isolated in its own direction (the cell follows the page's language)
        assert f"{language('de').name_in(lang)}: \u2068Lesecafé für Eltern\u2069" in values
        assert "de: Lesecafé für Eltern" not in values
        assert offer_titles[lang] in values and OWN_OFFER not in values, lang
        assert any(str(day.year) in v and "16" in v and day.isoformat() not in v
                   for v in values), lang
