from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .translation import TranslatedMixin, TranslationMixin


class Organisation(TranslatedMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    original_language: Mapped[str] = mapped_column(String(12), default="de")
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(60))
    street: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(120))
    # Edits of a trusted organisation are published at once; others wait for a moderator.
    trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Optimistic locking of profile edits, as for offers.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    texts: Mapped[list[OrganisationText]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    offers: Mapped[list[Offer]] = relationship(back_populates="organisation")  # noqa: F821
    events: Mapped[list[Event]] = relationship(back_populates="organisation")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Organisation {self.external_id}>"


class OrganisationText(TranslationMixin, Base):
    __tablename__ = "organisation_texts"
    __table_args__ = (UniqueConstraint("organisation_id", "field", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[Organisation] = relationship(back_populates="texts")
