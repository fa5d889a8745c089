"""The search service: plain words and filters in, offer ids, total, facets and terms out.

Matching and facet counting work on cached per-term document sets (bitmaps) read from Whoosh's
postings, so no request looks at every matching document one by one. Facet counts for a filter
are computed over the results of all *other* filters. The matched documents are ranked with
BM25F over arrays (scoring.py): how much of the query an offer covers, and how well.
"""
from __future__ import annotations

import heapq
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from whoosh.support.levenshtein import distance

from .. import geo, opening
from ..cities import city_info
from ..languages import all_languages
from . import bitmaps, events, lexicon, scoring
from .analysis import (
    ARABIC_STEMMER,
    COMPOUND_LANGUAGES,
    COMPOUND_PART,
    MIN_COMPOUND_LENGTH,
    arabic_proclitic_variants,
    compound_parts,
    compound_splits,
    fold,
    function_words_by_language,
    ignorable_words,
    language_analyzer,
    normalise,
    query_languages,
    query_words,
    script_of,
    spelling_key,
    without_elision,
    word_term,
)
from .documents import vocabulary_sources, vocabulary_spelling_words
from .filters import BY_NAME, FILTER_NAMES, IndexValues, SearchQuery
from .schema import (
    FILTER_FIELDS,
    FLAGS,
    OPEN_BLOCKS,
    ORIGINAL_LANGUAGE,
    POINT,
    SPELLING,
    content_languages,
    field_kind,
    text_field_name,
    text_fields,
)
from .soundalike import sound_key
from .store import IndexLocked, IndexStore
from .thesaurus import Thesaurus
from .understanding import FilterRecogniser, RecognisedFilter
from .updater import (
    IndexSettings,
    apply_changes,
    catch_up_fully,
    events_expire,
    expire_events,
    pending_state,
    rebuild,
)

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 300
MAX_QUERY_TOKENS = 40  # words read from a query, function words included
MAX_QUERY_WORDS = 10  # words searched, after the function words are set aside
# Per-term document sets kept per index generation. Thesaurus expansions make a query touch
# hundreds of (field, term) pairs, most absent (cached as 0, cheap); a bitmap of 10,000
# documents is at most 1.3 kB, so even a full cache stays well under 100 MB.
TERM_CACHE_SIZE = 100_000
# Field weights in BM25F: a word in the title counts like this many occurrences in the body.
# Vocabulary labels are in every offer of a category, so they decide little.
KIND_WEIGHTS = {"title": 3.0, "vocab": 0.5, "organisation": 1.5, "body": 1.0}
# A match in the reader's language, or in the language the offer was written in (its
# authoritative text, not a translation), weighs this much more.
OWN_LANGUAGE_FIELD = 1.25
# Kinds of field whose text is the offer's own (vocabulary labels exist in every language).
ORIGINAL_TEXT_KINDS = ("title", "body")
READER_LANGUAGE_BOOST = 0.1  # staff speak the reader's language: score × 1.1
FRESH_BOOST = 0.05  # confirmed recently: score × 1.05
# How much of the query an offer covers (its words' share of the query's idf) multiplies its
# score by coverage ** COVERAGE_POWER: with equal matches, an offer with all words comes first,
# but a far better match of most words beats a weak one of all.
COVERAGE_POWER = 0.5
# Which offers match: with up to ALL_WORDS_UP_TO words, those with every word (if there are
# none, those with any); with more, those with at least MATCH_SHARE of the words, so a question
# never collapses to a handful of offers because of one incidental word. Tuned on the even
# pages of benchmarks/integreat_benchmark.py, reported on the odd ones (README).
ALL_WORDS_UP_TO = 1
MATCH_SHARE = 0.2
COMPOUND_PART_SHARE = 0.4  # weight of a word inside a compound query word, for ranking
MAX_COMPOUND_PARTS = 3
COMPOUND_PART_FACTOR = 0.6  # a word found inside a German compound ("Beratung" in "Asylberatung")
FEW_RESULTS = 3  # fewer exact results than this: also match near spellings
MIN_FUZZY_LENGTH = 4
LONG_WORD = 7  # from this length two edits are forgiven, below one
MAX_FUZZY_CANDIDATES = 3
VOCABULARY_FREQUENCY = 1_000_000  # vocabulary words come before words of single offers
# Words of the same concept in other languages, per query word and language: a concept has at
# most five per language, a word may stand in two concepts. Per language, so that fourteen
# languages' words do not crowd out each other (a cap on the total dropped those of the
# languages last in the alphabet).
MAX_EXPANSIONS_PER_LANGUAGE = 10
RELATED_FACTOR = 0.4  # a match through the thesaurus or a near spelling
# A match through a translation learned from the directory's translated offers (lexicon.py),
# in an offer without a text in the query word's language. A trade-off between two tuning
# halves of benchmarks/integreat_benchmark.py: with --untranslated (the question's page has no
# text in its language) a larger factor finds more, with every page translated it lets
# untranslated pages push the right one down. 0.25 gains the most on the first (ar/uk/fr
# 133 -> 164 of 294 questions) for at most one question lost on the second (README).
LEARNED_FACTOR = 0.25
# The ranking is fused with a plain per-field BM25 score of the words as typed (every
# (field, term) pair saturated alone, with its own idf, no field weights, no coverage factor):
# both scores are divided by their best among the results and added, the plain one at this
# weight. The two err differently (the pooled score favours offers covering the query in
# several fields and languages, the plain one a rare term's exact matches), and the sum beats
# each on the tuning half of benchmarks/integreat_benchmark.py (README).
PLAIN_WEIGHT = 0.5
# A query word that matches nothing (a verb where the offers have the noun: "підтримуються" /
# "підтримка"; a derived form the lemmatiser or stemmer keeps apart) also matches, as a related
# word, the terms of the title and text fields of the reader's language that begin with its
# first half (at least MIN_PREFIX letters): the most frequent MAX_PREFIX_TERMS of them. Only
# then: a word known elsewhere (a German word in an English question) costs no prefix search.
PREFIX_SHARE = 0.5
MIN_PREFIX = 5
MAX_PREFIX_TERMS = 5
# The words of a known phrase of the thesaurus ("public transport", which matches as one word)
# also count one by one for the ranking, each with its own idf, at this share.
PHRASE_WORD_SHARE = 0.25
# A word that names a category (query understanding) but is found in the texts of fewer than
# this share of the category's offers names something narrower ("Fußball", "Kitaplatz"): for
# the boost of the recognised filters, an offer has it only in its own texts, not through its
# category's labels and synonyms.
NARROW_TOPIC_SHARE = 0.25
# A query word in another script that matches nothing is also looked for among the Latin words
# that sound alike (soundalike.py): sound keys of at least this many consonant classes (three
# would take "Грюнау" for "Garn"), words of at least this many letters, the most frequent few;
# its forms are also taken by the lemmatisers of these languages ("Аугсбурга" → аугсбург).
MIN_SOUND_KEY = 4
MIN_SOUNDALIKE_WORD = 4
MAX_SOUNDALIKES = 3
SOUNDALIKE_LEMMAS = ("uk", "ru")
FACET_FIELDS = FILTER_NAMES  # every registered filter (filters.py), in the facets' order


