"""The needs report in Chromium: after a scripted series of searches a moderator sees the
counts at 360 px and on a desktop, in German and in Arabic (right to left), axe finds no WCAG
2.2 A/AA violation, nothing is wider than the phone, and the printout leaves the controls out."""
from __future__ import annotations

import pytest

from wegweiser import cli

from .test_editor_flow import accept, assert_accessible, latest_invitation, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
SEARCHES = ["/de/search?q=Quallenzucht", "/ar/search?q=quallenzucht",
            "/fa/search?q=Quallenzucht", "/de/search?q=Einzelwort"]


def test_a_moderator_reads_and_prints_the_report(app, server, chromium, artifacts):
    runner = app.test_cli_runner()
    assert runner.invoke(cli.main, ["user", "create", "mod@example.org", "--role",
                                    "moderator"]).exit_code == 0
    context = chromium.new_context(java_script_enabled=False, locale="de-DE",
                                   viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in SEARCHES:
        page.goto(server + path)
    accept(page, latest_invitation(app, "mod@example.org"), server)
    sign_in(page, server, "mod@example.org")
    for lang in ("de", "ar"):
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(server + f"/{lang}/manage/needs")
        # Wide tables scroll inside their own region; nothing else may be wider than the phone.
        wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(
            e => e.getBoundingClientRect().right > 361 && !e.closest('.table-scroll'))
            .map(e => e.tagName + '.' + e.className).slice(0, 8)""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
        words = page.locator("table.words").inner_text()
        assert "quallenzucht" in words and "einzelwort" not in words
        page.screenshot(path=str(artifacts / f"needs-{lang}-360.png"), full_page=True)
        for viewport in ({"width": 360, "height": 740}, {"width": 1280, "height": 800}):
            page.set_viewport_size(viewport)
            assert_accessible(chromium, page, server + f"/{lang}/manage/needs")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.emulate_media(media="print")
    assert not page.locator("form.needs-choice").is_visible()
    assert page.locator("svg.tile-map").is_visible()
    context.close()
