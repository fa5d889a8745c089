"""The shortlist through the test client, with CSRF protection on: add, reorder, remove,
note, the referral sheet, text and share links, stale forms."""
from __future__ import annotations

import json
import re

from wegweiser.services.shortlist import MAX_OFFERS, Shortlist

from .helpers import csrf


def token(client, path="/de/search?q=Beratung") -> str:
    return csrf(client, path)


def offer_ids(client, query="Beratung", count=3) -> list[str]:
    page = client.get(f"/de/search?q={query}").get_data(as_text=True)
    return re.findall(r'name="offer" value="([^"]+)"', page)[:count]


def add(client, offer_id, csrf) -> None:
    response = client.post("/de/list/add", data={"csrf_token": csrf, "offer": offer_id,
                                                 "next": "/de/search?q=Beratung"})
    assert response.status_code == 303 and response.headers["Location"] == \
        "/de/search?q=Beratung"


def test_collect_reorder_remove_and_annotate(demo_client):
    csrf = token(demo_client, "/de/search?q=Beratung")
    ids = offer_ids(demo_client)
    for offer_id in ids:
        add(demo_client, offer_id, csrf)
    page = demo_client.get("/en/list").get_data(as_text=True)
    assert [i for i in re.findall(r'/en/offers/([^"]+)"', page) if i in ids][:3] == ids
    assert '<span class="badge">3</span>' in page
    demo_client.post("/de/list/move", data={"csrf_token": csrf, "offer": ids[2], "to": "up"})
    demo_client.post("/de/list/remove", data={"csrf_token": csrf, "offer": ids[0]})
    demo_client.post("/de/list/note", data={"csrf_token": csrf, "note": "Termin Mittwoch"})
    page = demo_client.get("/de/list").get_data(as_text=True)
    listed = [i for i in dict.fromkeys(re.findall(r'/de/offers/([^"/]+)"', page)) if i in ids]
    assert listed == [ids[2], ids[1]]
    assert "Termin Mittwoch" in page


def test_a_removal_can_be_undone_and_the_offer_returns_to_its_place(demo_client):
    csrf = token(demo_client, "/de/search?q=Beratung")
    ids = offer_ids(demo_client)
    for offer_id in ids:
        add(demo_client, offer_id, csrf)
    response = demo_client.post("/de/list/remove", data={"csrf_token": csrf, "offer": ids[1]})
    assert response.status_code == 303
    page = demo_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Von Ihrer Liste entfernt" in page and "Rückgängig machen" in page
    undo = re.search(r'<form class="notice undo[^"]*"[^>]*>(.*?)</form>', page, re.S).group(1)
    assert f'name="offer" value="{ids[1]}"' in undo and 'name="at" value="1"' in undo
    demo_client.post("/de/list/restore", data={"csrf_token": csrf, "offer": ids[1], "at": "1"})
    page = demo_client.get("/de/list").get_data(as_text=True)
    listed = [i for i in dict.fromkeys(re.findall(r'/de/offers/([^"/]+)"', page)) if i in ids]
    assert listed == ids, "back in its place"
    assert "Rückgängig machen" not in page
    # Undoing twice, or an unknown offer, changes nothing.
    demo_client.post("/de/list/restore", data={"csrf_token": csrf, "offer": ids[1], "at": "0"})
    assert demo_client.post("/de/list/restore", data={"csrf_token": csrf, "offer": "nope",
                                                       "at": "0"}).status_code == 404
    page = demo_client.get("/de/list").get_data(as_text=True)
    assert [i for i in dict.fromkeys(re.findall(r'/de/offers/([^"/]+)"', page))
            if i in ids] == ids


def test_a_stale_form_changes_nothing_and_says_so(demo_client):
    ids = offer_ids(demo_client, count=1)
    response = demo_client.post("/de/list/add", data={"csrf_token": "stale", "offer": ids[0]})
    assert response.status_code == 400
    assert "nichts geändert" in response.get_data(as_text=True)
    assert '<span class="badge">0</span>' in demo_client.get("/de/list").get_data(as_text=True)


def test_unknown_offers_and_foreign_redirects_are_refused(demo_client):
    csrf = token(demo_client)
    assert demo_client.post("/de/list/add", data={"csrf_token": csrf,
                                                  "offer": "nope"}).status_code == 404
    ids = offer_ids(demo_client, count=1)
    response = demo_client.post("/de/list/add", data={"csrf_token": csrf, "offer": ids[0],
                                                      "next": "https://evil.example/"})
    assert response.headers["Location"] == "/de/list"


