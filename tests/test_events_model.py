"""Events: the model, the import format's "events" and the demo events."""
from __future__ import annotations

import json
from datetime import date, datetime

from dateutil.rrule import rrulestr
from sqlalchemy import select

from wegweiser import db
from wegweiser.cli import main
from wegweiser.i18n import in_language
from wegweiser.models import Event, Offer, Revision
from wegweiser.services.directory import load_vocabularies
from wegweiser.services.setup import DEMO_EVENTS_WEEK, import_files, moved_events

from .conftest import DATA

EVENT = {
    "id": "sprachbruecke-netzwerk", "organisation": "sprachbruecke",
    "title": {"de": "Netzwerktreffen Süd", "ar": "لقاء الشبكة"},
    "description": {"de": "Austausch der Initiativen im Süden."},
    "starts_at": "2027-01-05T18:00", "ends_at": "2027-01-05T20:00",
    "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630T235959",
    "categories": ["Netzwerktreffen"], "target_groups": ["volunteers"], "languages": ["de"],
    "areas": ["Connewitz"], "address": {"street": "Bornaische Straße 18", "city": "Leipzig"},
    "registration_needed": True, "registration_contact": "info@sprachbruecke.example",
}


def _import(tmp_path, *events, offers=None):
    data = json.loads((DATA / "valid.json").read_text())
    data["events"] = list(events)
    if offers is not None:
        data["offers"] = offers
    path = tmp_path / "with-events.json"
    path.write_text(json.dumps(data))
    return import_files([path], "import:test")


def _problems(report) -> dict[str, str]:
    with in_language("en"):
        return {p.field: str(p.reason) for p in report.problems}


def test_an_imported_event_keeps_local_times_its_zone_and_its_rule(ctx, tmp_path):
    report = _import(tmp_path, EVENT)
    assert report.ok, report.problems
    assert report.created["events"] == 1
    event = db.session().scalar(select(Event))
    assert event.starts_at == datetime(2027, 1, 5, 18, 0) and event.starts_at.tzinfo is None
    assert event.timezone == "Europe/Berlin"  # the city's
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630T235959"
    assert [c.slug for c in event.categories] == ["network-meeting"]
    assert event.text_in("title", "ar") == ("لقاء الشبكة", "ar")
    assert event.registration_needed and event.status == "published"
    # 18:00 in winter and in summer alike: the rule counts in local time.
    dates = list(rrulestr(event.rrule, dtstart=event.starts_at))
    assert dates[0].hour == dates[-1].hour == 18 and dates[-1] == datetime(2027, 6, 29, 18, 0)
    revision = db.session().scalar(select(Revision).where(Revision.entity_type == "event"))
    assert revision.entity_id == event.id


def test_importing_events_twice_changes_nothing_and_a_change_is_a_revision(ctx, tmp_path):
    assert _import(tmp_path, EVENT).ok
    again = _import(tmp_path, EVENT)
    assert again.unchanged["events"] == 1 and again.updated["events"] == 0
    changed = _import(tmp_path, {**EVENT, "ends_at": "2027-01-05T21:00"})
    assert changed.updated["events"] == 1
    revisions = db.session().scalars(select(Revision).where(Revision.entity_type == "event")
                                     .order_by(Revision.id)).all()
    assert revisions[-1].changes == {"ends_at": {"before": "2027-01-05T20:00",
                                                 "after": "2027-01-05T21:00"}}


def test_the_command_line_reports_events_and_a_dry_run_writes_none(app, tmp_path):
    data = json.loads((DATA / "valid.json").read_text())
    path = tmp_path / "events.json"
    path.write_text(json.dumps({**data, "events": [EVENT]}))
    runner = app.test_cli_runner()
    dry = runner.invoke(main, ["import", "--dry-run", str(path)])
    assert dry.exit_code == 0 and "events: 1 new" in dry.output, dry.output
    with app.app_context():
        assert db.session().scalar(select(Event)) is None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**data, "events": [{**EVENT, "rrule": "FREQ=HOURLY"}]}))
    refused = runner.invoke(main, ["import", str(bad)])
    assert refused.exit_code == 1
    assert "sprachbruecke-netzwerk: rrule: must repeat DAILY" in refused.output


def test_invalid_events_are_reported_field_by_field_and_nothing_is_written(ctx, tmp_path):
    cases = [
        ({"rrule": "FREQ=HOURLY"}, "rrule", "DAILY, WEEKLY, MONTHLY or YEARLY"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule", "not a valid iCalendar RRULE"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=WE"}, "rrule", "must include the start"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20270630T235959Z"}, "rrule", "without Z"),
        ({"ends_at": "2027-01-05T17:00"}, "ends_at", "after starts_at"),
        ({"starts_at": "2027-01-05T18:00+01:00"}, "starts_at", "without an offset"),
        ({"starts_at": "5.1.2027 18 Uhr"}, "starts_at", "YYYY-MM-DDTHH:MM"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"address": {}}, "address", "marked as online"),
        ({"offer": "telefon-hotline"}, "offer", "same organisation"),
        ({"categories": ["no-such-thing"]}, "categories", "unknown value"),
        ({"online_url": "meet.example"}, "online_url", "http"),
    ]
    for change, field, words in cases:
        report = _import(tmp_path, {**EVENT, **change})
        assert not report.ok, change
        assert words in _problems(report).get(field, ""), (change, report.problems)
    assert db.session().scalar(select(Event)) is None


