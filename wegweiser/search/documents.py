"""The one place that turns an offer from the database into its index document."""
from __future__ import annotations

from datetime import date, timedelta

from ..models import Offer
from .schema import (
    CITYWIDE,
    CONTENT_LANGUAGES,
    FLAGS,
    OTHER,
    SPELLING,
    text_field_name,
)


def _vocabulary_text(offer: Offer) -> dict[str, list[str]]:
    """Labels and synonyms of the offer's categories, target groups, languages and areas."""
    per_lang: dict[str, list[str]] = {lang: [] for lang in CONTENT_LANGUAGES}
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
        "sort_key": _sort_key(offer),
        "area": " ".join(area_terms(offer)),
        "category": " ".join(c.slug for c in offer.categories),
        "target_group": " ".join(t.slug for t in offer.target_groups),
        "language": " ".join(lang.code for lang in offer.languages),
        "organisation": offer.organisation.name,
    }
    flags = []
    if offer.cost == "free":
        flags.append("free")
    if offer.accessible:
        flags.append("accessible")
    if offer.verified_at and offer.verified_at >= today - timedelta(days=stale_after_days):
        flags.append("fresh")
    doc[FLAGS] = " ".join(flags)

    bodies: dict[str, list[str]] = {}
    for text in offer.texts:
        lang = text.locale if text.locale in CONTENT_LANGUAGES else OTHER
        if text.field == "title":
            key = text_field_name("title", lang)
            doc[key] = f"{doc[key]} {text.text}" if key in doc else text.text
        else:
            bodies.setdefault(lang, []).append(text.text)
    for lang, parts in bodies.items():
        doc[text_field_name("body", lang)] = "\n".join(parts)
    spelling = [offer.organisation.name]
    spelling.extend(t.text for t in offer.texts if t.field in ("title", "summary"))
    for lang, words in _vocabulary_text(offer).items():
        if words:
            doc[text_field_name("vocab", lang)] = " ; ".join(words)
            spelling.extend(words)
    doc[SPELLING] = " ".join(spelling)
    return doc


def _sort_key(offer: Offer) -> str:
    found = offer.text_in("title", offer.original_language)
    return (found[0] if found else offer.external_id).casefold()
