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

from .helpers import OWN, form_of, signed_in, trust

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


def _position(app, external_id: str):
    with app.app_context():
        offer = db.session().scalars(select(Offer).where(Offer.external_id == external_id)).one()
        return offer.lat, offer.lon


@pytest.mark.parametrize("street, postal_code, expected", [
    ("Kurt-Eisner-Str. 9", "", "the street's"),  # typed short, other house number
    ("Eisenbahnstraße 3", "04315", (51.3462, 12.4021)),
    ("Nirgendwogasse 1", "04318", None),  # a street the directory does not know
])
def test_coordinates_come_from_the_street(app, street, postal_code, expected):
    trust(app, "a-sprachwerk-ost")
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    assert data["address_lat"] and data["address_lon"]  # the old address's, left as they are
    data.update({"address_street": street, "address_postal_code": postal_code})
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    if expected == "the street's":
        with app.app_context():
            on_street = sorted((o.lat, o.lon) for o in db.session().scalars(select(Offer))
                               if (o.street or "").startswith("Kurt-Eisner-Straße"))
        assert len(on_street) >= 3
        lat, lon = _position(app, OWN)
        assert lat == pytest.approx(sorted(p[0] for p in on_street)[len(on_street) // 2])
        assert lon == pytest.approx(sorted(p[1] for p in on_street)[len(on_street) // 2])
    elif expected is None:
        assert _position(app, OWN) == (None, None)
    else:
        assert _position(app, OWN) == pytest.approx(expected)


def test_coordinates_come_from_the_citys_street_list_where_it_has_one(app, tmp_path,
                                                                     monkeypatch):
    """A city file may name its street list (street, postal code, position): a street on it
    takes the list's position for its postal code, before what the directory's offers say."""
    import dataclasses

    from wegweiser.cities import city_info
    from wegweiser.web import manage

    streets = tmp_path / "streets.csv"
    streets.write_text("street,postal_code,lat,lon\n"
                       "Nirgendwogasse,04318,51.3401,12.4201\n"
                       "Nirgendwogasse,04315,51.3502,12.4302\n", encoding="utf-8")
    city = dataclasses.replace(city_info(app.config["WEGWEISER_CITY"]), streets=str(streets))
    monkeypatch.setattr(manage, "current_city", lambda: city)
    trust(app, "a-sprachwerk-ost")
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    for street, postal_code, expected in (("Nirgendwogasse 1", "04318", (51.3401, 12.4201)),
                                          ("nirgendwogasse 7a", "04315", (51.3502, 12.4302))):
        data = form_of(editor, OWN)
        data.update({"address_street": street, "address_postal_code": postal_code})
        assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
        assert _position(app, OWN) == pytest.approx(expected)


def test_coordinates_typed_by_the_editor_are_kept(app):
    trust(app, "a-sprachwerk-ost")
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update({"address_street": "Eisenbahnstraße 90", "address_lat": "51.3471",
                 "address_lon": "12.4102"})
    editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    assert _position(app, OWN) == (51.3471, 12.4102)


def test_the_dashboard_does_not_query_per_offer(directory):
    """An administrator's dashboard lists every organisation's offers with their missing
    translations: the offers and their texts come in a fixed number of queries, not one or two
    per offer (it took 253 queries on the demo directory before)."""
    from sqlalchemy import event

    admin = signed_in(directory, "admin@example.org", "admin")
    admin.get("/de/manage/")  # the first request also loads what every request caches
    statements = []
    with directory.app_context():
        engine = db.engine()
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert admin.get("/de/manage/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    with directory.app_context():
        offers = len(db.session().scalars(select(Offer)).all())
    assert offers > 100
    assert len(statements) < 80, len(statements)
    assert sum("FROM offer_text" in s for s in statements) <= 2
