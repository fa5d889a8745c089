"""Issue 11 seen on a 360 px phone in German and Arabic, with JavaScript as most phones have
it: no dead ends (an offer no longer offered answers 410 with alternatives; a shared list
greys it; clearing the list asks first), sharing in the client's language, notices on texts
in another language, print buttons on the sheet and the booklet (the client's script at least
as large as the German), and the word-level review. Each step fits the phone and leaves a
screenshot in tests/artifacts/."""
from __future__ import annotations

import re

import pytest

from wegweiser.i18n import direction
from wegweiser.services.shortlist import Shortlist

from ..helpers import csrf, form_of, review_paths, signed_in
from .screenshots import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
PHONE = {"width": 360, "height": 740}
GONE = "a-sprachwerk-sprachcafe"
LISTED = ("a-sprachwerk-deutschkurs-a1", "a-lernwerkstatt-deutschkurs-abend")
GERMAN_DESCRIPTION = "a-sprachwerk-deutschkurs-a1"  # described in German only


def shot(page, artifacts, name: str, lang: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    screenshot(page, path=str(artifacts / f"{name}-{lang}-360.png"), full_page=True)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_no_dead_ends_sharing_notices_print_and_review(app, server, chromium, artifacts, lang):
    client_lang = "ar" if lang == "de" else "uk"  # beside German on the sheet
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    assert editor.post(f"/de/manage/offers/{GONE}/archive",
                       data={"csrf_token": csrf(editor, "/de/manage/")}).status_code == 303
    visitor = chromium.new_context(viewport=PHONE, service_workers="block")
    page = visitor.new_page()
    try:
        # An offer no longer offered: 410, in the reader's language, with where to turn.
        response = page.goto(f"{server}/{lang}/offers/{GONE}")
        assert response.status == 410
        assert page.locator("html").get_attribute("dir") == direction(lang)
        assert page.locator("section.gone a[href*='/offers/']").count() >= 2
        shot(page, artifacts, "issue11-offer-gone", lang)

        # A shared list keeps it, greyed, and cannot add it again.
        token = Shortlist([*LISTED, GONE]).share_token()
        page.goto(f"{server}/{lang}/list/shared?ids={token}")
        assert page.locator(".offer-card").count() == 3
        gone = page.locator(".offer-card.gone")
        assert gone.count() == 1 and gone.locator(".gone-note").is_visible()
        assert gone.locator("form, button[name=offer]").count() == 0
        shot(page, artifacts, "issue11-shared-list-greyed", lang)

        # The list in the client's language: link, texts, mail and SMS follow it.
        form_token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        for offer in LISTED:
            assert visitor.request.post(f"{server}/{lang}/list/add", form={
                "offer": offer, "csrf_token": form_token}).ok
        page.goto(f"{server}/{lang}/list")
        page.select_option("#client", client_lang)
        page.locator("form[action$='/list'] button").click()
        page.wait_for_url(f"**/{lang}/list?client={client_lang}")
        assert f"/{client_lang}/list/shared?ids=" in page.locator("input.share-url").input_value()
        mail = page.locator("a[href^='mailto:']").get_attribute("href")
        page.goto(f"{server}/{lang}/list")
        assert page.locator("#client").input_value() == client_lang, "remembered"
        shot(page, artifacts, "issue11-list-client-language", lang)
        text = visitor.request.get(f"{server}/{lang}/list/text").text()
        assert mail and text, "a text to send"
        script = "[\u0600-\u06ff]" if client_lang == "ar" else "[\u0400-\u04ff]"
        assert re.search(script, text), text[:200]

        # Emptying the list asks first.
        page.locator("details.confirm summary").click()
        assert page.locator("details.confirm[open] button[type=submit]").is_visible()
        shot(page, artifacts, "issue11-list-clear-asks", lang)

        # The sheet: a print button; the client's script at least as large as the German.
        page.goto(f"{server}/{lang}/list/sheet")
        assert page.locator("button.print-button").is_visible()
        shot(page, artifacts, "issue11-sheet-print", lang)
        page.emulate_media(media="print")
        for part in ("h2", "dd"):
            sizes = page.evaluate("""part => Object.fromEntries([...document.querySelectorAll(
                '.sheet-entry:first-of-type .sheet-column')].map(c => [c.lang,
                parseFloat(getComputedStyle(c.querySelector(part)).fontSize)]))""", part)
            # Arabic script at the size of Latin looks a seventh smaller: printed larger.
            wanted = 1.1 if client_lang == "ar" else 1.0
            assert sizes[client_lang] >= wanted * sizes["de"], (part, sizes)
        page.emulate_media(media="screen")

        # Notices for a text in another language, on the block, with its lang and dir; none
        # where the text is in the page's language.
        page.goto(f"{server}/{lang}/offers/{GERMAN_DESCRIPTION}")
        notices = page.locator("p.notice-inline[role=note]")
        if lang == "de":
            assert notices.count() == 0
        else:
            assert notices.first.is_visible()
            block = notices.first.locator("xpath=following-sibling::*[@lang][1]")
            assert (block.get_attribute("lang"), block.get_attribute("dir")) == ("de", "ltr")
        shot(page, artifacts, "issue11-notice-other-language", lang)
    finally:
        visitor.close()

    # Staff: the booklet's print button, and a review that marks the words that changed.
    data = form_of(editor, "a-sprachwerk-deutsch-eltern")
    data["title"] = data["title"] + " und Großeltern"
    assert editor.post("/de/manage/offers/a-sprachwerk-deutsch-eltern/edit",
                       data=data).status_code == 303
    moderator = signed_in(app, "mod@example.org", "moderator")
    staff = chromium.new_context(viewport=PHONE, service_workers="block")
    staff.add_cookies([{"name": "session", "value": moderator.get_cookie("session").value,
                        "url": server}])
    page = staff.new_page()
    try:
        page.goto(f"{server}/{lang}/manage/booklet?area=ost&booklet_lang={lang}"
                  "&category=language-courses")
        assert page.locator("button.print-button").is_visible()
        page.evaluate("window.print = () => { window.printed = true; }")
        page.locator("button.print-button").click()
        assert page.evaluate("window.printed === true")
        shot(page, artifacts, "issue11-booklet-print", lang)
        page.emulate_media(media="print")
        assert not page.locator("button.print-button").is_visible()
        page.emulate_media(media="screen")

        page.goto(server + review_paths(moderator)[0].replace("/de/", f"/{lang}/", 1))
        assert page.locator("table.diff ins", has_text="Großeltern").count() == 1
        assert page.locator("table.diff del").count() == 0, "nothing was taken away"
        shot(page, artifacts, "issue11-review-word-diff", lang)
        # The review queue names offers by their titles; the dashboard pages and searches.
        page.goto(f"{server}/{lang}/manage/review/")
        names = page.locator("main a[href*='/manage/review/']").all_inner_texts()
        assert names and not [n for n in names if "a-sprachwerk" in n], names  # no slugs
        shot(page, artifacts, "issue11-review-queue", lang)
        page.goto(f"{server}/{lang}/manage/?page=2")
        assert page.locator("nav.pagination").first.is_visible()
        shot(page, artifacts, "issue11-dashboard-page-2", lang)
    finally:
        staff.close()
