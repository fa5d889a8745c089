"""Language-aware text analysis: tokenising, per-script normalisation, Snowball stemming, folding.

Whoosh pickles the schema with its analyzers, so every filter here is a plain picklable object;
the PyStemmer stemmer (not picklable) is created lazily and left out of the pickle.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.lang import NoStopWords, stopwords_for_language

from ..languages import LanguageInfo, all_languages

# Word characters plus the marks that sit inside words (Arabic harakat, tatweel, combining
# accents, zero-width (non-)joiners), so "مَدْرَسَة" or "می‌خواهم" stay one token.
_WORD = r"[\w\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]+"
# An apostrophe inside a word keeps it whole: "сім'я", "d'allemand", "Almanya'da".
TOKEN_PATTERN = rf"{_WORD}(?:['’ʼ]{_WORD})*"
APOSTROPHES = "'’ʼ"
# German compounds: the parts of a long word (split where it may be hyphenated) are indexed
# too, marked, so "Beratung" finds "Asylberatung" and "Fußball" finds "Fußballtraining".
COMPOUND_PART = "~"
COMPOUND_LANGUAGES = frozenset(code for code, info in all_languages().items() if info.compounds)
MIN_COMPOUND_LENGTH = 8
MIN_PART_LENGTH = 4
# Between the labels and synonyms of an event's vocabulary field (documents.py); no token
# contains it.
LABEL_SEPARATOR = " ; "
FRENCH_ELISIONS = ("l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu")

# How each language is analysed (Snowball algorithm, lemmatiser, compounds, letter forms) is
# data: the ``search`` table of its entry in languages.toml. Languages without one are folded.

_COMMON = {
    "\u0640": None,  # tatweel
    "\u200c": None, "\u200d": None,  # zero-width non-joiner / joiner
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ؤ": "و",
    "ё": "е",
    "ı": "i",  # Turkish dotless i: users type either
    # Arabic-Indic and Persian digits: "١٥" and "۱۵" are the "15" of a German text.
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    "’": "'", "ʼ": "'",
    # Pashto and Sorani letters that people without those keyboards type as the Persian ones.
    "ګ": "گ", "ټ": "ت", "ډ": "د", "ړ": "ر", "ڼ": "ن", "ږ": "ژ", "ښ": "ش", "ې": "ی", "ۍ": "ی",
    "ە": "ه", "ھ": "ه", "ێ": "ی", "ۆ": "و", "ڵ": "ل", "ڕ": "ر", "ڤ": "ف",
    # Ethiopic: the ሠ and ፀ series sound like ሰ and ጸ in Tigrinya and are spelled either way.
    **{chr(0x1220 + i): chr(0x1230 + i) for i in range(8)},
    **{chr(0x1340 + i): chr(0x1338 + i) for i in range(8)},
}
# Yeh and kaf have an Arabic and a Persian form; people type either on either keyboard. Each
# field folds them to its own language's form (Persian forms elsewhere), so both match.
_ARABIC_FORMS = {"ی": "ي", "ى": "ي", "ئ": "ي", "ک": "ك"}
_PERSIAN_FORMS = {"ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک"}


def _letter_map(forms: dict[str, str]) -> dict:
    combined = {**_COMMON, **forms}
    return str.maketrans({k: forms.get(v, v) if v else v for k, v in combined.items()})


_SCRIPT_MAPS = {"arabic": _letter_map(_ARABIC_FORMS), None: _letter_map(_PERSIAN_FORMS)}
_STEMMING_MAPS = {key: {char: to for char, to in table.items() if char != ord("ı")}
                  for key, table in _SCRIPT_MAPS.items()}


@lru_cache(maxsize=64)
def _settings(lang: str | None) -> LanguageInfo | None:
    return all_languages().get(lang) if lang else None

# Stop words for languages Whoosh has no list for: closed-class words only, as in the Snowball
# lists Whoosh ships for the others (pronouns, prepositions, conjunctions, particles, the forms
# of "to be"); never a word that names a topic.
_EXTRA_STOPWORDS = {
    "fa": "و در به از که این را با است برای آن یک تا های می بر".split(),
    "uk": """
        і й та а але або чи що щоб як коли де хто це цей ця ці цього цієї цих цим цими цьому
        той те ті того тієї тих тим тими тому
        я ти він вона воно ми ви вони мене мені мною тебе тобі тобою його йому ним ньому її їй
        нею неї нас нам нами вас вам вами їх їм ними них себе собі собою
        мій моя моє мої мого моєї моїх моїм твій твоя твоє твої свій своя своє свої свого своєї
        своїх наш наша наше наші нашого нашої наших ваш ваша ваше ваші вашого вашої ваших
        в у на з із зі до від по про за через при без між під над перед після для біля крізь
        є був була було були бути буде будуть не ні ж же б би ось ще вже лише тільки теж також
        навіть так тут там тоді якщо бо адже хоча який яка яке які якого якої яких якому яким
        якими весь вся все всі всього всієї всіх
    """.split(),
    "ar": """
        في من على إلى الى عن مع عند لدى حول بين بعد قبل خلال حتى منذ دون ضد نحو عبر
        و أو او ثم لكن بل أم ف أن إن ان أنّ إنّ لا لم لن ما قد هل ليس ليست كل بعض غير أي
        هو هي هم هن هما أنا انا نحن أنت انت أنتم انتم
        هذا هذه ذلك تلك هؤلاء أولئك هنا هناك الذي التي الذين اللذين اللتين اللاتي اللواتي
        فيه فيها فيهم منه منها منهم عليه عليها عليهم إليه إليها اليه اليها له لها لهم لنا لي
        لك لكم به بها بهم عنه عنها عنهم معه معها معهم
        كان كانت يكون تكون كانوا أيضا ايضا فقط جدا كما إذا اذا لأن لان حيث عندما ال
    """.split(),
}


@lru_cache(maxsize=16)
def stopwords(lang: str) -> frozenset[str]:
    words: set[str] = set(_EXTRA_STOPWORDS.get(lang, ()))
    try:
        words.update(stopwords_for_language(lang))
    except NoStopWords:
        pass
    return frozenset(normalise(w, lang) for w in words)


REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
FUNCTION_WORDS = REFERENCE / "function-words.toml"
THESAURUS = REFERENCE / "concepts.toml"


@lru_cache(maxsize=1)
def _function_word_lists() -> dict[str, list[str]]:
    """function-words.toml: per language, its words as listed."""
    with FUNCTION_WORDS.open("rb") as handle:
        return {lang: text.split() for lang, text in tomllib.load(handle)["words"].items()}


@lru_cache(maxsize=1)
def function_words_by_language() -> dict[str, frozenset[str]]:
    """Question words, pronouns, auxiliaries… per language, as normalised: query words that
    never decide a match (on top of the stop words). Not used when indexing."""
    return {lang: frozenset(normalise(word) for word in words)
            for lang, words in _function_word_lists().items()}


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """The function words of every language together."""
    return frozenset().union(*function_words_by_language().values())


def script_of(word: str) -> str:
    """The Unicode script of a word's first letter ("LATIN", "ARABIC", "ETHIOPIC"…)."""
    for char in word:
        if char.isalpha():
            return unicodedata.name(char, "?").split(" ")[0]
    return "?"


