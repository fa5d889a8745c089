"""Interface languages: the language lives in the URL (``/de/…``), Flask-Babel translates."""
from __future__ import annotations

import unicodedata

from flask import current_app, g, request
from flask_babel import Babel

from .config import PROJECT_ROOT

RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "prs", "ckb"}
# The interface languages' own names, for the language switcher.
AUTONYMS = {"de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی",
            "uk": "Українська", "ru": "Русский", "tr": "Türkçe", "fr": "Français"}


def ui_languages() -> list[str]:
    return [code.strip() for code in current_app.config["WEGWEISER_UI_LANGUAGES"].split(",")
            if code.strip()]


def default_language() -> str:
    return ui_languages()[0]


def current_language() -> str:
    return g.get("lang") or default_language()


def direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


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
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Berlin")
    Babel(app, locale_selector=current_language)
