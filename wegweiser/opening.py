"""Opening hours in the city's wall-clock time (its time zone, from its city file): open now,
and when it opens next.

A slot whose closing time is not after its opening time runs past midnight into the next day.
Times are compared as the local clock shows them, so daylight-saving changes need no care:
an offer "open 10:00–12:00" is open from ten to twelve on the clock on every day.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BLOCK_MINUTES = 15


def local_now(timezone: str) -> datetime:
    """The city's wall-clock time now, without a time zone: the moment "open now" means."""
    return datetime.now(ZoneInfo(timezone)).replace(tzinfo=None)


@dataclass(frozen=True)
class Slot:
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    opens: time
    closes: time

    def spans_midnight(self) -> bool:
        return self.closes <= self.opens

    def on(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.opens)
        end_day = day + timedelta(days=1) if self.spans_midnight() else day
        return start, datetime.combine(end_day, self.closes)


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    closes_at: datetime | None = None
    next_opening: datetime | None = None


def open_state(slots: Iterable[Slot], now: datetime) -> OpenState:
    """``now`` is local wall-clock time (naive, or aware in the local zone)."""
    now = now.replace(tzinfo=None)
    slots = list(slots)
    upcoming = []
    for offset in range(-1, 8):
        day = now.date() + timedelta(days=offset)
        for slot in slots:
            if slot.weekday != day.isoweekday():
                continue
            start, end = slot.on(day)
            if start <= now < end:
                return OpenState(True, closes_at=end)
            if start > now:
                upcoming.append(start)
    return OpenState(False, next_opening=min(upcoming) if upcoming else None)


def week_blocks(slots: Iterable[Slot]) -> set[str]:
    """The quarter-hours of the week in which an offer is open, as index terms."""
    blocks: set[str] = set()
    week = 7 * 24 * 60
    for slot in slots:
        start = (slot.weekday - 1) * 24 * 60 + slot.opens.hour * 60 + slot.opens.minute
        length = (slot.closes.hour * 60 + slot.closes.minute) - \
            (slot.opens.hour * 60 + slot.opens.minute)
        if length <= 0:
            length += 24 * 60
        minute = start - start % BLOCK_MINUTES
        while minute < start + length:
            blocks.add(block_term(minute % week))
            minute += BLOCK_MINUTES
    return blocks


def block_term(minute_of_week: int) -> str:
    return f"w{minute_of_week // BLOCK_MINUTES}"


def current_block(now: datetime) -> str:
    minute = (now.isoweekday() - 1) * 24 * 60 + now.hour * 60 + now.minute
    return block_term(minute)
