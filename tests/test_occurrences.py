"""Expanding an event's recurrence rule: local times across summer time, UNTIL, bounds."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wegweiser.services.occurrences import (
    MAX_STEPS,
    InvalidRule,
    Schedule,
    is_over,
    last_start,
    next_occurrence,
    occurrences,
    validate_rule,
)

BERLIN = ZoneInfo("Europe/Berlin")


def weekly(rule="FREQ=WEEKLY", start=datetime(2026, 10, 1, 18, 0), hours=2) -> Schedule:
    return Schedule(start, start + timedelta(hours=hours), "Europe/Berlin", rule)


def test_weekly_meeting_stays_at_six_in_the_evening_across_the_end_of_summer_time():
    found = occurrences(weekly(), datetime(2026, 10, 1, tzinfo=BERLIN), limit=6)
    assert [o.starts_at.strftime("%d.%m. %H:%M") for o in found] == [
        "01.10. 18:00", "08.10. 18:00", "15.10. 18:00", "22.10. 18:00", "29.10. 18:00",
        "05.11. 18:00"]
    # Summer time ended on 25 October: the same local time is an hour later in UTC.
    assert found[3].starts_at.astimezone(UTC).hour == 16
    assert found[4].starts_at.astimezone(UTC).hour == 17
    assert all(o.ends_at.hour == 20 for o in found)


def test_a_meeting_across_the_start_of_summer_time_keeps_its_local_time_and_length():
    schedule = weekly("FREQ=WEEKLY;BYDAY=SA", start=datetime(2026, 3, 21, 22, 0), hours=6)
    first, second = occurrences(schedule, datetime(2026, 3, 1, tzinfo=BERLIN), limit=2)
    # The night of 28 to 29 March loses an hour, yet it still ends at 4:00 on the clock.
    assert (second.starts_at.hour, second.ends_at.hour) == (22, 4)
    assert second.ends_at.utcoffset() == timedelta(hours=2)
    assert second.starts_at.utcoffset() == timedelta(hours=1)
    assert first.ends_at - first.starts_at == timedelta(hours=6)


@pytest.mark.parametrize("until", ["20261029T170000Z", "20261029", "20261029T180000"])
def test_until_ends_the_series_in_utc_or_local_time(until):
    found = occurrences(weekly(f"FREQ=WEEKLY;UNTIL={until}"),
                        datetime(2026, 9, 1, tzinfo=BERLIN))
    assert [o.starts_at.day for o in found] == [1, 8, 15, 22, 29]


def test_count_and_the_rrule_prefix():
    found = occurrences(weekly("RRULE:FREQ=MONTHLY;BYDAY=1TU;COUNT=3",
                               start=datetime(2026, 12, 1, 9, 30)),
                        datetime(2026, 11, 1, tzinfo=UTC))
    assert [o.starts_at.date().isoformat() for o in found] == [
        "2026-12-01", "2027-01-05", "2027-02-02"]


def test_only_what_is_not_over_and_inside_the_window():
    after = datetime(2026, 10, 15, 19, 0, tzinfo=BERLIN)  # the meeting of the 15th is on
    found = occurrences(weekly(), after, until=after + timedelta(days=14))
    assert [o.starts_at.day for o in found] == [15, 22, 29]
    assert occurrences(weekly(), after, limit=2) == found[:2]


def test_a_one_off_event():
    schedule = Schedule(datetime(2026, 11, 3, 10, 0), datetime(2026, 11, 3, 12, 0),
                        "Europe/Berlin")
    before = datetime(2026, 11, 1, tzinfo=BERLIN)
    assert [o.starts_at for o in occurrences(schedule, before)] == [
        datetime(2026, 11, 3, 10, 0, tzinfo=BERLIN)]
    assert not is_over(schedule, before)
    assert is_over(schedule, datetime(2026, 11, 3, 12, 0, tzinfo=BERLIN))
    assert next_occurrence(schedule, datetime(2026, 11, 4, tzinfo=BERLIN)) is None


def test_a_series_that_ended_is_over_and_an_endless_one_is_not():
    ended = weekly("FREQ=WEEKLY;COUNT=2")
    assert is_over(ended, datetime(2026, 10, 9, tzinfo=BERLIN))
    assert last_start(ended) == datetime(2026, 10, 8, 18, 0, tzinfo=BERLIN)
    assert not is_over(weekly(), datetime(2030, 1, 1, tzinfo=BERLIN))
    assert last_start(weekly()) is None


def test_expansion_is_bounded_for_old_and_endless_rules():
    # Daily since 2026: far more steps ahead than the bound allows yields nothing, quickly.
    far = datetime(2026, 10, 1, tzinfo=BERLIN) + timedelta(days=MAX_STEPS + 10)
    assert occurrences(weekly("FREQ=DAILY"), far) == []
    assert len(occurrences(weekly("FREQ=DAILY"), datetime(2026, 10, 1, tzinfo=BERLIN),
                           limit=1000)) == 366


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "FREQ=HOURLY;COUNT=3", "nonsense",
                                  "FREQ=WEEKLY;BYDAY=XX"])
def test_rules_events_may_not_use(rule):
    with pytest.raises(InvalidRule):
        validate_rule(rule)
    # An event stored with such a rule still takes place once, as entered.
    assert len(occurrences(weekly(rule), datetime(2026, 1, 1, tzinfo=UTC))) == 1


def test_validate_keeps_the_rule_without_its_prefix():
    assert validate_rule(" RRULE:FREQ=WEEKLY;BYDAY=TU ") == "FREQ=WEEKLY;BYDAY=TU"
