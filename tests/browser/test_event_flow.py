"""Events in Chromium, on a 360 px phone, in German and Arabic: an editor of an organisation
that is not trusted creates a monthly event (after a mistake shown at its field); it waits,
unpublished; a moderator approves it from the review queue; it is published and its history
says who proposed and who approved it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.models import Event

from .screenshots import screenshot
from .test_editor_flow import (
    accept,
    assert_accessible,
    assert_shown_page_accessible,
    assert_typing_boxes_fill_their_column,
    latest_invitation,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
ORG = "a-sprachwerk-ost"
TITLE = "Elterncafé mit Hausaufgabenhilfe"
TEXTS = {"de": {"saved": "prüft Ihre Änderungen", "time_error": "Uhrzeit wie 18:30",
                "proposed": "vorgeschlagen von", "before": "Vorher"},
         "ar": {"saved": "سيراجع أحد المشرفين", "time_error": "18:30",
                "proposed": "باقتراح من", "before": "قبل"}}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def _event_status(app, like: str) -> tuple[str, str]:
    with app.app_context():
        event = db.session().scalar(select(Event).where(Event.external_id.like(like)))
        return event.external_id, event.status


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_an_editor_creates_an_event_and_a_moderator_approves_it(app, server, chromium,
                                                                 artifacts, lang):
    runner = app.test_cli_runner()
    editor_address, moderator_address = f"events-{lang}@example.org", f"mod-{lang}@example.org"
    assert runner.invoke(cli.main, ["user", "create", editor_address, "--role", "editor",
                                    "--organisation", ORG]).exit_code == 0
    assert runner.invoke(cli.main, ["user", "create", moderator_address,
                                    "--role", "moderator"]).exit_code == 0

    def phone():
        context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                       viewport={"width": 360, "height": 740})
        return context.new_page()

    editor = phone()
    accept(editor, latest_invitation(app, editor_address), server)
    sign_in(editor, server, editor_address)
    form_url = server + f"/{lang}/manage/organisations/{ORG}/events/new"
    editor.goto(form_url)
    assert editor.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    day = date.today() + timedelta(days=9)
    editor.fill("#f-title", TITLE)
    editor.fill("#f-description", "Jeden Monat: Kaffee, Kuchen und Hilfe bei den Hausaufgaben.")
    editor.fill("#f-start_date", day.isoformat())
    editor.fill("#f-end_time", "17:30")  # the beginning is forgotten
    editor.check("input[name=repetition][value=monthly_weekday]")
    editor.check("input[name=categories][value=children-family]")
    editor.check("input[name=languages][value=ar]")
    editor.fill("#f-address_street", "Eisenbahnstraße 34")
    editor.fill("#f-address_city", "Leipzig")
    editor.locator("form.edit-form button[type=submit]").click()
    error = editor.locator("#e-f-start_time")
    assert TEXTS[lang]["time_error"] in error.inner_text()
    assert editor.locator("#f-start_time").get_attribute("aria-invalid") == "true"
    assert editor.locator("#f-title").input_value() == TITLE, "nothing typed is lost"
    assert editor.locator("input[name=repetition][value=monthly_weekday]").is_checked()
    _fits(editor)
    screenshot(editor, path=str(artifacts / f"event-1-form-error-{lang}-360.png"),
               full_page=True)
    assert_shown_page_accessible(chromium, editor)
    editor.fill("#f-start_time", "16:00")
    editor.locator("form.edit-form button[type=submit]").click()
    editor.wait_for_url(f"**/{lang}/manage/")
    assert TEXTS[lang]["saved"] in editor.locator("div.notices[role=status]").inner_text()
    external_id, status = _event_status(app, f"{ORG}-elterncafe%")
    assert status == "in_review", "nothing is public before approval"
    row = editor.locator("table.manage-table tr", has_text=TITLE)
    assert row.count() == 1
    _fits(editor)
    screenshot(editor, path=str(artifacts / f"event-2-dashboard-{lang}-360.png"), full_page=True)
    assert_accessible(chromium, editor, form_url)

    moderator = phone()
    accept(moderator, latest_invitation(app, moderator_address), server)
    sign_in(moderator, server, moderator_address)
    moderator.goto(server + f"/{lang}/manage/review/")
    link = moderator.locator(".result-list a", has_text=TITLE)
    link.click()
    assert TITLE in moderator.locator("table.diff").inner_text()
    _fits(moderator)
    assert_typing_boxes_fill_their_column(moderator)
    screenshot(moderator, path=str(artifacts / f"event-3-review-{lang}-360.png"), full_page=True)
    assert_accessible(chromium, moderator, moderator.url)
    moderator.locator("button[name=decision][value=approve]").click()
    moderator.wait_for_url(f"**/{lang}/manage/review/")
    assert _event_status(app, external_id) == (external_id, "published")

    editor.goto(server + f"/{lang}/manage/events/{external_id}/history")
    history = editor.locator("main").inner_text()
    assert f"{TEXTS[lang]['proposed']} {editor_address}" in history
    assert moderator_address in history and "proposed by" not in history
    _fits(editor)
    # On a phone the table's header is hidden: each value cell shows its column's label.
    labels = editor.evaluate("""[...document.querySelectorAll('.manage-table td')].map(
        td => getComputedStyle(td, '::before').content)""")
    assert labels and all(label not in ("none", "normal", '""') for label in labels)
    assert any(TEXTS[lang]["before"] in label for label in labels)
    screenshot(editor, path=str(artifacts / f"event-4-history-{lang}-360.png"), full_page=True)
    editor.context.close()
    moderator.context.close()
