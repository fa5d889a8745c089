"""Calls for help in Chromium, without JavaScript, on a 360 px phone: an editor of an
organisation that is not trusted posts a call; nothing is public until a moderator approves
it; then it shows on "Take part" in German and in Arabic (right to left), with the
organisation's contact and its end date in the page's language."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from wegweiser import cli

from .screenshots import screenshot
from .test_editor_flow import accept, assert_accessible, latest_invitation, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
PHONE = {"width": 360, "height": 740}
TITLE = "Sprachmittlung für Dari beim Elternabend"


def _phone(chromium):
    context = chromium.new_context(java_script_enabled=False, locale="de-DE", viewport=PHONE)
    return context.new_page()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_an_editor_posts_a_call_a_moderator_approves_it_and_it_shows_in_de_and_ar(
        app, server, chromium, artifacts):
    runner = app.test_cli_runner()
    for address, role, organisation in (("ed@example.org", "editor", "a-sprachwerk-ost"),
                                        ("mod@example.org", "moderator", None)):
        args = ["user", "create", address, "--role", role]
        assert runner.invoke(cli.main, args + (["--organisation", organisation]
                                               if organisation else [])).exit_code == 0
    end = date.today() + timedelta(days=30)

    editor = _phone(chromium)
    accept(editor, latest_invitation(app, "ed@example.org"), server)
    sign_in(editor, server, "ed@example.org")
    editor.get_by_role("link", name="Neuer Aufruf").click()
    editor.wait_for_url("**/help-calls/new")  # the click returns before the page is there
    _fits(editor)
    editor.check("input[name=kind][value=interpreters]")
    editor.fill("#f-title", TITLE)
    editor.fill("#f-description", "Für den Elternabend der Grundschule suchen wir Menschen, "
                                  "die Dari und Deutsch sprechen.")
    editor.fill("#f-when", "Donnerstag, 18–20 Uhr")
    editor.fill("#f-end_date", end.isoformat())
    editor.locator("summary").filter(has_text=re.compile("^Ost$")).click()
    editor.check("input[name=areas][value=volkmarsdorf]")
    editor.locator("summary", has_text="Sprachen auswählen").click()
    editor.check("input[name=languages][value=prs]")
    screenshot(editor, path=str(artifacts / "take-part-1-editor-posts-de-360.png"),
               full_page=True)
    assert_accessible(chromium, editor, editor.url)
    editor.get_by_role("button", name="Aufruf absenden").click()
    editor.wait_for_url("**/de/manage/")
    assert "prüft Ihre Änderungen" in editor.locator("div.notices[role=status]").inner_text()
    assert TITLE in editor.locator("main").inner_text()
    _fits(editor)

    public = _phone(chromium)
    public.goto(server + "/de/take-part")
    assert TITLE not in public.content(), "nothing is public before approval"

    moderator = _phone(chromium)
    accept(moderator, latest_invitation(app, "mod@example.org"), server)
    sign_in(moderator, server, "mod@example.org")
    moderator.goto(server + "/de/manage/review/")
    moderator.locator("a[href*='/review/help-calls/']").first.click()
    moderator.wait_for_url("**/review/help-calls/*")
    assert TITLE in moderator.locator("table.diff").inner_text()
    _fits(moderator)
    screenshot(moderator, path=str(artifacts / "take-part-2-moderator-reviews-360.png"),
               full_page=True)
    assert_accessible(chromium, moderator, moderator.url)
    moderator.get_by_role("button", name="Freigeben und veröffentlichen").click()
    moderator.wait_for_url("**/de/manage/review/")

    for lang, until, kind in (("de", "Bis", "Sprachmittlung"), ("ar", "حتى", "مترجمون")):
        public.goto(server + f"/{lang}/take-part?area=ost")
        call = public.locator(".help-call", has_text=TITLE)
        assert call.count() == 1, lang
        text = call.inner_text()
        assert f"{until} {format_date(end, 'long', locale=lang)}" in text, (lang, text)
        assert "kontakt@sprachwerk-ost.example" in text
        assert kind in public.locator("section", has=call).locator("h2").inner_text()
        assert public.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        _fits(public)
        screenshot(public, path=str(artifacts / f"take-part-3-public-{lang}-360.png"),
                   full_page=True)
    public.goto(server + "/ar/organisations/a-sprachwerk-ost")
    assert TITLE in public.locator("main").inner_text()
    _fits(public)
