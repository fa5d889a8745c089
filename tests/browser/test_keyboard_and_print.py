"""What axe-core does not check: the focus ring seen against what lies around it while tabbing
through a page (WCAG 2.4.7, 1.4.11), and what a page prints (no forms, nothing cut off)."""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

# The focused element's ring and the colour it is drawn on: the first ancestor with a
# background of its own (the ring lies outside the element, offset by a few pixels).
FOCUS = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  let under = el.parentElement, background = 'rgb(255, 255, 255)';
  for (; under; under = under.parentElement) {
    const colour = getComputedStyle(under).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { background = colour; break; }
  }
  return {name: (el.innerText || el.name || el.tagName).trim().replace(/\\s+/g, ' '),
          inHeader: !!el.closest('.site-header'), ring: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor, background};
}"""


def _luminance(colour: str) -> float:
    channels = [int(x) / 255 for x in re.findall(r"\d+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("lang", ["de", "ar", "fa"])
def test_the_focus_ring_stands_out_in_the_header_and_below(chromium, live_server, lang):
    """Tab from the top of a page through the header into the content: every control shows a
    ring of at least 2 px with a contrast of 3:1 against the colour it is drawn on (the red
    ring on the header's teal had 1.6:1)."""
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/search?q=Deutschkurs")
    seen, faint = [], []
    for _ in range(8):  # skip link, brand, my list, language, search box and button, ...
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        seen.append(focus)
        ratio = contrast(focus["colour"], focus["background"])
        if focus["ring"] == "none" or focus["width"] < 2 or ratio < 3:
            faint.append(f"{focus['name']}: {focus['ring']} {focus['colour']} on "
                         f"{focus['background']} ({ratio:.2f}:1)")
    context.close()
    assert sum(focus["inHeader"] for focus in seen) >= 4, seen
    assert not faint, faint


# Controls a printout shows (a form on paper is of no use) and text a box cuts off.
PRINTED_CONTROLS = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, summary')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => el.outerHTML.slice(0, 80))"""
LISTED = ("a-sprachwerk-deutsch-eltern", "a-sprachwerk-deutschkurs-a1")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_list_events_and_calls_for_help_print_without_their_forms(chromium, live_server,
                                                                       artifacts, lang):
    """Printed from the browser (Ctrl+P), the list, the events and the calls for help show
    what they list, not their forms (the list printed its note, sheet and share forms and the
    link to share in a box that cut it off); the link to the list is printed whole."""
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 718,
                                                                        "height": 1000})
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/offers/{LISTED[0]}")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for offer in LISTED:
        assert context.request.post(f"{live_server}/{lang}/list/add",
                                    form={"offer": offer, "csrf_token": token}).ok
    page.emulate_media(media="print")
    for path in ("list", "events", "take-part"):
        page.goto(f"{live_server}/{lang}/{path}")
        assert page.evaluate(PRINTED_CONTROLS) == [], path
    page.goto(f"{live_server}/{lang}/list")
    assert page.locator(".result-list .offer-card").count() == 2
    share = page.locator(".share-url").get_attribute("value")
    assert f"/{lang}/list/shared?ids=" in share
    printed = page.locator("main").inner_text()
    assert share in printed.replace("\n", "")
    page.pdf(path=str(artifacts / f"list-printed-{lang}.pdf"), format="A4")
    context.close()


