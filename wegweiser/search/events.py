"""The events index: upcoming published events, searchable by their words.

A second Whoosh index (``indexname="events"``) inside each generation directory of the offer
index, written by the same rebuild and the same change-log updater, so offer searches, totals
and facet counts never see an event. It has the same text fields with the same language
analyzers as the offer index (titles, descriptions, the labels and synonyms of an event's
categories and target groups, the organisation's name), and stores when each event's last
occurrence ends: an event whose last occurrence has ended is never returned, and the updater
removes its document (``expire``) whenever it runs, at the latest when that moment has passed.
"""
from __future__ import annotations

from datetime import UTC, datetime

from whoosh import query as wq
from whoosh.fields import ID, STORED, TEXT, Schema

from .analysis import COMPOUND_PART, language_analyzer, query_words
from .documents import own_text_fields, vocabulary_fields
from .schema import TEXT_KINDS, field_kind, text_fields

EVENTS = "events"  # the index's name in the generation directory
ENDLESS = 0  # ``ends`` of an event whose recurrence has no end
MAX_QUERY_CHARS = 300
MAX_QUERY_WORDS = 10


def build_event_schema() -> Schema:
    schema = Schema(id=ID(stored=True, unique=True), ends=STORED)
    for name, lang in text_fields().items():
        boost = TEXT_KINDS.get(field_kind(name), 1.5)
        schema.add(name, TEXT(analyzer=language_analyzer(lang), phrase=False, field_boost=boost))
    return schema


def event_document(event, ends: datetime | None) -> dict:
    """The index document of an upcoming event (``ends``: when its last occurrence ends,
    None when its recurrence has no end)."""
    doc: dict = {"id": str(event.id), "organisation": event.organisation.name,
                 "ends": ENDLESS if ends is None else int(ends.timestamp())}
    doc.update(own_text_fields(event))
    doc.update(vocabulary_fields(event))
    return doc


def is_expired(ends: int, now: datetime) -> bool:
    return ends != ENDLESS and ends <= now.timestamp()


def expire(writer, searcher, now: datetime) -> int:
    """Delete the documents of events whose last occurrence has ended; how many."""
    expired = [fields["id"] for fields in searcher.all_stored_fields()
               if is_expired(fields.get("ends", ENDLESS), now)]
    for event_id in expired:
        writer.delete_by_term("id", event_id)
    return len(expired)


def next_expiry(searcher) -> int:
    """The earliest moment (Unix seconds) at which a document of this index expires; 0: none."""
    ends = [fields.get("ends", ENDLESS) for fields in searcher.all_stored_fields()]
    return min((e for e in ends if e != ENDLESS), default=0)


def _fields_by_language() -> dict[str | None, list[str]]:
    grouped: dict[str | None, list[str]] = {}
    for name, lang in text_fields().items():
        grouped.setdefault(lang, []).append(name)
    return grouped


def _word_query(word: str, reader, fields: dict[str | None, list[str]]) -> wq.Query | None:
    # Each word is analysed once per language, not once per field, and only the terms the
    # index holds are asked for: a Whoosh union over ~60 fields, most without the term, made
    # an event search cost more than the offer search.
    alternatives, analysed = [], False
    for lang, names in fields.items():
        terms = dict.fromkeys(token.text for token in language_analyzer(lang)(word)
                              if token.text and not token.text.startswith(COMPOUND_PART))
        analysed = analysed or bool(terms)
        alternatives += [wq.Term(name, term) for term in terms for name in names
                         if (name, term) in reader]
    if not analysed:
        return None  # nothing to look for (a word's own terms, not its parts)
    return wq.Or(alternatives) if alternatives else wq.NullQuery  # no event has the word


def search(searcher, text: str, now: datetime | None = None, limit: int = 50) -> list[int]:
    """Ids of upcoming events matching the words of ``text``, best first: those with every
    word, or, when none has them all, those with any."""
    reader, fields = searcher.reader(), _fields_by_language()
    words = [q for w in query_words(text, MAX_QUERY_CHARS, MAX_QUERY_WORDS)
             if (q := _word_query(w, reader, fields)) is not None]
    if not words:
        return []
    now = now or datetime.now(UTC)
    for combined in (wq.And(words), wq.Or(words)):
        hits = searcher.search(combined, limit=None)
        found = [int(hit["id"]) for hit in hits
                 if not is_expired(hit.get("ends", ENDLESS), now)][:limit]
        if found:
            return found
    return []
