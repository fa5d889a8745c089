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
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..opening import Closure, Slot
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


def link_tables(owner: str) -> tuple[Table, Table, Table, Table]:
    """The link tables of an offer or event (``owner``) to its categories, target groups,
    languages and areas."""
    return tuple(
        Table(
            f"{owner}_{other_table}",
            Base.metadata,
            Column(f"{owner}_id", ForeignKey(f"{owner}s.id", ondelete="CASCADE"),
                   primary_key=True),
            Column(other_column, ForeignKey(f"{other_table}.id", ondelete="CASCADE"),
                   primary_key=True, index=True),
        )
        for other_table, other_column in (("categories", "category_id"),
                                          ("target_groups", "target_group_id"),
                                          ("languages", "language_id"),
                                          ("areas", "area_id")))


offer_categories, offer_target_groups, offer_languages, offer_areas = link_tables("offer")


class ClassifiedMixin:
    """``categories``, ``target_groups``, ``languages`` and ``areas`` through the four link
    tables in ``_link_tables`` (see :func:`link_tables`)."""

    _link_tables: tuple[Table, Table, Table, Table]

    @declared_attr
    def categories(cls) -> Mapped[list[Category]]:
        return relationship(secondary=cls._link_tables[0], order_by=Category.position)

    @declared_attr
    def target_groups(cls) -> Mapped[list[TargetGroup]]:
        return relationship(secondary=cls._link_tables[1], order_by=TargetGroup.position)

    @declared_attr
    def languages(cls) -> Mapped[list[Language]]:
        return relationship(secondary=cls._link_tables[2], order_by=Language.position)

    @declared_attr
    def areas(cls) -> Mapped[list[Area]]:
        return relationship(secondary=cls._link_tables[3], order_by=Area.name)


class Offer(ClassifiedMixin, TranslatedMixin, Base):
    __tablename__ = "offers"
    _link_tables = (offer_categories, offer_target_groups, offer_languages, offer_areas)

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
    # The weekly hours hold on the city's public holidays too (a crisis line); most offers close.
    open_on_public_holidays: Mapped[bool] = mapped_column(Boolean, default=False,
                                                          server_default="0")
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
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="offer",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )
    # Temporary closures (holidays, renovation), past ones kept as history.
    closures: Mapped[list[OfferClosure]] = relationship(
        back_populates="offer",
        cascade="all, delete-orphan",
        order_by="(OfferClosure.first_day, OfferClosure.last_day)",
    )
    # Events about this offer; deleting the offer keeps them (their offer_id is set to NULL).
    events: Mapped[list[Event]] = relationship(  # noqa: F821
        back_populates="offer", passive_deletes=True)

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
    """One opening slot: ISO weekday (1 = Monday … 7 = Sunday), opening and closing time, every
    week or on one weekday of the month (``week_of_month``: 1–4, or -1 for the last)."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    note: Mapped[str | None] = mapped_column(Text)
    week_of_month: Mapped[int | None] = mapped_column(SmallInteger)

    offer: Mapped[Offer] = relationship(back_populates="opening_hours")

    def slot(self) -> Slot:
        return Slot(self.weekday, self.opens, self.closes, self.week_of_month)


class OfferClosure(TranslatedMixin, Base):
    """A temporary closure: closed from ``first_day`` to ``last_day`` (both included, dates in
    the city's time zone), with an optional short note per language ("Weihnachtsferien") in
    ``texts`` (field "note"). A closure whose last day has passed is kept but has no effect."""

    __tablename__ = "offer_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date, index=True)

    offer: Mapped[Offer] = relationship(back_populates="closures")
    texts: Mapped[list[OfferClosureText]] = relationship(
        back_populates="closure", cascade="all, delete-orphan")

    @property
    def original_language(self) -> str:
        return self.offer.original_language

    def closure(self) -> Closure:
        return Closure(self.first_day, self.last_day)


class OfferClosureText(TranslationMixin, Base):
    __tablename__ = "offer_closure_texts"
    __table_args__ = (UniqueConstraint("closure_id", "field", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    closure_id: Mapped[int] = mapped_column(ForeignKey("offer_closures.id", ondelete="CASCADE"),
                                            index=True)
    closure: Mapped[OfferClosure] = relationship(back_populates="texts")
