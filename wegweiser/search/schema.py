"""The index schema: text fields per content language, keyword fields for the filters."""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..languages import all_languages, interface_languages
from .analysis import language_analyzer, spelling_analyzer

# One set of text fields per content language (changing it needs `wegweiser reindex`): the
# setting WEGWEISER_INDEX_LANGUAGES, by default the interface languages. The index of a machine
# has one schema, so the choice is made once per process, by configure_languages().
_content_languages: list[tuple[str, ...]] = [interface_languages()]


def content_languages() -> tuple[str, ...]:
    return _content_languages[0]


def configure_languages(codes: tuple[str, ...] | None) -> None:
    """Use ``codes`` (default: the interface languages) as the index's content languages."""
    chosen = tuple(codes) if codes else interface_languages()
    unknown = [code for code in chosen if code not in all_languages()]
    if unknown:
        raise ValueError(f"WEGWEISER_INDEX_LANGUAGES: unknown language code(s) {', '.join(unknown)}"
                         " (codes are those of data/reference/languages.toml)")
    _content_languages[0] = chosen
OTHER = "xx"  # text in any other language: folded, not stemmed
TEXT_KINDS = {"title": 3.0, "vocab": 2.0, "body": 1.0}
ORGANISATION_BOOST = 1.5

FILTER_FIELDS = ("area", "category", "target_group", "language")
FLAGS = "flags"  # the flags of the switch filters (filters.py: free, accessible, …), fresh
# The flag of the offers whose hours hold on public holidays too (in FLAGS).
OPEN_ON_PUBLIC_HOLIDAYS = "holidays"
OPEN_BLOCKS = "open_blocks"  # quarter-hours of the week in which an offer is open
ORIGINAL_LANGUAGE = "original_language"  # the language the offer was written in
SPELLING = "spelling"  # the words of titles, summaries, names and vocabularies, for "did you mean"
POINT = "point"  # (lat, lon) of the offer's address, for ordering by distance
CITYWIDE = "citywide"
EVERYONE = "everyone"


def text_field_name(kind: str, lang: str) -> str:
    return f"{kind}_{lang}"


def field_kind(name: str) -> str:
    """``title``, ``vocab``, ``body`` or ``organisation``."""
    return name.split("_", 1)[0]


def text_fields() -> dict[str, str | None]:
    """Every text field with the content language of its analyzer (``None``: other languages)."""
    fields: dict[str, str | None] = {}
    for kind in TEXT_KINDS:
        for lang in content_languages():
            fields[text_field_name(kind, lang)] = lang
        if kind != "vocab":
            fields[text_field_name(kind, OTHER)] = None
    fields["organisation"] = "de"
    return fields


def build_schema() -> Schema:
    schema = Schema(
        id=ID(stored=True, unique=True),
        # The offer's version when the document was written: lets a drill (drills/crash.py)
        # compare the index with the database offer by offer.
        version=STORED,
        sort_key=STORED,
        point=STORED,
        **{name: KEYWORD(scorable=False) for name in (*FILTER_FIELDS, FLAGS, OPEN_BLOCKS,
                                                       ORIGINAL_LANGUAGE)},
    )
    schema.add(SPELLING, TEXT(analyzer=spelling_analyzer(), phrase=False))
    for name, lang in text_fields().items():
        boost = TEXT_KINDS.get(field_kind(name), ORGANISATION_BOOST)
        schema.add(name, TEXT(analyzer=language_analyzer(lang), phrase=False, field_boost=boost))
    return schema
