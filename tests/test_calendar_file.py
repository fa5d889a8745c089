"""iCalendar files of events: parse them back and expand the recurrence as a calendar app does."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from wegweiser.services.calendar import CalendarEntry, calendar_file
from wegweiser.services.occurrences import Schedule

BERLIN = ZoneInfo("Europe/Berlin")


def entry(uid="event-1@example.org", rule="FREQ=WEEKLY;UNTIL=20261112", **extra):
    start = datetime(2026, 10, 1, 18, 0)
    return CalendarEntry(uid, Schedule(start, start + timedelta(hours=2), "Europe/Berlin", rule),
                         summary=extra.pop("summary", "Netzwerktreffen"), **extra)


def expand(vevent) -> list[datetime]:
    """The starts a calendar app shows: DTSTART with the RRULE applied."""
    start = vevent.decoded("dtstart")
    if "rrule" not in vevent:
        return [start]
    return list(rrulestr(vevent["rrule"].to_ical().decode(), dtstart=start))


def test_the_file_parses_and_keeps_local_time_across_the_end_of_summer_time():
    data = calendar_file([entry(description="Alle Initiativen", location="Rathaus, Leipzig",
                                url="https://example.org/de/events/1")],
                         "Wegweiser Leipzig", "de",
                         now=datetime(2026, 9, 1, 12, tzinfo=UTC))
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    calendar = icalendar.Calendar.from_ical(data)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["uid"]) == "event-1@example.org"
    assert vevent["dtstart"].params["TZID"] == "Europe/Berlin"
    assert str(vevent["summary"]) == "Netzwerktreffen"
    assert str(vevent["location"]) == "Rathaus, Leipzig"
    assert str(vevent["url"]) == "https://example.org/de/events/1"
    assert vevent.decoded("dtstamp") == datetime(2026, 9, 1, 12, tzinfo=UTC)
    # UNTIL is written in UTC, as RFC 5545 wants when DTSTART has a time zone.
    assert vevent["rrule"].to_ical().decode().endswith("Z")
    starts = expand(vevent)
    assert [s.strftime("%d.%m. %H:%M") for s in starts] == [
        "01.10. 18:00", "08.10. 18:00", "15.10. 18:00", "22.10. 18:00", "29.10. 18:00",
        "05.11. 18:00", "12.11. 18:00"]
    assert {s.astimezone(UTC).hour for s in starts} == {16, 17}


def test_the_time_zone_is_described_for_calendar_apps():
    calendar = icalendar.Calendar.from_ical(calendar_file([entry()], "Feed", "de"))
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    offsets = {str(c["tzoffsetto"].to_ical()) for c in zone.walk() if c.name in
               ("STANDARD", "DAYLIGHT")}
    assert {"+0100", "+0200"} <= offsets
    assert not calendar.get_missing_tzids()


def test_one_off_and_several_events_each_with_its_own_uid():
    calendar = icalendar.Calendar.from_ical(calendar_file(
        [entry(), entry("event-2@example.org", rule=None, summary="اجتماع الشبكة",
                        categories=("Netzwerktreffen",))], "Feed", "ar"))
    events = {str(v["uid"]): v for v in calendar.walk("VEVENT")}
    assert set(events) == {"event-1@example.org", "event-2@example.org"}
    single = events["event-2@example.org"]
    assert "rrule" not in single
    assert str(single["summary"]) == "اجتماع الشبكة"
    assert single.decoded("dtend") - single.decoded("dtstart") == timedelta(hours=2)
    assert expand(single) == [datetime(2026, 10, 1, 18, tzinfo=BERLIN)]


def test_a_cancelled_event_is_marked_so():
    calendar = icalendar.Calendar.from_ical(calendar_file([entry(cancelled=True)], "F", "de"))
    assert str(calendar.walk("VEVENT")[0]["status"]) == "CANCELLED"
