"""Translated text fields: one row per (owner, field, locale), with where the text came from."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..languages import reading_order
from .base import utcnow

ORIGINAL, HUMAN, MACHINE = "original", "human", "machine"
ORIGINS = (ORIGINAL, HUMAN, MACHINE)


def text_origin(locale: str, original_language: str) -> str:
    """Where a text written with its entry comes from: the original, or a human translation."""
    return ORIGINAL if locale == original_language else HUMAN


class TranslationMixin:
    field: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default=HUMAN)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TranslatedMixin:
    """For models with a ``texts`` relationship of TranslationMixin rows."""

    original_language: str

    def text_in(self, field: str, locale: str) -> tuple[str, str] | None:
        """The field's text in ``locale``, else in the language its reader reads best
        (languages.reading_order: a Dari reader gets the Persian text, a Russian reader of an
        entry written in Arabic its German one): ``(text, locale)``."""
        by_locale = {t.locale: t.text for t in self.texts if t.field == field and t.text}
        for candidate in reading_order(locale, self.original_language):
            if candidate in by_locale:
                return by_locale[candidate], candidate
        if by_locale:
            first = sorted(by_locale)[0]
            return by_locale[first], first
        return None

    def translations_of(self, field: str) -> dict[str, str]:
        return {t.locale: t.text for t in self.texts if t.field == field}

    def set_translations(self, field: str, values: dict[str, str], text_class) -> None:
        """Make the rows of ``field`` equal to ``values``; unchanged rows are left alone."""
        current = {t.locale: t for t in self.texts if t.field == field}
        for locale, row in current.items():
            if locale not in values:
                self.texts.remove(row)
        for locale, value in values.items():
            origin = text_origin(locale, self.original_language)
            row = current.get(locale)
            if row is None:
                self.texts.append(text_class(field=field, locale=locale, text=value, origin=origin))
            else:
                if row.text != value:
                    row.text = value
                if row.origin != origin:
                    row.origin = origin
