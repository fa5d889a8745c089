"""Opening hours in the city's wall-clock time (its time zone, from its city file): open now,
and when it opens next.

A slot whose closing time is not after its opening time runs past midnight into the next day.
A slot is weekly, or on one weekday of the month only ("the first Thursday", "the last
Friday": ``week_of_month`` 1–4 or -1), as volunteer-run consultations often are.
Times are compared as the local clock shows them, so daylight-saving changes need no care:
an offer "open 10:00–12:00" is open from ten to twelve on the clock on every day.

A temporary closure (holidays, renovation) shuts an offer from its first to its last day, both
included. A slot belongs to the day it opens on: on a closed day no slot opens (also not the
part of it that would run past midnight into the day after the closure), and a slot that opened
the evening before a closure and runs past midnight keeps its hours (the night café of the 21st
is open until 02:00 on the 22nd, the first closed day): whoever opened the door closes it.
A public holiday (``closed`` days, unless the offer is open on them) closes in the same way.
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


@dataclass(frozen=True, order=True)
class Closure:
    """Closed from ``first`` to ``last``, both days included."""

    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


MAX_CLOSURE_DAYS = 366  # longer than a year is not a closure: the offer is archived
COMING_CLOSURE_DAYS = 28  # a closure starting within four weeks is announced


def closed_until(closures: Iterable[Closure], day: date) -> date | None:
    """The last day of the closed days that ``day`` is one of (closures that meet or overlap
    count as one), or None if ``day`` is not closed."""
    closures = sorted(closures)
    if not any(c.covers(day) for c in closures):
        return None
    last = day
    for closure in closures:
        if closure.first <= last + timedelta(days=1) and closure.last > last:
            last = closure.last
    return last


def current_or_coming(closures: Iterable[Closure], today: date,
                      within_days: int = COMING_CLOSURE_DAYS) -> list[Closure]:
    """The closures that have not ended and start within ``within_days``, earliest first."""
    return sorted(c for c in closures
                  if c.last >= today and c.first <= today + timedelta(days=within_days))


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    closes_at: datetime | None = None
    next_opening: datetime | None = None
    slot: Slot | None = None  # the slot open now, or the one that opens next
    closed_until: date | None = None  # today is closed (a closure) up to this day, included


def open_state(slots: Iterable[Slot], now: datetime, closures: Iterable[Closure] = (),
               closed: Callable[[date], bool] | None = None) -> OpenState:
    """``now`` is local wall-clock time (naive, or aware in the local zone); on the days of
    ``closures``, and on the days ``closed`` names (public holidays), no slot opens."""
    now = now.replace(tzinfo=None)
    slots = list(slots)
    closures = [c for c in closures if c.last >= now.date() - timedelta(days=1)]
    upcoming: list[tuple[datetime, int]] = []
    # A monthly slot may be five weeks away; a closure moves the next opening on.
    days_ahead = 8 if all(s.week_of_month is None for s in slots) else 40
    if closures:
        days_ahead += max(0, (max(c.last for c in closures) - now.date()).days + 1)
    if closed is not None:
        days_ahead += 7  # a weekly slot on a holiday: its next week
    for offset in range(-1, days_ahead):
        day = now.date() + timedelta(days=offset)
        if any(c.covers(day) for c in closures) or (closed is not None and closed(day)):
            continue
        for position, slot in enumerate(slots):
            if not slot.occurs_on(day):
                continue
            start, end = slot.on(day)
            if start <= now < end:
                return OpenState(True, closes_at=end, slot=slot)
            if start > now:
                upcoming.append((start, position))
    until = closed_until(closures, now.date())
    if not upcoming:
        return OpenState(False, closed_until=until)
    start, position = min(upcoming)
    return OpenState(False, next_opening=start, slot=slots[position], closed_until=until)


def week_blocks(slots: Iterable[Slot]) -> set[str]:
    """The quarter-hours of the week in which an offer is open, as index terms; those past
    midnight carry a ``+`` (``+w…``: the slot opened the day before, whose closure counts),
    those of a monthly slot its week of the month (``m1w…``; past midnight ``m1+w…``, the week
    of the day before), matched by ``open_terms``."""
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
            after_midnight = "+" if minute >= next_day else ""
            prefix = after_midnight if slot.week_of_month is None else \
                f"m{slot.week_of_month}{after_midnight}"
            blocks.add(prefix + block_term(minute % week))
            minute += BLOCK_MINUTES
    return blocks


def block_term(minute_of_week: int) -> str:
    return f"w{minute_of_week // BLOCK_MINUTES}"


def current_block(now: datetime) -> str:
    minute = (now.isoweekday() - 1) * 24 * 60 + now.hour * 60 + now.minute
    return block_term(minute)


def open_terms(now: datetime) -> dict[str, set[str]]:
    """The index terms of every slot open at ``now``, by the closed-day term of the day the
    slot opened on: today's (the weekly quarter-hour, and the same quarter-hour of the monthly
    slots of today's week of the month), and yesterday's for the slots that run past midnight.
    An offer is open now if it has one of a day's slot terms and not that day's closed term."""
    block = current_block(now)
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    return {closed_term(today): {block, *(f"m{week}{block}" for week in weeks_of_month(today))},
            closed_term(yesterday): {f"+{block}", *(f"m{week}+{block}"
                                                    for week in weeks_of_month(yesterday))}}


def closed_term(day: date) -> str:
    """The index term of a closed day: ``c20261222``."""
    return f"c{day:%Y%m%d}"


def closed_terms(closures: Iterable[Closure], since: date) -> set[str]:
    """The terms of the closed days from ``since`` on (days before it can no longer matter to
    "open now"), for the index: a closure then takes effect without reindexing."""
    terms: set[str] = set()
    for closure in closures:
        day = max(closure.first, since)
        while day <= closure.last:
            terms.add(closed_term(day))
            day += timedelta(days=1)
    return terms


def is_open_by_terms(terms: set[str], now: datetime) -> bool:
    """Whether an offer with the index terms ``terms`` (week_blocks and closed_terms) is open
    at ``now``, as the open-now filter finds it."""
    return any(slot_terms & terms and closed not in terms
               for closed, slot_terms in open_terms(now).items())
