"""Calls for help ("Take part"): posted by an organisation's editors, moderated like offers,
listed on /<lang>/take-part while open, in the API and the feed, reminded before they end."""
from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.models import HelpCall, Revision
from wegweiser.services.help_calls import MAX_DAYS_AHEAD, open_help_calls
from wegweiser.services.importer import Importer

from .helpers import _mail_texts, csrf, mails, read_form, signed_in, trust

pytestmark = pytest.mark.demo_directory
ORG = "a-sprachwerk-ost"  # not trusted in the demo data
DEMO_CALL = "a-sprachwerk-ost-raum-sprachcafe"  # its demo call (a room, in Ost)
CONNEWITZ_CALL = "a-lernwerkstatt-connewitz-hausaufgaben"
ATOM = "{http://www.w3.org/2005/Atom}"


def _form(client, path: str, **changes) -> dict:
    """The call form at ``path`` as a browser submits it, with ``changes``."""
    data: dict = {}
    for name, value in read_form(client.get(path).get_data(as_text=True),
                                 "help-call-form").fields:
        data.setdefault(name, []).append(value)
    data = {k: v if k in ("areas", "languages") else v[0] for k, v in data.items()}
    return {**data, **changes}


def _post_new(editor, title: str, **changes):
    path = f"/de/manage/organisations/{ORG}/help-calls/new"
    return editor.post(path, data=_form(editor, path, title=title, **changes))


def _take_part(client, lang: str = "de", query: str = "") -> str:
    return client.get(f"/{lang}/take-part{query}").get_data(as_text=True)


def _call(app, title: str) -> HelpCall:
    with app.app_context():
        for call in db.session().scalars(select(HelpCall)):
            if call.translations_of("title").get("de") == title:
                db.session().expunge(call)
                return call
    raise AssertionError(title)


def _review_path(moderator, call_id: str) -> str:
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    assert f"/de/manage/review/help-calls/{call_id}" in queue
    return f"/de/manage/review/help-calls/{call_id}"


def _decide(moderator, call_id: str, decision: str, comment: str = ""):
    path = _review_path(moderator, call_id)
    return moderator.post(path, data={"csrf_token": csrf(moderator, path),
                                      "decision": decision, "comment": comment})


def test_an_untrusted_organisations_call_is_public_only_after_approval(app):
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    response = _post_new(editor, "Ehrenamtliche für das Erzählcafé", kind="volunteers",
                         when="freitags 16–18 Uhr", areas=["volkmarsdorf"],
                         languages=["ar", "uk"], description="Zuhören und Kaffee kochen.")
    assert response.status_code == 303
    anonymous = app.test_client()
    assert "Erzählcafé" not in _take_part(anonymous)
    call = _call(app, "Ehrenamtliche für das Erzählcafé")
    assert call.status == "in_review"
    assert "Erzählcafé" in editor.get("/de/manage/").get_data(as_text=True)

    moderator = signed_in(app, "mod@example.org", "moderator")
    assert _decide(moderator, call.external_id, "approve").status_code == 303
    page = _take_part(anonymous)
    assert "Ehrenamtliche für das Erzählcafé" in page and "freitags 16–18 Uhr" in page
    assert "Sprachwerk" in page and "mailto:kontakt@sprachwerk-ost.example" in page
    arabic = _take_part(anonymous, "ar")
    assert '<html lang="ar" dir="rtl">' in arabic
    # German text on the Arabic page: marked as German, with a notice in Arabic
    assert re.search(r'lang="de" dir="ltr"><a href="/ar/take-part/[\w-]+">Ehrenamtliche für '
                     r'das Erzählcafé</a>', arabic)
    assert "الألمانية" in arabic
    with app.app_context():
        history = db.session().scalars(select(Revision).where(
            Revision.entity_type == "help_call", Revision.entity_id == call.id)).all()
    assert len(history) == 2  # created (in review), then approved (published)
    page = editor.get(f"/de/manage/help-calls/{call.external_id}/history")
    assert "Erzählcafé" in page.get_data(as_text=True)


def test_a_change_to_a_published_call_waits_while_the_public_keeps_the_approved_one(app):
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    path = f"/de/manage/help-calls/{DEMO_CALL}/edit"
    assert editor.post(path, data=_form(editor, path, title="Ein großer Raum")).status_code == 303
    anonymous = app.test_client()
    assert "Ein Raum für unser Sprachcafé" in _take_part(anonymous)
    assert "Ein großer Raum" not in _take_part(anonymous)
    assert 'value="Ein großer Raum"' in editor.get(path).get_data(as_text=True)
    moderator = signed_in(app, "mod@example.org", "moderator")
    _decide(moderator, DEMO_CALL, "approve")
    assert "Ein großer Raum" in _take_part(anonymous)
    # decided: no longer in the queue (nothing waits: SQL NULL, not JSON null)
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    assert f"/review/help-calls/{DEMO_CALL}" not in queue