@lru_cache(maxsize=64)
def ignorable_words(lang: str) -> frozenset[str]:
    """A language's function words and stop words, as normalised."""
    return function_words_by_language().get(lang, frozenset()) | stopwords(lang)


@lru_cache(maxsize=64)
def language_script(lang: str) -> str:
    """The script a language is written in: that of its name in itself ("?" if unknown)."""
    info = all_languages().get(lang)
    return script_of(info.autonym) if info else "?"


def query_languages(words: list[str], languages: tuple[str, ...]) -> list[str]:
    """The languages of ``languages`` a query may be in: per script its words are written in,
    those whose function and stop words it uses most, all of a script if it uses none (of a
    script it does not use, none). "what kind of help" is English,
    so its "kind" is not the German "Kind"; "ev" stays a word in a Turkish query though
    Kurmanji has it as a function word; the Arabic "أين" (where) makes a question Arabic though
    it is spelt like the Persian "این" (this) once letter forms are unified."""
    normalised = [without_elision(normalise(w)) for w in words]
    scripts = [script_of(w) for w in words]
    counts = {lang: sum(w in ignorable_words(lang) for w in normalised) for lang in languages}
    # Words typed in lower case with a letter a language never writes ("bağışı": ğ, ı, ş) rule
    # that language out where they are at least as many as its function words, unless that
    # rules out every language of the script: "kan bağışı" (blood donation) is Turkish, though
    # "kan" is a Somali function word; "a place in a crèche" stays English.
    typed = [(script, _letters(w)) for w, script in zip(words, scripts, strict=True)
             if w[:1].islower()]
    ruled_out = set()
    for lang, count in counts.items():
        if letters_of(lang):
            foreign = sum(script == language_script(lang) and not letters <= letters_of(lang)
                          for script, letters in typed)
            if foreign and foreign >= count:
                ruled_out.add(lang)
    kept_scripts = {language_script(lang) for lang in counts if lang not in ruled_out}
    counts = {lang: count for lang, count in counts.items()
              if lang not in ruled_out or language_script(lang) not in kept_scripts}
    best = dict.fromkeys(scripts, 0)
    for lang, count in counts.items():
        script = language_script(lang)
        if script in best:
            best[script] = max(best[script], count)
    chosen = [lang for lang, count in counts.items() if count == best.get(language_script(lang))]
    # Where languages of a script tie, those whose function words the query spells as they
    # are written win: the Arabic "بيت" (house) is the Sorani "بێت" only once ێ is folded,
    # so "أحتاج بيت" is Arabic, not also Sorani (which would set the house aside as a
    # function word).
    by_script: dict[str, list[str]] = {}
    for lang in chosen:
        by_script.setdefault(language_script(lang), []).append(lang)
    tied = [lang for script, tied_languages in by_script.items()
            if len(tied_languages) > 1 and best[script] for lang in tied_languages]
    if not tied:
        return chosen
    written = [_marks_removed(w) for w in words]
    spelt = {lang: sum(w in function_words_as_written(lang) for w in written) for lang in tied}
    best_spelt: dict[str, int] = {}
    for lang, count in spelt.items():
        script = language_script(lang)
        best_spelt[script] = max(best_spelt.get(script, 0), count)
    return [lang for lang in chosen
            if lang not in spelt or spelt[lang] == best_spelt[language_script(lang)]]


