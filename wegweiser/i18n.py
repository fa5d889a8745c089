"""Interface languages: the language lives in the URL (``/de/…``), Flask-Babel translates."""
from __future__ import annotations

import unicodedata

from flask import current_app, g, has_app_context, request
from flask_babel import Babel, force_locale, get_locale

from .cities import city_info
from .config import PROJECT_ROOT
from .languages import all_languages, code_of_locale, interface_languages, locale_name  # noqa: F401 (re-exported)


def configured_languages(value: str | None) -> list[str]:
    """The interface languages a setting names (default: those of the languages data)."""
    if not value:
        return list(interface_languages())
    chosen = [code.strip() for code in value.split(",") if code.strip()]
    unknown = [code for code in chosen if code not in interface_languages()]
    if unknown:
        raise ValueError(f"WEGWEISER_UI_LANGUAGES: {', '.join(unknown)} is not an interface "
                         "language (ui = true in data/reference/languages.toml)")
    return chosen


def ui_languages() -> list[str]:
    return current_app.config["WEGWEISER_LANGUAGE_LIST"]


def autonym(code: str) -> str:
    """A language's name in itself, for the language switcher."""
    info = all_languages().get(code)
    return info.autonym if info else code


def default_language() -> str:
    return ui_languages()[0]


def current_language() -> str:
    return g.get("lang") or default_language()


def direction(lang: str) -> str:
    info = all_languages().get(lang)
    return info.direction if info else "ltr"


def join_list(items, lang: str | None = None) -> str:
    """The items of a plain list joined the way the language writes one, without "and"
    ("Deutsch, Englisch"; "الألمانية، الإنجليزية"): the page's language unless ``lang``
    (outside an application: ", ")."""
    info = all_languages().get(lang or (active_language() if has_app_context() else ""))
    return (info.list_separator if info else ", ").join(str(item) for item in items)


def active_language() -> str:
    """The language being written in: the page's, or the one ``in_language`` chose for a block
    (a preview in Arabic, the client's column of a sheet)."""
    locale = get_locale()
    return code_of_locale(str(locale)) if locale is not None else current_language()


def language_label(code: str, lang: str | None = None) -> str:
    """A language's name in the page's language (or ``lang``): the languages data, else Babel's
    name, else the code."""
    reader = lang or active_language()
    known = all_languages().get(code)
    if known is not None:
        return known.name_in(reader)
    info = all_languages().get(reader)
    babel_locale = info.babel_locale if info else None
    return (babel_locale.languages.get(code) if babel_locale else None) or code


def text_direction(text: str) -> str:
    """"rtl" or "ltr" after the first letter with a strong direction (the rule of ``dir="auto"``,
    spelled out for renderers without it, such as WeasyPrint)."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def best_language_for_request() -> str:
    return request.accept_languages.best_match(ui_languages()) or default_language()


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "de")
    # The city's time zone unless a deployment sets another (config.apply_city sets it first).
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE",
                          city_info(app.config["WEGWEISER_CITY"]).timezone)
    app.config["WEGWEISER_LANGUAGE_LIST"] = configured_languages(
        app.config.get("WEGWEISER_UI_LANGUAGES"))
    Babel(app, locale_selector=lambda: locale_name(current_language()))


def in_language(lang: str):
    """Translate and format in the interface language ``lang`` for the block."""
    return force_locale(locale_name(lang))
