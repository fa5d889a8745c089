"""The spreadsheet preview in Chromium: a moderator uploads a sheet with errors at 360 px in
German and Arabic (right to left); every error is listed with its cell, nothing is wider than
the phone (the tables stack into cards), and axe finds no WCAG 2.2 A/AA violation."""
from __future__ import annotations

import pytest

from wegweiser import cli

from .screenshots import screenshot
from .test_editor_flow import (
    accept,
    assert_accessible,
    assert_no_violation,
    latest_invitation,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
SHEET = ("id,organisation,organisation_name,title_de,title_ar,categories,email,website,"
         "opening_hours,cost,accessible,closures\n"
         "neu-1,neuer-verein,Neuer Verein,Nähcafé,مقهى الخياطة,Gesundheit,"
         "a@neu.example,,Di 10:00-12:00,free,ja,22.12.2026-2.1.2027 (Winterpause)\n"
         "neu-2,neuer-verein,,,مقهى,Zauberei; Kochkunst,"
         "sehr-lange-adresse-ohne-at-zeichen.beispiel.example,ftp://x.example,"
         "Montags vormittags,teuer,vielleicht,Weihnachten bis Neujahr\n"
         "a-sprachwerk-deutsch-eltern,a-sprachwerk-ost,,Deutsch,,Deutschkurse & Sprachcafés,"
         ",,Mo 25:00-26:00,,,\n").encode()


def _upload(page, server: str, lang: str) -> None:
    page.goto(server + f"/{lang}/manage/import")
    page.set_input_files("#sheet-file", files=[{"name": "liste.csv", "mimeType": "text/csv",
                                                "buffer": SHEET}])
    page.locator("form.edit-form button[type=submit]").click()
    page.wait_for_load_state()


def test_the_preview_lists_every_error_on_a_phone(app, server, chromium, artifacts, tmp_path):
    app.config["WEGWEISER_IMPORT_DIR"] = str(tmp_path / "imports")
    runner = app.test_cli_runner()
    assert runner.invoke(cli.main, ["user", "create", "mod@example.org", "--role",
                                    "moderator"]).exit_code == 0
    context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                   viewport={"width": 360, "height": 740})
    page = context.new_page()
    accept(page, latest_invitation(app, "mod@example.org"), server)
    sign_in(page, server, "mod@example.org")
    for lang in ("de", "ar"):
        _upload(page, server, lang)
        text = page.locator("main").inner_text()
        for cell in ("D3", "F3", "G3", "H3", "I3", "J3", "K3", "L3", "I4"):
            assert cell in text, (lang, cell)
        wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(
            e => e.getBoundingClientRect().right > 361 || e.getBoundingClientRect().left < -1)
            .map(e => e.tagName + '.' + e.className).slice(0, 8)""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
        screenshot(page, path=str(artifacts / f"sheets-preview-{lang}-360.png"), full_page=True)
    assert page.locator("html").get_attribute("dir") == "rtl"
    for viewport in ({"width": 360, "height": 740}, {"width": 1280, "height": 800}):
        page.set_viewport_size(viewport)
        assert_accessible(chromium, page, server + "/ar/manage/import")
        _assert_preview_accessible(chromium, page, server)
    context.close()


def _assert_preview_accessible(chromium, signed_in_page, server: str) -> None:
    context = chromium.new_context(storage_state=signed_in_page.context.storage_state(),
                                   viewport=signed_in_page.viewport_size)
    page = context.new_page()
    try:
        _upload(page, server, "de")
        assert_no_violation(page, "the preview")
    finally:
        context.close()