def test_referral_sheet_shows_both_languages_with_qr_codes(demo_client):
    csrf = token(demo_client)
    for offer_id in offer_ids(demo_client, "Deutschkurs", 2):
        add(demo_client, offer_id, csrf)
    sheet = demo_client.get("/de/list/sheet?client=fa").get_data(as_text=True)
    assert sheet.count('class="sheet-entry"') == 2
    assert sheet.count('<div class="sheet-column" lang="fa" dir="rtl">') == 2
    assert sheet.count('<div class="sheet-column" lang="de" dir="ltr">') == 2
    assert sheet.count('<svg') >= 2 and "Gedruckt am" in sheet
    assert "http://localhost/fa/" in sheet


def test_text_mail_and_sms_in_the_clients_language(demo_client):
    csrf = token(demo_client)
    ids = offer_ids(demo_client, "Deutschkurs", 2)
    for offer_id in ids:
        add(demo_client, offer_id, csrf)
    text = demo_client.get("/de/list/text?client=uk").get_data(as_text=True)
    assert text.startswith("1. ") and f"/uk/offers/{ids[0]}" in text
    assert "Телефон" in text
    page = demo_client.get("/de/list?client=uk").get_data(as_text=True)
    assert 'href="mailto:?body=1.' in page and 'href="sms:?&amp;body=1.' in page


def test_the_clients_language_is_remembered_for_sheet_link_and_texts(demo_client):
    csrf = token(demo_client)
    ids = offer_ids(demo_client, "Deutschkurs", 2)
    for offer_id in ids:
        add(demo_client, offer_id, csrf)
    demo_client.get("/de/list?client=ar")
    sheet = demo_client.get("/de/list/sheet").get_data(as_text=True)
    assert sheet.count('<div class="sheet-column" lang="ar" dir="rtl">') == 2
    page = demo_client.get("/de/list").get_data(as_text=True)
    assert re.search(r'value="http://localhost/ar/list/shared\?ids=', page)
    assert '<option value="ar" lang="ar" selected>' in page
    text = demo_client.get("/de/list/text").get_data(as_text=True)
    assert f"/ar/offers/{ids[0]}" in text and "الهاتف" in text
    demo_client.get("/de/list?client=xx")  # not a language of the site: nothing changes
    assert f"/ar/offers/{ids[0]}" in demo_client.get("/de/list/text").get_data(as_text=True)


def test_times_of_a_day_are_joined_as_each_language_joins_a_list(demo_client):
    """Two opening times on one day read "9:00–12:00 und 13:00–16:00" on the German column,
    with the Arabic conjunction on the Arabic one (Babel's list patterns, not a comma for all)."""
    add(demo_client, "a-thomasius-migrationsberatung", token(demo_client))
    sheet = demo_client.get("/de/list/sheet?client=ar").get_data(as_text=True)
    assert "<bdi>09:00–12:00</bdi> und <bdi>13:00–16:00</bdi>" in sheet
    assert re.search(r"<bdi>[^<]+</bdi> و<bdi>[^<]+</bdi>", sheet)
    text = demo_client.get("/de/list/text?client=uk").get_data(as_text=True)
    assert re.search(r"\d–\d\d:\d\d і \d", text), text


def test_share_link_carries_only_ids_and_opens_for_anyone(demo_client, demo_app):
    csrf = token(demo_client)
    ids = offer_ids(demo_client, count=2)
    for offer_id in ids:
        add(demo_client, offer_id, csrf)
    page = demo_client.get("/de/list?client=ar").get_data(as_text=True)
    share = re.search(r'class="share-url" type="text" readonly dir="ltr" value="([^"]+)"',
                      page).group(1)
    assert share.endswith("/ar/list/shared?ids=" + "~".join(ids))
    stranger = demo_app.test_client()
    shared = stranger.get(share.replace("http://localhost", "")).get_data(as_text=True)
    assert all(f"/ar/offers/{i}" in shared for i in ids)


def test_the_list_is_bounded_and_cleans_what_a_cookie_holds():
    shortlist = Shortlist.from_cookie({"ids": ["a", "a", "<script>", *map(str, range(40))],
                                       "note": "x" * 900})
    assert shortlist.ids[:2] == ["a", "0"] and len(shortlist.ids) == MAX_OFFERS
    assert len(shortlist.note) == 500
    assert not shortlist.add("another") and shortlist.full
    assert Shortlist.from_cookie("garbage").ids == []
    assert json.dumps(shortlist.to_cookie())



def test_a_page_read_with_a_list_does_not_send_the_list_back(demo_client, demo_app, monkeypatch):
    """Pages fetched in the background (the offline worker keeps copies of the list's pages)
    must not answer with the list as it was when they were asked for: that cookie would
    overwrite a change made meanwhile. Only a change sends the cookie."""
    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)
    demo_client.get("/de/search?q=Deutschkurs")  # the page with the button: a form token
    added = demo_client.post("/de/list/add", data={"offer": "a-sprachwerk-deutschkurs-a1"})
    assert "session=" in added.headers.get("Set-Cookie", "")
    for path in ("/de/offers/a-sprachwerk-deutschkurs-a1", "/de/list", "/de/list/sheet",
                 "/de/"):
        response = demo_client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path


