"""Language-aware text analysis: tokenising, per-script normalisation, Snowball stemming, folding.

Whoosh pickles the schema with its analyzers, so every filter here is a plain picklable object;
the PyStemmer stemmer (not picklable) is created lazily and left out of the pickle.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, RegexTokenizer, StopFilter
from whoosh.lang import NoStopWords, stopwords_for_language

# Word characters plus the marks that sit inside words (Arabic harakat, tatweel, combining
# accents, zero-width (non-)joiners), so "مَدْرَسَة" or "می‌خواهم" stay one token.
TOKEN_PATTERN = (
    r"[\w\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]+"
)

# Snowball algorithms for our content languages (PyStemmer names); others are only folded.
SNOWBALL = {"de": "german", "en": "english", "ar": "arabic", "fa": "persian", "ru": "russian",
            "tr": "turkish", "fr": "french"}

_COMMON = {
    "\u0640": None,  # tatweel
    "\u200c": None, "\u200d": None,  # zero-width non-joiner / joiner
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ؤ": "و",
    "ё": "е",
    "ı": "i",  # Turkish dotless i: users type either
}
# Yeh and kaf have an Arabic and a Persian form; people type either on either keyboard. Each
# field folds them to its own language's form (Persian forms elsewhere), so both match.
_ARABIC_FORMS = {"ی": "ي", "ى": "ي", "ئ": "ي", "ک": "ك"}
_PERSIAN_FORMS = {"ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک"}
_SCRIPT_MAPS = {
    "ar": str.maketrans({**_COMMON, **_ARABIC_FORMS}),
    None: str.maketrans({**_COMMON, **_PERSIAN_FORMS}),
}

# Extra stop words for languages Whoosh has no list for; short, only the commonest words.
_EXTRA_STOPWORDS = {
    "fa": "و در به از که این را با است برای آن یک تا های می بر".split(),
    "uk": "і й та в у на з до що як це за для по від не а але".split(),
    "ar": "في من على إلى عن مع و أو هذا هذه ال".split(),
}


@lru_cache(maxsize=16)
def stopwords(lang: str) -> frozenset[str]:
    words: set[str] = set(_EXTRA_STOPWORDS.get(lang, ()))
    try:
        words.update(stopwords_for_language(lang))
    except NoStopWords:
        pass
    return frozenset(normalise(w, lang) for w in words)


def normalise(text: str, lang: str | None = None) -> str:
    """Compose, lower-case and unify letter forms across scripts; strip standalone marks."""
    table = _SCRIPT_MAPS.get(lang) or _SCRIPT_MAPS[None]
    text = unicodedata.normalize("NFKC", text).casefold().translate(table)
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if ord(char) < 0x250:  # Latin: ä → a, é → e, ş → s, ß was already ss
        return "".join(c for c in unicodedata.normalize("NFKD", char)
                       if unicodedata.category(c) != "Mn")
    return char


def fold(text: str) -> str:
    """Remove Latin diacritics (after stemming, which may need them)."""
    if text.isascii():
        return text
    return "".join(_fold_char(c) for c in text)


class NormaliseFilter(Filter):
    def __init__(self, lang: str | None = None):
        self.lang = lang

    def __call__(self, tokens):
        for token in tokens:
            token.text = normalise(token.text, self.lang)
            if token.text:
                yield token


class SnowballFilter(Filter):
    """Stems with PyStemmer, repeating until the stem is stable (German ``kurse``/``kurs``)."""

    is_morph = True

    def __init__(self, algorithm: str, passes: int = 1):
        self.algorithm = algorithm
        self.passes = passes

    def __getstate__(self):
        return {"algorithm": self.algorithm, "passes": self.passes}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _stem(self, word: str) -> str:
        stemmer = self.__dict__.get("_stemmer")
        if stemmer is None:
            import Stemmer

            stemmer = self.__dict__["_stemmer"] = Stemmer.Stemmer(self.algorithm, 10000)
        for _ in range(self.passes):
            stemmed = stemmer.stemWord(word)
            if stemmed == word:
                break
            word = stemmed
        return word

    def __eq__(self, other):
        return isinstance(other, SnowballFilter) and self.__getstate__() == other.__getstate__()

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = self._stem(token.text)
            yield token


class FoldFilter(Filter):
    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def language_analyzer(lang: str | None):
    """The analyzer of one content language (``None``: any other language, folded only)."""
    chain = RegexTokenizer(TOKEN_PATTERN) | NormaliseFilter(lang)
    if lang:
        chain = chain | StopFilter(stoplist=stopwords(lang), minsize=1)
    if lang in SNOWBALL:
        chain = chain | SnowballFilter(SNOWBALL[lang], passes=2 if lang == "de" else 1)
    return chain | FoldFilter()


def query_words(text: str, max_chars: int, max_words: int) -> list[str]:
    """Split a user's query into plain words (no operators), capped in length and number."""
    import re

    words = re.findall(TOKEN_PATTERN, text[:max_chars])
    seen: list[str] = []
    for word in words:
        if word not in seen:
            seen.append(word)
        if len(seen) == max_words:
            break
    return seen
