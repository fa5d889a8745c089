"""Opening hours ↔ HSDS schedules (RRULE-style: ``freq`` WEEKLY, ``byday`` MO,TU…).

Weekdays are ISO numbers (1 = Monday … 7 = Sunday) on our side and RFC 5545 day keys on the
HSDS side, translated by these tables, never by any order of names.
"""
from __future__ import annotations

import re

ISO_TO_BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
BYDAY_TO_ISO = {key: number for number, key in ISO_TO_BYDAY.items()}
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp][Mm])?$|^(\d{1,2})\s*([AaPp][Mm])$")


def to_schedules(slots: list[dict], make_id) -> list[dict]:
    """Our slots (weekday, opens, closes, note) as weekly schedules, one per distinct
    opening time and note, with all its days in ``byday``."""
    groups: dict[tuple, list[int]] = {}
    for slot in slots:
        key = (slot["opens"], slot["closes"], slot.get("note"))
        groups.setdefault(key, []).append(slot["weekday"])
    schedules = []
    for (opens, closes, note), days in groups.items():
        byday = ",".join(ISO_TO_BYDAY[day] for day in sorted(set(days)))
        schedule = {"id": make_id(byday, opens, closes), "freq": "WEEKLY", "interval": 1,
                    "byday": byday, "opens_at": f"{opens}:00", "closes_at": f"{closes}:00"}
        if note:
            schedule["description"] = note
        schedules.append(schedule)
    return schedules


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
    if freq != "WEEKLY":
        return [], f"freq {freq or '(none)'} is not a weekly opening time"
    if schedule.get("interval") not in (None, 1, "1"):
        return [], "only every week (interval 1) can be held"
    days = []
    for part in str(schedule.get("byday") or "").split(","):
        key = part.strip().upper()
        if key not in BYDAY_TO_ISO:
            return [], f"byday {schedule.get('byday')!r} names no plain weekday"
        days.append(BYDAY_TO_ISO[key])
    opens, closes = parse_time(schedule.get("opens_at")), parse_time(schedule.get("closes_at"))
    if opens is None or closes is None or opens == closes:
        return [], "opens_at and closes_at must be two different times"
    note = schedule.get("description") if isinstance(schedule.get("description"), str) else None
    note = note.strip()[:500] if note and note.strip() else None
    return [{"weekday": day, "opens": opens, "closes": closes, **({"note": note} if note else {})}
            for day in days], None
