"""The whole editing flow in Chromium: an administrator invites an editor; the editor sets a
password from the outbox mail, signs in, edits an offer in German, adds an Arabic translation,
looks at the Arabic preview and submits; a moderator approves; the Arabic public search finds
the new text."""
from __future__ import annotations

import email
import email.policy
import re

import pytest

from wegweiser import cli
from wegweiser.mail import outbox_dir

from ..helpers import browser_second_step
from .screenshots import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
PASSWORD = "a long enough password"
OFFER = "a-sprachwerk-deutsch-eltern"


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_no_violation(page, what: str) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation on ``page`` as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = [(v["id"], [n["target"] for n in v["nodes"][:3]])
                  for v in result.response["violations"]]
    assert not violations, (what, violations)


def assert_accessible(chromium, signed_in_page, url: str, preview: bool = False) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation on ``url`` (after pressing "preview"), seen
    with the session of ``signed_in_page``; axe needs JavaScript, the flow itself runs
    without."""
    context = chromium.new_context(storage_state=signed_in_page.context.storage_state())
    page = context.new_page()
    try:
        page.goto(url)
        if preview:
            page.get_by_role("button", name="Vorschau", exact=True).click()
            page.wait_for_selector(".preview-frame")
        assert_no_violation(page, url)
    finally:
        context.close()


def assert_shown_page_accessible(chromium, shown) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation on the page ``shown`` shows now, the answer to
    a POST (a form with its errors, a conflict) that a second visit would not give: its HTML is
    served again at its address, with its stylesheets, in a context where axe can run."""
    html, url = shown.content(), shown.url
    context = chromium.new_context(storage_state=shown.context.storage_state(),
                                   viewport=shown.viewport_size)
    page = context.new_page()
    try:
        page.route(lambda address: address == url, lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=html))
        page.goto(url)
        assert page.content().count("<form") == html.count("<form")
        assert_no_violation(page, url)
    finally:
        context.close()


def assert_typing_boxes_fill_their_column(page) -> None:
    """Every box for a longer text (a comment, a reason, a note) is as wide as the column it
    stands in, not the browser's default of about 20 characters (half a phone's width)."""
    narrow = page.evaluate("""[...document.querySelectorAll('main textarea')].filter(box => {
        const room = box.parentElement.getBoundingClientRect().width;
        return box.getBoundingClientRect().width < 0.95 * room;
    }).map(box => box.id || box.name)""")
    assert not narrow, (page.url, narrow)


def editor_on_a_phone(app, server: str, chromium, address: str,
                      organisation: str = "a-sprachwerk-ost"):
    """A new editor of ``organisation``, signed in on a 360 px phone without JavaScript: the
    page (close its context when done)."""
    assert app.test_cli_runner().invoke(cli.main, [
        "user", "create", address, "--role", "editor",
        "--organisation", organisation]).exit_code == 0
    context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                   viewport={"width": 360, "height": 740})
    page = context.new_page()
    accept(page, latest_invitation(app, address), server)
    sign_in(page, server, address)
    return page


def latest_invitation(app, to: str) -> str:
    with app.app_context():
        for path in sorted(outbox_dir().glob("*.eml"), reverse=True):
            mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if mail["To"] == to:
                return re.search(r"(http://\S+/de/invitation/\S+)", mail.get_content()).group(1)
    raise AssertionError(f"no mail to {to}")


def accept(page, link: str, base: str) -> None:
    page.goto(base + link[link.index("/de/invitation/"):])
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/de/login")
    assert "Ihr Passwort ist gespeichert" in page.locator("div.notices[role=status]").inner_text()


def sign_in(page, base: str, address: str, app=None) -> None:
    """Sign in; moderators and administrators set up their second factor the first time."""
    page.goto(base + "/de/login")
    page.fill("#email", address)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    browser_second_step(page, app, address)
    page.wait_for_url("**/de/manage/")