def test_a_trusted_organisation_publishes_at_once(app):
    trust(app, ORG)
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    response = _post_new(editor, "Dolmetschende für Ukrainisch", kind="interpreters",
                         languages=["uk"])
    assert "veröffentlicht" in editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dolmetschende für Ukrainisch" in _take_part(app.test_client(), query="?kind="
                                                                                "interpreters")


def test_a_returned_call_stays_hidden_and_shows_the_comment(app):
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    _post_new(editor, "Spenden aller Art", kind="donations")
    call = _call(app, "Spenden aller Art")
    moderator = signed_in(app, "mod@example.org", "moderator")
    _decide(moderator, call.external_id, "return", "Bitte genauer: welche Spenden?")
    assert _call(app, "Spenden aller Art").status == "draft"
    assert "Spenden aller Art" not in _take_part(app.test_client())
    edit = editor.get(f"/de/manage/help-calls/{call.external_id}/edit").get_data(as_text=True)
    assert "Bitte genauer: welche Spenden?" in edit
    returned = [m for m in mails(app) if "zurückgegeben" in m["Subject"]]
    assert [m["To"] for m in returned] == ["ed@example.org"]
    body = returned[0].get_content()
    assert "Spenden aller Art" in body and "Bitte genauer: welche Spenden?" in body
    assert f"/de/manage/help-calls/{call.external_id}/edit" in body
    # deciding again what is no longer waiting publishes nothing
    path = f"/de/manage/review/help-calls/{call.external_id}"
    moderator.post(path, data={"csrf_token": csrf(moderator, "/de/manage/review/"),
                               "decision": "approve"})
    assert _call(app, "Spenden aller Art").status == "draft"


def test_end_dates_in_the_past_or_too_far_ahead_are_refused(app):
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    too_far = (date.today() + timedelta(days=MAX_DAYS_AHEAD + 1)).isoformat()
    for end, message in ((yesterday, "Vergangenheit"), (too_far, "halbes Jahr"),
                         ("morgen", "Datum")):
        response = _post_new(editor, "Zu spät", end_date=end)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), end


def test_expired_calls_vanish_from_page_api_and_organisation_by_date_alone(app):
    with app.app_context():
        call = db.session().scalar(select(HelpCall).where(HelpCall.external_id == DEMO_CALL))
        call.end_date = date.today()
        db.session().commit()
    client = app.test_client()
    assert "Ein Raum für unser Sprachcafé" in _take_part(client)  # open until the end of today
    with app.app_context():
        tomorrow = date.today() + timedelta(days=1)
        assert DEMO_CALL not in {c.external_id for c in open_help_calls(db.session(), tomorrow)}
        call = db.session().scalar(select(HelpCall).where(HelpCall.external_id == DEMO_CALL))
        call.end_date = date.today() - timedelta(days=1)
        db.session().commit()
    assert "Ein Raum für unser Sprachcafé" not in _take_part(client)
    ids = {c["id"] for c in client.get("/api/v1/help-calls").get_json()["results"]}
    assert DEMO_CALL not in ids and CONNEWITZ_CALL in ids
    organisation = client.get(f"/de/organisations/{ORG}").get_data(as_text=True)
    assert "Ein Raum für unser Sprachcafé" not in organisation