# Texts of the pictures that run past the picture's edge (an SVG cuts them off), in the
# picture's own units: the same at every width of the screen.
CUT_OFF = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].filter(text => {
    const b = text.getBBox();
    return b.x < box.x - 2 || b.x + b.width > box.x + box.width + 2
      || b.y < box.y - 2 || b.y + b.height > box.y + box.height + 2;
  }).map(text => {
    const b = text.getBBox();
    return `${svg.getAttribute('aria-labelledby')}: ${text.textContent} ` +
      `${JSON.stringify([b.x, b.y, b.width, b.height].map(Math.round))} in ` +
      `${box.width}x${box.height}`;
  });
})"""


def test_no_text_of_a_chart_is_cut_off_in_any_language(chromium, live_server, demo_app):
    """The map of the network page and the bar charts of the needs report in all fourteen
    languages: the map's legend cut off "от 17 до 22 предложений" (ru, uk); a bar's label as
    long as "Повседневная помощь, сопровождение и устный перевод" ran out of its chart."""
    from wegweiser import db
    from wegweiser.i18n import direction
    from wegweiser.languages import interface_languages
    from wegweiser.services.directory import load_vocabularies
    from wegweiser.web import charts

    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    cut = []
    with demo_app.app_context():
        vocabularies = load_vocabularies(db.session())
        for lang in interface_languages():
            labels = [category.label(lang) for category in vocabularies.categories]
            chart = charts.bar_chart(f"bars-{lang}", [(label, 7) for label in labels], "t",
                                     "d", rtl=direction(lang) == "rtl")
            page.set_content(f'<html lang="{lang}"><body style="margin:0">{chart}</body>'
                             "</html>")
            cut += page.evaluate(CUT_OFF)
    for lang in interface_languages():
        page.goto(f"{live_server}/{lang}/network")
        assert page.locator("svg.chart").count() >= 1
        cut += [f"{lang} {text}" for text in page.evaluate(CUT_OFF)]
    context.close()
    assert not cut, cut


@pytest.mark.parametrize("lang, added", [("de", "Auf meiner Liste – entfernen"),
                                         ("ar", None)])
@pytest.mark.parametrize("path", ["/{lang}/search?q=Deutschkurs",
                                  "/{lang}/offers/a-sprachwerk-deutsch-eltern"])
def test_with_javascript_the_list_button_keeps_the_keyboard_focus(chromium, live_server, lang,
                                                                 added, path):
    """"Add to my list" pressed from the keyboard changes in place: the focus stays on the
    button (now "on my list – remove", which a screen reader reads out), not lost to the top
    of the page; pressed again, the offer leaves the list and the focus still stays."""
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + path.format(lang=lang))
    button = page.locator(".list-button, .list-form button").first
    offer = button.evaluate("b => b.value || b.form.querySelector('[name=offer]').value")
    button.focus()
    for count in ("1", "0"):
        page.keyboard.press("Enter")
        page.locator(".my-list .badge", has_text=count).wait_for()
        focused = page.evaluate("""() => { const el = document.activeElement;
          const own = el.form && el.form.querySelector('[name=offer]');
          return {tag: el.tagName, text: el.innerText.trim(), offer: el.value || (own || {}).value};
        }""")
        assert (focused["tag"], focused["offer"]) == ("BUTTON", offer), focused
        if count == "1" and added:
            assert focused["text"] == added
    context.close()


@pytest.mark.parametrize("width", [320, 360, 390])
def test_every_topic_tile_holds_its_label(chromium, live_server, width):
    """The start page's topics on a phone in all fourteen languages: no label runs out of its
    tile ("Fahrradwerkstatt" and "Rechtsberatung" ran off a 360 px screen, cut off)."""
    from wegweiser.languages import interface_languages

    context = chromium.new_context(viewport={"width": width, "height": 740},
                                   java_script_enabled=False)
    page = context.new_page()
    out = []
    for lang in interface_languages():
        page.goto(f"{live_server}/{lang}/")
        out += [f"{lang}: {label}" for label in page.evaluate("""() =>
          [...document.querySelectorAll('.tile')].filter(tile => [...tile.children].some(
            part => part.getBoundingClientRect().right > tile.getBoundingClientRect().right + 0.5
              || part.getBoundingClientRect().left < tile.getBoundingClientRect().left - 0.5))
          .map(tile => tile.querySelector('.tile-label').innerText)""")]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, lang
    context.close()
    assert not out, out


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_a_printed_web_address_reads_left_to_right_on_a_right_to_left_page(chromium,
                                                                           live_server, lang):
    """On paper an offer's links are followed by their address; on an Arabic or Persian page
    the map's address came out jumbled ("https://www.openstreetmap.org/?)" above
    "(mlat=…"): it is set apart and read left to right now."""
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 718,
                                                                        "height": 1000})
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(f"{live_server}/{lang}/offers/{LISTED[0]}")
    printed = page.evaluate("""() => [...document.querySelectorAll('.offer-facts a[href^="http"]')]
      .map(a => { const after = getComputedStyle(a, '::after');
                  return [a.href, after.content, after.unicodeBidi, after.direction]; })""")
    context.close()
    assert any("openstreetmap.org" in href for href, *_ in printed), printed
    for href, content, bidi, direction in printed:
        assert content.startswith('" (http'), (href, content)
        assert bidi in ("plaintext", "isolate") and (bidi == "plaintext" or direction == "ltr"), \
            (href, bidi, direction)
