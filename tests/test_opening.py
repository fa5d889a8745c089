"""Open now / opens next, in local wall-clock time: midnight, several slots, DST changes."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from wegweiser.opening import Slot, current_block, open_state, week_blocks

BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, SAT, SUN = 1, 2, 6, 7


def at(*args) -> datetime:
    return datetime(*args)


def test_several_slots_a_day():
    slots = [Slot(MON, time(9), time(12)), Slot(MON, time(14), time(17, 30))]
    assert open_state(slots, at(2026, 11, 23, 10, 0)).is_open  # Monday
    lunch = open_state(slots, at(2026, 11, 23, 12, 0))
    assert not lunch.is_open and lunch.next_opening == at(2026, 11, 23, 14, 0)
    assert open_state(slots, at(2026, 11, 23, 17, 29)).closes_at == at(2026, 11, 23, 17, 30)
    evening = open_state(slots, at(2026, 11, 23, 18, 0))
    assert evening.next_opening == at(2026, 11, 30, 9, 0), "next Monday"


def test_a_slot_across_midnight_belongs_to_the_day_it_starts():
    night = [Slot(SAT, time(22), time(2))]
    assert open_state(night, at(2026, 11, 28, 23, 0)).is_open  # Saturday night
    after_midnight = open_state(night, at(2026, 11, 29, 1, 30))  # Sunday, 1:30
    assert after_midnight.is_open and after_midnight.closes_at == at(2026, 11, 29, 2, 0)
    assert not open_state(night, at(2026, 11, 29, 2, 0)).is_open
    assert not open_state(night, at(2026, 11, 28, 1, 0)).is_open, "Saturday 1:00 is not open"


def test_daylight_saving_changes_keep_the_clock_times():
    slots = [Slot(SUN, time(1), time(4))]
    # 2026-03-29: clocks go from 2:00 to 3:00 in Berlin.
    spring = datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert open_state(slots, spring).is_open
    assert open_state(slots, spring).closes_at == at(2026, 3, 29, 4, 0)
    # 2026-10-25: clocks go from 3:00 back to 2:00; 2:30 happens twice, open both times.
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)
    assert open_state(slots, first).is_open and open_state(slots, second).is_open
    assert not open_state(slots, datetime(2026, 10, 25, 4, 0, tzinfo=BERLIN)).is_open


def test_no_hours_means_neither_open_nor_a_next_opening():
    state = open_state([], at(2026, 11, 23, 10, 0))
    assert not state.is_open and state.next_opening is None


def test_week_blocks_match_open_state_every_quarter_hour():
    slots = [Slot(MON, time(9, 15), time(12)), Slot(SUN, time(23), time(1)),
             Slot(TUE, time(0), time(0, 30))]
    blocks = week_blocks(slots)
    start = datetime(2026, 11, 23, 0, 0)  # a Monday
    for quarter in range(7 * 24 * 4):
        moment = datetime.fromtimestamp(start.timestamp() + quarter * 900)
        assert (current_block(moment) in blocks) == open_state(slots, moment).is_open, moment
