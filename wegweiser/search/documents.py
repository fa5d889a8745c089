"""The one place that turns an offer from the database into its index document."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Area, Category, Language, Offer, TargetGroup
from ..opening import closed_terms, week_blocks
from .analysis import LABEL_SEPARATOR, TOKEN_PATTERN, spelling_key
from .filters import DOCUMENT_FLAG_FILTERS
from .schema import (
    CITYWIDE,
    FLAGS,
    OPEN_BLOCKS,
    OPEN_ON_PUBLIC_HOLIDAYS,
    ORIGINAL_LANGUAGE,
    OTHER,
    POINT,
    SPELLING,
    content_languages,
    text_field_name,
)


def vocabulary_text(offer) -> dict[str, list[str]]:
    """Labels and synonyms of the categories, target groups, languages and areas of an offer
    (or an event), per content language."""
    per_lang: dict[str, list[str]] = {lang: [] for lang in content_languages()}
    for term in (*offer.categories, *offer.target_groups):
        for lang, label in term.labels.items():
            if lang in per_lang:
                per_lang[lang].append(label)
        for lang, words in (term.synonyms or {}).items():
            if lang in per_lang:
                per_lang[lang].extend(words)
    for language in offer.languages:
        for lang, label in language.labels.items():
            if lang in per_lang:
                per_lang[lang].append(label)
    for area in offer.areas:
        per_lang["de"].extend(a.name for a in area.lineage())
    return per_lang


def area_terms(offer: Offer) -> list[str]:
    """Ortsteile and their Stadtbezirke, so a filter on a Stadtbezirk finds its Ortsteile."""
    if offer.citywide:
        return [CITYWIDE]
    return sorted({a.slug for area in offer.areas for a in area.lineage()})


def offer_document(offer: Offer, today: date, stale_after_days: int) -> dict:
    doc: dict = {
        "id": str(offer.id),
        "version": offer.version,
        "sort_key": _sort_key(offer),
        "area": " ".join(area_terms(offer)),
        "category": " ".join(c.slug for c in offer.categories),
        "target_group": " ".join(t.slug for t in offer.target_groups),
        "language": " ".join(lang.code for lang in offer.languages),
        "organisation": offer.organisation.name,
        ORIGINAL_LANGUAGE: offer.original_language,
    }
    if offer.lat is not None and offer.lon is not None:
        doc[POINT] = (offer.lat, offer.lon)
    flags = [f.flag for f in DOCUMENT_FLAG_FILTERS if f.has_flag(offer)]
    if offer.verified_at and offer.verified_at >= today - timedelta(days=stale_after_days):
        flags.append("fresh")
    if offer.open_on_public_holidays:
        flags.append(OPEN_ON_PUBLIC_HOLIDAYS)
    doc[FLAGS] = " ".join(flags)
    # The open quarter-hours of the week, and the days of the offer's closures (the days
    # before yesterday cannot matter: ``today`` may be a day off the city's): "open now"
    # leaves out a closed day's offers without the index being written again that day.
    doc[OPEN_BLOCKS] = " ".join(sorted(
        week_blocks(h.slot() for h in offer.opening_hours)
        | closed_terms((c.closure() for c in offer.closures), today - timedelta(days=2))))

    # No vocabulary fields: the search derives their documents from the filter values
    # (service._Snapshot.term_bitmap), so writing the labels and synonyms of every value into
    # every offer (four fifths of an index's postings) bought nothing but writing time.
    doc.update(own_text_fields(offer))
    # Words of titles, summaries and names for "did you mean"; the vocabularies' words are
    # the same in every offer and come from vocabulary_spelling_words() instead.
    spelling = [offer.organisation.name]
    spelling.extend(t.text for t in offer.texts if t.field in ("title", "summary"))
    doc[SPELLING] = " ".join(dict.fromkeys(w for text in spelling for w in text.split()))
    return doc


def own_text_fields(owner) -> dict[str, str]:
    """The text fields of an offer's or an event's own texts: titles, the other texts as the
    body, per content language."""
    doc: dict[str, str] = {}
    bodies: dict[str, list[str]] = {}
    for text in owner.texts:
        lang = text.locale if text.locale in content_languages() else OTHER
        if text.field == "title":
            key = text_field_name("title", lang)
            doc[key] = f"{doc[key]} {text.text}" if key in doc else text.text
        else:
            bodies.setdefault(lang, []).append(text.text)
    for lang, parts in bodies.items():
        doc[text_field_name("body", lang)] = "\n".join(parts)
    return doc


def vocabulary_fields(owner) -> dict[str, str]:
    """The vocabulary fields of an event's document: the labels and synonyms of its
    vocabularies, per content language."""
    return {text_field_name("vocab", lang): LABEL_SEPARATOR.join(words)
            for lang, words in vocabulary_text(owner).items() if words}


def vocabulary_spelling_words(session: Session) -> frozenset[str]:
    """Every word of every label and synonym, and area names, as spelling keys."""
    texts: list[str] = []
    for model in (Category, TargetGroup, Language):
        for term in session.scalars(select(model)):
            texts.extend(term.labels.values())
            for words in (getattr(term, "synonyms", None) or {}).values():
                texts.extend(words)
    texts.extend(session.scalars(select(Area.name)))
    keys = {spelling_key(word) for text in texts for word in re.findall(TOKEN_PATTERN, text)}
    return frozenset(k for k in keys if len(k) >= 3)


def _sort_key(offer: Offer) -> str:
    found = offer.text_in("title", offer.original_language)
    return (found[0] if found else offer.external_id).casefold()


_OTHER_NAME = re.compile(r"(.+?)\s*\((.+)\)")


def language_names(label: str) -> list[str]:
    """A language's label and, for "Persisch (Farsi)" or "Kurdisch (Sorani)", each of its
    names alone: people ask for "Farsi" or for "Persisch"."""
    found = _OTHER_NAME.fullmatch(label.strip())
    return [label, found.group(1), found.group(2)] if found else [label]


MIN_AREA_PART = 4  # letters of the place name that begins several areas' names (area_names)


def vocabulary_sources(session: Session) -> dict[str, list[tuple[str, str, str]]]:
    """Per content language: (filter field, value, text) for every label and synonym that
    vocabulary_text() gives an offer with that value."""
    sources: dict[str, list[tuple[str, str, str]]] = {lang: [] for lang in content_languages()}
    for facet, model in (("category", Category), ("target_group", TargetGroup)):
        for term in session.scalars(select(model)):
            for lang, label in term.labels.items():
                if lang in sources:
                    sources[lang].append((facet, term.slug, label))
            for lang, words in (term.synonyms or {}).items():
                if lang in sources:
                    sources[lang].extend((facet, term.slug, word) for word in words)
    for language in session.scalars(select(Language)):
        for lang, label in language.labels.items():
            if lang in sources:
                sources[lang].extend(("language", language.code, name)
                                     for name in language_names(label))
    if "de" in sources:
        sources["de"].extend(("area", slug, name)
                             for slug, name in area_names(session.scalars(select(Area))))
    return sources


def area_names(areas) -> list[tuple[str, str]]:
    """(slug, name) of every area, and the place name that begins the names of several areas:
    "Grünau" names Grünau-Ost, Grünau-Mitte, Grünau-Nord and Grünau-Siedlung, as people say.
    Not a name an area has alone ("Zentrum"), nor a part after the first ("Nord", "West").
    A name with another in brackets is also each of the two ("Antonstadt")."""
    names = [(area.slug, name) for area in areas for name in area.names]
    whole = {name.casefold() for _, name in names}
    having: dict[str, list[str]] = {}
    for slug, name in names:
        place, hyphen, _ = name.partition("-")
        if hyphen and len(place) >= MIN_AREA_PART and place.casefold() not in whole:
            having.setdefault(place, []).append(slug)
    return names + [(slug, place) for place, slugs in having.items() if len(slugs) > 1
                    for slug in slugs]
