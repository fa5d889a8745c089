"""Read-side query functions for the public events: what is coming up, filtered.

Filter semantics as for offers: several values of one filter are alternatives, different
filters must all hold; an Ortsteil counts for its Stadtbezirk; an online event matches every
area, an event for everyone (or without target groups) every target group. A city has some
hundred events at most, so the filters are applied to the loaded published events and their
occurrences are expanded in memory (occurrences.py, always within a window and a bound).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import ARCHIVED, PUBLISHED, Area, Event
from ..models.links import VocabularyLinks
from .directory import Vocabularies
from .occurrences import Occurrence, is_over, occurrences, schedule_of

EVERYONE = "everyone"
HORIZON = timedelta(days=92)  # how far ahead the events page and the API look
MAX_LISTED = 1000  # occurrences listed at most, over all events
NEXT_DATES = 10  # dates shown on an event's own page
UPCOMING, OVER, CANCELLED = "upcoming", "over", "cancelled"


@dataclass(frozen=True)
class EventFilters:
    area: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    this_week: bool = False
    ids: tuple[int, ...] | None = None  # the events a text search found (None: no text)

    @property
    def active(self) -> bool:
        return bool(self.area or self.category or self.target_group or self.language
                    or self.this_week or self.ids is not None)


@dataclass(frozen=True)
class Listed:
    event: Event
    occurrence: Occurrence


def _options(links: bool = True):
    own = (selectinload(Event.texts), selectinload(Event.organisation), selectinload(Event.offer))
    if not links:
        return own
    return (*own, selectinload(Event.categories), selectinload(Event.target_groups),
            selectinload(Event.languages), selectinload(Event.areas).selectinload(Area.parent))


def _matches(event: Event, filters: EventFilters) -> bool:
    if filters.ids is not None and event.id not in filters.ids:
        return False
    if filters.category and not {c.slug for c in event.categories} & set(filters.category):
        return False
    groups = {t.slug for t in event.target_groups}
    if filters.target_group and groups and EVERYONE not in groups and \
            not groups & set(filters.target_group):
        return False
    if filters.language and not {lang.code for lang in event.languages} & set(filters.language):
        return False
    if filters.area and not event.online:
        areas = {a.slug for area in event.areas for a in area.lineage()}
        if not areas & set(filters.area):
            return False
    return True


def end_of_week(now: datetime) -> datetime:
    """Monday 0:00 after ``now`` (aware, in ``now``'s zone): "this week" runs until then."""
    monday = now.date() + timedelta(days=7 - now.weekday())
    return datetime.combine(monday, time(0), tzinfo=now.tzinfo)


def published_events(session: Session, organisation_id: int | None = None,
                     offer_id: int | None = None) -> list[Event]:
    query = select(Event).where(Event.status == PUBLISHED).options(*_options()) \
        .order_by(Event.id)
    if organisation_id is not None:
        query = query.where(Event.organisation_id == organisation_id)
    if offer_id is not None:
        query = query.where(Event.offer_id == offer_id)
    return list(session.scalars(query))


def upcoming(events: list[Event], filters: EventFilters, now: datetime,
             limit: int = MAX_LISTED) -> list[Listed]:
    """The occurrences of ``events`` that match ``filters``, from ``now`` (aware, the city's
    zone) to the end of the week or HORIZON, in date order."""
    until = end_of_week(now) if filters.this_week else now + HORIZON
    listed = [Listed(event, occurrence)
              for event in events if _matches(event, filters)
              for occurrence in occurrences(schedule_of(event), now, until, limit)]
    listed.sort(key=lambda item: (item.occurrence.starts_at, item.event.id))
    return listed[:limit]


def upcoming_events(events: list[Event], filters: EventFilters, now: datetime,
                    dates: int = NEXT_DATES) -> list[tuple[Event, list[Occurrence]]]:
    """The matching events with their next ``dates`` occurrences, soonest first (the API)."""
    until = end_of_week(now) if filters.this_week else now + HORIZON
    found = [(event, occurrences(schedule_of(event), now, until, dates))
             for event in events if _matches(event, filters)]
    found = [(event, dates_) for event, dates_ in found if dates_]
    found.sort(key=lambda item: (item[1][0].starts_at, item[0].id))
    return found


def next_events(session: Session, now: datetime, wanted: int = 3,
                organisation_id: int | None = None,
                offer_id: int | None = None) -> list[Listed]:
    """The next ``wanted`` events of an organisation or an offer, each once (its next date)."""
    found = upcoming_events(published_events(session, organisation_id, offer_id),
                            EventFilters(), now, dates=1)
    return [Listed(event, dates[0]) for event, dates in found[:wanted]]


def found_events(session: Session, ids: list[int], now: datetime,
                 vocab: Vocabularies | None = None) -> list[Listed]:
    """The events of a search result in its order, each with its next date (events that are
    no longer published or over are left out). Given the ``vocab`` loaded for the page, their
    vocabularies and areas are taken from it (models/links.py), as offers_by_ids does."""
    if not ids:
        return []
    events = {e.id: e for e in session.scalars(
        select(Event).where(Event.id.in_(ids), Event.status == PUBLISHED)
        .options(*_options(links=vocab is None)))}
    if vocab is not None:
        VocabularyLinks(vocab.rows()).attach(session, events)
    listed = []
    for event_id in ids:
        event = events.get(event_id)
        dates = occurrences(schedule_of(event), now, limit=1) if event else []
        if dates:
            listed.append(Listed(event, dates[0]))
    return listed


def event_by_external_id(session: Session, external_id: str) -> Event | None:
    return session.scalar(select(Event).where(Event.external_id == external_id)
                          .options(*_options()))


def public_event(session: Session, external_id: str,
                 now: datetime) -> tuple[Event | None, str | None]:
    """An event the public may know of and its state: ``upcoming``, ``over`` (published, its
    last date passed) or ``cancelled`` (withdrawn after it was published); (None, None) for
    an unknown id or a draft."""
    event = event_by_external_id(session, external_id)
    if event is None or event.status not in (PUBLISHED, ARCHIVED):
        return None, None
    if event.status == ARCHIVED:
        return event, CANCELLED
    return event, OVER if is_over(schedule_of(event), now) else UPCOMING


def city_now(timezone: str) -> datetime:
    return datetime.now(ZoneInfo(timezone))
