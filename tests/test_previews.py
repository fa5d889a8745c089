"""Editors see the public page before they submit: through the real write path, in any
interface language, and nothing of it is kept (no change, no proposal, no log entry)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from wegweiser import db
from wegweiser.models import ChangeLogEntry, Offer, Proposal, Revision

from .helpers import OWN, csrf, form_of, public_title, signed_in, trust

EDIT = f"/de/manage/offers/{OWN}/edit"


def counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        session = db.session()
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Offer, Proposal, Revision, ChangeLogEntry))


def preview_of(page: str) -> str:
    return re.search(r'<div class="preview-frame"(.*?)</section>', page, re.S).group(0)


def test_the_preview_shows_the_public_page_and_keeps_nothing(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    before, title = counts(directory), public_title(editor, OWN)
    data = form_of(editor, OWN)
    data.update({"title": "Elternkurs mit Vorschau", "description": "- Montag\n- Mittwoch",
                 "action": "preview"})
    response = editor.post(EDIT, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = preview_of(page)
    assert "<h2 data-speak>Elternkurs mit Vorschau</h2>" in preview
    assert "<li>Montag</li>" in preview, "the description is rendered as on the public page"
    assert "Angeboten von" in preview and "Wann" in preview
    assert 'value="Elternkurs mit Vorschau"' in page, "the form keeps what was typed"
    assert counts(directory) == before
    assert public_title(editor, OWN) == title


def test_the_preview_can_be_shown_in_another_language(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update({"action": "preview", "preview_lang": "ar"})
    page = editor.post(EDIT, data=data).get_data(as_text=True)
    preview = preview_of(page)
    assert preview.startswith('<div class="preview-frame" lang="ar" dir="rtl">')
    assert "لغات الموظفين" in preview and "لمن" in preview, "labels in Arabic (Staff speak)"
    assert "<h1" not in preview, "the page keeps one main heading"
    assert '<option value="ar" lang="ar" selected>' in page


def test_saving_after_a_preview_still_notices_a_change_by_someone_else(directory):
    trust(directory, "a-sprachwerk-ost")
    first = signed_in(directory, "one@example.org", "editor", "a-sprachwerk-ost")
    second = signed_in(directory, "two@example.org", "editor", "a-sprachwerk-ost")
    mine = form_of(first, OWN)
    mine.update({"title": "Meine Fassung", "action": "preview"})
    page = first.post(EDIT, data=mine).get_data(as_text=True)
    theirs = form_of(second, OWN)
    theirs["title"] = "Ihre Fassung"
    assert second.post(EDIT, data=theirs).status_code == 303
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert version == mine["version"], "the preview keeps the version the form was opened on"
    response = first.post(EDIT, data={**mine, "action": "save", "version": version})
    assert response.status_code == 409
    assert public_title(first, OWN) == "Ihre Fassung"


def test_invalid_input_shows_the_problems_instead_of_a_preview(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update({"title": "", "action": "preview"})
    response = editor.post(EDIT, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="preview-frame"' not in page and 'class="field-error"' in page


def test_a_new_offer_is_previewed_without_being_created(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    path = "/de/manage/organisations/a-sprachwerk-ost/offers/new"
    before = counts(directory)
    response = editor.post(path, data={
        "csrf_token": csrf(editor, path), "version": "0", "hour_rows": "3",
        "title": "Nähcafé Vorschau", "summary": "Gemeinsam nähen.",
        "categories": ["leisure-sports-culture"], "target_groups": ["women"],
        "languages": ["de", "fa"], "areas": ["volkmarsdorf"], "cost": "free",
        "hours-0-weekday": "6", "hours-0-opens": "10:00", "hours-0-closes": "13:00",
        "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = preview_of(page)
    assert "Nähcafé Vorschau" in preview and "Volkmarsdorf" in preview
    assert "10:00" in preview and "Samstag" in preview
    assert counts(directory) == before


def test_a_translation_is_previewed_in_its_language(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    path = f"/de/manage/offers/{OWN}/translate/tr"
    page = editor.get(path).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = editor.post(path, data={
        "csrf_token": csrf(editor, path), "version": version, "action": "preview",
        "title": "Ebeveynler için Almanca", "summary": "", "description": ""})
    preview = preview_of(response.get_data(as_text=True))
    assert preview.startswith('<div class="preview-frame" lang="tr" dir="ltr">')
    assert "<h2 data-speak>Ebeveynler için Almanca</h2>" in preview
    with directory.app_context():
        assert db.session().scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_profile_is_previewed_with_its_offers(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    path = "/de/manage/organisations/a-sprachwerk-ost/profile"
    page = editor.get(path).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    before = counts(directory)
    response = editor.post(path, data={
        "csrf_token": csrf(editor, path), "version": version, "action": "preview",
        "name": "Sprachwerk Vorschau", "description": "Wir **helfen**."})
    preview = preview_of(response.get_data(as_text=True))
    assert "<h2><bdi>Sprachwerk Vorschau</bdi></h2>" in preview
    assert "<strong>helfen</strong>" in preview
    assert re.search(r"\d+ Angebote", preview)
    assert counts(directory) == before
