from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .area import Area
from .base import Base, utcnow
from .organisation import Organisation
from .translation import TranslatedMixin, TranslationMixin
from .vocabulary import Category, Language, TargetGroup

DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED = "draft", "in_review", "published", "archived"
STATUSES = (DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED)
FREE, REDUCED, PAID = "free", "reduced", "paid"
COSTS = (FREE, REDUCED, PAID)
TEXT_FIELDS = ("title", "summary", "description")


def _link_table(name: str, other_table: str, other_column: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
        Column(other_column, ForeignKey(f"{other_table}.id", ondelete="CASCADE"),
               primary_key=True, index=True),
    )


offer_categories = _link_table("offer_categories", "categories", "category_id")
offer_target_groups = _link_table("offer_target_groups", "target_groups", "target_group_id")
offer_languages = _link_table("offer_languages", "languages", "language_id")
offer_areas = _link_table("offer_areas", "areas", "area_id")


class Offer(TranslatedMixin, Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    original_language: Mapped[str] = mapped_column(String(12), default="de")
    citywide: Mapped[bool] = mapped_column(Boolean, default=False)
    street: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(120))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(500))
    cost: Mapped[str] = mapped_column(String(10), default=FREE)
    accessible: Mapped[bool | None] = mapped_column(Boolean)
    appointment_needed: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12), default=PUBLISHED, index=True)
    verified_at: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship(back_populates="offers")
    texts: Mapped[list[OfferText]] = relationship(
        back_populates="offer", cascade="all, delete-orphan"
    )
    categories: Mapped[list[Category]] = relationship(
        secondary=offer_categories, order_by=Category.position
    )
    target_groups: Mapped[list[TargetGroup]] = relationship(
        secondary=offer_target_groups, order_by=TargetGroup.position
    )
    languages: Mapped[list[Language]] = relationship(
        secondary=offer_languages, order_by=Language.position
    )
    areas: Mapped[list[Area]] = relationship(secondary=offer_areas, order_by=Area.name)
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="offer",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def __repr__(self) -> str:
        return f"<Offer {self.external_id}>"


class OfferText(TranslationMixin, Base):
    __tablename__ = "offer_texts"
    __table_args__ = (UniqueConstraint("offer_id", "field", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    offer: Mapped[Offer] = relationship(back_populates="texts")


class OpeningHours(Base):
    """One opening slot: ISO weekday (1 = Monday … 7 = Sunday), opening and closing time."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    note: Mapped[str | None] = mapped_column(Text)

    offer: Mapped[Offer] = relationship(back_populates="opening_hours")

    def as_tuple(self) -> tuple:
        return (self.weekday, self.opens.strftime("%H:%M"), self.closes.strftime("%H:%M"),
                self.note or None)
