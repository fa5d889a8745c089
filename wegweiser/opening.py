"""Opening hours in the city's wall-clock time (its time zone, from its city file): open now,
and when it opens next.

A slot whose closing time is not after its opening time runs past midnight into the next day.
A slot is weekly, or on one weekday of the month only ("the first Thursday", "the last
Friday": ``week_of_month`` 1–4 or -1), as volunteer-run consultations often are.
Times are compared as the local clock shows them, so daylight-saving changes need no care:
an offer "open 10:00–12:00" is open from ten to twelve on the clock on every day.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BLOCK_MINUTES = 15
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)  # the first … fourth such weekday of a month, and the last


def local_now(timezone: str) -> datetime:
    """The city's wall-clock time now, without a time zone: the moment "open now" means."""
    return datetime.now(ZoneInfo(timezone)).replace(tzinfo=None)


def weeks_of_month(day: date) -> set[int]:
    """Which of its weekday in the month ``day`` is: {2} for the second Tuesday, {4, -1} for a
    fourth Friday that is also the month's last."""
    nth = (day.day - 1) // 7 + 1
    return {nth, -1} if (day + timedelta(days=7)).month != day.month else {nth}


@dataclass(frozen=True)
class Slot:
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    opens: time
    closes: time
    week_of_month: int | None = None  # None: every week; else one of WEEKS_OF_MONTH

    def spans_midnight(self) -> bool:
        return self.closes <= self.opens

    def occurs_on(self, day: date) -> bool:
        return day.isoweekday() == self.weekday and (
            self.week_of_month is None or self.week_of_month in weeks_of_month(day))

    def on(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.opens)
        end_day = day + timedelta(days=1) if self.spans_midnight() else day
        return start, datetime.combine(end_day, self.closes)


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    closes_at: datetime | None = None
    next_opening: datetime | None = None
    slot: Slot | None = None  # the slot open now, or the one that opens next


def open_state(slots: Iterable[Slot], now: datetime,
               closed: Callable[[date], bool] | None = None) -> OpenState:
    """``now`` is local wall-clock time (naive, or aware in the local zone). ``closed`` names
    the days on which no slot holds, as whole calendar days (public holidays): a slot past
    midnight into such a day ends at midnight, one from such a day opens at midnight."""
    now = now.replace(tzinfo=None)
    slots = list(slots)
    upcoming: list[tuple[datetime, int]] = []
    # A monthly slot may be five weeks away, a weekly one a week after a closed day.
    days_ahead = 8 if closed is None and all(s.week_of_month is None for s in slots) else 40
    for offset in range(-1, days_ahead):
        day = now.date() + timedelta(days=offset)
        for position, slot in enumerate(slots):
            if not slot.occurs_on(day):
                continue
            for start, end in _open_parts(*slot.on(day), closed):
                if start <= now < end:
                    return OpenState(True, closes_at=end, slot=slot)
                if start > now:
                    upcoming.append((start, position))
    if not upcoming:
        return OpenState(False)
    start, position = min(upcoming)
    return OpenState(False, next_opening=start, slot=slots[position])


def _open_parts(start: datetime, end: datetime, closed: Callable[[date], bool] | None):
    """A slot's time on days that are not ``closed``: all of it, or its part before or after
    midnight, or nothing."""
    if closed is None:
        return [(start, end)]
    midnight = datetime.combine(start.date() + timedelta(days=1), time())
    parts = [(start, min(end, midnight)), (midnight, end)] if end > midnight else [(start, end)]
    return [(a, b) for a, b in parts if not closed(a.date())]


def week_blocks(slots: Iterable[Slot]) -> set[str]:
    """The quarter-hours of the week in which an offer is open, as index terms; those of a
    monthly slot carry its week of the month (``m1w…``; past midnight ``m1+w…``, the week of
    the day before), matched by ``open_terms``."""
    blocks: set[str] = set()
    week = 7 * 24 * 60
    for slot in slots:
        start = (slot.weekday - 1) * 24 * 60 + slot.opens.hour * 60 + slot.opens.minute
        length = (slot.closes.hour * 60 + slot.closes.minute) - \
            (slot.opens.hour * 60 + slot.opens.minute)
        if length <= 0:
            length += 24 * 60
        minute = start - start % BLOCK_MINUTES
        next_day = (slot.weekday - 1) * 24 * 60 + 24 * 60
        while minute < start + length:
            prefix = "" if slot.week_of_month is None else \
                f"m{slot.week_of_month}{'+' if minute >= next_day else ''}"
            blocks.add(prefix + block_term(minute % week))
            minute += BLOCK_MINUTES
    return blocks


def block_term(minute_of_week: int) -> str:
    return f"w{minute_of_week // BLOCK_MINUTES}"


def current_block(now: datetime) -> str:
    minute = (now.isoweekday() - 1) * 24 * 60 + now.hour * 60 + now.minute
    return block_term(minute)


def open_terms(now: datetime) -> set[str]:
    """The index terms of every slot open at ``now``: the weekly quarter-hour, and the same
    quarter-hour of the monthly slots of today's week of the month, and of those that opened
    yesterday and run past midnight."""
    block = current_block(now)
    return {block, *(f"m{week}{block}" for week in weeks_of_month(now.date())),
            *(f"m{week}+{block}" for week in weeks_of_month(now.date() - timedelta(days=1)))}