def test_each_open_call_has_a_page_to_share_in_every_language(app):
    """A call is shared by its address and read in the reader's language; the language
    switch stays on it (on the list, it went to the top of "take part")."""
    client = app.test_client()
    listing = _take_part(client)
    assert f'<a href="/de/take-part/{DEMO_CALL}">Ein Raum für unser Sprachcafé</a>' in listing
    page = client.get(f"/de/take-part/{DEMO_CALL}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r"<h1[^>]*>Ein Raum für unser Sprachcafé</h1>", html)
    assert "<title>Ein Raum für unser Sprachcafé" in html and "Bis " in html
    assert f'href="/ar/take-part/{DEMO_CALL}"' in html, "the language switch stays on it"
    assert client.get(f"/ar/take-part/{DEMO_CALL}").status_code == 200
    feed = ET.fromstring(client.get("/de/take-part.atom").data)
    links = {link.get("href") for link in feed.iter(f"{ATOM}link")}
    assert f"http://localhost/de/take-part/{DEMO_CALL}" in links


def test_a_call_that_ended_or_was_taken_back_says_so(app):
    client = app.test_client()
    assert client.get("/de/take-part/no-such-call").status_code == 404
    with app.app_context():
        call = db.session().scalar(select(HelpCall).where(HelpCall.external_id == DEMO_CALL))
        call.end_date = date.today() - timedelta(days=1)
        db.session().commit()
    gone = client.get(f"/de/take-part/{DEMO_CALL}")
    assert gone.status_code == 410
    html = gone.get_data(as_text=True)
    assert "Dieser Aufruf ist nicht mehr aktuell" in html and "Sprachcafé" not in html
    assert 'href="/de/take-part"' in html
    with app.app_context():
        call = db.session().scalar(select(HelpCall).where(HelpCall.external_id == DEMO_CALL))
        call.end_date, call.status = date.today(), "archived"
        db.session().commit()
    assert client.get(f"/de/take-part/{DEMO_CALL}").status_code == 410


def test_filled_remove_asks_first_then_takes_the_call_off(app):
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    path = f"/de/manage/help-calls/{DEMO_CALL}/remove"
    page = editor.get(path).get_data(as_text=True)
    assert "Ein Raum für unser Sprachcafé" in page  # asking changes nothing:
    assert "Ein Raum für unser Sprachcafé" in _take_part(app.test_client())
    assert editor.post(path, data={"csrf_token": csrf(editor, path)}).status_code == 303
    assert "Ein Raum für unser Sprachcafé" not in _take_part(app.test_client())
    assert _call(app, "Ein Raum für unser Sprachcafé").status == "archived"
    other = signed_in(app, "other@example.org", "editor", "b-portitzer-winkel")
    assert other.post(path, data={"csrf_token": csrf(other, "/de/manage/")}).status_code == 403


def test_the_page_filters_by_area_and_kind_and_groups_by_kind(app):
    client = app.test_client()
    everything = _take_part(client)
    assert everything.index("Ehrenamtliche</h2>") < everything.index("Sachspenden</h2>")
    south = _take_part(client, query="?area=sued")  # Stadtbezirk Süd includes Connewitz
    assert "Hausaufgabenhilfe" in south
    assert "Sprachmittler*innen für Dari" in south  # no area: anywhere in the city
    assert "Kinderkleidung" not in south  # Grünau
    connewitz = _take_part(client, query="?area=connewitz&kind=volunteers")
    assert "Hausaufgabenhilfe" in connewitz and "Dari" not in connewitz
    assert "Bis" in everything and "Until" in _take_part(client, "en")
    nothing = _take_part(client, query="?area=ost&kind=expertise")
    assert "Zurzeit sucht hier niemand Unterstützung." in nothing
    assert client.get("/de/take-part?area=atlantis&kind=nonsense").status_code == 200


def test_the_organisation_page_and_start_page_link_to_take_part(app):
    client = app.test_client()
    page = client.get("/de/organisations/a-rechtskompass").get_data(as_text=True)
    assert "Diese Organisation sucht …" in page and "Sprachmittler*innen für Dari" in page
    assert 'href="/de/take-part"' in client.get("/de/").get_data(as_text=True)
    assert "Diese Organisation sucht" not in client.get(
        "/de/organisations/a-rechtskompass-nonexistent").get_data(as_text=True)


def test_the_api_lists_open_calls_with_their_organisations_contact(app):
    client = app.test_client()
    body = client.get("/api/v1/help-calls?lang=en&kind=interpreters").get_json()
    assert body["total"] == 1
    dari = body["results"][0]
    assert dari["title"] == "Interpreters for Dari" and dari["text_language"] == "en"
    assert dari["languages"] == ["de", "prs"] and dari["areas"] == []
    assert dari["organisation"]["email"] == "beratung@rechtskompass-asyl.example"
    assert dari["url"].endswith("/en/take-part/a-rechtskompass-sprachmittlung-dari")
    south = client.get("/api/v1/help-calls?area=connewitz").get_json()["results"]
    assert {c["id"] for c in south} == {CONNEWITZ_CALL, "a-rechtskompass-sprachmittlung-dari"}
    for bad in ("kind=nonsense", "kind=", "area=atlantis", "area=", "lang=xx"):
        response = client.get(f"/api/v1/help-calls?{bad}")
        assert response.status_code == 400 and "error" in response.get_json(), bad


def test_the_feed_lists_the_open_calls_in_the_page_language(app):
    response = app.test_client().get("/ar/take-part.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    titles = {e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")}
    assert "متطوعون للمساعدة في الواجبات المدرسية" in titles and len(titles) == 6
    offers_feed = ET.fromstring(app.test_client().get("/ar/feed.atom").data)
    assert feed.findtext(f"{ATOM}id") != offers_feed.findtext(f"{ATOM}id")


def _reminder_link(app, call_id: str, action: str) -> str:
    for path in re.findall(r"http://localhost(/\w+/take-part/link/\S+)",
                           "\n".join(_mail_texts(app))):
        payload = path.rsplit("/", 1)[1].split(".")[0]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if data == {"call": call_id, "action": action}:
            return path
    raise AssertionError(f"no {action} link for {call_id}")