def test_the_sheet_and_the_text_keep_the_notes_of_opening_hours(demo_client, demo_app,
                                                                 monkeypatch):
    """"Thursday 15:00–18:00" without "(only on the first Thursday of the month)" sends a
    client on the wrong day three times out of four; without "(last admission 16:30)" too
    late. The rule in each column's language, the note in the offer's."""
    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)
    for offer in ("a-rechtskompass-duldung", "a-rechtskompass-sprechstunde"):
        demo_client.post("/de/list/add", data={"offer": offer})
    sheet = demo_client.get("/de/list/sheet?client=ar").get_data(as_text=True)
    assert sheet.count('<bdi lang="de" dir="ltr">(letzter Einlass 16:30 Uhr)</bdi>') == 2
    assert "<bdi>15:00–18:00</bdi> (nur am ersten Donnerstag im Monat)" in sheet
    assert "(فقط في الخميس من الأسبوع الأول من الشهر)" in sheet
    text = demo_client.get("/de/list/text").get_data(as_text=True)
    # in the client's language
    assert "3:00 م–6:00 م (فقط في الخميس من الأسبوع الأول من الشهر)" in text
    assert "(letzter Einlass 16:30 Uhr)" in text
    # The address in the Arabic footer is isolated left to right.
    footer = sheet[sheet.index('<footer class="sheet-footer">'):]
    assert re.search(r'lang="ar" dir="rtl">[^<]*<bdi dir="ltr">http://localhost/ar/</bdi>',
                     footer), footer[:400]


def test_the_clients_column_says_when_an_entry_is_not_in_the_clients_language(
        demo_client, demo_app, monkeypatch):
    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)
    demo_client.post("/de/list/add", data={"offer": "a-sprachwerk-deutsch-eltern"})
    sheet = demo_client.get("/de/list/sheet?client=ti").get_data(as_text=True)
    column = sheet[sheet.index('<div class="sheet-column" lang="ti"'):]
    column = column[:column.index("</div>")]
    assert '<p class="small muted">' in column  # the Tigrinya column says it shows German


def test_names_and_addresses_in_another_script_keep_their_direction(demo_client, demo_app,
                                                                     monkeypatch):
    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)
    demo_client.post("/de/list/add", data={"offer": "a-sprachwerk-deutschkurs-a1"})
    page = demo_client.get("/de/list?client=ar").get_data(as_text=True)
    assert '<bdi lang="ar" dir="rtl">العربية</bdi>' in page  # inside a German sentence
    assert re.search(r'<input class="share-url" type="text" readonly dir="ltr"', page)
    report = demo_client.get("/ckb/offers/a-sprachwerk-deutschkurs-a1/report").get_data(
        as_text=True)
    assert re.search(r'<a href="/ckb/offers/a-sprachwerk-deutschkurs-a1" lang="de" dir="ltr">',
                     report)


def test_a_full_list_says_so_where_the_add_button_was(demo_client, demo_app, monkeypatch):
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.models import PUBLISHED, Offer

    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)
    with demo_app.app_context():
        ids = list(db.session().scalars(select(Offer.external_id).where(
            Offer.status == PUBLISHED).order_by(Offer.external_id)))
    for offer in ids[:MAX_OFFERS]:
        demo_client.post("/de/list/add", data={"offer": offer})
    page = demo_client.get(f"/de/offers/{ids[MAX_OFFERS]}").get_data(as_text=True)
    assert "Meine Liste ist voll. Entfernen Sie ein Angebot daraus" in page
    assert 'href="/de/list"' in page[page.index('class="list-full'):][:200]
    on_list = demo_client.get(f"/de/offers/{ids[0]}").get_data(as_text=True)
    assert "Auf meiner Liste – entfernen" in on_list and "list-full" not in on_list


def test_a_note_too_long_is_refused_whole_and_shown_as_typed(demo_client, demo_app,
                                                              monkeypatch):
    """A paste of 600 characters was cut at 500 by the browser and again by the server."""
    from wegweiser.services.shortlist import MAX_NOTE

    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)
    demo_client.post("/de/list/add", data={"offer": "a-sprachwerk-deutschkurs-a1"})
    assert "maxlength" not in demo_client.get("/de/list").get_data(as_text=True).split(
        'id="note"')[1].split(">")[0]
    demo_client.post("/de/list/note", data={"note": "Termin am Montag"})
    long_note = "Bitte Ausweis und Bescheid mitbringen. " * 16
    assert len(long_note.strip()) > MAX_NOTE
    refused = demo_client.post("/de/list/note", data={"note": long_note})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert long_note.strip() in page and 'aria-invalid="true"' in page
    assert "höchstens 500 Zeichen" in page
    assert "Termin am Montag" in demo_client.get("/de/list/sheet").get_data(as_text=True)