def test_an_online_event_needs_no_address_and_may_belong_to_an_offer(ctx, tmp_path):
    online = {**EVENT, "address": {}, "online": True, "rrule": None,
              "online_url": "https://meet.example/abc", "offer": "sprachbruecke-deutschkurs"}
    assert _import(tmp_path, online).ok
    event = db.session().scalar(select(Event))
    assert event.online and event.offer.external_id == "sprachbruecke-deutschkurs"
    offer = db.session().scalar(select(Offer).where(Offer.id == event.offer_id))
    db.session().delete(offer)
    db.session().commit()
    db.session().expire_all()
    assert db.session().scalar(select(Event)).offer_id is None  # the event stays


def test_offers_cannot_take_the_events_only_category(ctx, tmp_path):
    offers = json.loads((DATA / "valid.json").read_text())["offers"]
    offers[0]["categories"] = ["network-meeting"]
    report = _import(tmp_path, offers=offers)
    assert "events only" in _problems(report)["categories"]
    vocab = load_vocabularies(db.session())
    assert "network-meeting" not in {c.slug for c in vocab.categories}
    assert "network-meeting" in {c.slug for c in vocab.event_categories}


def test_the_demo_has_upcoming_events_and_one_past(demo_app):
    with demo_app.app_context():
        events = {e.external_id: e for e in db.session().scalars(select(Event))}
        assert len(events) >= 8
        meeting = events["e-netzwerktreffen"]
        assert meeting.rrule == "FREQ=MONTHLY;BYDAY=1WE"
        assert [c.slug for c in meeting.categories] == ["network-meeting"]
        assert meeting.starts_at.weekday() == 2 and meeting.starts_at.day <= 7
        now = datetime.now()
        one_off = [e for e in events.values() if not e.rrule]
        assert sum(e.ends_at < now for e in one_off) == 1
        assert sum(e.starts_at > now for e in one_off) >= 3
        for event in events.values():
            assert {"de", "en", "ar", "uk"} <= set(event.translations_of("title"))
        assert any(e.online for e in events.values())


def test_demo_events_move_by_whole_weeks_and_repeat_from_their_first_date():
    events = [{"starts_at": "2026-12-02T18:00", "ends_at": "2026-12-02T20:00",
               "rrule": "FREQ=MONTHLY;BYDAY=1WE"},
              {"starts_at": "2026-11-30T16:00", "ends_at": "2026-11-30T18:00",
               "rrule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270222T235959"},
              {"starts_at": "2026-12-17T14:00", "ends_at": "2026-12-17T17:30"}]
    assert moved_events(events, DEMO_EVENTS_WEEK) == events
    meeting, training, forum = moved_events(events, date(2027, 3, 12))  # 14 weeks on
    assert meeting["starts_at"] == "2027-04-07T18:00"  # the first Wednesday from then on
    assert meeting["ends_at"] == "2027-04-07T20:00"
    assert training["rrule"] == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270531T235959"
    assert forum == {"starts_at": "2027-03-25T14:00", "ends_at": "2027-03-25T17:30"}


def test_repetitions_in_words_become_rules_and_back():
    from wegweiser.services.events import repetition_kind, repetition_of, repetition_rule

    tuesday = datetime(2027, 3, 30, 18, 0)  # the fifth Tuesday of March: "the last"
    rules = {kind: repetition_rule(kind, tuesday, date(2027, 6, 30))
             for kind in ("weekly", "biweekly", "monthly_weekday", "monthly_date")}
    assert rules == {
        "weekly": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630T235959",
        "biweekly": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270630T235959",
        "monthly_weekday": "FREQ=MONTHLY;BYDAY=-1TU;UNTIL=20270630T235959",
        "monthly_date": "FREQ=MONTHLY;BYMONTHDAY=30;UNTIL=20270630T235959"}
    for kind, rule in rules.items():
        assert repetition_of(rule, tuesday) == (kind, date(2027, 6, 30))
        dates = list(rrulestr(rule, dtstart=tuesday))
        assert dates[0] == tuesday and all(d.hour == 18 for d in dates)
    assert repetition_rule("none", tuesday) is None
    assert repetition_of(None, tuesday) == ("none", None)
    assert repetition_of("FREQ=DAILY", tuesday) == ("other", None)  # kept as imported
    assert [repetition_kind(rule) for rule in rules.values()] == list(rules)
    assert repetition_kind("FREQ=MONTHLY;BYDAY=1WE") == "monthly_weekday"
    assert repetition_kind("FREQ=DAILY") == "other" and repetition_kind(None) == "none"
    assert repetition_of("FREQ=MONTHLY;BYDAY=1WE", datetime(2027, 1, 6, 18)) == \
        ("monthly_weekday", None)


def test_offer_search_offers_no_filter_for_the_events_only_category(demo_client):
    page = demo_client.get("/de/search?q=Deutsch").get_data(as_text=True)
    assert "category=language-courses" in page and "category=network-meeting" not in page
    api = demo_client.get("/api/v1/offers?q=Deutsch").get_json()
    assert "network-meeting" not in api["facets"]["category"]
    assert demo_client.get("/api/v1/offers?category=network-meeting").status_code == 400
