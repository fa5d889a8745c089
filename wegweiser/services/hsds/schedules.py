"""Opening hours ↔ HSDS schedules (RRULE-style: ``freq`` WEEKLY, ``byday`` MO,TU…; a slot on
one weekday of the month ``freq`` MONTHLY, ``byday`` 1TH or -1FR).

Weekdays are ISO numbers (1 = Monday … 7 = Sunday) on our side and RFC 5545 day keys on the
HSDS side, translated by these tables, never by any order of names.
"""
from __future__ import annotations

import re

from ...opening import WEEKS_OF_MONTH

ISO_TO_BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
BYDAY_TO_ISO = {key: number for number, key in ISO_TO_BYDAY.items()}
BYDAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp][Mm])?$|^(\d{1,2})\s*([AaPp][Mm])$")


def to_schedules(slots: list[dict], make_id) -> list[dict]:
    """Our slots (weekday, opens, closes, note) as weekly schedules, one per distinct
    opening time and note, with all its days in ``byday``."""
    groups: dict[tuple, list[str]] = {}
    for slot in slots:
        week = slot.get("week_of_month")
        key = (slot["opens"], slot["closes"], slot.get("note"), week is not None)
        groups.setdefault(key, []).append(f"{week or ''}{ISO_TO_BYDAY[slot['weekday']]}")
    schedules = []
    for (opens, closes, note, monthly), days in groups.items():
        byday = ",".join(sorted(set(days), key=_byday_order))
        schedule = {"id": make_id(byday, opens, closes),
                    "freq": "MONTHLY" if monthly else "WEEKLY", "interval": 1,
                    "byday": byday, "opens_at": f"{opens}:00", "closes_at": f"{closes}:00"}
        if note:
            schedule["description"] = note
        schedules.append(schedule)
    return schedules


def _byday_order(key: str) -> tuple[int, int]:
    """"TH" → (4, 0), "-1FR" → (5, -1): by weekday, then week of the month."""
    found = BYDAY.match(key)
    return BYDAY_TO_ISO[found.group(2)], int(found.group(1) or 0)


def parse_time(text) -> str | None:
    """"10:00", "10:00:00", "4:00 PM", "3pm" → "HH:MM"; anything else None."""
    if not isinstance(text, str):
        return None
    match = TIME.match(text.strip())
    if not match:
        return None
    if match.group(4):
        hour, minute, half = int(match.group(4)), 0, match.group(5)
    else:
        hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def from_schedule(schedule: dict) -> tuple[list[dict], str | None]:
    """One HSDS schedule as our slots, or ``([], reason)`` when it is not a plain weekly
    opening time that our model can hold."""
    freq = str(schedule.get("freq") or "").upper()
    if freq not in ("WEEKLY", "MONTHLY"):
        return [], f"freq {freq or '(none)'} is not a weekly or monthly opening time"
    if schedule.get("interval") not in (None, 1, "1"):
        return [], "only every week or every month (interval 1) can be held"
    days = []
    for part in str(schedule.get("byday") or "").split(","):
        found = BYDAY.match(part.strip().upper())
        week = int(found.group(1)) if found and found.group(1) else None
        if not found or (freq == "WEEKLY") != (week is None) \
                or (week is not None and week not in WEEKS_OF_MONTH):
            return [], (f"byday {schedule.get('byday')!r} names no plain weekday" if freq ==
                        "WEEKLY" else f"byday {schedule.get('byday')!r} names no weekday of "
                        "the month that can be held (1TH … 4TH, -1TH)")
        days.append((BYDAY_TO_ISO[found.group(2)], week))
    opens, closes = parse_time(schedule.get("opens_at")), parse_time(schedule.get("closes_at"))
    if opens is None or closes is None or opens == closes:
        return [], "opens_at and closes_at must be two different times"
    note = schedule.get("description") if isinstance(schedule.get("description"), str) else None
    note = note.strip()[:500] if note and note.strip() else None
    if freq == "MONTHLY" and closes < opens:
        return [], "a monthly opening time must close on the day it opens"
    return [{"weekday": day, **({"week_of_month": week} if week else {}), "opens": opens,
             "closes": closes, **({"note": note} if note else {})} for day, week in days], None
