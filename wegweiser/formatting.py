"""Formatting for people: rich text of descriptions (a small safe subset of Markdown,
sanitised with nh3) and the names of weekdays."""
from __future__ import annotations

from collections.abc import Mapping

import markdown
import nh3
from babel.dates import get_day_names
from markupsafe import Markup

ALLOWED_TAGS = {"p", "ul", "ol", "li", "a", "strong", "em", "br"}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
ISO_WEEKDAYS = range(1, 8)  # 1 = Monday … 7 = Sunday, as in the data and the import format


def render_markdown(text: str) -> Markup:
    html = markdown.markdown(text, output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                      url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def by_iso_weekday(day_names: Mapping[int, str]) -> dict[int, str]:
    """Babel's day names (keyed 0 = Monday … 6 = Sunday) by ISO weekday number, Monday first.

    Looked up by key: the order in which Babel's mapping iterates is the locale's first day
    of the week and changed between Babel versions (2.19 starts at Sunday)."""
    return {day: day_names[day - 1] for day in ISO_WEEKDAYS}


def weekday_names(locale, width: str = "wide") -> dict[int, str]:
    """ISO weekday number → its name in ``locale`` ("wide": Montag, "abbreviated": Mo.)."""
    return by_iso_weekday(get_day_names(width, locale=locale))
