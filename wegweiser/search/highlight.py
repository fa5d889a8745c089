"""Highlighted snippets of a displayed text, from the terms a search matched."""
from __future__ import annotations

from markupsafe import Markup, escape
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter, highlight

from .analysis import shared_analyzer
from .schema import OTHER, content_languages, text_field_name


def highlighted(text: str, lang: str, terms: dict[str, set[str]], kind: str = "body",
                max_chars: int = 240) -> Markup:
    """``text`` with matched words in ``<mark>``: a fragment around them for long texts."""
    content_lang = lang if lang in content_languages() else None
    matched = terms.get(text_field_name(kind, content_lang or OTHER), set())
    if matched:
        fragmenter = (WholeFragmenter() if len(text) <= max_chars
                      else ContextFragmenter(maxchars=max_chars, surround=60))
        formatter = HtmlFormatter(tagname="mark", between=" … ")
        marked = highlight(text, frozenset(matched), shared_analyzer(content_lang), fragmenter,
                           formatter, top=2)
        if marked:
            return Markup(marked)
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    return escape(text)
