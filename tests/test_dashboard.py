"""The editors' dashboard on a phone: searched, filtered (organisation, status, stale, missing
translations) and a page at a time; every offer on exactly one page; an editor sees only the
offers of their own organisations, whatever the query string asks for."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.languages import interface_languages
from wegweiser.models import Offer

from .helpers import OWN, signed_in

pytestmark = pytest.mark.demo_directory

EDIT_LINK = re.compile(r'href="/de/manage/offers/([^/"]+)/edit"')


def listed(client, query: str = "") -> list[str]:
    page = client.get("/de/manage/" + query)
    assert page.status_code == 200
    return EDIT_LINK.findall(page.get_data(as_text=True))


def all_pages(client, query: str = "") -> list[str]:
    html = client.get("/de/manage/?" + query).get_data(as_text=True)
    pages = int(m.group(1)) if (m := re.search(r"Seite 1 von (\d+)", html)) else 1
    found = []
    for number in range(1, pages + 1):
        found += listed(client, f"?{query}&page={number}")
    return found


def offers_where(app, keep) -> set[str]:
    with app.app_context():
        return {o.external_id for o in db.session().scalars(select(Offer)) if keep(o)}


def test_every_offer_is_on_exactly_one_page_of_25(app):
    admin = signed_in(app, "admin@example.org", "admin")
    first = admin.get("/de/manage/").get_data(as_text=True)
    assert len(EDIT_LINK.findall(first)) == 25
    assert 'action="/de/logout"' in first.split("</header>")[0], "sign-out in the header"
    found = all_pages(admin)
    assert len(found) == len(set(found)) == len(offers_where(app, lambda o: True))
    assert listed(admin, "?page=999") == listed(admin, "?page=7") != []
    assert listed(admin, "?page=-3") == listed(admin, "?page=abc") == EDIT_LINK.findall(first)


def test_the_filters_show_what_they_say(app):
    stale_days = app.config["WEGWEISER_STALE_AFTER_DAYS"]
    with app.app_context():
        session = db.session()
        archived = session.scalars(select(Offer).where(Offer.external_id == OWN)).one()
        archived.status = "archived"
        session.commit()
    admin = signed_in(app, "admin@example.org", "admin")
    assert set(all_pages(admin, "status=archived")) == {OWN}
    assert OWN not in all_pages(admin, "status=published")

    def stale(offer):
        return offer.verified_at is None or \
            date.today() - offer.verified_at > timedelta(days=stale_days)

    def missing(offer):
        have = {t.locale for t in offer.texts if t.field in ("title", "summary")}
        return bool(set(interface_languages()) - have)

    assert set(all_pages(admin, "stale=1")) == offers_where(app, stale)
    assert set(all_pages(admin, "missing=1")) == offers_where(app, missing)
    assert set(all_pages(admin, "stale=1&missing=1")) == offers_where(
        app, lambda o: stale(o) and missing(o))
    own = offers_where(app, lambda o: o.organisation.external_id == "a-sprachwerk-ost")
    assert set(all_pages(admin, "organisation=a-sprachwerk-ost")) == own


@pytest.mark.parametrize("words", ["deutsch", "DEUTSCH  kurs", "Spr", "ö"])
def test_the_search_finds_offers_by_every_word_of_their_titles(app, words):
    admin = signed_in(app, "admin@example.org", "admin")

    def matches(offer):
        titles = " ".join([offer.external_id, *(t.text.casefold() for t in offer.texts
                                                if t.field == "title")])
        folded = titles.replace("ö", "o").replace("ä", "a").replace("ü", "u")
        return all(w.replace("ö", "o") in folded for w in words.casefold().split())

    assert set(all_pages(admin, f"q={words}")) == offers_where(app, matches)


def test_an_editor_sees_only_their_organisations_offers(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    own = offers_where(app, lambda o: o.organisation.external_id == "a-sprachwerk-ost")
    assert set(all_pages(editor)) == own
    assert all_pages(editor, "organisation=a-zusammenhalt") == []
    html = editor.get("/de/manage/").get_data(as_text=True)
    assert 'name="organisation"' not in html  # one organisation: nothing to choose
    assert 'id="dashboard-q"' in html and "Nur Angebote mit fehlenden Übersetzungen" in html
