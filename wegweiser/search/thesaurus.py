"""Concepts in many languages: a query word in one language also finds the concept written in
another ("futbol" → "Fußball", "تروما" → "Trauma"). Query-time only; the index is unchanged."""
from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from .analysis import THESAURUS, TOKEN_PATTERN, fold, normalise, word_term

MAX_PHRASE_WORDS = 3


def concept_key(text: str) -> str:
    words = re.findall(TOKEN_PATTERN, text)
    return " ".join(fold(normalise(w)).replace("'", "") for w in words)


class Thesaurus:
    def __init__(self, concepts: list[dict]):
        self._by_key: dict[str, list[int]] = {}
        # A word written as no entry is, matched by its stem among the entries of its language:
        # "evict" (the entry is "eviction"), "лікарів" ("лікар").
        self._by_stem: dict[tuple[str, str], list[int]] = {}
        self._expansions: list[list[tuple[str, str]]] = []
        for index, concept in enumerate(concepts):
            pairs = [(lang, w) for lang, values in concept.items() if lang != "id"
                     for w in values]
            # Expansions are single words: a phrase would match its words one by one.
            self._expansions.append(sorted({(lang, w) for lang, w in pairs
                                            if len(re.findall(TOKEN_PATTERN, w)) == 1}))
            for lang, word in pairs:
                key = concept_key(word)
                if key:
                    self._by_key.setdefault(key, []).append(index)
                stem = word_term(word, lang) if " " not in key else None
                if stem and index not in self._by_stem.get((lang, stem), ()):
                    self._by_stem.setdefault((lang, stem), []).append(index)

    @classmethod
    def load(cls, path: Path = THESAURUS, city: str | None = None) -> Thesaurus:
        """The thesaurus in ``path`` with the words of ``city``'s own concepts (cities.py),
        read once per process and city while the file is unchanged (it is never changed after
        it is built; every app of a process serving that city shares it)."""
        if not path.exists():
            return cls(list(_city_concepts(city)))
        return _read(path, path.stat().st_mtime_ns, city)

    def knows(self, word: str) -> bool:
        """Whether ``word`` is a word of some concept, in any language."""
        return concept_key(word) in self._by_key

    def group(self, words: list[str], languages: tuple[str, ...] = ()
              ) -> list[tuple[str, list[tuple[str, str]]]]:
        """Join words that form a known phrase; each item: (text, (language, word) of the
        same concepts). A single word written as no entry is looked up by its stem in each of
        ``languages`` (the languages the query may be in)."""
        grouped, i = [], 0
        while i < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                text = " ".join(words[i:i + size])
                concepts = self._by_key.get(concept_key(text))
                if not concepts and size == 1:
                    concepts = [c for lang in languages
                                for c in self._by_stem.get((lang, word_term(text, lang)), ())]
                if concepts or size == 1:
                    expansions = sorted({w for c in concepts or () for w in self._expansions[c]})
                    grouped.append((text, expansions))
                    i += size
                    break
        return grouped


@functools.cache
def _read(path: Path, modified: int, city: str | None) -> Thesaurus:  # noqa: ARG001 - key
    with open(path, "rb") as handle:
        concepts = tomllib.load(handle).get("concept", [])
    return Thesaurus(with_city_concepts(concepts, _city_concepts(city)))


def _city_concepts(city: str | None) -> tuple[dict, ...]:
    from ..cities import city_info

    return city_info(city).concepts if city else ()


def with_city_concepts(concepts: list[dict], own: tuple[dict, ...]) -> list[dict]:
    """``concepts`` with a city's own: a concept of the same id gains its words (after its
    own, each word once), any other is added."""
    merged = {concept["id"]: dict(concept) for concept in concepts}
    for concept in own:
        into = merged.setdefault(concept["id"], {"id": concept["id"]})
        for lang, words in concept.items():
            if lang != "id":
                into[lang] = list(dict.fromkeys([*into.get(lang, []), *words]))
    return list(merged.values())
