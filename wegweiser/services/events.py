"""Events for editors: repetitions as editors choose them and as iCalendar rules (RRULE),
finding an event, its next date.

Editors pick one of a few repetitions in words; code turns the choice and the event's start into
the rule, so nobody types RRULE syntax. A rule that none of the choices describes (from an
import) is kept as it is.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Event

NONE, WEEKLY, BIWEEKLY, MONTHLY_WEEKDAY, MONTHLY_DATE, OTHER = (
    "none", "weekly", "biweekly", "monthly_weekday", "monthly_date", "other")
REPETITIONS = (NONE, WEEKLY, BIWEEKLY, MONTHLY_WEEKDAY, MONTHLY_DATE)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def nth_weekday(day: date) -> int:
    """Which of its weekday in the month ``day`` is: 1 … 4, or -1 for a fifth (the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def repetition_rule(repetition: str, starts_at: datetime, until: date | None = None) -> str | None:
    """The RRULE of a repetition counted from ``starts_at`` (None: once), ending on ``until``
    (a local date, the whole day included)."""
    day = DAY_CODES[starts_at.weekday()]
    parts = {
        NONE: None,
        WEEKLY: f"FREQ=WEEKLY;BYDAY={day}",
        BIWEEKLY: f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}",
        MONTHLY_WEEKDAY: f"FREQ=MONTHLY;BYDAY={nth_weekday(starts_at.date())}{day}",
        MONTHLY_DATE: f"FREQ=MONTHLY;BYMONTHDAY={starts_at.day}",
    }[repetition]
    if parts is None or until is None:
        return parts
    return f"{parts};UNTIL={until.strftime('%Y%m%d')}T235959"


def repetition_of(rule: str | None, starts_at: datetime | None) -> tuple[str, date | None]:
    """The editors' choice that ``rule`` is, and its last day: ``(OTHER, None)`` when no
    choice describes it."""
    if not rule:
        return NONE, None
    body, _sep, until = rule.partition(";UNTIL=")
    last_day = None
    if until:
        try:
            last_day = datetime.strptime(until[:8], "%Y%m%d").date()
        except ValueError:
            return OTHER, None
        if until[8:] not in ("", "T235959") or ";" in until:
            return OTHER, None
    if starts_at is not None:
        for repetition in REPETITIONS[1:]:
            if repetition_rule(repetition, starts_at) == body:
                return repetition, last_day
    return OTHER, None


RULE_SHAPES = (
    (WEEKLY, re.compile(r"FREQ=WEEKLY;BYDAY=[A-Z]{2}")),
    (BIWEEKLY, re.compile(r"FREQ=WEEKLY;INTERVAL=2;BYDAY=[A-Z]{2}")),
    (MONTHLY_WEEKDAY, re.compile(r"FREQ=MONTHLY;BYDAY=-?[1-4][A-Z]{2}")),
    (MONTHLY_DATE, re.compile(r"FREQ=MONTHLY;BYMONTHDAY=\d{1,2}")),
)


def repetition_kind(rule: str | None) -> str:
    """Which of the editors' choices a rule is, from its shape alone (for a history or a
    review, where the start is not at hand)."""
    if not rule:
        return NONE
    body = rule.partition(";UNTIL=")[0]
    return next((kind for kind, shape in RULE_SHAPES if shape.fullmatch(body)), OTHER)


def event_by_external_id(session: Session, external_id: str) -> Event | None:
    return session.scalar(select(Event).where(Event.external_id == external_id))


def next_start(event: Event, now: datetime) -> datetime | None:
    """The event's next beginning at or after ``now`` (naive local time); None: none any
    more. A past one-off event: its start."""
    if not event.rrule:
        return event.starts_at
    try:
        rule = rrulestr(event.rrule, dtstart=event.starts_at)
    except (ValueError, TypeError):
        return event.starts_at
    return rule.after(max(now, event.starts_at), inc=True)