@dataclass
class SearchResult:
    offer_ids: list[int]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    terms: dict[str, set[str]] = field(default_factory=dict)  # field name → matched terms
    all_words_matched: bool = True
    suggestion: str | None = None  # the query with misspelt words corrected
    fuzzy: bool = False  # results include near spellings of the words typed
    recognised: list[RecognisedFilter] = field(default_factory=list)  # filters the words name
    with_all_words: int | None = None  # results with every word, ranked first (None: total)
    limited: bool = False  # answered by a plain database search: the index could not be read
    distances: dict[int, float] = field(default_factory=dict)  # offer id → km from ``near``

    def __post_init__(self):
        if self.with_all_words is None:
            self.with_all_words = self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class QueryWord(NamedTuple):
    text: str
    terms: dict[str, set[str]]  # field name → terms of the word as typed
    parts: tuple[str, ...] = ()  # a German compound's parts ("trauma", "beratung"): ranking only
    related: dict[str, set[str]] | None = None  # same concept in other languages, near spellings
    # A known phrase ("dikiş kursu") matches where all its words are, or through ``related``.
    required: tuple[dict[str, set[str]], ...] = ()
    # Translations learned from the directory's translated offers (lexicon.py), per language
    # the word was found in: they count only in offers without a text in that language.
    learned: tuple[tuple[str, dict[str, set[str]]], ...] = ()

    def all_terms(self) -> dict[str, set[str]]:
        """The word's terms and its related words' (not its learned translations: they
        match only some offers, QueryWord.learned)."""
        if not self.related:
            return self.terms
        merged = {name: set(tokens) for name, tokens in self.terms.items()}
        for name, tokens in self.related.items():
            merged.setdefault(name, set()).update(tokens)
        return merged


