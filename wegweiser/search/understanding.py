"""Query understanding: the words of a query that name a filter value.

"legal advice for women", "Rechtsberatung auf Arabisch", "للنساء", "kostenlos", "heute offen",
"Connewitz": such words are recognised through the same analysis as the search (per language:
normalising, stemming or Ukrainian lemmas, Arabic prefixes such as ال/لل/بال), from the labels
and synonyms of the vocabularies, the area names and ``data/reference/filter-words.toml``.

The search uses what is recognised in three ways: the words need not match (an offer for everyone
is not dropped from "legal advice for women" for lacking the word), offers with the value rank
higher, and the result reports each recognised filter so pages and clients can offer it.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ..languages import all_languages
from . import bitmaps
from .analysis import (
    ARABIC_STEMMER,
    TOKEN_PATTERN,
    arabic_proclitic_variants,
    fold,
    function_words_by_language,
    language_script,
    normalise,
    query_languages,
    script_of,
    word_term,
)
from .filters import BY_NAME, FLAG_FILTERS, VOCABULARY_FILTERS
from .schema import content_languages

FILTER_WORDS = Path(__file__).resolve().parent.parent / "data" / "reference" / "filter-words.toml"
MAX_CHARS = 400  # a spoken question can be long: more of it is read than the search matches
MAX_WORDS = 40
# Switch filter → its value in facet counts (their words are in filter-words.toml, [flag.*]).
FLAG_VALUES = {f.name: f.value for f in FLAG_FILTERS}
# A value that every filter value includes names no narrower set of offers.
WILDCARDS = {(f.name, f.wildcard) for f in VOCABULARY_FILTERS if f.wildcard}
# A category word names the topic: it stays a word to match (the category's offers carry it).
TOPIC_FACETS = ("category",)
# Words of these filters are in the offers' vocabulary fields: when a query has no other words,
# they are matched as words (the flags' words, "kostenlos", are in no offer's vocabulary).
VOCABULARY_FACETS = tuple(f.name for f in VOCABULARY_FILTERS)
# Ranking: an offer with a recognised value comes before all that lack it (the score of any
# query is far below this); one that the filter lets through as a wildcard gains a part.
FILTER_BOOST = 1000.0
WILDCARD_SHARE = 0.5
NAME = None  # entries without a language: proper names (areas), compared in any query
# A phrase that names nothing ("mein Mann": my husband, not the men's target group) takes its
# words like any entry, so its words name nothing alone either.
NAMES_NOTHING = ("", "")
_FUNCTION = "\0"  # marks a function word in a token sequence: compared as written, not stemmed


@dataclass(frozen=True)
class RecognisedFilter:
    facet: str  # a registered filter (filters.py): area, category, …, free, open_now, …
    value: str  # the filter value's slug ("free", "open" for the flags)
    words: tuple[str, ...]  # the query's words that named it, in query order
    count: int = 0  # results that have the value
    applied: bool = False  # the query already filters by it
    # Results that have any value of this filter that the same words name ("Kurdisch":
    # Kurmanji or Sorani): what choosing all of them together keeps.
    together: int = 0


@lru_cache(maxsize=20_000)
def name_key(word: str) -> str:
    """A proper name as typed in any language: umlauts as ae/oe/ue, other accents dropped."""
    text = normalise(word)
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, spelled)
    return fold(text).replace("'", "")


@lru_cache(maxsize=20_000)
def token(word: str, lang: str | None) -> str:
    """One word as the recognition compares it: its search term in ``lang`` (the first term,
    not a compound's parts), a function word as written, a proper name by ``name_key``."""
    if lang is NAME:
        return name_key(word)
    term = word_term(word, lang)
    if term is None or normalise(word) in function_words_by_language().get(lang, ()):
        # As written: stemmed, the Pashto "سره" (with) would be "سړی" (a man).
        return _FUNCTION + normalise(word, lang)
    return term


def never_recognised(words: dict) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """From the contents of filter-words.toml: the (filter, value) pairs a query never names
    (the listed values and the wildcards) and the (filter, name_key) of the vocabulary words
    that never name their filter."""
    never = words.get("not_recognised", {})
    values = {(facet, value) for facet, listed in never.get("values", {}).items()
              for value in listed} | WILDCARDS
    listed_words = {(facet, name_key(w)) for facet, listed in never.get("words", {}).items()
                    for w in listed}
    return values, listed_words


def _spelling(words: list[str]) -> tuple[str, ...]:
    return tuple(name_key(w) for w in words)


def _tokens(text: str, lang: str | None) -> tuple[str, ...]:
    return tuple(token(w, lang) for w in re.findall(TOKEN_PATTERN, text))


def _read(path: Path) -> dict:
    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        return tomllib.load(handle)


class FilterRecogniser:
    """Token sequences of every filter word, per language; finds them in a query."""

    def __init__(self, sources: dict[str, list[tuple[str, str, str]]], words: dict):
        """``sources``: per language, (filter, value, text) of the vocabularies' labels and
        synonyms and, under German, the area names (``documents.vocabulary_sources``);
        ``words``: the contents of filter-words.toml."""
        never = words.get("not_recognised", {})
        never_values, never_words = never_recognised(words)
        around = words.get("language_words", {})
        # language → token sequence → (filter, value) → the entries' words as spelt
        self._entries: dict[str | None, dict[tuple[str, ...], dict[tuple[str, str], set]]] = {}
        self._longest = 1

        def add(lang, facet, value, text):
            tokens = _tokens(text, lang)
            if tokens and not all(t.startswith(_FUNCTION) for t in tokens):
                self._entries.setdefault(lang, {}).setdefault(tokens, {}).setdefault(
                    (facet, value), set()).add(_spelling(re.findall(TOKEN_PATTERN, text)))
                self._longest = max(self._longest, len(tokens))

        for lang, entries in sources.items():
            for facet, value, text in entries:
                if (facet, value) in never_values or (facet, name_key(text)) in never_words:
                    continue
                if facet == "area":
                    add(NAME, facet, value, text)
                    continue
                if facet != "language":
                    add(lang, facet, value, text)
                    continue
                befores = around.get("before", {}).get(lang, ())
                # A name written with its word for "language" ("Af-Carabi") is also asked for
                # without it ("Carabi").
                names = [text] + [text[len(b) + 1:] for b in befores
                                  if text.casefold().startswith(f"{b.casefold()}-")]
                for name in names:
                    add(lang, facet, value, name)
                    for before in befores:
                        add(lang, facet, value, f"{before} {name}")
                    for after in around.get("after", {}).get(lang, ()):
                        add(lang, facet, value, f"{name} {after}")
        for facet, per_lang in words.get("flag", {}).items():
            for lang, texts in per_lang.items():
                for text in texts:
                    add(lang, facet, FLAG_VALUES[facet], text)
        # language → (filter, value, the first words' tokens, the second words' tokens)
        self._apart: dict[str, list[tuple[str, str, frozenset, frozenset]]] = {}
        for facet, per_lang in words.get("flag_apart", {}).items():
            for lang, (first, second) in per_lang.items():
                self._apart.setdefault(lang, []).append((
                    facet, FLAG_VALUES[facet], frozenset(token(w, lang) for w in first),
                    frozenset(token(w, lang) for w in second)))
        for lang, texts in never.get("phrases", {}).items():
            for text in texts:
                add(lang, *NAMES_NOTHING, text)

    @classmethod
    def load(cls, sources: dict[str, list[tuple[str, str, str]]],
             path: Path = FILTER_WORDS) -> FilterRecogniser:
        """Built once per process for the same vocabularies and word file (building one takes
        about a second; every app, and each test's app, would pay it again)."""
        key = (tuple((lang, tuple(entries)) for lang, entries in sorted(sources.items())),
               path, path.stat().st_mtime_ns if path.exists() else None)
        return _built(key)

    def recognise(self, text: str) -> list[RecognisedFilter]:
        """The filters the query's words name, longest phrase first, in query order."""
        return [r for r in self._recognised(text) if (r.facet, r.value) != NAMES_NOTHING]

    def _recognised(self, text: str) -> list[RecognisedFilter]:
        """What ``recognise`` finds, and the phrases that name nothing (NAMES_NOTHING)."""
        words = re.findall(TOKEN_PATTERN, text[:MAX_CHARS])[:MAX_WORDS]
        found = []  # (word positions, spelt as the entry, facet, value)
        languages = query_languages(words, content_languages())
        every_span = [(start, length) for start in range(len(words))
                      for length in range(min(self._longest, len(words) - start), 0, -1)]
        # (language, the spans read in it, whether only entries spelt as typed count)
        readings = [(lang, every_span, False) for lang in (NAME, *languages)]
        phrases = [(start, length) for start, length in every_span if length > 1]
        readings += [(lang, every_span if every_entry else phrases, True)
                     for lang, every_entry in _other_readings(words, languages)]
        for lang, spans, as_spelt in readings:
            entries = self._entries.get(lang)
            if not entries:
                continue
            tokens = [token(w, lang) for w in words]
            without_proclitics = _without_proclitics(words, lang)
            for start, length in spans:
                named = entries.get(tuple(tokens[start:start + length]))
                for variant in without_proclitics.get(start, ()) if not named else ():
                    # "لطفلي" (for my child) names what "طفلي" names.
                    named = entries.get((variant, *tokens[start + 1:start + length]))
                    if named:
                        break
                if not named:
                    continue
                spelt = _spelling(words[start:start + length])
                for (facet, value), spellings in named.items():
                    if spelt in spellings or not as_spelt:
                        found.append((tuple(range(start, start + length)), spelt in spellings,
                                      facet, value))
        for lang in languages:
            found += self._found_apart(words, lang)
        # The longest phrase first; where words match several entries, those spelt as typed
        # win over those that only share the stems (Persian رایگان "free" and رایانه
        # "computer" both stem to رای).
        taken: dict[int, tuple[tuple[int, ...], bool]] = {}  # word position → what took it
        chosen: dict[tuple[str, str], list[int]] = {}
        for positions, spelt, facet, value in sorted(
                found, key=lambda f: (-len(f[0]), f[0], not f[1])):
            span = (positions, spelt)
            if all(taken.get(p, span)[0] == positions and taken.get(p, span)[1] <= spelt
                   for p in positions):
                taken.update((p, span) for p in positions)
                chosen.setdefault((facet, value), []).extend(positions)
        ordered = sorted(chosen.items(), key=lambda item: min(item[1]))
        return [RecognisedFilter(facet, value, tuple(words[p] for p in sorted(set(positions))))
                for (facet, value), positions in ordered]

    def _found_apart(self, words: list[str], lang: str) -> list:
        """The switches two words name wherever they stand in the query ("Was hat heute in
        Grünau offen?"): one of each of an entry's two lists, in either order."""
        pairs = self._apart.get(lang)
        if not pairs:
            return []
        tokens = [token(w, lang) for w in words]
        found = []
        for facet, value, first, second in pairs:
            at_first = [i for i, t in enumerate(tokens) if t in first]
            at_second = [i for i, t in enumerate(tokens) if t in second]
            if at_first and at_second and at_first[0] != at_second[0]:
                found.append((tuple(sorted((at_first[0], at_second[0]))), True, facet, value))
        return found

    def understand(self, text: str, value_sets: Callable[[str, str], tuple[int, int]]
                   ) -> Understanding:
        """What ``text`` names, with each value's documents: ``value_sets(filter, value)``
        gives (documents with the value, documents the filter lets through)."""
        resolved, context = [], set()
        for recognised in self._recognised(text):
            if (recognised.facet, recognised.value) == NAMES_NOTHING:
                context.update(normalise(w) for w in recognised.words)
                continue
            own, matching = value_sets(recognised.facet, recognised.value)
            if own or recognised.facet in FLAG_VALUES:  # else no offer has the value
                resolved.append((recognised, own, matching))
        return Understanding(resolved, frozenset(context))


class Understanding:
    """Recognised filters with their document sets, for matching, ranking and the result."""

    def __init__(self, resolved: list[tuple[RecognisedFilter, int, int]],
                 context: frozenset[str] = frozenset()):
        self._resolved = resolved
        self._context = context  # words of phrases that name nothing ("mein Mann")

    def as_typed(self, spelt: dict[str, str]) -> Understanding:
        """The same, with words the search read in Latin letters (``spelt``: word as typed →
        its Latin spelling, "غروناو" → Grünau) named as typed again: those are the words
        that must not decide a match, and the words a client is told named the filter."""
        typed = {latin: word for word, latin in spelt.items()}
        if not typed:
            return self
        resolved = [(replace(r, words=tuple(typed.get(w, w) for w in r.words)), own, matching)
                    for r, own, matching in self._resolved]
        return Understanding(resolved, self._context)

    def searched(self, words: list) -> list:
        """The query words (anything with a ``text``) to search for: not those of a phrase
        that names nothing, which tell about the asker ("my husband"), not about the offer;
        all of them if nothing else would be left."""
        left = [w for w in words if normalise(w.text) not in self._context]
        return left or words

    def _words_of(self, facets: Iterable[str]) -> set[str]:
        return {normalise(w) for recognised, _, _ in self._resolved if recognised.facet in facets
                for w in recognised.words}

    def required(self, words: list) -> list:
        """The query words (anything with a ``text``) that must match: not those that name a
        filter, unless nothing would be left; then those found in offers' vocabularies stay."""
        if not self._resolved:
            return words
        facets = {r.facet for r, _, _ in self._resolved}
        for optional_facets in (facets - set(TOPIC_FACETS), facets - set(VOCABULARY_FACETS)):
            left = self._not_named_by(words, optional_facets)
            if left:
                return left
        return words

    def names_only_filters(self, words: list) -> bool:
        """Whether every query word (anything with a ``text``) names a filter other than a
        topic ("teenagers Paunsdorf"): they match as words only for want of others (required),
        so no offer is more complete than another, only nearer to more of the values named."""
        facets = {r.facet for r, _, _ in self._resolved} - set(TOPIC_FACETS)
        return bool(words) and not self._not_named_by(words, facets)

    def _not_named_by(self, words: list, facets: Iterable[str]) -> list:
        named = self._words_of(facets)
        return [w for w in words if not all(normalise(part) in named
                                            for part in w.text.split(" "))]

    def topic_named(self, word) -> int:
        """The offers of the categories a query word (anything with a ``text``) named, if it
        named one (else 0)."""
        parts = {normalise(part) for part in word.text.split(" ")}
        found = 0
        for recognised, own, _ in self._resolved:
            if recognised.facet in TOPIC_FACETS and \
                    parts <= {normalise(w) for w in recognised.words}:
                found |= own
        return found

    def boosts(self, complete: int, results: int, topic_complete: int | None = None
               ) -> list[tuple[float, int]]:
        """(score, documents) to add in ranking. Among the ``complete`` offers (those with every
        word that must match) the ones with a recognised value come first, then those the filter
        lets through as a wildcard (for everyone, citywide), each in order of relevance; an
        offer that lacks the other words gains nothing from naming, say, women alone. A value
        every one of the ``results`` has tells them nothing apart ("Beratung" in a directory
        of counselling services): it would only put the offers with every word first, before
        better matches of most of the words. A category's value lifts only the offers of
        ``topic_complete``, if given (those that also have a narrow word for it in their own
        texts: SearchService._with_topics_in_text); the other filters' values all of
        ``complete`` ("Farsi" in "Psychologin, die Farsi spricht")."""
        # The values the same words name count once: "дітьми" (children) names the category
        # children & family and the target group children, and must not lift a children's
        # clothes store above the housing advice for "житло для сім'ї з дітьми".
        by_words: dict[tuple[str, ...], tuple[int, int, bool, float]] = {}
        for recognised, own, matching in self._resolved:
            key = _named_by(recognised)
            owns, matchings, topic, share = by_words.get(key, (0, 0, False, 0.0))
            by_words[key] = (owns | own, matchings | matching,
                             topic or recognised.facet in TOPIC_FACETS,
                             max(share, BY_NAME[recognised.facet].boost_share))
        boosts = []
        for own, matching, topic, share in by_words.values():
            if not results & ~own:
                continue
            among = topic_complete if topic and topic_complete is not None else complete
            if own & among:
                boosts.append((FILTER_BOOST * share, own & among))
            if matching & ~own & among:
                boosts.append((FILTER_BOOST * share * WILDCARD_SHARE, matching & ~own & among))
        return boosts

    def found(self, results: int, selected: Callable[[str], tuple[str, ...]]
              ) -> list[RecognisedFilter]:
        """The recognised filters, each with how many ``results`` it would keep, alone and
        with the values of its filter that the same words name."""
        named: dict[tuple, int] = {}
        for r, _, matching in self._resolved:
            key = (r.facet, _named_by(r))
            named[key] = named.get(key, 0) | matching
        return [RecognisedFilter(r.facet, r.value, r.words, bitmaps.count(results & matching),
                                 r.value in selected(r.facet),
                                 bitmaps.count(results & named[(r.facet, _named_by(r))]))
                for r, _, matching in self._resolved]


def _without_proclitics(words: list[str], lang: str | None) -> dict[int, list[str]]:
    """Per word position, the tokens of the word without its one-letter proclitics, in a
    language stemmed like Arabic (analysis.arabic_proclitic_variants)."""
    info = all_languages().get(lang) if lang else None
    if info is None or info.stemmer != ARABIC_STEMMER:
        return {}
    return {position: [token(v, lang) for v in variants] for position, word in enumerate(words)
            if (variants := arabic_proclitic_variants(word))}


def _other_readings(words: list[str], languages: list[str]) -> list[tuple[str, bool]]:
    """The other content languages of the query's scripts, where entries spelt as typed count
    too: every such entry (True) where a single word decides the script's language and it is
    only a function word there ("bike" is a Kurmanji verb form, "بيت" a Sorani one, but "bike
    repair" is English and "بيت حماية النساء", a women's shelter, Arabic), else phrases of two
    or more words (the Pashto "بې له پیسو", without money, reads as Sorani by its "بې" and "له",
    but the whole phrase is Pashto). Two function words decide ("what kind of help" stays
    English, "ji min re alîkarî bike", help me, Kurmanji)."""
    readings = []
    for script in dict.fromkeys(script_of(w) for w in words):  # in query order
        chosen = [lang for lang in languages if language_script(lang) == script]
        telling = [w for w in words if script_of(w) == script
                   and any(token(w, lang).startswith(_FUNCTION) for lang in chosen)]
        by_one = len(telling) == 1 and all(token(telling[0], lang).startswith(_FUNCTION)
                                           for lang in chosen)
        readings += [(lang, by_one) for lang in content_languages()
                     if language_script(lang) == script and lang not in chosen]
    return readings


def _named_by(recognised: RecognisedFilter) -> tuple[str, ...]:
    """The words that named a recognised filter, as normalised."""
    return tuple(normalise(w) for w in recognised.words)


@lru_cache(maxsize=4)
def _built(key) -> FilterRecogniser:
    sources, path, _modified = key
    return FilterRecogniser({lang: list(entries) for lang, entries in sources}, _read(path))