def test_calls_ending_within_a_week_are_reminded_once_with_links_to_extend_or_remove(app):
    soon = date.today() + timedelta(days=3)
    with app.app_context():
        for external_id in (DEMO_CALL, CONNEWITZ_CALL):
            call = db.session().scalar(select(HelpCall).where(
                HelpCall.external_id == external_id))
            call.end_date = soon
        db.session().commit()
    runner = app.test_cli_runner()
    output = runner.invoke(cli.main, ["remind", "--base-url", "http://localhost"]).output
    assert "Sent 2 reminder(s) of calls for help ending soon." in output
    sent = [m for m in mails(app) if "Aufrufe" in m["Subject"]]
    assert {m["To"] for m in sent} == {"kontakt@sprachwerk-ost.example",
                                       "post@lernwerkstatt-connewitz.example"}
    assert "Ein Raum für unser Sprachcafé" in "\n".join(m.get_content() for m in sent)
    again = runner.invoke(cli.main, ["remind", "--base-url", "http://localhost"]).output
    assert "Sent 0 reminder(s) of calls for help" in again

    anonymous = app.test_client()
    extend = _reminder_link(app, DEMO_CALL, "extend")
    assert _call(app, "Ein Raum für unser Sprachcafé").end_date == soon  # GET changes nothing
    anonymous.post(extend, data={"csrf_token": csrf(anonymous, extend)})
    assert _call(app, "Ein Raum für unser Sprachcafé").end_date == soon + timedelta(days=28)
    remove = _reminder_link(app, CONNEWITZ_CALL, "remove")
    anonymous.post(remove, data={"csrf_token": csrf(anonymous, remove)})
    assert "Hausaufgabenhilfe" not in _take_part(anonymous)
    assert anonymous.get("/de/take-part/link/not-a-token.x").status_code == 400


def test_the_import_format_checks_calls_for_help_and_names_each_problem(app):
    records = {"help_calls": [
        {"id": "x-1", "organisation": ORG, "kind": "unicorns", "title": {"de": "A"},
         "end_date": "P2W"},
        {"id": "x-2", "organisation": "nobody", "kind": "rooms", "title": {"de": "B"},
         "end_date": "2099-01-01", "areas": ["Atlantis"]},
        {"id": "x-3", "organisation": ORG, "kind": "rooms", "title": {"en": "C"}},
        {"id": "x-4", "organisation": ORG, "kind": "rooms", "title": {"de": "D"},
         "end_date": "P2W", "colour": "red"},
    ]}
    with app.app_context():
        report = Importer(db.session(), "test").run(records)
    problems = {(p.record, p.field) for p in report.problems}
    assert problems == {("x-1", "kind"), ("x-2", "organisation"), ("x-2", "end_date"),
                        ("x-2", "areas"), ("x-3", "title"), ("x-3", "end_date"),
                        ("x-4", "colour")}
    good = {"help_calls": [{"id": "x-5", "organisation": ORG, "kind": "Rooms".lower(),
                            "title": {"de": "E"}, "end_date": "P2W", "areas": ["Connewitz"]}]}
    with app.app_context():
        report = Importer(db.session(), "test").run(good)
        assert report.ok and report.created["help_calls"] == 1
        call = db.session().scalar(select(HelpCall).where(HelpCall.external_id == "x-5"))
        assert call.end_date == date.today() + timedelta(days=14)
        assert call.status == "published" and [a.slug for a in call.areas] == ["connewitz"]
        again = Importer(db.session(), "test").run(good)
        assert again.unchanged["help_calls"] == 1


def test_too_long_texts_of_a_call_are_refused_and_kept_not_cut_by_the_browser(app):
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    path = f"/de/manage/organisations/{ORG}/help-calls/new"
    page = editor.get(path).get_data(as_text=True)
    for name in ("title", "description", "when"):
        control = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page).group(0)
        assert "maxlength" not in control, name
    description = "Wir suchen Menschen, die mit Kindern lesen. " * 50
    response = _post_new(editor, "Lesepatinnen gesucht", description=description)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="e-f-description">[^<]*länger als 2000 Zeichen', page)
    assert description.strip() in page


def test_returning_a_call_needs_a_comment_and_changes_nothing_without_one(app):
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    assert _post_new(editor, "Spenden für das Erzählcafé", kind="volunteers").status_code == 303
    call = _call(app, "Spenden für das Erzählcafé")
    moderator = signed_in(app, "mod@example.org", "moderator")
    response = _decide(moderator, call.external_id, "return", " ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="e-comment">Bitte schreiben Sie einen Kommentar', page)
    again = _call(app, "Spenden für das Erzählcafé")
    assert (again.status, again.review_comment) == (call.status, None)
    assert _review_path(moderator, call.external_id)