@lru_cache(maxsize=4096)
def _letters(text: str) -> frozenset[str]:
    return frozenset(c for c in unicodedata.normalize("NFC", text).casefold() if c.isalpha())


def letters_of(lang: str) -> frozenset[str]:
    """Every letter a language's reference words are written with (its function words and its
    words in the thesaurus): "ı" is Turkish, not Somali. Empty for a language without any
    (query_languages rules nothing out by it then)."""
    return _reference_letters().get(lang, frozenset())


@lru_cache(maxsize=1)
def _reference_letters() -> dict[str, frozenset[str]]:
    texts = {lang: list(words) for lang, words in _function_word_lists().items()}
    with THESAURUS.open("rb") as handle:
        for concept in tomllib.load(handle)["concept"]:
            for lang, words in concept.items():
                if lang != "id":
                    texts.setdefault(lang, []).extend(words)
    return {lang: _letters(" ".join(words)) for lang, words in texts.items()}


@lru_cache(maxsize=64)
def function_words_as_written(lang: str) -> frozenset[str]:
    """A language's function words as spelt (case, marks, joiners and alef forms unified
    only): the Sorani "بێت" is not the Arabic "بيت"."""
    return frozenset(_marks_removed(word) for word in _function_word_lists().get(lang, ()))


# Snowball stemmers whose rules read accents (French -ée, -és, -ité: spécialisées and spécialisé
# stem alike only as written; Turkish suffixes follow vowel harmony: kursları is kurs only with
# its dotless ı): the word is stemmed as written, then folded; its stem folded first is a second
# term (LanguageFilter._terms), for text typed without accents.
STEMS_WITH_ACCENTS = frozenset({"french", "turkish"})
# The stemmer setting of Arabic: the light stemmer below, not Snowball's.
ARABIC_STEMMER = "arabic"
# For the proclitic variants only tatweel, joiners and the alef forms are unified (typed
# ألمانيا and المانيا alike).
_AS_WRITTEN = str.maketrans({"\u0640": None, "\u200c": None, "\u200d": None,
                             "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


def _composed(text: str, table: dict) -> str:
    """``text`` composed, lower-cased and translated by ``table``, without standalone marks
    (harakat, combining accents)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(table)
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def _marks_removed(text: str) -> str:
    """A word composed and lower-cased, without its marks (harakat) and tatweel, one alef."""
    return _composed(text, _AS_WRITTEN)


# Arabic proclitics written as one letter joined to the next word: و and ف (and), then ب (with,
# in), ل (for), ك (like). The light stemmer removes only و alone (and ب/ك/ف with the article),
# so a query word is also looked for without them where that form is in more offers
# than the word as written (SearchService._with_proclitics).
ARABIC_CONJUNCTIONS = "وف"
ARABIC_PREPOSITIONS = "بلك"
MIN_ARABIC_STEM_WORD = 3  # letters left after a proclitic is removed


def arabic_proclitic_variants(word: str) -> list[str]:
    """``word`` without its one-letter proclitics (و/ف, then ب/ل/ك), shortest removal first."""
    text = _marks_removed(word)
    variants = []
    if text[:1] and text[0] in ARABIC_CONJUNCTIONS:
        text = text[1:]
        if len(text) >= MIN_ARABIC_STEM_WORD:
            variants.append(text)
    if text[:1] and text[0] in ARABIC_PREPOSITIONS and len(text) > MIN_ARABIC_STEM_WORD:
        variants.append(text[1:])
    return variants


# Arabic light stemming (Larkey, Ballesteros & Connell, "Light Stemming for Arabic Information
# Retrieval", 2007: "light10", also Lucene's ArabicStemmer): on the normalised word (one alef,
# ة as ه, ى as ي), one prefix (و only if three letters remain, the others if two do), then each
# suffix of the list at most once, in its order, if two letters remain. Unlike the Snowball
# stemmer it never takes a word's own first letter for a preposition (برنامج, not رنامج) and
# removes the plural endings ات/ين/ون whole.
_LIGHT_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_LIGHT_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def arabic_light_stem(word: str) -> str:
    """The light10 stem of a normalised Arabic word."""
    for prefix in _LIGHT_PREFIXES:
        if word.startswith(prefix) and len(word) >= len(prefix) + (3 if prefix == "و" else 2):
            word = word[len(prefix):]
            # With one alef, a word that begins with أل reads like the article: ألمانية loses
            # "ال" and so must الألمانية after its article (else the two stem apart).
            if prefix != "و" and word.startswith("ال") and len(word) >= 4:
                word = word[2:]
            break
    for suffix in _LIGHT_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[:-len(suffix)]
    return word


def suffix_stem(lang: str, word: str) -> str:
    """Light stemming by the language's ``suffix_steps`` (languages.toml), for a normalised,
    folded word: each step removes at most one ending, the longest that leaves ``min_stem``
    letters, one more for an ending of several letters: the Pashto "ښځو" (of the women) is
    ښځ + و, but "بیانو" (piano) is no بی + انو."""
    min_stem = _settings(lang).min_stem
    for step in _suffix_steps(lang):
        for suffix in step:
            if word.endswith(suffix) and \
                    len(word) >= len(suffix) + min_stem + (len(suffix) > 1):
                word = word[:-len(suffix)]
                break
    return word


@lru_cache(maxsize=16)
def _suffix_steps(lang: str) -> tuple[tuple[str, ...], ...]:
    """The endings of each step as the index writes them (Pashto ې and ۍ are ی), longest
    first."""
    return tuple(tuple(sorted(dict.fromkeys(fold(normalise(suffix, lang)) for suffix in step),
                              key=len, reverse=True))
                 for step in _settings(lang).suffix_steps)


def normalise(text: str, lang: str | None = None, for_stemming: bool = False) -> str:
    """Compose, lower-case and unify letter forms across scripts; strip standalone marks.
    ``for_stemming``: the dotless ı stays (fold() unifies it after stemming)."""
    settings = _settings(lang)
    maps = _STEMMING_MAPS if for_stemming else _SCRIPT_MAPS
    return _composed(text, maps.get(settings.letter_forms if settings else None) or maps[None])


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char == "ı":
        return "i"
    if ord(char) < 0x250:  # Latin: ä → a, é → e, ş → s, ß was already ss
        return "".join(c for c in unicodedata.normalize("NFKD", char)
                       if unicodedata.category(c) != "Mn")
    return char


def fold(text: str) -> str:
    """Remove Latin diacritics (after stemming, which may need them)."""
    if text.isascii():
        return text
    return "".join(_fold_char(c) for c in text)


_WORD_CACHES: dict[tuple, dict[str, tuple[str, ...]]] = {}


class WordFilter(Filter):
    """Each token becomes the terms ``_terms(word)`` gives (none, one or more), cached per
    word: indexing repeats the same words (vocabulary labels and synonyms are in every offer of
    a category), so the cache saves most work. bulk.py reads the cache directly."""

    CACHE_SIZE = 200_000

    def _terms(self, word: str) -> tuple[str, ...]:
        raise NotImplementedError

    def word_cache(self) -> dict[str, tuple[str, ...]]:
        """word → its terms, filled by terms_of_word(); one per process for filters that are
        equal (the same language), so an index opened again (each commit unpickles its
        schema: new filter objects) does not start cold."""
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = self.__dict__["_cache"] = _WORD_CACHES.setdefault(self._cache_key(), {})
        return cache

    def _cache_key(self) -> tuple:
        return (type(self).__name__,)

    def terms_of_word(self, word: str) -> tuple[str, ...]:
        cache = self.word_cache()
        terms = cache.get(word)
        if terms is None:
            if len(cache) >= self.CACHE_SIZE:
                cache.clear()
            terms = cache[word] = self._terms(word)
        return terms

    def __call__(self, tokens):
        cache = self.word_cache()
        for token in tokens:
            terms = cache.get(token.text)
            if terms is None:
                terms = self.terms_of_word(token.text)
            for term in terms:
                token.text = term
                yield token


class LanguageFilter(WordFilter):
    """Normalise, drop stop words, stem and fold each token, in one cached step per word (one
    filter instead of a chain of four)."""

    is_morph = True

    def __init__(self, lang: str | None):
        self.lang = lang

    def __getstate__(self):
        return {"lang": self.lang}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __eq__(self, other):
        return isinstance(other, LanguageFilter) and other.lang == self.lang

    def _cache_key(self) -> tuple:
        return (type(self).__name__, self.lang)

    def _term(self, word: str) -> str | None:
        settings = _settings(self.lang)
        if settings and settings.stemmer == PERSIAN_STEMMER:
            word = without_persian_enclitic(word)
        text = _apostrophes(normalise(word, self.lang), self.lang)
        if not text or (self.lang and text in stopwords(self.lang)):
            return None
        if settings and settings.lemmatiser == "pymorphy3":
            return fold(_lemma(self.lang, text))
        if settings and settings.lemmatiser == KURDISH_LEMMATISER:
            # Looked up with its own letters (Sorani ە, ێ, ڵ…), then folded as any other word.
            lemma = kurdish_lemma(settings, _composed(word, _KURDISH_AS_WRITTEN))
            return fold(normalise(lemma, self.lang)) or None
        if settings and settings.stemmer in STEMS_WITH_ACCENTS:
            # Stemmed with its letters as written: the dotless ı too (kursları → kurs).
            text = _apostrophes(normalise(word, self.lang, for_stemming=True), self.lang)
        else:
            text = fold(text)  # "café" and "cafe" must stem alike
        if settings and settings.stemmer == ARABIC_STEMMER:
            return arabic_light_stem(text) or None
        if settings and settings.suffix_steps:
            return suffix_stem(self.lang, text)
        if settings and settings.stemmer:
            text = _stem(settings.stemmer, text, settings.stem_passes)
        return fold(text)

    def _terms(self, word: str) -> tuple[str, ...]:
        term = self._term(word)
        if not term:
            return ()
        settings = _settings(self.lang)
        if settings and settings.stemmer in STEMS_WITH_ACCENTS:
            # Stemmed as written (réfugiés, réfugié → refugi) and, for a word typed or
            # written without its accents, stemmed folded (refugies → refug).
            unaccented = fold(_stem(settings.stemmer, fold(
                _apostrophes(normalise(word, self.lang), self.lang)), settings.stem_passes))
            return (term, unaccented) if unaccented and unaccented != term else (term,)
        if not (settings and settings.compounds) or len(word) < MIN_COMPOUND_LENGTH:
            return (term,)
        parts = []
        for part in compound_parts(normalise(word, self.lang)):
            part_term = self._term(part)
            if part_term and part_term != term:
                parts.append(COMPOUND_PART + part_term)
        return (term, *dict.fromkeys(parts))



PERSIAN_STEMMER = "persian"
# After a silent final ه, Persian writes the indefinite or adjectival ی as "‌ای" and the ezafe
# as "‌ی", joined by a zero-width non-joiner. Without the joiner (normalise() drops it)
# Snowball's Persian rules read "مشاوره‌ای" (a consultation) as the plural "مشاورهای"
# (consultants) and cut it to "مشاور"; "خانه‌ای" (a house) became "خان".
_AFTER_SILENT_H = ("\u200cای", "\u200cی")


def without_persian_enclitic(word: str) -> str:
    for enclitic in _AFTER_SILENT_H:
        if word.endswith(enclitic) and word[:-len(enclitic)].endswith("ه"):
            return word[:-len(enclitic)]
    return word


def without_elision(text: str) -> str:
    """A normalised word without a French elided article or pronoun (n'est → est, l'asile →
    asile): how a query's function words are recognised; other words are returned as they are."""
    head, apostrophe, tail = text.partition("'")
    return tail if apostrophe and tail and head in FRENCH_ELISIONS else text


def _apostrophes(text: str, lang: str | None) -> str:
    if "'" not in text:
        return text
    head, _, tail = text.partition("'")
    if lang == "fr" and head in FRENCH_ELISIONS:
        return tail.replace("'", "")
    if lang == "tr":
        return head  # a suffix after a proper name: Almanya'da → almanya
    if lang == "uk":
        return text  # part of the word: сім'я
    return text.replace("'", "")


_HYPHENATORS: list = []


def compound_parts(word: str) -> list[str]:
    """Leading and trailing parts of a German word at its hyphenation points."""
    parts = []
    for position in _hyphenation_points(word):
        for part in (word[:position], word[position:]):
            if len(part) >= MIN_PART_LENGTH:
                parts.append(part)
    return parts


# Linking elements between the parts of a German compound ("Wohnung-s-suche", "Frau-en-kurs").
LINKING_ELEMENTS = ("s", "es", "n", "en")
MIN_SPLIT_PART = 3  # "Amt" in "Arbeitsamt"


def compound_splits(word: str) -> list[tuple[str, str]]:
    """A German word's two parts at each hyphenation point, with the first part also
    without a linking element ("wohnungs" + "suche" and "wohnung" + "suche")."""
    splits = []
    for position in _hyphenation_points(word):
        head, tail = word[:position], word[position:]
        if len(tail) < MIN_SPLIT_PART:
            continue
        for link in ("", *LINKING_ELEMENTS):
            if (not link or head.endswith(link)) and len(head) - len(link) >= MIN_SPLIT_PART:
                splits.append((head[:len(head) - len(link)], tail))
    return splits


def _hyphenation_points(word: str) -> list[int]:
    if not _HYPHENATORS:
        import pyphen

        _HYPHENATORS.append(pyphen.Pyphen(lang="de_DE"))
    return list(_HYPHENATORS[0].positions(word))


_STEMMERS: dict[str, object] = {}
_MORPHOLOGY: dict = {}
_VERB_FORMS = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})
# Readings that the Ukrainian dictionary lists before a noun reading of the same word.
_NOT_BEFORE_A_NOUN = frozenset({"ADJF", "PRCL", "CONJ"})
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff']+")


