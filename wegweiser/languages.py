"""Languages as data: ``data/reference/languages.toml`` is the one source.

It decides which languages the interface speaks (``ui = true``, in the file's order, German
first), their autonyms and names, how the search analyses text in them, and which Babel locale
formats dates and lists for them. Babel supplies what it knows: text direction and plural rules
(the file's ``rtl`` only speaks for languages Babel has no locale for). The same entries are
loaded into the ``languages`` table for offers and filters (services/reference.py).

Adding an interface language: an entry with ``ui = true`` (and ``locale`` if its code is not a
Babel locale), then ``wegweiser translations init <locale>`` and the translated catalog.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

LANGUAGES_FILE = Path(__file__).resolve().parent / "data" / "reference" / "languages.toml"


@dataclass(frozen=True)
class LanguageInfo:
    code: str  # as in URLs, offers and the API: ISO 639-1 where one exists, else ISO 639-3
    autonym: str
    labels: dict[str, str] = field(default_factory=dict)
    ui: bool = False
    locale: str = ""  # Babel/gettext locale: the code unless the entry names another
    rtl: bool = False  # the file's word, for languages Babel does not know
    # Search: the Snowball algorithm (PyStemmer name); "persian" or "arabic" letter forms for
    # Arabic-script languages (which yeh and kaf the index keeps); German-style compound parts.
    stemmer: str | None = None
    letter_forms: str | None = None
    compounds: bool = False
    # The stemmer is applied until the word is stable, at most this often (German plurals,
    # Turkish suffix chains: one pass leaves "kadınlar" as "kadın", which stems to "kadı").
    stem_passes: int = 1
    lemmatiser: str | None = None  # "pymorphy3" (Ukrainian), "klpt" (Kurdish): dictionary lemmas
    dialect: str | None = None  # the lemmatiser's dialect and script ("Kurmanji Latin")
    # Suffixes tried away, longest first, from a form the lemmatiser's dictionary does not know;
    # ``restore`` maps a stem's last letter before them to the one the dictionary writes.
    suffixes: tuple[str, ...] = ()
    restore: tuple[tuple[str, str], ...] = ()
    # Light stemming where no stemmer or dictionary exists (Pashto, Somali): each step removes
    # at most one of its endings, the longest that leaves ``min_stem`` letters (one more for an
    # ending of several letters).
    suffix_steps: tuple[tuple[str, ...], ...] = ()
    min_stem: int = 2
    plural_override: str | None = None  # where a count takes one form, unlike CLDR's rules
    reads: tuple[str, ...] = ()  # languages most of its readers also read, in order
    # What separates the items of a plain list ("Deutsch, Englisch"), where CLDR's pattern is
    # not a bare separator (Arabic's carries "و", "and") or not the one the language writes.
    list_separator_override: str | None = None

    @property
    def babel_locale(self) -> Locale | None:
        return _babel_locale(self.locale)

    @property
    def direction(self) -> str:
        known = self.babel_locale
        if known is not None:
            return "rtl" if known.character_order == "right-to-left" else "ltr"
        return "rtl" if self.rtl else "ltr"

    @property
    def plural_forms(self) -> str:
        """The gettext Plural-Forms header of this language (from CLDR through Babel)."""
        return self.plural_override or get_plural(self.locale).plural_forms

    @property
    def list_separator(self) -> str:
        """What separates the items of a plain list, with no "and": the file's
        ``list_separator``, else the middle of CLDR's standard list pattern ("{0}, {1}" → ", ";
        Persian "{0}،\u200f {1}" → "،\u200f "), else ", "."""
        if self.list_separator_override:
            return self.list_separator_override
        known = self.babel_locale
        pattern = known.list_patterns.get("standard", {}).get("middle", "") if known else ""
        if pattern.startswith("{0}") and pattern.endswith("{1}") and len(pattern) > 6:
            return pattern[3:-3]
        return ", "

    def name_in(self, lang: str) -> str:
        """This language's name in the language ``lang``: the file's label, else Babel's."""
        if self.labels.get(lang):
            return self.labels[lang]
        reader = language(lang).babel_locale if lang in all_languages() else None
        own = self.babel_locale
        if reader is not None and own is not None:
            name = reader.languages.get(own.language)
            if name:
                return name
        return self.labels.get("en") or self.autonym


@cache
def _babel_locale(name: str) -> Locale | None:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return None


@cache
def _languages_file() -> dict:
    with LANGUAGES_FILE.open("rb") as handle:
        return tomllib.load(handle)


@cache
def all_languages() -> dict[str, LanguageInfo]:
    """Every language of the reference data, by code, in the file's order."""
    entries = _languages_file()["language"]
    languages = {}
    for entry in entries:
        search = entry.get("search", {})
        languages[entry["code"]] = LanguageInfo(
            code=entry["code"], autonym=entry["autonym"], labels=dict(entry.get("labels", {})),
            ui=entry.get("ui", False), locale=entry.get("locale", entry["code"]),
            rtl=entry.get("rtl", False), stemmer=search.get("stemmer"),
            letter_forms=search.get("letter_forms"), compounds=search.get("compounds", False),
            stem_passes=search.get("passes", 1), lemmatiser=search.get("lemmatiser"),
            dialect=search.get("dialect"), suffixes=tuple(search.get("suffixes", ())),
            restore=tuple(search.get("restore", {}).items()),
            suffix_steps=tuple(tuple(step) for step in search.get("suffix_steps", ())),
            min_stem=search.get("min_stem", 2),
            plural_override=entry.get("plural_forms"),
            reads=tuple(entry.get("reads", ())),
            list_separator_override=entry.get("list_separator"))
    return languages


@cache
def common_languages() -> tuple[str, ...]:
    """The languages the directory's readers are taken to read besides their own (the file's
    ``common``: the city's language and English)."""
    return tuple(_languages_file().get("common", ()))


def reading_order(reader: str, original: str) -> list[str]:
    """The languages to show an entry in, best first, for a reader of ``reader``: theirs, the
    languages they also read, the original if it is a common language, the common languages,
    the original (an original in a third language after a German or English text)."""
    info = all_languages().get(reader)
    common = common_languages()
    order = [reader, *(info.reads if info else ()),
             *([original] if original in common else []), *common, original]
    return list(dict.fromkeys(order))


def language(code: str) -> LanguageInfo:
    return all_languages()[code]


def interface_languages() -> tuple[str, ...]:
    """The codes of every language the interface is translated into, in the file's order."""
    return tuple(code for code, info in all_languages().items() if info.ui)


def locale_name(code: str) -> str:
    """The Babel locale to format in for a language code (the code itself when unknown)."""
    info = all_languages().get(code)
    return info.locale if info else code


def code_of_locale(name: str) -> str:
    """The language code whose Babel locale is ``name`` (the name itself when none is)."""
    return next((code for code, info in all_languages().items() if info.locale == name), name)
