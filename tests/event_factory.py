"""Making events for tests (a factory, as for offers): times relative to now in Leipzig."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wegweiser.models import (
    Area,
    Category,
    Event,
    EventText,
    Language,
    Offer,
    Organisation,
    TargetGroup,
)

BERLIN = ZoneInfo("Europe/Berlin")


def local_now() -> datetime:
    return datetime.now(BERLIN).replace(tzinfo=None)


def days_ahead(days: int, hour: int = 18, minute: int = 0) -> datetime:
    """A naive local time ``days`` from today at ``hour``:``minute``."""
    return datetime.combine(local_now().date() + timedelta(days=days), time(hour, minute))


def _all(session, model, column, values):
    return list(session.scalars(select(model).where(column.in_(values)))) if values else []


def add_event(session, external_id: str, titles: dict[str, str], starts_at: datetime, *,
              organisation: str = "a-sprachwerk-ost", hours: float = 2, rrule: str | None = None,
              status: str = "published", categories=(), target_groups=(), languages=(),
              areas=(), online: bool = False, cost: str = "free",
              registration_needed: bool = False, descriptions: dict[str, str] | None = None,
              offer: str | None = None, street: str | None = None,
              original_language: str = "de") -> Event:
    event = Event(
        external_id=external_id,
        organisation=session.scalar(select(Organisation)
                                    .where(Organisation.external_id == organisation)),
        offer=session.scalar(select(Offer).where(Offer.external_id == offer)) if offer else None,
        original_language=original_language,
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
        timezone="Europe/Berlin", rrule=rrule, online=online,
        online_url="https://meet.example.org/treffen" if online else None,
        street=street, postal_code="04103" if street else None,
        city="Leipzig" if street else None, cost=cost,
        registration_needed=registration_needed, status=status,
        categories=_all(session, Category, Category.slug, categories),
        target_groups=_all(session, TargetGroup, TargetGroup.slug, target_groups),
        languages=_all(session, Language, Language.code, languages),
        areas=_all(session, Area, Area.slug, areas),
    )
    for field, texts in (("title", titles), ("description", descriptions or {})):
        for locale, text in texts.items():
            event.texts.append(EventText(field=field, locale=locale, text=text))
    session.add(event)
    session.commit()
    return event