def _lemma(lang: str, word: str) -> str:
    """Languages without a Snowball stemmer (Ukrainian): pymorphy3's dictionary gives the lemma."""
    if not _CYRILLIC_WORD.fullmatch(word):
        return word
    if lang not in _MORPHOLOGY:
        import pymorphy3

        _MORPHOLOGY[lang] = pymorphy3.MorphAnalyzer(lang=lang)
    parses = _MORPHOLOGY[lang].parse(word)
    first = parses[0]
    if first.tag.POS in _NOT_BEFORE_A_NOUN and first.normal_form == word:
        # A genitive plural in -ів is also a possessive adjective of the same spelling, and
        # the dictionary lists that reading first: "лікарів" (of doctors) would stay
        # "лікарів", not "лікар"; "для батьків" (for parents) would not find "батьки"; "мов"
        # (of languages) comes first as a particle ("as if").
        nouns = [p.normal_form for p in parses if p.tag.POS == "NOUN" and p.normal_form != word]
        if nouns:
            return nouns[0]
    if first.tag.POS not in _VERB_FORMS:
        return first.normal_form
    # The Ukrainian dictionary gives no probabilities (every parse scores 1.0), so the first
    # parse is arbitrary: "правила" (rules) comes first as a form of the verb правити. A word
    # that may be a noun is taken as the noun its readings name most often (правило).
    votes: dict[str, int] = {}
    for parse in parses:
        if parse.tag.POS == "NOUN":
            votes[parse.normal_form] = votes.get(parse.normal_form, 0) + 1
    return max(votes, key=votes.__getitem__) if votes else first.normal_form


