"""When an event takes place: its recurrence rule expanded into dated occurrences.

Plain data in and out. An event is kept as its first start and end in local wall-clock time
(naive), the name of its time zone and an optional iCalendar RRULE. Each occurrence starts at
the same local time (a weekly meeting at 18:00 stays at 18:00 across a change to or from
summer time) and lasts as long as the first one in local time.

Expanding is always bounded: a window (``after`` … ``until``), a number of occurrences, and a
number of steps through the rule, so neither a rule without end nor one that starts years ago
makes a request iterate without limit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

# Rules step at most daily: an event that repeats every hour is not an event.
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# The rule is followed from its first occurrence for at most this many steps (a daily event
# reaches eleven years ahead): enough for any real event, a hard bound for any rule.
MAX_STEPS = 4000
DEFAULT_LIMIT = 50
DEFAULT_HORIZON = timedelta(days=366)
NEXT_HORIZON = timedelta(days=5 * 366)  # how far ahead "is there a next date" looks
_UNTIL = re.compile(r"UNTIL=([0-9]{8})(T[0-9]{6})?(Z)?", re.IGNORECASE)


class InvalidRule(ValueError):
    """The text is not a recurrence rule that events may use."""


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime  # aware, in the event's time zone
    ends_at: datetime  # aware, in the event's time zone


@dataclass(frozen=True)
class Schedule:
    """What decides when an event takes place (from the Event row, as plain data)."""

    starts_at: datetime  # naive local wall-clock time
    ends_at: datetime | None  # naive local; None: no end given
    timezone: str
    rrule: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def duration(self) -> timedelta:
        if self.ends_at is None or self.ends_at < self.starts_at:
            return timedelta(0)
        return self.ends_at - self.starts_at


def schedule_of(event) -> Schedule:
    """The schedule of an event row (anything with ``starts_at``, ``ends_at``, ``timezone``
    and ``rrule``)."""
    return Schedule(event.starts_at, event.ends_at, event.timezone or "UTC", event.rrule or None)


def _rule_body(rrule: str) -> str:
    """The rule's parameters without a leading ``RRULE:`` and surrounding space."""
    text = rrule.strip()
    if text[:6].upper() == "RRULE:":
        text = text[6:]
    return text.strip()


def until_in_utc(body: str, zone: ZoneInfo) -> str:
    """dateutil wants UNTIL in UTC when the start has a time zone; editors and imports may
    write a local date (``UNTIL=20261231``: through that whole day) or a local time."""
    def to_utc(match: re.Match) -> str:
        day, time, utc = match.group(1), match.group(2), match.group(3)
        if utc:
            return match.group(0)
        local = datetime.strptime(day + (time or "T235959"), "%Y%m%dT%H%M%S")
        moment = local.replace(tzinfo=zone).astimezone(UTC)
        return f"UNTIL={moment:%Y%m%dT%H%M%S}Z"
    return _UNTIL.sub(to_utc, body)


def validate_rule(rrule: str) -> str:
    """The rule as it will be kept (without ``RRULE:``), or InvalidRule."""
    body = _rule_body(rrule)
    params = dict(part.split("=", 1) for part in body.split(";") if "=" in part)
    freq = params.get("FREQ", "").upper()
    if freq not in ALLOWED_FREQUENCIES:
        raise InvalidRule(f"FREQ must be one of {', '.join(ALLOWED_FREQUENCIES)}")
    try:
        rrulestr(until_in_utc(body, ZoneInfo("UTC")), dtstart=datetime(2000, 1, 1, tzinfo=UTC))
    except (ValueError, TypeError) as error:
        raise InvalidRule(str(error)) from None
    return body


def _starts(schedule: Schedule):
    """Every start of the event as aware local time, in order (an iterator, maybe endless)."""
    zone = schedule.zone
    first = schedule.starts_at.replace(tzinfo=zone)
    if not schedule.rrule:
        return iter((first,))
    try:
        body = validate_rule(schedule.rrule)
        rule = rrulestr(until_in_utc(body, zone), dtstart=first)
    except InvalidRule:
        return iter((first,))  # a broken rule: the event takes place once, as entered
    return iter(rule)


def _occurrence(start: datetime, schedule: Schedule) -> Occurrence:
    # The same local length: the wall-clock end, placed in the zone (across a change of
    # summer time a 2-hour event still ends two hours later on the clock).
    local_end = start.replace(tzinfo=None) + schedule.duration
    return Occurrence(start, local_end.replace(tzinfo=schedule.zone))


def occurrences(schedule: Schedule, after: datetime, until: datetime | None = None,
                limit: int = DEFAULT_LIMIT) -> list[Occurrence]:
    """Occurrences that have not ended at ``after`` (aware) and start before ``until``
    (default: a year later), at most ``limit``, in order."""
    until = until or after + DEFAULT_HORIZON
    found: list[Occurrence] = []
    for start in islice(_starts(schedule), MAX_STEPS):
        if start >= until or len(found) >= limit:
            break
        occurrence = _occurrence(start, schedule)
        if occurrence.ends_at > after or occurrence.starts_at >= after:
            found.append(occurrence)
    return found


def next_occurrence(schedule: Schedule, after: datetime) -> Occurrence | None:
    found = occurrences(schedule, after, after + NEXT_HORIZON, limit=1)
    return found[0] if found else None


def last_start(schedule: Schedule) -> datetime | None:
    """The start of the last occurrence, or None when the rule has no end (or none within
    the bound of steps)."""
    starts = list(islice(_starts(schedule), MAX_STEPS + 1))
    return starts[-1] if starts and len(starts) <= MAX_STEPS else None


def last_end(schedule: Schedule) -> datetime | None:
    """When the last occurrence ends (aware), or None when the rule has no end."""
    start = last_start(schedule)
    return None if start is None else _occurrence(start, schedule).ends_at


def is_over(schedule: Schedule, now: datetime) -> bool:
    """True when no occurrence is still to come or going on at ``now``."""
    return next_occurrence(schedule, now) is None
