"""Open now / opens next, in local wall-clock time: midnight, several slots, DST changes."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from wegweiser.opening import (
    Closure,
    Slot,
    closed_terms,
    closed_until,
    current_or_coming,
    is_open_by_terms,
    open_state,
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
        assert is_open_by_terms(blocks, moment) == open_state(slots, moment).is_open, moment


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
            assert is_open_by_terms(blocks, moment) == open_state(slots, moment).is_open, \
                moment


# ---- temporary closures -----------------------------------------------------------------------

HOLIDAYS = Closure(datetime(2026, 12, 22).date(), datetime(2027, 1, 2).date())
# Tuesday 10–12, Saturday 10–14, and a night café Monday 20:00–02:00 (past midnight).
WEEK = [Slot(TUE, time(10), time(12)), Slot(SAT, time(10), time(14)),
        Slot(MON, time(20), time(2))]


def test_closed_on_the_days_of_a_closure_and_opens_after_it():
    """Tuesday 22 December is the first closed day: not open at 11:00 (its weekly hours), and
    the next opening is the first slot after the last closed day (Saturday 2 January, whose
    hours do not open either): Monday 4 January at 20:00."""
    state = open_state(WEEK, at(2026, 12, 22, 11, 0), [HOLIDAYS])
    assert not state.is_open
    assert state.closed_until == datetime(2027, 1, 2).date()
    assert state.next_opening == at(2027, 1, 4, 20, 0)
    assert open_state(WEEK, at(2027, 1, 2, 11, 0), [HOLIDAYS]).next_opening == \
        at(2027, 1, 4, 20, 0), "the last day is closed too"
    assert open_state(WEEK, at(2027, 1, 5, 11, 0), [HOLIDAYS]).is_open, "the day after"
    before = open_state(WEEK, at(2026, 12, 19, 11, 0), [HOLIDAYS])
    assert before.is_open and before.closed_until is None, "the day before is not closed"


def test_a_slot_past_midnight_belongs_to_the_day_it_opens():
    """The night café opens Monday 21 December (not closed) and keeps its hours into Tuesday
    22nd, the first closed day; it does not open on Monday 28th (closed), so it is shut in the
    small hours of Tuesday 29th; Monday 4 January it opens again."""
    assert open_state(WEEK, at(2026, 12, 22, 1, 0), [HOLIDAYS]).is_open
    assert not open_state(WEEK, at(2026, 12, 28, 21, 0), [HOLIDAYS]).is_open
    assert not open_state(WEEK, at(2026, 12, 29, 1, 0), [HOLIDAYS]).is_open
    assert open_state(WEEK, at(2027, 1, 5, 1, 0), [HOLIDAYS]).is_open


def test_a_past_closure_has_no_effect():
    last_year = Closure(datetime(2025, 12, 22).date(), datetime(2026, 1, 2).date())
    state = open_state(WEEK, at(2026, 12, 22, 11, 0), [last_year])
    assert state.is_open and state.closed_until is None


def test_closures_that_meet_are_closed_until_the_end_of_the_last():
    renovation = Closure(datetime(2027, 1, 3).date(), datetime(2027, 1, 10).date())
    assert closed_until([renovation, HOLIDAYS], datetime(2026, 12, 30).date()) == \
        datetime(2027, 1, 10).date()
    assert closed_until([HOLIDAYS], datetime(2027, 1, 3).date()) is None
    state = open_state(WEEK, at(2026, 12, 30, 11, 0), [HOLIDAYS, renovation])
    assert state.next_opening == at(2027, 1, 11, 20, 0)


def test_a_long_closure_still_finds_the_next_opening():
    """Closed for eleven months (renovation): "opens next" looks beyond it."""
    long = Closure(datetime(2027, 1, 1).date(), datetime(2027, 11, 30).date())
    assert open_state(WEEK, at(2027, 1, 1, 9, 0), [long]).next_opening == at(2027, 12, 4, 10, 0)


def test_current_or_coming_closures_within_four_weeks():
    today = datetime(2026, 11, 30).date()
    assert current_or_coming([HOLIDAYS], today) == [HOLIDAYS]  # 22 days ahead
    assert current_or_coming([HOLIDAYS], datetime(2026, 11, 20).date()) == []  # 32 days
    assert current_or_coming([HOLIDAYS], datetime(2027, 1, 2).date()) == [HOLIDAYS]
    assert current_or_coming([HOLIDAYS], datetime(2027, 1, 3).date()) == []


def test_the_index_terms_agree_with_open_state_around_a_closure():
    """The index's "open now" (week_blocks and the closed days' terms against open_terms)
    says what open_state says at every quarter-hour from a week before the closure to a week
    after it: the day before, the first day, a past-midnight slot into it and out of it, the
    last day and the day after; monthly slots too."""
    slots = [*WEEK, Slot(THU, time(15), time(18), week_of_month=1),
             Slot(SAT, time(22), time(1), week_of_month=-1)]
    closures = [HOLIDAYS, Closure(datetime(2027, 1, 7).date(), datetime(2027, 1, 7).date())]
    start = datetime(2026, 12, 14)
    terms = week_blocks(slots) | closed_terms(closures, start.date())
    assert "c20261222" in terms and "c20270102" in terms and "c20270107" in terms
    disagree = []
    for quarter in range(4 * 7 * 24 * 4):
        moment = start + timedelta(minutes=15 * quarter)
        if is_open_by_terms(terms, moment) != open_state(slots, moment, closures).is_open:
            disagree.append(moment)
    assert disagree == []
    assert is_open_by_terms(terms, at(2026, 12, 22, 1, 0)), "the night before, past midnight"
    assert not is_open_by_terms(terms, at(2026, 12, 22, 11, 0)), "the first day"
    assert not is_open_by_terms(terms, at(2027, 1, 7, 16, 0)), "the first Thursday, closed"