KURDISH_LEMMATISER = "klpt"
# Kurdish is looked up as written, with only the Arabic yeh and kaf as the Sorani (Persian) forms
# and no joiners or tatweel: the dictionary knows خولەکان, not the folded خولهکان.
_KURDISH_AS_WRITTEN = str.maketrans({"\u0640": None, "\u200c": None, "\u200d": None,
                                     "ي": "ی", "ى": "ی", "ك": "ک"})
MIN_KURDISH_STEM = 2  # letters left after a suffix: jin (woman), kar (work), mal (home)
_KURDISH: dict[str, object] = {}


def kurdish_lemma(settings: LanguageInfo, word: str, as_typed: bool = True) -> str:
    """The lemma of a Kurdish word from the Kurdish Language Processing Toolkit's dictionary for
    its dialect (kursên → kurs, خولەکان → خول); a form the dictionary does not know is looked up
    without one of the language's ``suffixes`` (alîkariya → alîkarî, پارێزەرێک → پارێزەر), and,
    ``as_typed``, as typed without the language's own letters (kursen → kursên → kurs); the
    word itself where nothing is found."""
    if not word.isalpha() or script_of(word) != language_script(settings.code):
        return word  # an Arabic word in a Kurmanji field, a number
    stemmer = _KURDISH.get(settings.code)
    if stemmer is None:
        from klpt.stem import Stem

        stemmer = _KURDISH[settings.code] = Stem(*settings.dialect.split())
    for candidate in _without_a_suffix(word, settings):
        lemmas = stemmer.lemmatize(candidate)
        if lemmas:
            # KLPT returns its lemmas as a set: the word itself if it is one (خول, not خولان),
            # else the shortest, so every process picks the same.
            return candidate if candidate in lemmas else min(lemmas, key=lambda x: (len(x), x))
    if as_typed:
        # "kursen almani", or Sorani with the Persian ه and ی: the dictionary word typed so,
        # with the suffix it was typed with, written with the language's letters again.
        typed, folded = _kurdish_as_typed(settings.code), fold(normalise(word, settings.code))
        for suffix in ("", *settings.suffixes):
            ending = fold(normalise(suffix, settings.code))
            rest = folded[:len(folded) - len(ending)]
            if folded.endswith(ending) and len(rest) >= MIN_KURDISH_STEM and rest in typed:
                # Words typed alike (kurs, kurş) count if their forms meet once folded.
                lemmas = [kurdish_lemma(settings, written + suffix, as_typed=False)
                          for written in typed[rest]]
                if len({fold(normalise(x, settings.code)) for x in lemmas}) == 1:
                    return lemmas[0]
    return word


