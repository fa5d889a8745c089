"""The words of a query as the needs report counts them: split and normalised exactly as the
search splits and normalises them (not stemmed, so people can read them), without stop words
and function words (which never decide a match), and without anything that carries digits
(phone numbers, dates, house numbers)."""
from __future__ import annotations

from functools import lru_cache

from .analysis import function_words, normalise, query_words, stopwords
from .schema import content_languages
from .service import MAX_QUERY_CHARS, MAX_QUERY_TOKENS, MAX_QUERY_WORDS

MIN_LENGTH = 2
MAX_LENGTH = 40


@lru_cache(maxsize=4)
def _ignored(languages: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(function_words(), *(stopwords(lang) for lang in languages))


def _without_addresses(text: str) -> str:
    """``text`` without e-mail and web addresses: they name a person or a site, never a need
    (split into words, "max@example.org" would count "max", "example" and "org")."""
    return " ".join(chunk for chunk in text.split()
                    if "@" not in chunk and "://" not in chunk
                    and not chunk.casefold().startswith("www."))


def counted_words(text: str) -> list[str]:
    """The distinct normalised words of ``text`` worth counting, in query order."""
    counted: list[str] = []
    for word in query_words(_without_addresses(text or ""), MAX_QUERY_CHARS, MAX_QUERY_TOKENS):
        if normalise(word) in _ignored(content_languages()) or any(char.isdigit() for char in word):
            continue
        # Letter forms unified (as the search matches them): مدرسة and مدرسه count as one.
        key = normalise(word).replace("'", "")
        if MIN_LENGTH <= len(key) <= MAX_LENGTH and key not in counted:
            counted.append(key)
        if len(counted) == MAX_QUERY_WORDS:
            break
    return counted
