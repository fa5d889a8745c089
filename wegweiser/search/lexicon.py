"""Translations learned from the directory's own translated offers.

An offer written in German and translated into Arabic is, line by line, a pair of sentences
that say the same. Counted over many offers, an Arabic word and the German word that keep
appearing in the same pair of lines are likely translations (Dice coefficient over aligned
units, as in the early corpus-based cross-language retrieval work: Sheridan & Ballerini 1996;
Nie et al. 1999). With them, an Arabic question also finds an offer that nobody has
translated into Arabic yet, through its German or English text.

The lexicon is derived data like the index: learned from the published offers when a
generation is built (updater.rebuild) and kept in that generation's directory. Nothing from
users' searches goes into it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

LEXICON_FILE = "lexicon.json"
# A pair of words must meet in this many aligned units, with this Dice coefficient at least;
# each word keeps its best translation per target language. Tuned on the tuning half of
# benchmarks/integreat_benchmark.py --untranslated (README).
MIN_PAIRS = 2
MIN_DICE = 0.3
# Translations are learned between each language and the languages most offers have texts
# in (more pairs found more on the tuning half of --untranslated; fewer bound the work).
PIVOT_LANGUAGES = 4
# Bounds on the work: units with more words than this are not paired word by word (a whole
# text pairs every word with every other), and per language pair only so many units are read.
MAX_UNIT_TERMS = 40
MAX_UNITS_PER_PAIR = 5000
ANALYSED_TEXTS = 50_000  # analysed lines kept while learning (each is in several pairs)

# source language → its term → [(target language, target term)]
Lexicon = dict[str, dict[str, list[tuple[str, str]]]]
# One offer's texts: language → field → text
OfferTexts = dict[str, dict[str, str]]


def aligned_units(source: dict[str, str], target: dict[str, str]) -> list[tuple[str, str]]:
    """The pairs of text that say the same, from one offer's fields in two languages: line by
    line where a field has as many lines in both, else the whole field."""
    units = []
    for field, text in source.items():
        other = target.get(field)
        if not other:
            continue
        lines, other_lines = _lines(text), _lines(other)
        if len(lines) == len(other_lines):
            units.extend(zip(lines, other_lines, strict=True))
        else:
            units.append((text, other))
    return units


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def pivot_languages(offers: list[OfferTexts]) -> set[str]:
    """The PIVOT_LANGUAGES languages most offers have texts in (ties: by code)."""
    counts: dict[str, int] = {}
    for texts in offers:
        for lang in texts:
            counts[lang] = counts.get(lang, 0) + 1
    return set(sorted(counts, key=lambda lang: (-counts[lang], lang))[:PIVOT_LANGUAGES])


def learn(offers: list[OfferTexts], terms: Callable[[str, str], list[str]]) -> Lexicon:
    """The lexicon of a set of offers (newest last): translations between every language and
    the pivot languages, both ways; ``terms(text, lang)`` analyses text as the index does."""
    lexicon: Lexicon = {}
    languages = sorted({lang for texts in offers for lang in texts})
    pivots = pivot_languages(offers)
    analysed: dict[tuple[str, str], frozenset[str]] = {}

    def term_set(text: str, lang: str) -> frozenset[str]:
        """A text's terms; each text is in several pairs, so kept (up to ANALYSED_TEXTS)."""
        found = analysed.get((lang, text))
        if found is None:
            found = frozenset(terms(text, lang))
            if len(analysed) < ANALYSED_TEXTS:
                analysed[(lang, text)] = found
        return found

    for position, first in enumerate(languages):
        for second in languages[position + 1:]:
            if first not in pivots and second not in pivots:
                continue
            forward, backward = _translations(_units(offers, first, second, term_set))
            for lang, other, found in ((first, second, forward), (second, first, backward)):
                for term, translation in found.items():
                    lexicon.setdefault(lang, {}).setdefault(term, []).append((other, translation))
    return lexicon


def _units(offers: list[OfferTexts], first: str, second: str,
           term_set: Callable[[str, str], frozenset[str]]):
    """The aligned units of two languages as pairs of term sets, newest offers first, at most
    MAX_UNITS_PER_PAIR."""
    count = 0
    for texts in reversed(offers):
        if first not in texts or second not in texts:
            continue
        for text, other in aligned_units(texts[first], texts[second]):
            yield term_set(text, first), term_set(other, second)
            count += 1
            if count >= MAX_UNITS_PER_PAIR:
                return


def _translations(units: Iterable[tuple[frozenset[str], frozenset[str]]]
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """Each term's best translation by Dice over the aligned units (if good enough), from the
    first language to the second and back."""
    ids: dict[str, int] = {}
    other_ids: dict[str, int] = {}
    lefts, rights = [], []
    for left_terms, right_terms in units:
        if not left_terms or not right_terms or len(left_terms) > MAX_UNIT_TERMS \
                or len(right_terms) > MAX_UNIT_TERMS:
            continue
        lefts.append(np.fromiter((ids.setdefault(t, len(ids)) for t in left_terms), np.int64))
        rights.append(np.fromiter((other_ids.setdefault(t, len(other_ids))
                                   for t in right_terms), np.int64))
    if not lefts:
        return {}, {}
    # In how many units each term occurs, and each pair of terms together.
    left_units = np.bincount(np.concatenate(lefts), minlength=len(ids))
    right_units = np.bincount(np.concatenate(rights), minlength=len(other_ids))
    pairs = np.concatenate([np.repeat(left, len(right)) * len(other_ids) + np.tile(right, len(left))
                            for left, right in zip(lefts, rights, strict=True)])
    pairs, together = np.unique(pairs, return_counts=True)
    a, b = pairs // len(other_ids), pairs % len(other_ids)
    dice = 2 * together / (left_units[a] + right_units[b])
    keep = (together >= MIN_PAIRS) & (dice >= MIN_DICE)
    a, b, dice = a[keep], b[keep], dice[keep]
    names, other_names = list(ids), list(other_ids)
    return (_best(a, b, dice, names, other_names), _best(b, a, dice, other_names, names))


def _best(terms: np.ndarray, translations: np.ndarray, scores: np.ndarray,
          names: list[str], translation_names: list[str]) -> dict[str, str]:
    """Per term its translation with the highest score (ties: the first in sort order)."""
    best: dict[int, tuple[float, str]] = {}
    for term, translation, score in zip(terms.tolist(), translations.tolist(), scores.tolist(),
                                        strict=True):
        word = translation_names[translation]
        if term not in best or (-score, word) < (-best[term][0], best[term][1]):
            best[term] = (score, word)
    return {names[term]: word for term, (_, word) in best.items()}


def save(lexicon: Lexicon, directory: Path) -> None:
    (directory / LEXICON_FILE).write_text(json.dumps(lexicon, ensure_ascii=False,
                                                     sort_keys=True), encoding="utf-8")


def load(directory: Path) -> Lexicon:
    """The lexicon of a generation; empty for one written before lexicons or damaged (a
    search never fails on it: what is not a (language, term) pair of strings is left out)."""
    try:
        raw = json.loads((directory / LEXICON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    lexicon: Lexicon = {}
    for lang, table in raw.items():
        if not isinstance(table, dict):
            continue
        for term, pairs in table.items():
            kept = [(pair[0], pair[1]) for pair in pairs if isinstance(pair, list)
                    and len(pair) == 2 and all(isinstance(part, str) for part in pair)] \
                if isinstance(pairs, list) else []
            if kept:
                lexicon.setdefault(lang, {})[term] = kept
    return lexicon