@lru_cache(maxsize=4)
def _kurdish_as_typed(lang: str) -> dict[str, tuple[str, ...]]:
    """The words of the language's KLPT dictionary (its Hunspell word list, e.g. kmr-Latn.dic)
    by how they are typed without its own letters (folded as the index folds): "alikari" →
    ("alîkarî",), "kurs" → ("kurs", "kurş")."""
    import klpt

    script = {"Latin": "Latn", "Arabic": "Arab"}[_settings(lang).dialect.split()[1]]
    path = Path(klpt.get_data("data/")) / f"{lang}-{script}.dic"  # KLPT's names: ISO 15924
    typed: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        entry = line.split("/", 1)[0].split(" ", 1)[0]
        if entry.isalpha() and entry == entry.lower():
            typed.setdefault(fold(normalise(entry, lang)), set()).add(entry)
    return {key: tuple(sorted(entries)) for key, entries in typed.items()}


def _without_a_suffix(word: str, settings: LanguageInfo):
    yield word
    for suffix in settings.suffixes:
        rest = word[:-len(suffix)]
        if word.endswith(suffix) and len(rest) >= MIN_KURDISH_STEM:
            yield rest
            for letter, written in settings.restore:
                if rest.endswith(letter):
                    yield rest[:-len(letter)] + written


