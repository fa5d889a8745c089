"""Dated events of an organisation (and optionally of one of its offers): a meeting, a café, a
forum, an info evening; once or repeating.

Times are the wall-clock times of the place, kept as naive local datetimes with the IANA zone
beside them (``timezone``): a weekly meeting at 18:00 stays at 18:00 across the change to and
from summer time, which a stored UTC instant would not. ``rrule`` is an iCalendar recurrence
rule (RFC 5545, e.g. ``FREQ=WEEKLY;BYDAY=TU``) counted from ``starts_at``; each occurrence lasts
``ends_at - starts_at``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .offer import FREE, PUBLISHED, ClassifiedMixin, Offer, link_tables
from .organisation import Organisation
from .translation import TranslatedMixin, TranslationMixin

EVENT_TEXT_FIELDS = ("title", "description")


event_categories, event_target_groups, event_languages, event_areas = link_tables("event")


class Event(ClassifiedMixin, TranslatedMixin, Base):
    __tablename__ = "events"
    _link_tables = (event_categories, event_target_groups, event_languages, event_areas)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL"), index=True)
    original_language: Mapped[str] = mapped_column(String(12), default="de")
    # Local wall-clock times (no zone) in ``timezone``; see the module's docstring.
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    rrule: Mapped[str | None] = mapped_column(Text)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_url: Mapped[str | None] = mapped_column(String(500))
    street: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(120))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    cost: Mapped[str] = mapped_column(String(10), default=FREE)
    registration_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_contact: Mapped[str | None] = mapped_column(String(320))
    registration_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default=PUBLISHED, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship(back_populates="events")
    offer: Mapped[Offer | None] = relationship(back_populates="events")
    texts: Mapped[list[EventText]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    def __repr__(self) -> str:
        return f"<Event {self.external_id}>"


class EventText(TranslationMixin, Base):
    __tablename__ = "event_texts"
    __table_args__ = (UniqueConstraint("event_id", "field", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    event: Mapped[Event] = relationship(back_populates="texts")
