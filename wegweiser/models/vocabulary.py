"""Controlled vocabularies: slug, labels in every UI language, and search synonyms."""
from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

FALLBACK_LOCALES = ("en", "de")


class LabelledMixin:
    labels: Mapped[dict] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(default=0)

    def label(self, locale: str) -> str:
        for candidate in (locale, *FALLBACK_LOCALES):
            if self.labels.get(candidate):
                return self.labels[candidate]
        return self.slug


class Category(LabelledMixin, Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    icon: Mapped[str | None] = mapped_column(String(80))
    synonyms: Mapped[dict] = mapped_column(default=dict)
    # False: a category of events only (the network's own meetings), which no offer has; offer
    # filters, forms and reports leave it out (``scope = "events"`` in categories.toml).
    for_offers: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class TargetGroup(LabelledMixin, Base):
    __tablename__ = "target_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    synonyms: Mapped[dict] = mapped_column(default=dict)


class Language(LabelledMixin, Base):
    """A language in which offers are delivered (and, where ``ui``, a language of the interface)."""

    __tablename__ = "languages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    autonym: Mapped[str] = mapped_column(String(80))
    rtl: Mapped[bool] = mapped_column(Boolean, default=False)
    ui: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def slug(self) -> str:
        return self.code

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"