class _Snapshot:
    """One opened generation of the index and everything cached for it."""

    def __init__(self, generation: str, index, vocabulary_words: frozenset[str],
                 vocabulary_terms: dict[tuple[str, str], set[tuple[str, str]]]):
        self.generation = generation
        self.vocabulary_words = vocabulary_words  # labels and synonyms, as spelling keys
        self.vocabulary_terms = vocabulary_terms  # (vocab field, term) → (filter field, value)
        self.index = index
        self.searcher = index.searcher()
        self.all_docs = bitmaps.from_docnums(self.searcher.reader().all_doc_ids())
        self.values: dict[str, dict[str, int]] = {}
        for name in (*FILTER_FIELDS, FLAGS, OPEN_BLOCKS, ORIGINAL_LANGUAGE):
            self.values[name] = {
                term.decode() if isinstance(term, bytes) else term:
                    bitmaps.from_docnums(self._postings(name, term)) & self.all_docs
                for term in self.searcher.reader().lexicon(name)
            }
        fields = {d: self.searcher.stored_fields(d) for d in bitmaps.docnums(self.all_docs)}
        stored = [(f["sort_key"], d) for d, f in fields.items()]
        self.rank = [0] * (max((d for _, d in stored), default=-1) + 1)
        for position, (_, docnum) in enumerate(sorted(stored)):
            self.rank[docnum] = position
        self.order = np.array(self.rank, dtype=np.int64)
        self.size = len(self.rank)
        # Coordinates per document (NaN without an address), for ordering by distance.
        self.points = np.full((self.size, 2), np.nan)
        for docnum, f in fields.items():
            if f.get(POINT):
                self.points[docnum] = f[POINT]
        self.statistics = scoring.FieldStatistics(self.searcher.reader(), self.size,
                                                  TERM_CACHE_SIZE)
        self.term_cache: dict[tuple[str, str], int] = {}
        self.spelling_cache: dict[str, list[str]] = {}
        self.prefix_cache: dict[tuple[str, str], frozenset[str]] = {}
        self._soundalikes: dict[str, list[str]] | None = None
        self.masks: dict[tuple[str, str], np.ndarray] = {}
        self.vocabulary_postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self.preferences: dict[tuple[str, str], float | np.ndarray] = {}
        self.lexicon: lexicon.Lexicon = {}  # translations learned for this generation
        self.without: dict[tuple[str, ...], int] = {}  # documents without a language's text

    def without_text(self, fields: tuple[str, ...]) -> int:
        """The documents with none of ``fields`` (an offer without a text in a language)."""
        cached = self.without.get(fields)
        if cached is None:
            has = np.zeros(self.size, dtype=bool)
            for name in fields:
                has |= self.statistics.field_lengths(name)[:self.size] > 0
            cached = self.without[fields] = self.all_docs & scoring.bitmap_of(~has)
        return cached

    def mask(self, facet: str, value: str) -> np.ndarray:
        """The documents with a filter value, as a boolean array (cached)."""
        key = (facet, value)
        cached = self.masks.get(key)
        if cached is None:
            cached = self.masks[key] = scoring.mask_of(self.values[facet].get(value, 0),
                                                       self.size)
        return cached

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents with ``term`` in ``fieldname`` and their normalised term frequencies; the
        vocabulary fields (labels of an offer's filter values) count once per offer."""
        if field_kind(fieldname) == "vocab":
            key = (fieldname, term)
            cached = self.vocabulary_postings.get(key)
            if cached is None:
                docs = np.flatnonzero(scoring.mask_of(self.term_bitmap(fieldname, term),
                                                      self.size))
                cached = (docs, np.ones(len(docs), dtype=np.float32))
                if len(self.vocabulary_postings) >= TERM_CACHE_SIZE:
                    self.vocabulary_postings.clear()
                self.vocabulary_postings[key] = cached
            return cached
        return self.statistics.postings(fieldname, term)

    def _postings(self, fieldname: str, term) -> list[int]:
        return list(self.searcher.reader().postings(fieldname, term).all_ids())

    def term_bitmap(self, fieldname: str, term: str) -> int:
        key = (fieldname, term)
        cached = self.term_cache.get(key)
        if cached is None:
            if field_kind(fieldname) == "vocab":
                # The vocabulary fields are the labels and synonyms of an offer's values: their
                # documents are unions of the (cached) filter-value sets. The index holds no
                # postings for them (documents.offer_document).
                cached = 0
                for facet, value in self.vocabulary_terms.get(key, ()):
                    cached |= self.values[facet].get(value, 0)
            else:
                docs, _ = self.statistics.postings(fieldname, term)
                cached = scoring.bitmap_of_docnums(docs, self.size) & self.all_docs \
                    if len(docs) else 0
            if len(self.term_cache) >= TERM_CACHE_SIZE:
                self.term_cache.clear()
            self.term_cache[key] = cached
        return cached

    def is_known_word(self, key: str) -> bool:
        return key in self.vocabulary_words or (SPELLING, key) in self.searcher.reader()

    def spelling_candidates(self, key: str) -> list[str]:
        """Known words near an unknown ``key``: nearest first, vocabulary words, then the
        most frequent."""
        if len(key) < MIN_FUZZY_LENGTH or self.is_known_word(key):
            return []
        cached = self.spelling_cache.get(key)
        if cached is None:
            maxdist = 1 if len(key) < LONG_WORD else 2
            reader = self.searcher.reader()
            found = [(distance(key, term, limit=maxdist), -reader.doc_frequency(SPELLING, term),
                      term)
                     for term in reader.terms_within(SPELLING, key, maxdist, prefix=1)]
            found.extend((d, -VOCABULARY_FREQUENCY, word) for word in self.vocabulary_words
                         if word[:1] == key[:1] and abs(len(word) - len(key)) <= maxdist
                         and (d := distance(key, word, limit=maxdist)) <= maxdist)
            cached = list(dict.fromkeys(term for *_, term in sorted(found)))
            cached = cached[:MAX_FUZZY_CANDIDATES]
            if len(self.spelling_cache) >= TERM_CACHE_SIZE:
                self.spelling_cache.clear()
            self.spelling_cache[key] = cached
        return cached

    def prefixed_terms(self, fieldname: str, word: str, lang: str) -> frozenset[str]:
        """The MAX_PREFIX_TERMS most frequent terms of ``fieldname`` that begin with the first
        half of ``word`` (none for a word shorter than MIN_PREFIX + 1 letters)."""
        key = fold(normalise(word, lang))
        length = max(MIN_PREFIX, math.ceil(len(key) * PREFIX_SHARE))
        if len(key) <= length or not key[:length].isalpha():
            return frozenset()
        cache_key = (fieldname, key[:length])
        cached = self.prefix_cache.get(cache_key)
        if cached is None:
            reader = self.searcher.reader()
            found = heapq.nlargest(MAX_PREFIX_TERMS, (
                (reader.doc_frequency(fieldname, term), term)
                for term in reader.expand_prefix(fieldname, key[:length])))
            cached = frozenset(term.decode() if isinstance(term, bytes) else term
                               for _, term in found)
            if len(self.prefix_cache) >= TERM_CACHE_SIZE:
                self.prefix_cache.clear()
            self.prefix_cache[cache_key] = cached
        return cached

    def soundalikes(self, key: str) -> list[str]:
        """The most frequent Latin-script words of the offers whose sound key is ``key``
        (soundalike.py), then those of the vocabularies and area names that no offer writes
        ("Лінденау" → Lindenau, a district named by no offer's text); the keys of the
        spelling vocabulary are read on first use."""
        if self._soundalikes is None:
            by_key: dict[str, list[tuple[int, str]]] = {}
            in_offers = set()
            for term, info in self.searcher.reader().iter_field(SPELLING):
                word = term.decode() if isinstance(term, bytes) else term
                in_offers.add(word)
                if (found := _latin_sound_key(word)) is not None:
                    by_key.setdefault(found, []).append((info.doc_frequency(), word))
            for word in sorted(self.vocabulary_words - in_offers):
                if (found := _latin_sound_key(word)) is not None:
                    by_key.setdefault(found, []).append((0, word))
            self._soundalikes = {k: [w for _, w in heapq.nlargest(MAX_SOUNDALIKES, found)]
                                 for k, found in by_key.items()}
        return self._soundalikes.get(key, [])

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()

    def close(self) -> None:
        self.searcher.close()


def _per_language(pairs: list[tuple[str, str]], limit: int) -> list[tuple[str, str]]:
    """At most ``limit`` of the (language, word) pairs of each language, in their order."""
    taken: dict[str, int] = {}
    kept = []
    for lang, word in pairs:
        if taken.get(lang, 0) < limit:
            taken[lang] = taken.get(lang, 0) + 1
            kept.append((lang, word))
    return kept


class SearchService:
    def __init__(self, store: IndexStore, settings: IndexSettings):
        self.store = store
        self.settings = settings
        self._snapshot: _Snapshot | None = None
        self._events: tuple[str, object] | None = None  # (generation, events searcher)
        self._lock = threading.RLock()
        self._seen_pending: tuple | None = None
        self._analyzers = {name: language_analyzer(lang) for name, lang in text_fields().items()}
        self._field_language = text_fields()
        # Fields analysed by the Arabic stemmer (for _with_proclitics).
        self._arabic_fields = frozenset(
            name for name, lang in self._field_language.items() if lang and (
                info := all_languages().get(lang)) and info.stemmer == ARABIC_STEMMER)
        # The fields of an offer's own texts per language (for learned translations).
        self._own_text_fields: dict[str, tuple[str, ...]] = {}
        for name, lang in self._field_language.items():
            if lang and field_kind(name) in ORIGINAL_TEXT_KINDS:
                self._own_text_fields[lang] = (*self._own_text_fields.get(lang, ()), name)
        self._word_terms_cache: dict[tuple[str, str | None, bool], frozenset[str]] = {}
        self._terms_cache: dict[tuple[str, bool, str | None], dict[str, frozenset[str]]] = {}
        self._thesaurus = Thesaurus.load(city=settings.city)
        # The city's area names as people write them in other scripts (cities.py), by the
        # spelling key of each spelling: what no sound key can find ("Грюнау" → Grünau).
        self._area_spellings = {spelling_key(spelt): name for name, spellings in
                                city_info(settings.city).area_spellings.items()
                                for spelt in spellings}
        self._vocabulary_words: frozenset[str] | None = None
        self._vocabulary_terms: dict = {}
        self._recogniser: FilterRecogniser | None = None
        self._checked_generation: str | None = None
        # The languages whose function words a query may use (query_languages).
        self._query_languages = tuple(sorted({*content_languages(),
                                              *function_words_by_language()}))

    # -- keeping current ----------------------------------------------------------------

    def catch_up(self, session, fully: bool = False, processes: int = 1) -> None:
        """Apply what the change log has that this index lacks: one round (updater.py: at most
        CATCH_UP_CHUNK documents, about CATCH_UP_SECONDS) without waiting for the lock;
        ``fully``: all of it, round by round, waiting for the lock (the command line, which
        may share the work with forked ``processes``)."""
        generation = self.store.current_generation()
        if generation is None or (generation != self._checked_generation
                                  and not self.store.schema_is_current()):
            self._build_missing(session)
            return
        self._checked_generation = generation
        if fully:
            catch_up_fully(self.store, session, self.settings, processes)
            return
        marker = self.store.applied_seq(generation)
        pending = (generation, marker, *pending_state(session, marker))
        if pending[2] == 0 or pending == self._seen_pending:
            self._expire_events(generation)
            return
        try:
            with self.store.writing():
                waiting = apply_changes(self.store, session, self.settings)
        except IndexLocked:
            return  # another process is applying it; its result shows on the next refresh
        finally:
            session.rollback()
        if not waiting:  # only a gap can hold the marker: nothing to do until the log grows
            self._seen_pending = pending

    def _expire_events(self, generation: str) -> None:
        """Remove the documents of events that ended since (events.py), once that moment came."""
        if not events_expire(self.store, generation, datetime.now(UTC)):
            return
        try:
            with self.store.writing():
                expire_events(self.store)
        except IndexLocked:
            return

    def search_events(self, text: str, now: datetime | None = None,
                      limit: int = 50) -> list[int]:
        """Ids of upcoming events that match ``text`` (best first; events.py)."""
        with self._lock:
            searcher = self._events_searcher()
            return [] if searcher is None else events.search(searcher, text, now, limit)

    def _events_searcher(self):
        """The events index of the current generation, opened once and kept while it is up
        to date (opening it for every search cost more than the search)."""
        generation = self.store.current_generation()
        cached = self._events
        if generation is None:
            return None
        if cached is None or cached[0] != generation or not cached[1].up_to_date():
            searcher = self.store.open_events(generation).searcher()
            if cached is not None:
                cached[1].close()
            self._events = cached = (generation, searcher)
        return cached[1]

    def _build_missing(self, session) -> None:
        log.warning("no current search index in %s: building it from the database",
                    self.store.root)
        rebuild(self.store, session, self.settings)

    def _vocabulary_term_sources(self, session) -> dict[tuple[str, str], set[tuple[str, str]]]:
        terms: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for lang, sources in vocabulary_sources(session).items():
            name = text_field_name("vocab", lang)
            analyzer = self._analyzers[name]
            for facet, value, text in sources:
                for token in analyzer(text):
                    terms.setdefault((name, token.text), set()).add((facet, value))
        return terms

    def _current(self) -> _Snapshot:
        generation = self.store.current_generation()
        snapshot = self._snapshot
        if snapshot is None or snapshot.generation != generation or not snapshot.up_to_date():
            _, index = self.store.open()
            new = _Snapshot(self.store.current_generation(), index, self._vocabulary_words,
                            self._vocabulary_terms)
            new.lexicon = lexicon.load(self.store.root / new.generation)
            if snapshot is not None:
                snapshot.close()
            self._snapshot = snapshot = new
        return snapshot

    # -- searching ----------------------------------------------------------------------

    def analyse(self, text: str) -> list[QueryWord]:
        """The query's words, each with the terms it becomes in each text field."""
        words = query_words(text, MAX_QUERY_CHARS, MAX_QUERY_TOKENS)
        # The languages the query may be in (analysis.query_languages): their function words
        # ("wo" is one in a German query, "ev" a word in a Turkish one) and their stems for the
        # thesaurus.
        languages = tuple(query_languages(words, self._query_languages))
        groups = self._thesaurus.group(words, languages)
        ignorable = frozenset().union(*(ignorable_words(lang) for lang in languages))
        content = [(phrase, expansions) for phrase, expansions in groups
                   if " " in phrase or without_elision(normalise(phrase)) not in ignorable]
        analysed = []
        for phrase, expansions in (content or groups)[:MAX_QUERY_WORDS]:
            terms = self._terms_of_phrase(phrase)
            related: dict[str, set[str]] = {}
            for lang, word in _per_language(expansions, MAX_EXPANSIONS_PER_LANGUAGE):
                # A concept's word in language L is looked for in the texts of L only, not in
                # the vocabularies' labels: those are there in every language, so the query's
                # own words find a category, and a concept's words would add only their other
                # senses (Turkish "ev", house, is in "ev ödevi", homework; Tigrinya ገዛ too).
                for name, tokens in self._terms_of(word, inside_compounds=False,
                                                   language=lang).items():
                    if field_kind(name) != "vocab":
                        related.setdefault(name, set()).update(tokens - terms.get(name, set()))
            required = tuple(self._terms_of(w) for w in phrase.split(" ")) \
                if " " in phrase else ()
            if terms or related:
                analysed.append(QueryWord(phrase, terms, self._parts_of(phrase), related,
                                          required))
        return analysed

    def _with_proclitics(self, snap: _Snapshot, words: list[QueryWord]) -> list[QueryWord]:
        """An Arabic query word also matches its form without one-letter proclitics (لمدرسة:
        مدرسة) if more offers have that form than the word as written (its stem included:
        لإجراءات, إجراءات)."""
        if not self._arabic_fields:
            return words
        result = []
        for word in words:
            own = {name: word.terms[name] for name in self._arabic_fields if name in word.terms}
            variants = arabic_proclitic_variants(word.text) \
                if own and " " not in word.text else []
            found = bitmaps.count(self._terms_bitmap(snap, own)) if variants else 0
            for variant in variants:
                extra = {name: tokens for name, tokens in self._terms_of(
                    variant, inside_compounds=False).items() if name in self._arabic_fields}
                if bitmaps.count(self._terms_bitmap(snap, extra)) > found:
                    terms = {name: set(tokens) for name, tokens in word.terms.items()}
                    for name, tokens in extra.items():
                        terms.setdefault(name, set()).update(tokens)
                    word = word._replace(terms=terms)
                    break
            result.append(word)
        return result

    def _with_learned_translations(self, snap: _Snapshot,
                                   words: list[QueryWord]) -> list[QueryWord]:
        """A word also matches its translations learned from the directory's translated
        offers (lexicon.py) in the offers that have no text in the word's language: an Arabic
        question finds an offer nobody has translated into Arabic yet through its German or
        English text."""
        if not snap.lexicon:
            return words
        result = []
        for word in words:
            learned = []
            for lang, table in snap.lexicon.items():
                pairs = {pair for name in self._own_text_fields.get(lang, ())
                         for term in word.terms.get(name, ()) for pair in table.get(term, ())}
                translations: dict[str, set[str]] = {}
                for target, translation in pairs:
                    for name in self._own_text_fields.get(target, ()):
                        translations.setdefault(name, set()).add(translation)
                if translations:
                    learned.append((lang, translations))
            result.append(word._replace(learned=tuple(learned)) if learned else word)
        return result

    def _split_compounds(self, snap: _Snapshot, words: list[QueryWord],
                         text: str) -> list[QueryWord]:
        """In a query that may be German, a long word that matches nothing and is made of
        words the offers have ("Nettogehalt", "Frauenfahrradkurs") is searched as those words
        (netto, gehalt): a compound nobody wrote, of parts somebody did."""
        result, languages = [], None
        for word in words:
            parts = None
            if (len(word.text) >= MIN_COMPOUND_LENGTH and " " not in word.text
                    and not self._word_bitmap(snap, word)):
                if languages is None:
                    languages = query_languages(
                        query_words(text, MAX_QUERY_CHARS, MAX_QUERY_TOKENS),
                        self._query_languages)
                key = spelling_key(word.text)
                # A misspelt word ("kindergarden") is corrected, not split.
                if COMPOUND_LANGUAGES.intersection(languages) \
                        and not snap.spelling_candidates(key):
                    parts = self._known_parts(snap, key, MAX_COMPOUND_PARTS)
            if parts:
                result.extend(self.analyse(" ".join(parts)))
            else:
                result.append(word)
        return result

    def _known_parts(self, snap: _Snapshot, word: str, limit: int) -> list[str] | None:
        """``word`` as at most ``limit`` words the offers have, the longest first part that is
        one first ("Deutschkurs" + "anmeldung", not "Deutsch" + "kurs" + "anmeldung")."""
        if self._is_found(snap, word):
            return [word]
        if limit < 2:
            return None
        for head, tail in sorted(compound_splits(word), key=lambda split: -len(split[0])):
            if self._is_found(snap, head):
                rest = self._known_parts(snap, tail, limit - 1)
                if rest:
                    return [head, *rest]
        return None

    def _is_found(self, snap: _Snapshot, word: str) -> bool:
        """Whether any offer's text has ``word`` (alone or inside a compound)."""
        return bool(self._terms_bitmap(snap, self._terms_of(word)))

    def _with_soundalikes(self, snap: _Snapshot, words: list[QueryWord],
                          locale: str) -> tuple[list[QueryWord], dict[str, str]]:
        """A word in another script than Latin that matches nothing and is no misspelling of
        a word the offers have ("مدرسسة" is corrected to مدرسة) also matches, as a related
        word, the Latin spellings in the offers that sound alike ("Аугсбурга" → Augsburg,
        "أوغسبورغ" → Augsburg): names and loanwords the offers write in German or English;
        an area name as the city's data spells it in that script ("غروناو" → Grünau), that
        name. Also returns each such word's Latin spelling (the most frequent), for query
        understanding ("Плагвіц" names the district Plagwitz)."""
        result, spelt = [], {}
        for word in words:
            if " " not in word.text and script_of(word.text) != "LATIN" \
                    and not self._word_bitmap(snap, word) \
                    and not snap.spelling_candidates(spelling_key(word.text)):
                area = self._area_spellings.get(spelling_key(word.text))
                forms = dict.fromkeys([word.text, *(word_term(word.text, lang) or "" for lang in
                                                    (locale, *SOUNDALIKE_LEMMAS) if lang)])
                found = [area] if area else list(dict.fromkeys(
                    w for form in forms if len(key := sound_key(form)) >= MIN_SOUND_KEY
                    for w in snap.soundalikes(key)))
                if found:
                    related = {name: set(tokens) for name, tokens in (word.related or {}).items()}
                    for candidate in found:
                        for name, tokens in self._terms_of(candidate).items():
                            related.setdefault(name, set()).update(tokens)
                    word = word._replace(related=related)
                    spelt[word.text] = found[0]
            result.append(word)
        return result, spelt

    def _with_prefixes(self, snap: _Snapshot, words: list[QueryWord],
                       locale: str) -> list[QueryWord]:
        """A word that matches nothing also matches, as a related word, the terms of the title
        and text fields of the reader's language that begin with its first half (PREFIX_SHARE)."""
        own = [name for name in (text_field_name("title", locale), text_field_name("body", locale))
               if name in self._field_language]
        result = []
        for word in words:
            if own and " " not in word.text and not self._word_bitmap(snap, word):
                prefixed = {name: terms for name in own
                            if (terms := snap.prefixed_terms(name, word.text, locale))}
                if prefixed:
                    related = {name: set(tokens) for name, tokens in (word.related or {}).items()}
                    for name, tokens in prefixed.items():
                        related.setdefault(name, set()).update(tokens)
                    word = word._replace(related=related)
            result.append(word)
        return result

    @staticmethod
    def _parts_of(word: str) -> tuple[str, ...]:
        """The parts of a German compound query word, longest first."""
        if " " in word or len(word) < MIN_COMPOUND_LENGTH:
            return ()
        parts = {spelling_key(p) for p in compound_parts(normalise(word, "de"))}
        return tuple(sorted(parts, key=len, reverse=True))

    def _compound_parts(self, snap: _Snapshot, words: list[QueryWord]) -> list[QueryWord]:
        """Real words inside a compound query word ("Kitaplatz": kita, platz): they count for
        the ranking at a fraction of the weight and never decide what matches."""
        return [QueryWord(part, self._terms_of(part))
                for word in words
                for part in [p for p in word.parts if snap.is_known_word(p)][:MAX_COMPOUND_PARTS]]

    def _terms_of_phrase(self, phrase: str) -> dict[str, set[str]]:
        """The terms of a word, or of a known phrase ("كرة القدم"), which counts as one word
        that any of its words (or the concept's words in other languages) can match."""
        if " " not in phrase:
            return self._terms_of(phrase)
        terms: dict[str, set[str]] = {}
        for word in phrase.split(" "):
            for name, tokens in self._terms_of(word).items():
                terms.setdefault(name, set()).update(tokens)
        return terms

    def _terms_of(self, word: str, inside_compounds: bool = True,
                  language: str | None = None) -> dict[str, frozenset[str]]:
        """The terms of one query word per field; in German fields the word also matches
        where it is part of a compound (its own parts are not searched alone: "Kitaplatz"
        must not find every "Arbeitsplatz"). A concept's words from the thesaurus match
        whole words only ("Garten" must not find "Kindergarten"). Cached: the result is
        shared, never to be changed."""
        key = (word, inside_compounds, language)
        per_field = self._terms_cache.get(key)
        if per_field is None:
            per_field = {}
            for name, lang in self._field_language.items():
                if language is not None and lang != language:
                    continue
                tokens = self._word_terms(word, name, inside_compounds)
                if tokens:
                    per_field[name] = tokens
            if len(self._terms_cache) >= TERM_CACHE_SIZE:
                self._terms_cache.clear()
            self._terms_cache[key] = per_field
        return per_field

    def _word_terms(self, word: str, name: str, inside_compounds: bool) -> frozenset[str]:
        """The terms of ``word`` in field ``name``, cached per analyzer (every field of a
        language has the same one)."""
        lang = self._field_language[name]
        key = (word, lang, inside_compounds)
        cached = self._word_terms_cache.get(key)
        if cached is None:
            tokens = {t.text for t in self._analyzers[name](word)
                      if t.text and not t.text.startswith(COMPOUND_PART)}
            if tokens and inside_compounds and lang in COMPOUND_LANGUAGES:
                tokens |= {COMPOUND_PART + t for t in tokens}
            if len(self._word_terms_cache) >= TERM_CACHE_SIZE:
                self._word_terms_cache.clear()
            cached = self._word_terms_cache[key] = frozenset(tokens)
        return cached

    def _widen(self, snap: _Snapshot, words: list[QueryWord], languages: list[str] | None,
               only: set[str] | None = None) -> tuple[list[QueryWord], str]:
        """Words unknown to the index (of those in ``only``, if given) also match their nearest
        known spellings that the offers' texts in one of the query's ``languages`` have (None:
        any): a German question's "Sohn" is not corrected to the English "son".

        Returns the widened words and the corrected query ("did you mean").
        """
        widened, corrected = [], []
        for word in words:
            candidates = [candidate for candidate in snap.spelling_candidates(
                spelling_key(word.text)) if languages is None
                or self._written_in(snap, candidate, languages)] \
                if only is None or word.text in only else []
            if not candidates:
                widened.append(word)
                corrected.append(word.text)
                continue
            related = {name: set(tokens) for name, tokens in (word.related or {}).items()}
            for candidate in candidates:
                for name, tokens in self._terms_of(candidate).items():
                    related.setdefault(name, set()).update(tokens)
            widened.append(word._replace(related=related))
            corrected.append(candidates[0])
        return widened, " ".join(corrected)

    def _written_languages(self, snap: _Snapshot, text: str) -> list[str] | None:
        """The languages a query is in that some offer has a text in; None (any language) if
        it has none: a French question in a directory without French texts is still helped by
        a near spelling in another language ("documents")."""
        written = [lang for lang in query_languages(
            query_words(text, MAX_QUERY_CHARS, MAX_QUERY_TOKENS), self._query_languages)
            if lang in self._own_text_fields
            and snap.without_text(self._own_text_fields[lang]) != snap.all_docs]
        return written or None

    def _written_in(self, snap: _Snapshot, word: str, languages: list[str]) -> bool:
        """Whether an offer has ``word`` in a field of one of ``languages`` (or of a language
        without its own fields)."""
        return bool(self._terms_bitmap(snap, {
            name: tokens for name, tokens in self._terms_of(word, inside_compounds=False).items()
            if self._field_language[name] in (None, *languages)}))

    def knows_word(self, word: str, session) -> bool:
        """Whether ``word`` is one of the directory's own words: of its offers' texts, its
        vocabularies and area names, or its multilingual word list (the thesaurus). The public
        needs report shows only such words: anything else a single person may have typed (a
        name) reaches only the moderators."""
        if self.is_concept_word(word):
            return True
        self._load_vocabularies(session)
        with self._lock:
            return self._current().is_known_word(spelling_key(word))

    def is_concept_word(self, word: str) -> bool:
        return self._thesaurus.knows(word)

    def _load_vocabularies(self, session) -> None:
        if self._vocabulary_words is None:
            self._vocabulary_words = vocabulary_spelling_words(session)
            self._vocabulary_terms = self._vocabulary_term_sources(session)
            self._recogniser = FilterRecogniser.load(vocabulary_sources(session))

    def search(self, query: SearchQuery, session) -> SearchResult:
        self.catch_up(session)
        return self.search_current(query, session)

    def search_current(self, query: SearchQuery, session) -> SearchResult:
        """Search the current generation as it is, without applying the change log first."""
        self._load_vocabularies(session)
        with self._lock:
            return self._search(self._current(), query)

    def search_last_opened(self, query: SearchQuery) -> SearchResult | None:
        """Search the generation this process opened last, if any: its open files stay
        readable when the current generation on disk is damaged or gone."""
        with self._lock:
            if self._snapshot is None or self._recogniser is None:
                return None
            return self._search(self._snapshot, query)

    def _search(self, snap: _Snapshot, query: SearchQuery) -> SearchResult:
        words = self._with_prefixes(snap, self._with_proclitics(
            snap, self._split_compounds(snap, self.analyse(query.text), query.text)), query.locale)
        words, spelt = self._with_soundalikes(
            snap, self._with_learned_translations(snap, words), query.locale)
        # Query understanding (understanding.py): words that name a filter need not match,
        # offers with the filter's value rank higher, and the result tells what was recognised.
        view = self._index_values(snap, query.now)
        understood = self._recogniser.understand(_spelt_in_latin(query.text, spelt),
                                                 self._value_sets(snap, view)).as_typed(spelt)
        words = understood.searched(words)
        matched, every = self._match(snap, understood.required(words))
        filters = {facet: self._filter_bitmap(view, facet, query.selected(facet))
                   for facet in FACET_FIELDS if query.selected(facet)}

        def filtered(bitmap: int) -> int:
            for other in filters.values():
                bitmap &= other
            return bitmap

        final, complete = filtered(matched), filtered(every)
        suggestion, fuzzy = None, False
        # Near spellings: of every unknown word when few offers match, else only of the words
        # that match nothing at all (a long question rarely has all its words in one offer).
        few = bitmaps.count(final) < FEW_RESULTS
        unmatched = None if few or complete else {
            w.text for w in words if not self._word_bitmap(snap, w, learned=False)}
        if words and (few or unmatched):
            widened, corrected = self._widen(snap, words, self._written_languages(
                snap, query.text), unmatched)
            if corrected.casefold() != " ".join(w.text for w in words).casefold():
                wider, wider_every = self._match(snap, understood.required(widened))
                if bitmaps.count(filtered(wider_every)) > bitmaps.count(complete) or (
                        not complete and not filtered(wider_every)
                        and bitmaps.count(filtered(wider)) > bitmaps.count(final)):
                    words, matched, every, fuzzy = widened, wider, wider_every, True
                    final, complete = filtered(matched), filtered(every)
                    suggestion = corrected
        facets = {facet: self._facet_counts(view, facet, matched, filters)
                  for facet in FACET_FIELDS}
        offset = (query.page - 1) * query.per_page
        distances = None
        if query.near is not None:
            page_docs, distances = self._nearest(snap, final, complete,
                                                 offset + query.per_page, query.near)
        elif words:
            # boosts() takes the results that have every word that must match; all results
            # where every word names a filter (they match as words only for want of others).
            among = final if understood.names_only_filters(words) else complete
            page_docs = self._ranked(snap, words, final, offset + query.per_page, query.locale,
                                     understood.boosts(among, final, self._with_topics_in_text(
                                         snap, understood, words, among, final)))
        else:
            page_docs = self._in_default_order(snap, final, offset + query.per_page)
        page_docs = page_docs[offset:]
        ids = [int(snap.searcher.stored_fields(d)["id"]) for d in page_docs]
        terms: dict[str, set[str]] = {}
        for word in words:
            for found in (word.all_terms(), *(learned for _, learned in word.learned)):
                for name, tokens in found.items():
                    terms.setdefault(name, set()).update(tokens)
        all_words = complete == final
        return SearchResult(ids, bitmaps.count(final), query.page, query.per_page, facets,
                            terms, all_words, suggestion, fuzzy,
                            understood.found(final, query.selected), bitmaps.count(complete),
                            distances=_known_distances(ids, distances[offset:])
                            if distances is not None else {})

    def _with_topics_in_text(self, snap: _Snapshot, understood, words: list[QueryWord],
                             complete: int, results: int) -> int:
        """The offers of ``complete`` that also have in their own texts each word that named a
        category but is narrower than it (NARROW_TOPIC_SHARE): "Fußball", a synonym of
        leisure, sports and culture, is in the labels of a swimming course too, but in the
        texts of a tenth of that category's offers; "Deutschkurs" is in two fifths of its
        category's, and a language café in Connewitz has it through its category. If none of
        ``complete`` has them, those of ``results`` that have them: the football training
        lacks the "يلعب" (plays) of "أين يمكن لابني أن يلعب كرة القدم", and is still what the
        question names."""
        narrowed = results
        for word in understood.required(words):
            category = understood.topic_named(word)
            if not category:
                continue
            in_text = self._word_bitmap(snap, _without_vocabulary(word), learned=False)
            # If none of the category's offers has it in its own texts, the category's labels
            # are all there is to go by ("Zimmer": the housing offers, not a playroom).
            if 0 < bitmaps.count(in_text & category) \
                    < NARROW_TOPIC_SHARE * bitmaps.count(category):
                complete &= in_text
                narrowed &= in_text
        return complete or (narrowed if narrowed != results else 0)

    @staticmethod
    def _value_sets(snap: _Snapshot, view: IndexValues):
        """For query understanding: (documents with a value, documents its filter keeps)."""
        def value_sets(facet: str, value: str) -> tuple[int, int]:
            matching = BY_NAME[facet].matching(view, value)
            return (snap.values[facet].get(value, 0) if facet in snap.values else matching,
                    matching)
        return value_sets

    def _word_bitmap(self, snap: _Snapshot, word: QueryWord, learned: bool = True) -> int:
        """The documents a word matches (``learned``: also through its learned translations)."""
        found = 0
        for lang, terms in word.learned if learned else ():
            found |= self._terms_bitmap(snap, terms) & snap.without_text(
                self._own_text_fields[lang])
        if not word.required:
            return found | self._terms_bitmap(snap, word.all_terms())
        return self._phrase_bitmap(snap, word) | self._terms_bitmap(snap, word.related or {}) \
            | found

    def _phrase_bitmap(self, snap: _Snapshot, word: QueryWord) -> int:
        """The documents with every word of a known phrase."""
        every = snap.all_docs
        for terms in word.required:
            every &= self._terms_bitmap(snap, terms)
        return every

    @staticmethod
    def _terms_bitmap(snap: _Snapshot, terms: dict[str, set[str]]) -> int:
        bitmap = 0
        for name, tokens in terms.items():
            for token in tokens:
                bitmap |= snap.term_bitmap(name, token)
        return bitmap

    def _match(self, snap: _Snapshot, words) -> tuple[int, int]:
        """(the documents that match, those among them with every word).

        With up to ALL_WORDS_UP_TO words the documents with every word match, or if there are
        none those with any; with more words those with at least MATCH_SHARE of them (or again
        any, if none has that many). A learned translation (lexicon.py) lets an offer match,
        but not count as one with every word: that is weaker evidence than the words
        themselves or the thesaurus."""
        if not words:
            return snap.all_docs, snap.all_docs
        per_word = [self._word_bitmap(snap, w) for w in words]
        every = each = snap.all_docs  # with every word; ``each`` also through translations
        for word, bitmap in zip(words, per_word, strict=True):
            each &= bitmap
            every &= self._word_bitmap(snap, word, learned=False) if word.learned else bitmap
        if len(per_word) == 1 or (every and len(per_word) <= ALL_WORDS_UP_TO):
            return each, every
        counts = np.zeros(snap.size, dtype=np.int8)
        for bitmap in per_word:
            counts += scoring.mask_of(bitmap, snap.size)
        needed = 1 if len(per_word) <= ALL_WORDS_UP_TO else \
            max(1, math.ceil(len(per_word) * MATCH_SHARE))
        matched = scoring.bitmap_of(counts >= needed) & snap.all_docs
        if not matched and needed > 1:
            matched = scoring.bitmap_of(counts >= 1) & snap.all_docs
        return matched, every

    def _index_values(self, snap: _Snapshot, now: datetime | None) -> IndexValues:
        """What the filters (filters.py) read of ``snap``, and the moment "now" means."""
        now = now or opening.local_now(self.settings.timezone)
        return IndexValues(snap.values, now, frozenset(
            opening.closed_term(day) for day in self.settings.public_holidays(now)))

    @staticmethod
    def _filter_bitmap(view: IndexValues, facet: str, selected) -> int:
        bitmap = 0
        for value in selected:
            bitmap |= BY_NAME[facet].matching(view, value)
        return bitmap

    @staticmethod
    def _facet_counts(view: IndexValues, facet, matched, filters) -> dict[str, int]:
        """Offers carrying each value, among the results of the other filters.

        Citywide offers and offers for everyone are counted under their own keys
        (``citywide``, ``everyone``), not once more under every area or target group.
        """
        base = matched
        for other, bitmap in filters.items():
            if other != facet:
                base &= bitmap
        counts = {}
        for value, bitmap in BY_NAME[facet].value_sets(view).items():
            n = bitmaps.count(base & bitmap)
            if n:
                counts[value] = n
        return counts

    def _ranked(self, snap: _Snapshot, words: list[QueryWord], final: int, limit: int,
                locale: str, boosts: list[tuple[float, int]] = ()) -> list[int]:
        """The first ``limit`` documents of ``final`` in order of relevance.

        BM25F per query word (scoring.py): its terms in every field, weighted by the kind of
        field (title > vocabulary > organisation > body), a little more in the reader's
        language or the offer's original language, a little less through the thesaurus, a
        near spelling or inside a German compound; then multiplied by the share of the query
        the offer covers (by idf), so offers with every word come first unless one with fewer
        matches them far better. Offers whose staff speak the reader's language and recently
        confirmed offers get a small bonus; ``boosts`` (recognised filters) are added.
        """
        if limit <= 0 or not final:
            return []
        documents = bitmaps.count(snap.all_docs)
        score = np.zeros(snap.size, dtype=np.float64)
        covered = np.zeros(snap.size, dtype=np.float64)
        query_weight = 0.0
        plain = np.zeros(snap.size, dtype=np.float64)
        for word in words:
            pseudo, coverage, found = self._pseudo_frequency(snap, word, locale, plain)
            weight = scoring.idf(found, documents)
            score += weight * scoring.saturate(pseudo)
            covered += weight * coverage
            query_weight += weight
        # The words of a known phrase ("public transport") also count one by one, each with
        # its own idf, like the parts of a compound.
        phrase_words = {w for word in words if word.required for w in word.text.split(" ")}
        parts = self._compound_parts(snap, words)
        parts += [QueryWord(w, self._terms_of(w)) for w in sorted(phrase_words)]
        for part in parts:
            pseudo, _, found = self._pseudo_frequency(snap, part, locale)
            weight = scoring.idf(found, documents)
            share = PHRASE_WORD_SHARE if part.text in phrase_words else COMPOUND_PART_SHARE
            score += share * weight * scoring.saturate(pseudo)
        if query_weight:
            score *= (covered / query_weight) ** COVERAGE_POWER
        candidates = np.flatnonzero(scoring.mask_of(final, snap.size))
        best, best_plain = score[candidates].max(), plain[candidates].max()
        if best > 0 and best_plain > 0:
            score = score / best + PLAIN_WEIGHT / best_plain * plain
        score *= (1 + READER_LANGUAGE_BOOST * snap.mask("language", locale)
                  + FRESH_BOOST * snap.mask(FLAGS, "fresh"))
        for value, bitmap in boosts:
            score += value * scoring.mask_of(bitmap, snap.size)
        return scoring.top(score, candidates, snap.order, limit)

    def _pseudo_frequency(self, snap: _Snapshot, word: QueryWord, locale: str,
                          plain: np.ndarray | None = None
                          ) -> tuple[np.ndarray, np.ndarray, int]:
        """Per document: the word's weighted, length-normalised frequency over all fields; where
        the word itself is found less than its related words (thesaurus, near spellings), the
        related words' frequency, at RELATED_FACTOR (not both: an offer in two languages would
        count the word twice). Also how far each document covers the word (1 with the word
        itself, RELATED_FACTOR with related words only) and in how many documents the word
        itself is found (or its related words, if the word is not), for its idf. The word's
        plain per-field BM25 score (PLAIN_WEIGHT) is added to ``plain``, if given."""
        text_docs: list[np.ndarray] = []
        direct = self._frequency_of(snap, word.terms, locale, plain, text_docs)
        if word.required:
            # A known phrase ("residence permit") is found where all its words are: a "work
            # permit" does not cover it (its words count one by one, PHRASE_WORD_SHARE).
            inside = scoring.mask_of(self._phrase_bitmap(snap, word), snap.size)
            direct = direct * inside
            text_docs = [docs[inside[docs]] for docs in text_docs]
            text_docs = [docs for docs in text_docs if len(docs)]
        coverage = (direct > 0).astype(np.float32)
        found = int(np.count_nonzero(direct))
        if text_docs:
            # The idf of the offers' own texts: a vocabulary label is in every offer of a
            # category, and would make a word that tells the offers apart count for nothing.
            in_text = np.zeros(snap.size, dtype=bool)
            in_text[np.concatenate(text_docs)] = True
            found = int(np.count_nonzero(in_text))
        weaker = [(self._frequency_of(snap, word.related, locale), RELATED_FACTOR)] \
            if word.related else []
        for lang, terms in word.learned:  # only in the offers without a text in ``lang``
            without = scoring.mask_of(snap.without_text(self._own_text_fields[lang]), snap.size)
            weaker.append((self._frequency_of(snap, terms, locale) * without, LEARNED_FACTOR))
        for frequency, factor in weaker:
            if not found:
                found = int(np.count_nonzero(frequency))
            coverage = np.maximum(coverage, factor * (frequency > 0))
            direct = np.maximum(direct, factor * frequency)
        return direct, coverage, found

    def _frequency_of(self, snap: _Snapshot, terms: dict[str, set[str]],
                      locale: str, plain: np.ndarray | None = None,
                      text_docs: list[np.ndarray] | None = None) -> np.ndarray:
        docs_parts, weight_parts = [], []
        documents = bitmaps.count(snap.all_docs) if plain is not None else 0
        for name, tokens in terms.items():
            kind = field_kind(name)
            weight = KIND_WEIGHTS[kind]
            preference = self._language_preference(snap, name, locale)
            for token in tokens:
                docs, frequency = snap.postings(name, token)
                if not len(docs):
                    continue
                compound_part = token.startswith(COMPOUND_PART)
                if text_docs is not None and kind != "vocab":
                    text_docs.append(docs)
                if plain is not None and kind != "vocab" and not compound_part:
                    plain[docs] += scoring.idf(len(docs), documents) * scoring.saturate(
                        frequency, scoring.PLAIN_K1)
                factor = weight * (COMPOUND_PART_FACTOR if compound_part else 1.0)
                docs_parts.append(docs)
                if isinstance(preference, float):
                    weight_parts.append(frequency * (factor * preference))
                else:
                    weight_parts.append(frequency * factor * preference[docs])
        if not docs_parts:
            return np.zeros(snap.size, dtype=np.float64)
        return np.bincount(np.concatenate(docs_parts), weights=np.concatenate(weight_parts),
                           minlength=snap.size)

    def _language_preference(self, snap: _Snapshot, name: str, locale: str):
        """The factor for a match in field ``name``: OWN_LANGUAGE_FIELD where the field's
        language is the reader's (every document) or the offer's original language (an array
        over the documents), else 1."""
        cached = snap.preferences.get((name, locale))
        if cached is None:
            lang = self._field_language[name]
            if lang == locale:
                cached = OWN_LANGUAGE_FIELD
            elif lang is None or field_kind(name) not in ORIGINAL_TEXT_KINDS:
                cached = 1.0
            else:
                cached = 1 + (OWN_LANGUAGE_FIELD - 1) * snap.mask(ORIGINAL_LANGUAGE, lang)
            snap.preferences[(name, locale)] = cached
        return cached

    @staticmethod
    def _nearest(snap: _Snapshot, final: int, complete: int, limit: int,
                 near: geo.Place) -> tuple[list[int], list[float]]:
        """The first ``limit`` documents of ``final`` by distance from ``near``, with their
        distances in km: those with every word of the query first (``complete``), then those
        with some; documents without coordinates (citywide, online) after the others."""
        if limit <= 0 or not final:
            return [], []
        candidates = np.flatnonzero(scoring.mask_of(final, snap.size))
        points = snap.points[candidates]
        km = geo.distance_km(points[:, 0], points[:, 1], near.lat, near.lon)
        unplaced = np.isnan(km)
        partial = ~scoring.mask_of(complete, snap.size)[candidates]
        ranked = np.lexsort((snap.order[candidates], np.where(unplaced, 0.0, km), unplaced,
                             partial))[:limit]
        return [int(d) for d in candidates[ranked]], [float(k) for k in km[ranked]]

    @staticmethod
    def _by_default_order(snap: _Snapshot, bitmap: int, limit: int) -> list[int]:
        docs = list(bitmaps.docnums(bitmap))
        if len(docs) > limit:
            return heapq.nsmallest(limit, docs, key=snap.rank.__getitem__)
        return sorted(docs, key=snap.rank.__getitem__)

    def _in_default_order(self, snap, final: int, limit: int) -> list[int]:
        return self._by_default_order(snap, final, limit) if limit > 0 else []


def _without_vocabulary(word: QueryWord) -> QueryWord:
    """The word as matched in the offers' own texts, not in their vocabulary labels."""
    def own(terms):
        return {name: tokens for name, tokens in terms.items() if field_kind(name) != "vocab"}
    return word._replace(terms=own(word.terms), related=own(word.related or {}),
                         required=tuple(own(terms) for terms in word.required))


def _spelt_in_latin(text: str, spelt: dict[str, str]) -> str:
    """``text`` with each word of ``spelt`` replaced by its Latin spelling."""
    for word, latin in spelt.items():
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", latin, text, flags=re.IGNORECASE)
    return text


@lru_cache(maxsize=TERM_CACHE_SIZE)
def _latin_sound_key(word: str) -> str | None:
    """The sound key of a Latin-script word of the spelling vocabulary, if long enough to be
    looked for (kept per process: a new index generation has mostly the same words)."""
    if len(word) < MIN_SOUNDALIKE_WORD or script_of(word) != "LATIN":
        return None
    key = sound_key(word)
    return key if len(key) >= MIN_SOUND_KEY else None


def _known_distances(ids: list[int], distances: list[float]) -> dict[int, float]:
    return {i: km for i, km in zip(ids, distances, strict=True) if not math.isnan(km)}
