"""Joining in Chromium on a 360 px phone without JavaScript, in German and in Arabic: a
visitor finds "Add your initiative" in the footer, makes a mistake, corrects it and sends; the
initiative is nowhere public; a moderator accepts it; the contact sets a password from the
invitation mail (in the language of the form), signs in and finds the new organisation. Then
someone claims an organisation already listed and the link reaches its published address."""
from __future__ import annotations

import email
import email.policy
import re

import pytest

from wegweiser import cli
from wegweiser.mail import outbox_dir

from ..helpers import browser_second_step
from .screenshots import screenshot
from .test_editor_flow import (
    assert_accessible,
    assert_shown_page_accessible,
    assert_typing_boxes_fill_their_column,
)

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
PASSWORD = "a long enough password"
NAMES = {"de": "Teestube Zwiebelturm", "ar": "مبادرة شاي الجيران"}
TITLES = {"de": "Teetrinken mit Hausaufgabenhilfe", "ar": "شاي ومساعدة في الواجبات المدرسية"}


def newest_link(app, to: str, pattern: str) -> str:
    with app.app_context():
        for path in sorted(outbox_dir().glob("*.eml"), reverse=True):
            mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if mail["To"] == to:
                return re.search(pattern, mail.get_content()).group(1)
    raise AssertionError(f"no mail to {to}")


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def set_password_and_sign_in(page, app, base: str, link: str, lang: str, address: str) -> None:
    page.goto(base + link)
    fits(page)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/{lang}/login")
    page.fill("#email", address)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    browser_second_step(page, app, address)  # staff set up their second factor
    page.wait_for_url(f"**/{lang}/manage/")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_join_accept_and_set_a_password_on_a_phone(app, server, chromium, expect, artifacts,
                                                  lang):
    contact, name, title = f"kontakt-{lang}@example.org", NAMES[lang], TITLES[lang]
    context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                   viewport={"width": 360, "height": 740})
    visitor = context.new_page()
    try:
        visitor.goto(f"{server}/{lang}/")
        visitor.locator(f"footer a[href='/{lang}/join']").click()
        visitor.wait_for_url(f"**/{lang}/join")
        assert visitor.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        fits(visitor)
        screenshot(visitor, path=str(artifacts / f"join-form-{lang}-360.png"), full_page=True)

        visitor.fill("#f-name", name)
        visitor.fill("#f-summary", title)
        visitor.check("input[name=categories][value=language-courses]")
        visitor.check("input[name=languages][value=ar]")
        visitor.check("input[name=citywide]")
        visitor.fill("#f-contact_email", contact)
        visitor.click("#join-form button[type=submit]")  # the title is missing
        expect(visitor.locator("#f-title")).to_have_attribute("aria-invalid", "true")
        assert visitor.locator("#f-name").input_value() == name, "what was typed is kept"
        assert visitor.locator("input[name=categories][value=language-courses]").is_checked()
        fits(visitor)
        screenshot(visitor, path=str(artifacts / f"join-problems-{lang}-360.png"), full_page=True)
        assert_shown_page_accessible(chromium, visitor)
        visitor.fill("#f-title", title)
        visitor.click("#join-form button[type=submit]")
        expect(visitor.locator("main p.notice[role=status]")).to_be_visible()
        screenshot(visitor, path=str(artifacts / f"join-sent-{lang}-360.png"), full_page=True)
        visitor.goto(f"{server}/{lang}/search?q={title}")
        assert visitor.locator(".offer-card", has_text=title).count() == 0, \
            "nothing is public before a moderator accepts"

        runner = app.test_cli_runner()
        assert runner.invoke(cli.main, ["user", "create", "mod@example.org", "--role",
                                        "moderator"]).exit_code == 0
        moderator = context.browser.new_context(java_script_enabled=False, locale="de-DE",
                                                viewport={"width": 360, "height": 740}).new_page()
        staff_link = newest_link(app, "mod@example.org", r"http://\S+?/de(/invitation/\S+)")
        set_password_and_sign_in(moderator, app, server, f"/{lang}{staff_link}", lang,
                                 "mod@example.org")
        moderator.goto(f"{server}/{lang}/manage/review/")
        moderator.locator("a[href*='/manage/requests/']").first.click()
        moderator.wait_for_url("**/manage/requests/**")
        assert name in moderator.locator("main").inner_text()
        fits(moderator)
        assert_typing_boxes_fill_their_column(moderator)
        screenshot(moderator, path=str(artifacts / f"join-moderator-{lang}-360.png"),
                   full_page=True)
        assert_accessible(chromium, moderator, moderator.url)
        moderator.click("button[name=decision][value=accept]")
        moderator.wait_for_url(f"**/{lang}/manage/review/")
        assert name in moderator.locator("div.notices[role=status]").inner_text()
        moderator.context.close()

        editor = context.browser.new_context(java_script_enabled=False, locale="de-DE",
                                             viewport={"width": 360, "height": 740}).new_page()
        link = newest_link(app, contact, r"http://\S+?(/\w+/invitation/\S+)")
        assert link.startswith(f"/{lang}/invitation/"), "the invitation speaks the form's language"
        editor.goto(server + link)
        screenshot(editor, path=str(artifacts / f"join-invitation-{lang}-360.png"),
                   full_page=True)
        set_password_and_sign_in(editor, app, server, link, lang, contact)
        dashboard = editor.locator("main").inner_text()
        assert name in dashboard and title in dashboard
        fits(editor)
        screenshot(editor, path=str(artifacts / f"join-editor-dashboard-{lang}-360.png"),
                   full_page=True)
        editor.context.close()

        visitor.goto(f"{server}/{lang}/search?q={title}")
        assert visitor.locator(".offer-card", has_text=title).count() == 1, \
            "public once accepted"

        # An organisation already listed is claimed from its page ("This is us").
        visitor.goto(f"{server}/{lang}/organisations/a-sprachwerk-ost")
        visitor.locator("a[href$='/organisations/a-sprachwerk-ost/claim']").click()
        visitor.fill("#claim-name", "Ada")
        visitor.fill("#claim-email", "ada@example.org")
        fits(visitor)
        screenshot(visitor, path=str(artifacts / f"claim-form-{lang}-360.png"), full_page=True)
        visitor.click("#claim-form button[type=submit]")
        expect(visitor.locator("main p.notice[role=status]")).to_be_visible()
        link = newest_link(app, "kontakt@sprachwerk-ost.example", r"http://\S+?(/\w+/claims/\S+)")
        visitor.goto(server + link)
        fits(visitor)
        screenshot(visitor, path=str(artifacts / f"claim-verify-{lang}-360.png"), full_page=True)
    finally:
        context.close()
