"""iCalendar (RFC 5545) files of events, for calendar apps: plain data in, bytes out.

One VEVENT per event with a UID that stays the same for the event (a calendar that subscribed
to a feed updates the entry instead of adding another), its first start and end with the time
zone (TZID and a VTIMEZONE for it), its recurrence rule carried over, and the texts in the
feed's language. The ``icalendar`` library writes the lines (CRLF, folded at 75 octets).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar

from .occurrences import InvalidRule, Schedule, until_in_utc, validate_rule

PRODUCT_ID = "-//Wegweiser//Events//EN"
# The VTIMEZONE describes the zone's changes from the first event's start to this far ahead.
ZONE_YEARS_AHEAD = 3


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    schedule: Schedule
    summary: str
    description: str | None = None
    location: str | None = None
    url: str | None = None
    categories: tuple[str, ...] = ()
    cancelled: bool = False
    last_modified: datetime | None = None  # aware, or naive UTC


def exported_rule(schedule: Schedule) -> str | None:
    """The recurrence rule as a calendar app needs it: UNTIL in UTC (RFC 5545, 3.3.10, when
    DTSTART has a time zone). None for a one-off event or a rule events may not use."""
    if not schedule.rrule:
        return None
    try:
        return until_in_utc(validate_rule(schedule.rrule), schedule.zone)
    except InvalidRule:
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _vevent(entry: CalendarEntry, stamp: datetime) -> icalendar.Event:
    schedule = entry.schedule
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", schedule.starts_at.replace(tzinfo=schedule.zone))
    event.add("dtend", (schedule.starts_at + schedule.duration).replace(tzinfo=schedule.zone))
    rule = exported_rule(schedule)
    if rule:
        event.add("rrule", icalendar.vRecur.from_ical(rule))
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    if entry.categories:
        event.add("categories", list(entry.categories))
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if entry.last_modified:
        event.add("last-modified", _utc(entry.last_modified))
    return event


def calendar_file(entries: Iterable[CalendarEntry], name: str, lang: str,
                  now: datetime | None = None) -> bytes:
    """The iCalendar file of ``entries`` (``name``: the calendar's title in calendar apps)."""
    stamp = _utc(now or datetime.now(UTC)).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar["x-wr-calname"].params["LANGUAGE"] = lang
    first = stamp.date()
    for entry in entries:
        calendar.add_component(_vevent(entry, stamp))
        first = min(first, entry.schedule.starts_at.date())
    calendar.add_missing_timezones(first - timedelta(days=1),
                                   date(stamp.year + ZONE_YEARS_AHEAD, 12, 31))
    return calendar.to_ical()
