"""Open now / opens next, in local wall-clock time: midnight, several slots, DST changes."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from wegweiser.opening import (
    Slot,
    current_block,
    open_state,
    open_terms,
    week_blocks,
    weeks_of_month,
)

BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, WED, THU, FRI, SAT, SUN = 1, 2, 3, 4, 5, 6, 7


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


def test_weeks_of_the_month():
    assert weeks_of_month(at(2026, 12, 3).date()) == {1}  # the first Thursday
    assert weeks_of_month(at(2026, 12, 10).date()) == {2}
    assert weeks_of_month(at(2026, 12, 24).date()) == {4}  # December has five Thursdays
    assert weeks_of_month(at(2026, 12, 31).date()) == {5, -1}
    assert weeks_of_month(at(2026, 12, 30).date()) == {5, -1}  # the last Wednesday
    assert weeks_of_month(at(2027, 2, 25).date()) == {4, -1}  # February 2027: four Thursdays


def test_a_slot_on_the_first_thursday_of_the_month_only():
    """"Open now" and "opens next" must not send anyone on the second Thursday."""
    slots = [Slot(THU, time(15), time(18), week_of_month=1)]
    assert open_state(slots, at(2026, 12, 3, 16, 0)).is_open
    second_thursday = open_state(slots, at(2026, 12, 10, 16, 0))
    assert not second_thursday.is_open
    assert second_thursday.next_opening == at(2027, 1, 7, 15, 0), "the first Thursday of January"
    assert open_state(slots, at(2026, 12, 2, 10, 0)).next_opening == at(2026, 12, 3, 15, 0)


def test_a_slot_on_the_last_weekday_of_the_month():
    slots = [Slot(WED, time(14), time(16), week_of_month=-1)]
    assert open_state(slots, at(2026, 12, 30, 15, 0)).is_open  # the fifth and last
    assert not open_state(slots, at(2026, 12, 23, 15, 0)).is_open  # the fourth
    assert open_state(slots, at(2027, 2, 24, 15, 0)).is_open  # the fourth and last
    assert open_state(slots, at(2026, 12, 31, 9, 0)).next_opening == at(2027, 1, 27, 14, 0)


def test_monthly_and_weekly_slots_of_one_day():
    slots = [Slot(FRI, time(9), time(12)), Slot(FRI, time(14), time(17), week_of_month=1),
             Slot(FRI, time(14), time(17), week_of_month=3)]
    assert open_state(slots, at(2026, 12, 18, 15, 0)).is_open  # the third Friday
    assert not open_state(slots, at(2026, 12, 11, 15, 0)).is_open  # the second
    assert open_state(slots, at(2026, 12, 11, 10, 0)).is_open  # every Friday morning


def test_week_blocks_match_open_state_every_quarter_hour_of_two_months():
    """The index's "open now" (week_blocks against open_terms) says what open_state says, at
    every quarter-hour, for monthly slots too: across month ends, with a fourth weekday that
    is the last, and a monthly slot past midnight (Sunday 8 March 2026 is a second Sunday
    after a first Saturday: the Saturday's hours past midnight are open, the first Sunday's
    hours are not)."""
    slots = [Slot(MON, time(9, 15), time(12)), Slot(THU, time(15), time(18), week_of_month=1),
             Slot(WED, time(14), time(16), week_of_month=-1),
             Slot(FRI, time(10), time(11), week_of_month=4),
             Slot(SAT, time(22), time(1), week_of_month=1),
             Slot(SUN, time(10), time(11), week_of_month=1)]
    blocks = week_blocks(slots)
    for start in (datetime(2026, 2, 23), datetime(2026, 12, 28)):  # Mondays; nine weeks each
        for quarter in range(9 * 7 * 24 * 4):
            moment = start + timedelta(minutes=15 * quarter)
            assert bool(open_terms(moment) & blocks) == open_state(slots, moment).is_open, \
                moment