def test_invite_edit_translate_approve_and_find(app, server, chromium, artifacts):
    runner = app.test_cli_runner()
    for address, role in (("admin@example.org", "admin"), ("mod@example.org", "moderator")):
        assert runner.invoke(cli.main, ["user", "create", address, "--role", role]).exit_code == 0

    def new_page():
        context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                       viewport={"width": 1000, "height": 900})
        return context.new_page()

    admin = new_page()
    accept(admin, latest_invitation(app, "admin@example.org"), server)
    sign_in(admin, server, "admin@example.org", app)
    admin.goto(server + "/de/manage/users")
    admin.fill("#invite-email", "editor@example.org")
    admin.select_option("#invite-org", "a-sprachwerk-ost")
    admin.click("form.edit-form button[type=submit]")
    assert "editor@example.org" in admin.locator("p.notice").inner_text()
    screenshot(admin, path=str(artifacts / "flow-1-admin-invites.png"), full_page=True)

    editor = new_page()
    accept(editor, latest_invitation(app, "editor@example.org"), server)
    sign_in(editor, server, "editor@example.org")
    editor.goto(server + f"/de/manage/offers/{OFFER}/edit")
    assert_accessible(chromium, editor, server + f"/de/manage/offers/{OFFER}/edit",
                      preview=True)
    editor.fill("#f-title", "Elternkurs mit Kinderbetreuung und Spielecke")
    editor.click("form.edit-form button[type=submit]")
    editor.wait_for_url("**/de/manage/")
    assert "prüft Ihre Änderungen" in editor.locator("div.notices[role=status]").inner_text()
    editor.goto(server + f"/de/manage/offers/{OFFER}/translate/ar")
    editor.fill("#t-title", "دورة للأهالي مع ركن ألعاب مريح")
    screenshot(editor, path=str(artifacts / "flow-2-editor-translates.png"), full_page=True)
    # The preview shows the Arabic public page, right to left, before anything is submitted.
    editor.get_by_role("button", name="Vorschau", exact=True).click()
    frame = editor.locator(".preview-frame")
    assert frame.locator("h2").first.inner_text() == "دورة للأهالي مع ركن ألعاب مريح"
    assert frame.get_attribute("dir") == "rtl" and frame.get_attribute("lang") == "ar"
    assert editor.locator("#t-title").input_value() == "دورة للأهالي مع ركن ألعاب مريح"
    screenshot(editor, path=str(artifacts / "flow-2b-editor-previews-arabic.png"), full_page=True)
    assert_accessible(chromium, editor, server + f"/de/manage/offers/{OFFER}/translate/ar",
                      preview=True)
    # The save button beside the preview submits the form below it (no JavaScript).
    editor.locator("section.preview button[type=submit]").click()
    editor.wait_for_url("**/de/manage/")
    assert "prüft Ihre Änderungen" in editor.locator("div.notices[role=status]").inner_text()

    public = new_page()
    public.goto(server + "/ar/search?q=ركن ألعاب")
    # The offer itself may match (a question matches by share of its words), but not its new
    # Arabic title: nothing of the change is public before approval.
    assert "دورة للأهالي مع ركن ألعاب مريح" not in public.content(), \
        "nothing is public before approval"

    moderator = new_page()
    accept(moderator, latest_invitation(app, "mod@example.org"), server)
    sign_in(moderator, server, "mod@example.org", app)
    moderator.goto(server + "/de/manage/review/")
    moderator.locator(".result-list a").first.click()
    assert "ركن ألعاب" in moderator.locator("table.diff").inner_text()
    screenshot(moderator, path=str(artifacts / "flow-3-moderator-reviews.png"), full_page=True)
    assert_accessible(chromium, moderator, moderator.url)
    moderator.get_by_role("button", name="Freigeben und veröffentlichen").click()
    moderator.wait_for_url("**/de/manage/review/")

    public.goto(server + "/ar/search?q=ركن ألعاب")
    card = public.locator(".offer-card").first
    assert "دورة للأهالي مع ركن ألعاب مريح" in card.inner_text()
    screenshot(public, path=str(artifacts / "flow-4-arabic-search-finds-it.png"), full_page=True)
    public.goto(server + f"/de/offers/{OFFER}")
    assert public.locator("h1").inner_text() == "Elternkurs mit Kinderbetreuung und Spielecke"


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_editors_dashboard_fits_a_phone(app, server, chromium, artifacts, lang):
    page = editor_on_a_phone(app, server, chromium, f"phone-{lang}@example.org")
    try:
        page.goto(server + f"/{lang}/manage/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("header form[action$='/logout'] button").is_visible(), \
            "sign-out at the top"
        page.locator("details.confirm summary").first.click()
        assert page.locator("details.confirm[open] button[type=submit]").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, path=str(artifacts / f"dashboard-{lang}-360.png"), full_page=True)
        # The edit form on the phone: the opening hours' weekday picker readable, the note
        # that coordinates come from the street.
        page.goto(server + f"/{lang}/manage/offers/a-sprachwerk-deutsch-eltern/edit")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        picker = page.locator("td[data-label] select").first
        assert picker.is_visible() and picker.bounding_box()["width"] >= 120, "readable"
        screenshot(page, path=str(artifacts / f"issue11-edit-form-{lang}-360.png"),
                   full_page=True)
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_an_edit_conflict_on_a_phone(app, server, chromium, artifacts, lang):
    """Someone else saves the offer while the editor types: the editor's save answers with both
    versions side by side, which fit 360 px, name each value's column and pass axe; "save my
    version instead" then saves what was typed."""
    from ..helpers import form_of, signed_in, trust

    trust(app, "a-sprachwerk-ost")
    page = editor_on_a_phone(app, server, chromium, f"conflict-{lang}@example.org")
    try:
        page.goto(server + f"/{lang}/manage/offers/{OFFER}/edit")
        other = signed_in(app, f"other-{lang}@example.org", "editor", "a-sprachwerk-ost")
        theirs = {**form_of(other, OFFER), "title": "Elterncafé am Vormittag"}
        assert other.post(f"/de/manage/offers/{OFFER}/edit", data=theirs).status_code == 303
        page.fill("#f-title", "Deutsch für Eltern, mit Kinderbetreuung im Nebenraum")
        page.locator("form#edit-form button[value=save]").click()
        table = page.locator("table.compare-table")
        assert "Elterncafé am Vormittag" in table.inner_text()
        assert "Kinderbetreuung im Nebenraum" in table.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        labels = page.evaluate("""[...document.querySelectorAll('.compare-table td')].map(
            td => getComputedStyle(td, '::before').content)""")
        assert labels and all(label not in ("none", "normal", '""') for label in labels)
        screenshot(page, path=str(artifacts / f"edit-conflict-{lang}-360.png"), full_page=True)
        assert_shown_page_accessible(chromium, page)
        page.locator("main form button[value=save]").click()
        page.wait_for_url(f"**/{lang}/manage/")
        page.goto(server + f"/de/offers/{OFFER}")
        assert page.locator("h1").inner_text() == \
            "Deutsch für Eltern, mit Kinderbetreuung im Nebenraum"
    finally:
        page.context.close()
