"""Calls for help ("Mitmachen"): what an organisation is looking for — volunteers, donations,
interpreters … — until an end date. Not to be confused with the needs *report* (unmet
searches, ``needs.py``)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .area import Area
from .base import Base, utcnow
from .offer import IN_REVIEW
from .organisation import Organisation
from .translation import TranslatedMixin, TranslationMixin
from .vocabulary import Language

# The translated texts of a call: what is wanted, more about it, and when (free text).
HELP_TEXT_FIELDS = ("title", "description", "when")


def _link_table(name: str, other_table: str, other_column: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("help_call_id", ForeignKey("help_calls.id", ondelete="CASCADE"),
               primary_key=True),
        Column(other_column, ForeignKey(f"{other_table}.id", ondelete="CASCADE"),
               primary_key=True, index=True),
    )


help_call_areas = _link_table("help_call_areas", "areas", "area_id")
help_call_languages = _link_table("help_call_languages", "languages", "language_id")


class HelpCall(TranslatedMixin, Base):
    """One call for help. Its status is an offer's (draft, in review, published, archived);
    it is shown while published and ``end_date`` has not passed. A change by an untrusted
    organisation to a published call waits in ``pending`` (the record of the import format)
    while the public keeps seeing the approved one."""

    __tablename__ = "help_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    original_language: Mapped[str] = mapped_column(String(12), default="de")
    end_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default=IN_REVIEW, index=True)
    # The end date for which the organisation was last reminded (a new date: a new reminder).
    reminded_for: Mapped[date | None] = mapped_column(Date)
    # SQL NULL when nothing waits (not JSON null), so that "IS NOT NULL" finds what waits.
    pending: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    pending_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # Why a moderator returned the last change (shown to the editors until they send again).
    review_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship()
    texts: Mapped[list[HelpCallText]] = relationship(
        back_populates="help_call", cascade="all, delete-orphan")
    areas: Mapped[list[Area]] = relationship(secondary=help_call_areas, order_by=Area.name)
    languages: Mapped[list[Language]] = relationship(
        secondary=help_call_languages, order_by=Language.position)

    def __repr__(self) -> str:
        return f"<HelpCall {self.external_id}>"


class HelpCallText(TranslationMixin, Base):
    __tablename__ = "help_call_texts"
    __table_args__ = (UniqueConstraint("help_call_id", "field", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    help_call_id: Mapped[int] = mapped_column(
        ForeignKey("help_calls.id", ondelete="CASCADE"), index=True)
    help_call: Mapped[HelpCall] = relationship(back_populates="texts")
