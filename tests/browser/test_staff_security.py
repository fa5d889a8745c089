"""The second factor in Chromium on a 360 px phone, in German and Arabic: an administrator's
first sign-in sets it up (QR code drawn in the page, the key as text), the recovery codes are
shown once, the audit log reads on a phone, and the next sign-in asks for the app's code.
axe-core checks each page; screenshots go to tests/artifacts/."""
from __future__ import annotations

import pytest

from wegweiser import cli

from ..helpers import totp_code
from .screenshots import screenshot
from .test_editor_flow import PASSWORD, accept, assert_no_violation, latest_invitation

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def check(chromium, page, artifacts, name: str) -> None:
    """No sideways scrolling at 360 px, no axe violation (axe runs in a copy of the session
    with JavaScript; the page itself has none), and a screenshot."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    screenshot(page, path=str(artifacts / f"{name}.png"), full_page=True)
    context = chromium.new_context(storage_state=page.context.storage_state(),
                                   viewport={"width": 360, "height": 740})
    copy = context.new_page()
    copy.goto(page.url)
    try:
        assert_no_violation(copy, name)
    finally:
        context.close()


def password_step(page, server: str, lang: str, address: str) -> None:
    page.goto(f"{server}/{lang}/login")
    page.fill("#email", address)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_second_factor_on_a_phone(app, server, chromium, expect, artifacts, lang):
    address = f"admin-{lang}@example.org"
    assert app.test_cli_runner().invoke(cli.main, ["user", "create", address,
                                                   "--role", "admin"]).exit_code == 0
    context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                   viewport={"width": 360, "height": 740})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        accept(page, latest_invitation(app, address), server)
        password_step(page, server, lang, address)
        page.wait_for_url(f"**/{lang}/login/setup")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.locator(".qr svg").is_visible()
        assert page.locator("code.secret").is_visible()
        check(chromium, page, artifacts, f"second-factor-setup-{lang}-360")
        page.fill("#code", totp_code(app, address))
        page.click("main form button[type=submit]")
        # the codes come in the answer to the POST: wait for that page, not just for the click
        expect(page.locator("ul.recovery-codes li")).to_have_count(10)
        check(chromium, page, artifacts, f"second-factor-recovery-codes-{lang}-360")
        page.locator("main a.button").click()
        page.wait_for_url(f"**/{lang}/manage/")

        page.goto(f"{server}/{lang}/manage/audit")
        assert page.locator("table.audit-log tbody tr").count() >= 2
        check(chromium, page, artifacts, f"audit-log-{lang}-360")

        page.locator("header form[action$='/logout'] button").click()
        password_step(page, server, lang, address)
        page.wait_for_url(f"**/{lang}/login/code")
        check(chromium, page, artifacts, f"second-factor-code-{lang}-360")
        page.fill("#code", totp_code(app, address))
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**/{lang}/manage/")
    finally:
        context.close()
    assert all(url.startswith(server) for url in requests), "nothing from other sites"
