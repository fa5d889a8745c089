"""Turning events and their occurrences into plain data for templates, feeds and the API."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _

from ..formatting import render_markdown
from ..i18n import join_list
from ..models import Event
from ..services.calendar import CalendarEntry
from ..services.event_listing import Listed
from ..services.occurrences import Occurrence, schedule_of
from .presenters import cost_label, language_notice, text_block, translation_note


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def when_text(occurrence: Occurrence, timezone: str) -> str:
    """"18:00–20:00" in the page's language (the city's time), with the end's date when the
    event ends on another day."""
    start, end = _local(occurrence.starts_at, timezone), _local(occurrence.ends_at, timezone)
    if end <= start:
        return format_time(start, "short")
    if end.date() != start.date():
        return f"{format_time(start, 'short')} – {format_datetime(end, 'short')}"
    return f"{format_time(start, 'short')}–{format_time(end, 'short')}"


def place_text(event: Event) -> str:
    """Where: "Online", or the address, or the areas' names."""
    if event.online:
        return _("Online")
    address = ", ".join(p for p in (event.street, " ".join(
        x for x in (event.postal_code, event.city) if x)) if p)
    return address or join_list(a.name for a in event.areas)


def registration_text(event: Event) -> str:
    return _("Registration needed") if event.registration_needed else \
        _("No registration needed")


def event_row(listed: Listed, locale: str, timezone: str) -> dict:
    event, occurrence = listed.event, listed.occurrence
    return {
        "id": event.external_id,
        "url": url_for("events.event", lang=locale, external_id=event.external_id),
        "title": text_block(event, "title", locale),
        "organisation": event.organisation.name,
        "when": when_text(occurrence, timezone),
        "date": format_date(_local(occurrence.starts_at, timezone), "full"),
        "datetime": occurrence.starts_at.isoformat(),
        "place": place_text(event),
        "online": event.online,
        "cost": cost_label(event.cost),
        "free": event.cost == "free",
        "registration": registration_text(event),
        "registration_needed": event.registration_needed,
        "categories": [c.label(locale) for c in event.categories],
        "recurring": bool(event.rrule),
    }


def day_groups(listed: list[Listed], locale: str, timezone: str) -> list[dict]:
    """The occurrences under one heading per day (the city's calendar day)."""
    groups: list[dict] = []
    for item in listed:
        day = _local(item.occurrence.starts_at, timezone).date()
        if not groups or groups[-1]["day"] != day:
            groups.append({"day": day, "iso": day.isoformat(),
                           "heading": format_date(day, "full"), "rows": []})
        groups[-1]["rows"].append(event_row(item, locale, timezone))
    return groups


def event_detail(event: Event, dates: list[Occurrence], locale: str, timezone: str) -> dict:
    description = text_block(event, "description", locale)
    if description:
        description["html"] = render_markdown(description["text"])
    row = event_row(Listed(event, dates[0]), locale, timezone) if dates else {}
    title = text_block(event, "title", locale)
    row.update({
        "id": event.external_id,
        "title": title,
        "organisation": event.organisation.name,
        "organisation_url": url_for("public.organisation", lang=locale,
                                    external_id=event.organisation.external_id),
        "offer": _offer_link(event, locale),
        "description": description,
        "translation_note": translation_note(event, locale),
        "language_notice": language_notice(event, title["lang"], locale) if title else None,
        "dates": [{"date": format_date(_local(o.starts_at, timezone), "full"),
                   "when": when_text(o, timezone), "datetime": o.starts_at.isoformat()}
                  for o in dates],
        "place": place_text(event),
        "online": event.online,
        "online_url": event.online_url if event.online else None,
        "address": None if event.online else {
            "street": event.street, "postal_code": event.postal_code, "city": event.city},
        "areas": join_list(a.name for a in event.areas),
        "target_groups": [t.label(locale) for t in event.target_groups],
        "languages": [{"label": lang.label(locale), "autonym": lang.autonym, "code": lang.code}
                      for lang in event.languages],
        "categories": [c.label(locale) for c in event.categories],
        "cost": cost_label(event.cost),
        "registration": registration_text(event),
        "registration_url": event.registration_url if event.registration_needed else None,
        "registration_contact": event.registration_contact
        if event.registration_needed else None,
        "calendar_url": url_for("events.calendar", lang=locale,
                                external_id=event.external_id),
    })
    return row


def _offer_link(event: Event, locale: str) -> dict | None:
    offer = event.offer
    if offer is None or not offer.is_published:
        return None
    return {"title": text_block(offer, "title", locale),
            "url": url_for("public.offer", lang=locale, external_id=offer.external_id)}


def plain_text(event: Event, field: str, locale: str) -> str | None:
    found = event.text_in(field, locale)
    return found[0] if found else None


def plain_title(event: Event, locale: str) -> str:
    return plain_text(event, "title", locale) or event.organisation.name


def calendar_entry(event: Event, locale: str, host: str) -> CalendarEntry:
    """An event for a calendar file, its texts in ``locale`` (else the original)."""
    location = event.online_url if event.online else place_text(event)
    return CalendarEntry(
        uid=f"event-{event.external_id}@{host}",
        schedule=schedule_of(event),
        summary=plain_title(event, locale),
        description=plain_text(event, "description", locale),
        location=location or None,
        url=url_for("events.event", lang=locale, external_id=event.external_id,
                       _external=True),
        categories=tuple(c.label(locale) for c in event.categories),
        last_modified=event.updated_at,
    )


def event_summary(event: Event, dates: list[Occurrence], locale: str) -> dict:
    """An event in the API's list: texts in ``locale`` (else the original), its next dates in
    ISO 8601 with their offset."""
    title = event.text_in("title", locale)
    return {
        "id": event.external_id,
        "title": title[0] if title else "",
        "text_language": title[1] if title else event.original_language,
        "description": plain_text(event, "description", locale),
        "organisation": {"id": event.organisation.external_id,
                         "name": event.organisation.name},
        "offer": event.offer.external_id if event.offer and event.offer.is_published else None,
        "occurrences": [{"start": o.starts_at.isoformat(), "end": o.ends_at.isoformat()}
                        for o in dates],
        "timezone": event.timezone,
        "rrule": event.rrule or None,
        "online": event.online,
        "online_url": event.online_url if event.online else None,
        "address": None if event.online else {
            "street": event.street, "postal_code": event.postal_code, "city": event.city,
            "lat": event.lat, "lon": event.lon},
        "areas": sorted(a.slug for a in event.areas),
        "categories": [c.slug for c in event.categories],
        "target_groups": [t.slug for t in event.target_groups],
        "languages": [lang.code for lang in event.languages],
        "cost": event.cost,
        "registration_needed": event.registration_needed,
        "url": url_for("events.event", lang=locale, external_id=event.external_id,
                       _external=True),
    }
