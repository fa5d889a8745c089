"""The needs report in Chromium: after a scripted series of searches a moderator sees the
counts at 360 px and on a desktop, in German and in Arabic (right to left), axe finds no WCAG
2.2 A/AA violation, nothing is wider than the phone, and the printout leaves the controls out."""
from __future__ import annotations

import pytest

from wegweiser import cli

from .screenshots import screenshot
from .test_editor_flow import accept, assert_accessible, latest_invitation, sign_in

# Captions of tables in a scrolling region that reach past the region's edges.
CAPTIONS_CUT = """[...document.querySelectorAll('.table-scroll caption')].filter(caption => {
    const box = caption.getBoundingClientRect(),
          region = caption.closest('.table-scroll').getBoundingClientRect();
    return box.left < region.left - 1 || box.right > region.right + 1;
}).map(caption => caption.id)"""

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
SEARCHES = ["/de/search?q=Quallenzucht", "/ar/search?q=quallenzucht",
            "/fa/search?q=Quallenzucht", "/de/search?q=Einzelwort"]

# The words (a hyphen may end a line) of every cell of the report's tables that the browser laid
# out on more than one line.
BROKEN_WORDS = """[...document.querySelectorAll('.data-table th, .data-table td')].flatMap(cell => {
    const broken = [], walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        for (const word of node.data.matchAll(/[^\\s-]+/g)) {
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (lines.size > 1) broken.push(word[0]);
        }
    }
    return broken;
})"""


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
        # No word of a table is broken between letters ("Ver|öff|ent|lich|te"): headings and
        # names wrap between words; what is then too wide scrolls in its region.
        assert page.evaluate(BROKEN_WORDS) == [], lang
        # Every table's caption is readable whole in its region, scrolled or not.
        assert page.evaluate(CAPTIONS_CUT) == [], lang
        page.locator("div.table-scroll:has(table.matrix)").evaluate(
            "region => region.scrollBy({left: region.scrollWidth * (region.closest('[dir=rtl]')"
            " ? -1 : 1)})")
        assert page.evaluate(CAPTIONS_CUT) == [], lang
        screenshot(page, path=str(artifacts / f"needs-{lang}-360.png"), full_page=True)
        screenshot(page.locator("div.table-scroll:has(table.matrix)"),
                   path=str(artifacts / f"needs-{lang}-360-matrix.png"))
        screenshot(page.locator("div.table-scroll:has(#areas-caption)"),
                   path=str(artifacts / f"needs-{lang}-360-areas.png"))
        for viewport in ({"width": 360, "height": 740}, {"width": 1280, "height": 800}):
            page.set_viewport_size(viewport)
            assert_accessible(chromium, page, server + f"/{lang}/manage/needs")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.emulate_media(media="print")
    assert not page.locator("form.needs-choice").is_visible()
    assert page.locator("svg.tile-map").is_visible()
    context.close()
