"""Formatting for people: rich text of descriptions (a small safe subset of Markdown,
sanitised with nh3) and the names of weekdays."""
from __future__ import annotations

import re
from collections.abc import Mapping

import markdown
import nh3
from babel.dates import get_day_names
from markupsafe import Markup

ALLOWED_TAGS = {"p", "ul", "ol", "li", "a", "strong", "em", "br"}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
ISO_WEEKDAYS = range(1, 8)  # 1 = Monday … 7 = Sunday, as in the data and the import format


# A line that begins an item of a list with bullets: "- ", "* " or "+ " (not "2. ", which
# may be a floor or a date after a line of text, and would be numbered anew).
LIST_ITEM = re.compile(r"^ {0,3}[-*+][ \t]")


def render_markdown(text: str) -> Markup:
    """A description as people write it: paragraphs, a single line break kept, lists with
    "- " (right after a line too), links. Anything in angle brackets is text, shown as typed
    ("<Ihren Ausweis>"): no HTML from users; the result is sanitised all the same."""
    converter = markdown.Markdown(extensions=["nl2br"], output_format="html")
    converter.preprocessors.deregister("html_block")  # "<…>" is text, not HTML
    converter.inlinePatterns.deregister("html")  # autolinks (<https://…>) stay links
    html = converter.convert(lists_after_lines(text))
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                      url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def lists_after_lines(text: str) -> str:
    """A blank line before a list that follows a line of text directly (Markdown would read
    "Neu:\n- Kaffee" as one paragraph)."""
    lines, in_list, after_text = [], False, False
    for line in text.replace("\r\n", "\n").split("\n"):
        if LIST_ITEM.match(line):
            if after_text and not in_list:
                lines.append("")
            in_list = True
        elif not line.strip():
            in_list = False
        lines.append(line)
        after_text = bool(line.strip())
    return "\n".join(lines)


def by_iso_weekday(day_names: Mapping[int, str]) -> dict[int, str]:
    """Babel's day names (keyed 0 = Monday … 6 = Sunday) by ISO weekday number, Monday first.

    Looked up by key: the order in which Babel's mapping iterates is the locale's first day
    of the week and changed between Babel versions (2.19 starts at Sunday)."""
    return {day: day_names[day - 1] for day in ISO_WEEKDAYS}


def weekday_names(locale, width: str = "wide") -> dict[int, str]:
    """ISO weekday number → its name in ``locale`` ("wide": Montag, "abbreviated": Mo.)."""
    return by_iso_weekday(get_day_names(width, locale=locale))
