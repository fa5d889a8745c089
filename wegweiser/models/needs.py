from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# What an unmet search asked for, counted per ISO week. One row per (week, page language,
# outcome, dimension, value); nothing else about a search is kept.
NO_RESULTS, PARTIAL = "none", "partial"
OUTCOMES = (NO_RESULTS, PARTIAL)
SEARCHES = "search"  # value "": the number of unmet searches themselves
WORD = "word"  # value: a query word, normalised as the search normalises it
COMBINATION = "filters"  # value: the filters of one search together, "area=x;language=y"
FILTER_DIMENSIONS = ("area", "category", "target_group", "language")
DIMENSIONS = (SEARCHES, WORD, COMBINATION, *FILTER_DIMENSIONS)
MAX_VALUE_LENGTH = 200


class UnmetSearchCount(Base):
    """A counter: how many searches in one ISO week, on pages of one language, found nothing
    (or only offers with some of the words) and used one word or filter value."""

    __tablename__ = "unmet_search_counts"
    __table_args__ = (UniqueConstraint("week", "page_language", "outcome", "dimension", "value",
                                       name="uq_unmet_search_counts_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8), index=True)  # ISO week, "2026-W49"
    page_language: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(8))
    dimension: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(MAX_VALUE_LENGTH))
    count: Mapped[int] = mapped_column(Integer, default=0)
