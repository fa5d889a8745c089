"""Unmet searches, counted in aggregate only (the needs report).

A search that found nothing, or only offers with some of its words, adds one to a few
counters of its ISO week: the searches themselves, each normalised query word, each filter
value it used or named, and its filters together. Nothing else is kept: no address, no cookie,
no query as typed, no time finer than the week. A word is shown only once at least
``K_ANONYMITY`` searches of one week used it; counts older than ``RETENTION_DAYS`` are dropped
whenever a count is written (and by ``wegweiser needs prune``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models.needs import (
    COMBINATION,
    FILTER_DIMENSIONS,
    MAX_VALUE_LENGTH,
    NO_RESULTS,
    PARTIAL,
    SEARCHES,
    WORD,
    UnmetSearchCount,
)
from ..search.words import counted_words

K_ANONYMITY = 3
RETENTION_DAYS = 730
PERIODS = (4, 12, 52, 104)  # weeks the report can look back
DEFAULT_PERIOD = 12


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def oldest_kept_week(today: date) -> str:
    return iso_week(today - timedelta(days=RETENTION_DAYS))


@dataclass(frozen=True)
class UnmetSearch:
    """What the counters keep of one search."""

    page_language: str
    outcome: str
    words: tuple[str, ...]
    filters: Mapping[str, tuple[str, ...]]

    def counters(self) -> dict[tuple[str, str], int]:
        keys = [(SEARCHES, ""), *((WORD, w) for w in self.words)]
        for dimension in FILTER_DIMENSIONS:
            keys.extend((dimension, value) for value in self.filters.get(dimension, ()))
        combination = combination_key(self.filters)
        if combination and len(combination) <= MAX_VALUE_LENGTH:
            keys.append((COMBINATION, combination))
        return {key: 1 for key in keys}


def combination_key(filters: Mapping[str, Iterable[str]]) -> str:
    return ";".join(f"{name}={','.join(sorted(filters[name]))}" for name in FILTER_DIMENSIONS
                    if filters.get(name))


def parse_combination(key: str) -> dict[str, tuple[str, ...]]:
    parsed = {}
    for part in key.split(";"):
        name, _, values = part.partition("=")
        if name in FILTER_DIMENSIONS and values:
            parsed[name] = tuple(values.split(","))
    return parsed


def unmet_search(text: str, filters: Mapping[str, Iterable[str]], page_language: str,
                 total: int, all_words_matched: bool,
                 recognised: Iterable[tuple[str, str]] = ()) -> UnmetSearch | None:
    """The counters' view of a search, or ``None`` when it was met (or asked for nothing).

    ``filters``: the filter values chosen; ``recognised``: (filter, value) pairs the words
    named ("Rechtsberatung" names a category), counted as asked for too."""
    if total and all_words_matched:
        return None
    asked = {name: list(dict.fromkeys(filters.get(name, ()))) for name in FILTER_DIMENSIONS}
    for name, value in recognised:
        if name in asked and value not in asked[name]:
            asked[name].append(value)
    words = tuple(counted_words(text))
    if not words and not any(asked.values()):
        return None
    return UnmetSearch(page_language, NO_RESULTS if not total else PARTIAL, words,
                       {name: tuple(values) for name, values in asked.items() if values})


def record(session: Session, search: UnmetSearch, today: date | None = None) -> None:
    """Add one to the search's counters of this week (an upsert on SQLite and PostgreSQL),
    and drop counts past the retention period."""
    today = today or date.today()
    week = iso_week(today)
    rows = [{"week": week, "page_language": search.page_language, "outcome": search.outcome,
             "dimension": dimension, "value": value, "count": count}
            for (dimension, value), count in search.counters().items()]
    _add_counts(session, rows)
    prune(session, today)


def _add_counts(session: Session, rows: list[dict]) -> None:
    table = UnmetSearchCount.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(table).values(rows)
        session.execute(statement.on_conflict_do_update(
            index_elements=["week", "page_language", "outcome", "dimension", "value"],
            set_={"count": table.c.count + statement.excluded["count"]}))
        return
    for row in rows:  # another database: read, then write
        key = [getattr(UnmetSearchCount, name) == row[name]
               for name in ("week", "page_language", "outcome", "dimension", "value")]
        changed = session.execute(update(UnmetSearchCount).where(*key).values(
            count=UnmetSearchCount.count + row["count"]))
        if not changed.rowcount:
            session.add(UnmetSearchCount(**row))
    session.flush()


def prune(session: Session, today: date | None = None) -> int:
    """Drop the counts of weeks older than the retention period; returns rows dropped."""
    result = session.execute(delete(UnmetSearchCount).where(
        UnmetSearchCount.week < oldest_kept_week(today or date.today())))
    return result.rowcount or 0


# -- reading --------------------------------------------------------------------------------

@dataclass
class UnmetSummary:
    first_week: str
    last_week: str
    weeks: list[dict]  # {"week", "none", "partial"}, newest first, weeks with searches only
    total: int
    by_page_language: dict[str, int]
    by_filter: dict[str, dict[str, int]]  # area / category / target_group / language
    words: list[tuple[str, int]]  # each word used by >= K searches in some week, most first
    combinations: list[tuple[dict[str, tuple[str, ...]], int]]
    hidden_words: int = 0  # distinct words below the threshold (not shown)
    threshold: int = K_ANONYMITY
    public: bool = False
    outcomes: dict[str, int] = field(default_factory=dict)


def summary(session: Session, weeks: int = DEFAULT_PERIOD, today: date | None = None,
            public: bool = False, known: Callable[[str], bool] | None = None) -> UnmetSummary:
    """The counts of the last ``weeks`` ISO weeks. Words (and, on the public page, every
    other count too) are counted only in weeks in which at least K searches used them. The
    public page shows only the words ``known`` says are the directory's own: the threshold
    counts searches, not people (nothing records who searched), so one person could bring any
    word they typed, a name, to it by searching three times."""
    today = today or date.today()
    first = iso_week(today - timedelta(weeks=weeks - 1))
    rows = session.execute(
        select(UnmetSearchCount.week, UnmetSearchCount.page_language, UnmetSearchCount.outcome,
               UnmetSearchCount.dimension, UnmetSearchCount.value, UnmetSearchCount.count)
        .where(UnmetSearchCount.week >= first)).all()
    weekly: dict[tuple[str, str, str], int] = defaultdict(int)  # (dimension, value, week)
    per_week: dict[str, dict[str, int]] = defaultdict(lambda: {NO_RESULTS: 0, PARTIAL: 0})
    by_language_week: dict[tuple[str, str], int] = defaultdict(int)
    for week, language, outcome, dimension, value, count in rows:
        weekly[(dimension, value, week)] += count
        if dimension == SEARCHES:
            per_week[week][outcome] += count
            by_language_week[(language, week)] += count

    def shown(count: int, dimension: str) -> bool:
        return count >= K_ANONYMITY if (public or dimension in (WORD, COMBINATION)) else True

    totals: dict[tuple[str, str], int] = defaultdict(int)
    hidden: set[str] = set()
    for (dimension, value, _week), count in weekly.items():
        if shown(count, dimension):
            totals[(dimension, value)] += count
        elif dimension == WORD:
            hidden.add(value)
    by_filter = {name: {} for name in FILTER_DIMENSIONS}
    for (dimension, value), count in totals.items():
        if dimension in by_filter:
            by_filter[dimension][value] = count
    by_page_language: dict[str, int] = defaultdict(int)
    for (language, _week), count in by_language_week.items():
        if shown(count, SEARCHES):
            by_page_language[language] += count
    words = sorted(((v, c) for (d, v), c in totals.items() if d == WORD
                    and not (public and known is not None and not known(v))),
                   key=lambda item: (-item[1], item[0]))
    hidden |= {v for (d, v), _ in totals.items() if d == WORD} - {w for w, _ in words}
    combos = sorted(((parse_combination(v), c) for (d, v), c in totals.items()
                     if d == COMBINATION), key=lambda item: -item[1])
    week_rows = [{"week": week, "none": counts[NO_RESULTS], "partial": counts[PARTIAL]}
                 for week, counts in sorted(per_week.items(), reverse=True)
                 if not public or sum(counts.values()) >= K_ANONYMITY]
    outcomes = {NO_RESULTS: sum(r["none"] for r in week_rows),
                PARTIAL: sum(r["partial"] for r in week_rows)}
    return UnmetSummary(
        first_week=first, last_week=iso_week(today), weeks=week_rows,
        total=sum(outcomes.values()),
        by_page_language=dict(sorted(by_page_language.items(), key=lambda i: -i[1])),
        by_filter={name: dict(sorted(values.items(), key=lambda i: -i[1]))
                   for name, values in by_filter.items()},
        words=words, combinations=combos,
        hidden_words=len(hidden - {w for w, _ in words}), public=public, outcomes=outcomes)