def _stem(algorithm: str, word: str, passes: int) -> str:
    """Stem with PyStemmer, repeating until stable (German ``kurse`` → ``kurs`` → ``kur``)."""
    stemmer = _STEMMERS.get(algorithm)
    if stemmer is None:
        import Stemmer

        stemmer = _STEMMERS[algorithm] = Stemmer.Stemmer(algorithm)
    for _ in range(passes):
        stemmed = stemmer.stemWord(word)
        if stemmed == word:
            break
        word = stemmed
    return word


def language_analyzer(lang: str | None):
    """The analyzer of one content language (``None``: any other language, folded only)."""
    return RegexTokenizer(TOKEN_PATTERN) | LanguageFilter(lang)


@lru_cache(maxsize=64)
def shared_analyzer(lang: str | None):
    """One analyzer per language and process, so its word cache serves every caller."""
    return language_analyzer(lang)


def word_term(word: str, lang: str | None) -> str | None:
    """A word's own search term in ``lang`` (the first: a German compound's parts and the stem
    of a word without its accents come after it); None for a stop word."""
    for found in shared_analyzer(lang)(word):
        if not found.text.startswith(COMPOUND_PART):
            return found.text
    return None


# For "did you mean", words keep their letters as written: a suggestion is shown to the reader,
# and مدرسه or الالمانیه (ة, ي and the hamza unified, as for matching) is misspelt Arabic.
_SPELLING_FORMS = str.maketrans({"\u0640": None, "\u200c": None, "\u200d": None,
                                 "’": "", "ʼ": "", "'": ""})


def spelling_key(word: str) -> str:
    """A word as the spelling vocabulary holds it and "did you mean" shows it: composed and
    lower-cased, without marks (harakat), tatweel, joiners or apostrophes; its letters as
    written (not unified across scripts, not stemmed, not folded)."""
    return _composed(word, _SPELLING_FORMS)


class SpellingFilter(WordFilter):
    def _terms(self, word: str) -> tuple[str, ...]:
        key = spelling_key(word)
        return (key,) if len(key) >= 3 else ()

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __eq__(self, other):
        return isinstance(other, SpellingFilter)


def spelling_analyzer():
    return RegexTokenizer(TOKEN_PATTERN) | SpellingFilter()


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
