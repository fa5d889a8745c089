"""Right-to-left pages and staff pages in every language: opening-hours notes keep their own
language and direction, lists are joined as the page's language joins them, the original
beside a translation has its direction, and staff pages name fields, people, roles,
languages and vocabulary values in the page's language instead of showing codes."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from flask import g
from sqlalchemy import select

from wegweiser import db
from wegweiser.i18n import join_list
from wegweiser.languages import language
from wegweiser.models import Event, Offer
from wegweiser.services.records import event_record, offer_record, organisation_record
from wegweiser.web.manage import FIELD_LABELS, ROLE_LABELS, actor_label, readable

from .helpers import OWN, decide_first_review, form_of, propose_title, signed_in, trust
from .test_editing import second_of_two_saves

NOTE_OFFER = "a-thomasius-migrationsberatung"  # hours with the note "nur mit Termin"


class Cells(HTMLParser):
    """The cells (td) of the tables with a class, each with its attributes."""

    def __init__(self, table_class: str):
        super().__init__()
        self.table_class, self.depth, self.cells = table_class, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and self.table_class in (attrs.get("class") or "").split():
            self.depth += 1
        elif tag == "td" and self.depth:
            self.cells.append(attrs)

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1


def cells_of(page: str, table_class: str) -> list[dict]:
    parser = Cells(table_class)
    parser.feed(page)
    return parser.cells


# -- 1. opening-hours notes ---------------------------------------------------------------

def test_an_opening_hours_note_is_isolated_in_the_offers_language(demo_client):
    for lang in ("ar", "de", "fa"):
        page = demo_client.get(f"/{lang}/offers/{NOTE_OFFER}").get_data(as_text=True)
        note = re.search(r'<(\w+)([^>]*)>([^<]*nur mit Termin[^<]*)</\1>', page)
        assert note is not None, lang
        tag, attributes, text = note.groups()
        # Isolated (bdi), in the offer's original language and its direction, with the
        # parentheses inside, so a right-to-left page cannot tear them off the words.
        assert tag == "bdi" and text == "(nur mit Termin)"
        assert 'lang="de"' in attributes and 'dir="ltr"' in attributes


def test_the_note_takes_the_original_language_of_the_offer(demo_app):
    from wegweiser.web.presenters import opening_hours

    with demo_app.test_request_context("/ar/"):
        offer = db.session().scalar(select(Offer).where(Offer.external_id == NOTE_OFFER))
        offer.original_language = "ar"
        slots = [slot for day in opening_hours(offer) for slot in day["slots"] if slot["note"]]
        db.session().rollback()
    assert slots and all(s["note_lang"] == "ar" and s["note_dir"] == "rtl" for s in slots)


def test_the_editors_hours_notes_are_marked_with_the_original_language(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get(f"/ar/manage/offers/{OWN}/edit").get_data(as_text=True)
    notes = re.findall(r'<input type="text" name="hours-\d+-note"[^>]*>', page)
    assert notes and all('lang="de"' in n and 'dir="auto"' in n for n in notes)


# -- 2. lists -----------------------------------------------------------------------------

def test_lists_are_joined_as_the_language_joins_them(demo_app):
    with demo_app.app_context():
        assert join_list(["A", "B", "C"], "ar") == "A، B، C"
        assert join_list(["A", "B"], "fa") == "A،\u200f B"
        assert join_list(["A", "B"], "prs") == "A،\u200f B"
        assert join_list(["A", "B"], "ps") == "A، B"
        assert join_list(["A", "B"], "ckb") == "A، B"
        assert join_list(["A", "B", "C"], "de") == "A, B, C"
        assert join_list(["A", "B", "C"], "en") == "A, B, C"
        assert join_list(["A", "B"], "ti") == "A፣ B"
        # A plain list: never "and" ("و", "und", "and") where a list was shown before.
        for code in ("ar", "fa", "prs", "ps", "ckb", "de", "en", "uk", "ru", "tr", "fr", "kmr",
                     "ti", "so"):
            joined = join_list(["X", "Y", "Z"], code)
            assert joined.count("X") == 1 and " و" not in joined and "und" not in joined, code
            assert language(code).list_separator.strip(), code


def test_offer_pages_join_target_groups_in_the_page_language(demo_app, demo_client):
    with demo_app.app_context():
        offer = next(o for o in db.session().scalars(select(Offer)) if len(o.target_groups) > 1)
        external_id = offer.external_id
        labels = {lang: [t.label(lang) for t in offer.target_groups] for lang in ("ar", "de")}
    arabic = demo_client.get(f"/ar/offers/{external_id}").get_data(as_text=True)
    german = demo_client.get(f"/de/offers/{external_id}").get_data(as_text=True)
    assert "، ".join(labels["ar"]) in arabic and ", ".join(labels["ar"]) not in arabic
    assert ", ".join(labels["de"]) in german


def test_the_areas_of_an_offer_are_joined_in_the_page_language(demo_app):
    from wegweiser.models import Area
    from wegweiser.web.presenters import area_label

    for lang, separator in (("ar", "، "), ("de", ", ")):
        with demo_app.test_request_context(f"/{lang}/"):
            g.lang = lang
            session = db.session()
            offer = session.scalars(select(Offer).where(Offer.citywide.is_(False))).first()
            quarters = session.scalars(select(Area).where(Area.kind != "district")).all()[:2]
            offer.areas = quarters
            label, first = area_label(offer), quarters[0].name
            session.rollback()
        assert label.count(separator) == 1 and first in label, (lang, label)


def test_offer_cards_join_the_staff_languages_with_an_arabic_comma(demo_client):
    page = demo_client.get("/ar/search").get_data(as_text=True)
    spoken = re.findall(r'#language"></use></svg><span>([^<]+)</span>', page)
    assert spoken and any("، " in item for item in spoken)
    assert not any(", " in item for item in spoken)
    german = demo_client.get("/de/search").get_data(as_text=True)
    assert any(", " in item for item in
               re.findall(r'#language"></use></svg><span>([^<]+)</span>', german))


# -- 3. the original beside a translation -------------------------------------------------

def test_the_original_beside_a_translation_has_its_direction(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get(f"/ar/manage/offers/{OWN}/translate/en").get_data(as_text=True)
    originals = re.findall(r'<div class="original"[^>]*>', page)
    assert originals and all('lang="de"' in o and 'dir="ltr"' in o for o in originals)
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        offer.original_language = "ar"
        db.session().commit()
    page = editor.get(f"/de/manage/offers/{OWN}/translate/en").get_data(as_text=True)
    originals = re.findall(r'<div class="original"[^>]*>', page)
    assert originals and all('lang="ar"' in o and 'dir="rtl"' in o for o in originals)


# -- 4. staff pages in the page's language --------------------------------------------------

def test_every_field_of_a_record_has_a_label(demo_app):
    with demo_app.app_context():
        session = db.session()
        offer = session.scalars(select(Offer)).first()
        event = session.scalars(select(Event)).first()
        keys = set(offer_record(offer)) | set(event_record(event)) | set(
            organisation_record(offer.organisation))
    assert keys - set(FIELD_LABELS) == set()


def test_who_changed_something_is_said_in_the_page_language(demo_app):
    stored = "user:mod3@example.org (proposed by editor3@example.org)"
    for lang, words in (("de", ("vorgeschlagen von", "Import (Beispieldaten)")),
                        ("ar", ("باقتراح من", "استيراد (بيانات تجريبية)"))):
        with demo_app.test_request_context(f"/{lang}/"):
            g.lang = lang
            from wegweiser.i18n import in_language

            with in_language(lang):
                proposed = actor_label(stored)
                demo = actor_label("import:demo")
                joined = actor_label("user:mod@example.org (join request 7)")
                plain = actor_label("user:ed@example.org")
        assert words[0] in proposed and "mod3@example.org" in proposed
        assert "editor3@example.org" in proposed and "proposed by" not in proposed
        assert demo == words[1]
        assert "7" in joined and "join request" not in joined and "user:" not in joined
        assert plain == "ed@example.org"


def test_the_history_page_names_who_approved_in_the_page_language(directory):
    propose_title(directory, "Neuer Titel zur Prüfung")
    assert decide_first_review(directory, "approve").status_code == 303
    moderator = signed_in(directory, "mod@example.org", "moderator")
    german = moderator.get(f"/de/manage/offers/{OWN}/history").get_data(as_text=True)
    arabic = moderator.get(f"/ar/manage/offers/{OWN}/history").get_data(as_text=True)
    assert "mod@example.org (vorgeschlagen von ed@example.org)" in german
    assert "mod@example.org (باقتراح من ed@example.org)" in arabic
    for page in (german, arabic):
        assert "proposed by" not in page and "user:" not in page and "import:" not in page
    assert "Import (Beispieldaten)" in german and "استيراد (بيانات تجريبية)" in arabic
    # The fields are named, none shown by its key.
    headers = re.findall(r'<th scope="row">([^<]*)</th>', german)
    assert headers and not set(headers) & {"id", "organisation", "title", "categories"}


def test_roles_are_named_in_the_page_language(directory):
    admin = signed_in(directory, "admin@example.org", "admin")
    signed_in(directory, "mod@example.org", "moderator")
    for lang in ("de", "ar"):
        page = admin.get(f"/{lang}/manage/users").get_data(as_text=True)
        roles = re.findall(r'<td data-label="[^"]*">([^<]*)</td>', page)
        with directory.test_request_context(f"/{lang}/"):
            from wegweiser.i18n import in_language

            with in_language(lang):
                names = {str(label) for label in ROLE_LABELS.values()}
        assert {"admin", "moderator", "editor"}.isdisjoint(roles)
        assert names & set(roles), lang
        audit = admin.get(f"/{lang}/manage/audit").get_data(as_text=True)
        assert "(moderator)" not in audit and "(admin)" not in audit
    assert "mod@example.org (Moderation)" in admin.get("/de/manage/audit").get_data(
        as_text=True)


def test_the_needs_report_names_languages_as_the_site_does(directory):
    moderator = signed_in(directory, "mod@example.org", "moderator")
    for lang in ("de", "ar"):
        page = moderator.get(f"/{lang}/manage/needs").get_data(as_text=True)
        names = re.findall(r'<th scope="row">([^<]*)</th>', page)
        for code in ("prs", "kmr", "ckb"):
            assert language(code).name_in(lang) in names, (lang, code)
        assert not {"prs", "kmr", "ckb", "Zentralkurdisch"} & set(names)


def test_review_and_history_show_vocabulary_values_by_their_names(demo_app):
    with demo_app.test_request_context("/de/"):
        g.lang = "de"
        categories = readable("categories", ["children-family"])
        languages = readable("languages", ["kmr", "prs"])
        areas = readable("areas", ["anger-crottendorf"])
        original = readable("original_language", "ckb")
    assert categories != ["children-family"] and categories[0] and "-" not in categories[0]
    assert languages == [language("kmr").name_in("de"), language("prs").name_in("de")]
    assert areas == ["Anger-Crottendorf"]
    assert original == language("ckb").name_in("de")


def test_the_review_page_shows_names_of_vocabulary_values(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data["languages"] = [*data.get("languages", []), "kmr"]
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    moderator = signed_in(directory, "mod@example.org", "moderator")
    path = re.findall(r'href="(/de/manage/review/\d+)"',
                      moderator.get("/de/manage/review/").get_data(as_text=True))[0]
    page = moderator.get(path).get_data(as_text=True)
    assert language("kmr").name_in("de") in page and ">kmr<" not in page
    assert not re.search(r"[,>]\s*kmr\b", page)


def test_a_missing_original_text_names_the_language(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    for lang in ("de", "ar"):
        data = form_of(editor, OWN, lang)
        data["title"] = ""
        page = editor.post(f"/{lang}/manage/offers/{OWN}/edit", data=data).get_data(
            as_text=True)
        assert f"({language('de').name_in(lang)})" in page, lang
        assert "(de)" not in page


# -- 5. labels of comparison tables on a phone ----------------------------------------------

def test_every_cell_of_the_conflict_table_has_a_label(directory):
    trust(directory, "a-sprachwerk-ost")
    _second, _typed, conflict = second_of_two_saves(directory, "Fassung eins", "Fassung zwei")
    assert conflict.status_code == 409
    cells = cells_of(conflict.get_data(as_text=True), "compare-table")
    assert cells and all(c.get("data-label") for c in cells)
    assert {c["data-label"] for c in cells} == {"Gespeichert von der anderen Person",
                                                "Was Sie eingegeben haben"} or len(
        {c["data-label"] for c in cells}) == 2


def test_every_cell_of_the_history_and_review_tables_has_a_label(directory):
    propose_title(directory, "Ein neuer Titel")
    moderator = signed_in(directory, "mod@example.org", "moderator")
    path = re.findall(r'href="(/de/manage/review/\d+)"',
                      moderator.get("/de/manage/review/").get_data(as_text=True))[0]
    review = cells_of(moderator.get(path).get_data(as_text=True), "manage-table")
    assert review and all(c.get("data-label") for c in review)
    assert decide_first_review(directory, "approve").status_code == 303
    moderator = signed_in(directory, "mod@example.org", "moderator")
    history = cells_of(moderator.get(f"/de/manage/offers/{OWN}/history").get_data(
        as_text=True), "manage-table")
    assert history and all(c.get("data-label") for c in history)
    assert {c["data-label"] for c in history} == {"Vorher", "Nachher"}


# -- 6. the needs report is linked ---------------------------------------------------------

def test_the_dashboard_links_the_needs_report_for_moderators_and_admins_only(directory):
    needs = 'href="/de/manage/needs"'
    for email, role in (("mod@example.org", "moderator"), ("admin@example.org", "admin")):
        client = signed_in(directory, email, role)
        assert needs in client.get("/de/manage/").get_data(as_text=True), role
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    assert needs not in editor.get("/de/manage/").get_data(as_text=True)


def test_a_list_is_joined_in_the_language_it_is_written_in(app):
    """A block written in another language than the page (a preview in Arabic from the German
    editor, the client's column of a sheet) joins its lists as that language does."""
    from wegweiser.i18n import in_language

    with app.test_request_context("/de/"):
        g.lang = "de"
        assert join_list(["a", "b"]) == "a, b"
        with in_language("ar"):
            assert join_list(["a", "b"]) == "a، b"
