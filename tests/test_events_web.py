"""The public events: the events page with its filters, an event's page (410 once it is over),
events on offer and organisation pages, the iCalendar feeds and the events API."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import icalendar
import pytest
from dateutil.rrule import rrulestr

from wegweiser import db
from wegweiser.services.event_listing import end_of_week

from .event_factory import BERLIN, add_event, days_ahead, local_now

pytestmark = pytest.mark.demo_directory


@pytest.fixture
def events(app):
    """A few events of the demo organisations: weekly, one-off, online, past, draft."""
    with app.app_context():
        session = db.session()
        add_event(session, "treffen-ost", {"de": "Netzwerktreffen Ost",
                                           "ar": "لقاء شبكة الشرق"},
                  days_ahead(1, 18), rrule="FREQ=WEEKLY", categories=["meeting-mentoring"],
                  areas=["volkmarsdorf"], languages=["de", "ar"], street="Eisenbahnstraße 1",
                  descriptions={"de": "Alle Initiativen im Osten tauschen sich aus."},
                  offer="a-sprachwerk-sprachcafe")
        add_event(session, "frauencafe", {"de": "Frauencafé Connewitz"}, days_ahead(3, 10),
                  target_groups=["women"], areas=["connewitz"], languages=["fa"],
                  cost="paid", registration_needed=True, organisation="a-lernwerkstatt-connewitz")
        add_event(session, "online-info", {"de": "Online-Infoabend Aufenthalt",
                                           "en": "Online evening on residence"},
                  days_ahead(20, 19), online=True, target_groups=["everyone"],
                  categories=["asylum-legal-advice"], languages=["en"])
        add_event(session, "gleich", {"de": "Gleich geht es los"},
                  local_now() + timedelta(minutes=5))
        add_event(session, "vorbei", {"de": "Vergangener Abend"}, days_ahead(-3, 18))
        add_event(session, "entwurf", {"de": "Entwurfstreffen"}, days_ahead(2, 18),
                  status="draft")
    return app


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def titles(html: str) -> list[str]:
    return re.findall(r'class="event-card-title"><a href="[^"]*"[^>]*>([^<]+)</a>', html)


def test_the_events_page_lists_upcoming_dates_by_day_in_date_order(events):
    html = page(events.test_client(), "/de/events")
    found = titles(html)
    assert found.index("Netzwerktreffen Ost") < found.index("Frauencafé Connewitz")
    assert "Online-Infoabend Aufenthalt" in found
    assert "Vergangener Abend" not in found and "Entwurfstreffen" not in found
    # A weekly meeting is listed on each of its days; each day has a heading.
    assert found.count("Netzwerktreffen Ost") >= 4
    tomorrow = days_ahead(1).date()
    assert f'<time datetime="{tomorrow.isoformat()}">' in html
    assert "18:00–20:00" in html
    assert "Eisenbahnstraße 1, 04103 Leipzig" in html
    assert "Online" in html and "Anmeldung" in html.replace("Registration", "Anmeldung")
    assert '<form class="event-filters screen-only" method="get"' in html


def test_the_page_in_arabic_is_right_to_left_with_times_by_babel_and_a_language_note(events):
    html = page(events.test_client(), "/ar/events")
    assert '<html lang="ar" dir="rtl">' in html
    assert "لقاء شبكة الشرق" in titles(html)  # translated title
    # Frauencafé has German only: marked as such, in the page's language.
    card = html[html.index("Frauencafé Connewitz"):][:1500]
    assert 'lang="de"' in html[html.index("Frauencafé Connewitz") - 200:][:200]
    assert "notice-inline" in card
    assert "١٨:٠٠" in html or "18:00" in html


@pytest.mark.parametrize("query, expected, absent", [
    ("category=meeting-mentoring", {"Netzwerktreffen Ost"}, {"Frauencafé Connewitz"}),
    ("area=sued", {"Frauencafé Connewitz", "Online-Infoabend Aufenthalt"},
     {"Netzwerktreffen Ost"}),
    ("area=ost", {"Netzwerktreffen Ost", "Online-Infoabend Aufenthalt"},
     {"Frauencafé Connewitz"}),
    ("target_group=women", {"Frauencafé Connewitz", "Online-Infoabend Aufenthalt",
                            "Netzwerktreffen Ost"}, set()),
    ("target_group=youth", {"Online-Infoabend Aufenthalt", "Netzwerktreffen Ost"},
     {"Frauencafé Connewitz"}),
    ("language=fa", {"Frauencafé Connewitz"}, {"Netzwerktreffen Ost"}),
    ("language=fa&language=en", {"Frauencafé Connewitz", "Online-Infoabend Aufenthalt"},
     {"Netzwerktreffen Ost"}),
    ("this_week=1", {"Gleich geht es los"}, {"Online-Infoabend Aufenthalt"}),
    ("q=Frauencafe", {"Frauencafé Connewitz"}, {"Netzwerktreffen Ost"}),
    ("q=Aufenthalt&area=ost", {"Online-Infoabend Aufenthalt"}, {"Netzwerktreffen Ost"}),
    ("area=nowhere&category=unknown", {"Netzwerktreffen Ost"}, set()),
])
def test_filters(events, query, expected, absent):
    found = set(titles(page(events.test_client(), f"/de/events?{query}")))
    assert expected <= found, found
    assert not absent & found


def test_this_week_ends_on_sunday():
    monday = datetime(2026, 12, 7, 0, 0, tzinfo=BERLIN)
    assert end_of_week(datetime(2026, 12, 4, 9, 0, tzinfo=BERLIN)) == monday
    assert end_of_week(datetime(2026, 12, 6, 23, 0, tzinfo=BERLIN)) == monday
    assert end_of_week(monday) == monday + timedelta(days=7)


def test_the_filter_form_keeps_its_choices_and_nothing_found_says_so(events):
    html = page(events.test_client(),
                "/de/events?category=asylum-legal-advice&this_week=1&q=zzzqqq")
    assert re.search(r'<option value="asylum-legal-advice" selected>', html)
    assert 'name="this_week" value="1" checked' in html
    assert "Keine Veranstaltungen gefunden" in html


def test_an_events_page_with_its_dates_organisation_offer_and_calendar(events):
    client = events.test_client()
    html = page(client, "/de/events/treffen-ost")
    assert "<h1>Netzwerktreffen Ost</h1>" in html
    assert 'href="/de/organisations/a-sprachwerk-ost"' in html
    assert 'href="/de/offers/a-sprachwerk-sprachcafe"' in html
    assert html.count('<li><time datetime=') == 10  # the next ten dates
    assert 'href="/de/events/treffen-ost/calendar.ics"' in html
    response = client.get("/de/events/treffen-ost/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    (vevent,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert str(vevent["summary"]) == "Netzwerktreffen Ost"
    assert vevent["dtstart"].params["TZID"] == "Europe/Berlin"
    assert "FREQ=WEEKLY" in vevent["rrule"].to_ical().decode()


def test_an_event_in_arabic_shows_the_german_description_with_a_note(events):
    html = page(events.test_client(), "/ar/events/treffen-ost")
    assert "لقاء شبكة الشرق" in html
    description = html[html.index('id="description-heading"'):]
    assert "notice-inline" in description[:800]
    assert 'lang="de" dir="ltr">' in description[:1200]


def test_an_event_that_is_over_answers_410_and_unknown_or_drafts_404(events):
    client = events.test_client()
    response = client.get("/de/events/vorbei")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "Vergangener Abend" in html and 'href="/de/events"' in html
    assert client.get("/de/events/vorbei/calendar.ics").status_code == 404
    assert client.get("/de/events/entwurf").status_code == 404
    assert client.get("/de/events/gibt-es-nicht").status_code == 404


def test_offer_and_organisation_pages_show_the_next_events(events):
    client = events.test_client()
    html = page(client, "/de/offers/a-sprachwerk-sprachcafe")
    assert "Netzwerktreffen Ost" in html and 'id="next-events-heading"' in html
    assert html.count("Netzwerktreffen Ost") == 1  # the next date only
    organisation = page(client, "/de/organisations/a-sprachwerk-ost")
    assert "Netzwerktreffen Ost" in organisation
    assert 0 < organisation.count('class="event-card"') <= 3
    assert "Vergangener Abend" not in organisation
    assert 'href="/de/organisations/a-sprachwerk-ost/events.ics"' in organisation
    assert "next-events-heading" not in page(client, "/de/offers/a-sprachwerk-deutschkurs-a1")


def test_organisation_pages_show_at_most_three(events):
    with events.app_context():
        for n in range(4):
            add_event(db.session(), f"extra-{n}", {"de": f"Zusatztermin {n}"},
                      days_ahead(5 + n), organisation="a-rechtskompass")
    html = page(events.test_client(), "/de/organisations/a-rechtskompass")
    assert html.count('class="event-card"') == 3
    assert re.findall(r"Zusatztermin \d", html)[:2] == ["Zusatztermin 0", "Zusatztermin 1"]


def test_the_feed_has_every_upcoming_published_event_and_imports_as_a_calendar(events):
    response = events.test_client().get("/en/events.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert b"\r\n" in response.data
    calendar = icalendar.Calendar.from_ical(response.data)
    assert not calendar.get_missing_tzids()
    vevents = {str(v["summary"]): v for v in calendar.walk("VEVENT")}
    assert set(vevents) >= {"Netzwerktreffen Ost", "Frauencafé Connewitz",
                            "Online evening on residence"}  # the English title
    assert not {"Vergangener Abend", "Entwurfstreffen"} & set(vevents)
    uids = [str(v["uid"]) for v in vevents.values()]
    assert len(set(uids)) == len(uids)
    assert str(vevents["Online evening on residence"]["location"]).startswith("https://")
    weekly = vevents["Netzwerktreffen Ost"]
    starts = list(rrulestr(weekly["rrule"].to_ical().decode(),
                           dtstart=weekly.decoded("dtstart")).xafter(
        datetime.now(BERLIN), count=30))
    assert {s.astimezone(BERLIN).hour for s in starts} == {18}
    assert str(weekly["url"]).endswith("/en/events/treffen-ost")
    # The same UID in the next download: calendar apps update instead of duplicating.
    again = icalendar.Calendar.from_ical(events.test_client().get("/en/events.ics").data)
    assert sorted(str(v["uid"]) for v in again.walk("VEVENT")) == sorted(uids)


def test_an_organisations_feed_has_only_its_events(events):
    client = events.test_client()
    calendar = icalendar.Calendar.from_ical(
        client.get("/de/organisations/a-lernwerkstatt-connewitz/events.ics").data)
    assert [str(v["summary"]) for v in calendar.walk("VEVENT")] == ["Frauencafé Connewitz"]
    assert client.get("/de/organisations/unbekannt/events.ics").status_code == 404


def test_the_start_page_and_the_footer_link_to_the_events(events):
    html = page(events.test_client(), "/ar/")
    assert html.count('href="/ar/events"') >= 2


def test_the_api_lists_upcoming_events_with_iso_dates_and_filters(events):
    client = events.test_client()
    body = client.get("/api/v1/events?lang=en").get_json()
    ids = [r["id"] for r in body["results"]]
    assert ids.index("gleich") < ids.index("treffen-ost") < ids.index("frauencafe")
    assert "vorbei" not in ids and "entwurf" not in ids
    assert body["total"] == len(ids) and body["page"] == 1
    weekly = body["results"][ids.index("treffen-ost")]
    assert weekly["rrule"] == "FREQ=WEEKLY"
    first = datetime.fromisoformat(weekly["occurrences"][0]["start"])
    assert first.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert first.astimezone(BERLIN).hour == 18
    assert len(weekly["occurrences"]) == 10
    online = next(r for r in body["results"] if r["id"] == "online-info")
    assert online["title"] == "Online evening on residence" and online["text_language"] == "en"
    assert online["online"] and online["address"] is None
    only = client.get("/api/v1/events?language=fa&area=sued").get_json()
    assert [r["id"] for r in only["results"]] == ["frauencafe"]
    words = [r["id"] for r in client.get("/api/v1/events?q=Frauencafe").get_json()["results"]]
    assert "frauencafe" in words and "treffen-ost" not in words
    paged = client.get("/api/v1/events?per_page=1&page=2").get_json()
    assert [r["id"] for r in paged["results"]] == ids[1:2]
    assert paged["total"] == body["total"]


def test_the_api_gives_one_event_with_its_translations(events):
    client = events.test_client()
    record = client.get("/api/v1/events/treffen-ost?lang=ar").get_json()
    assert record["title"] == "لقاء شبكة الشرق"
    assert record["translations"]["title"] == {"de": "Netzwerktreffen Ost",
                                               "ar": "لقاء شبكة الشرق"}
    assert record["organisation"]["id"] == "a-sprachwerk-ost"
    assert record["offer"] == "a-sprachwerk-sprachcafe"
    assert client.get("/api/v1/events/vorbei").status_code == 404
    assert client.get("/api/v1/events/entwurf").status_code == 404


@pytest.mark.parametrize("query, parameter", [
    ("category=unknown", "category"), ("this_week=maybe", "this_week"),
    ("per_page=0", "per_page"), ("lang=xx", "lang")])
def test_the_api_refuses_bad_parameters(events, query, parameter):
    response = events.test_client().get(f"/api/v1/events?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_the_network_meetings_are_a_filter_value_of_events_only(events):
    client = events.test_client()
    found = titles(page(client, "/de/events?category=network-meeting"))
    assert "Netzwerktreffen Ankommen in Leipzig" in found  # a demo event
    assert "Netzwerktreffen Ost" not in found
    html = page(client, "/de/events")
    assert '<option value="network-meeting">Netzwerktreffen</option>' in html
    body = client.get("/api/v1/events?category=network-meeting").get_json()
    assert "e-netzwerktreffen" in [r["id"] for r in body["results"]]
    document = client.get("/api/v1/openapi.json").get_json()

    def categories(path):
        parameters = document["paths"][path]["get"]["parameters"]
        return next(p for p in parameters if p["name"] == "category")["schema"]["items"]["enum"]
    assert "network-meeting" in categories("/events")
    assert "network-meeting" not in categories("/offers")


def test_a_cancelled_event_answers_410_and_is_listed_nowhere(events):
    with events.app_context():
        add_event(db.session(), "abgesagt", {"de": "Abgesagtes Treffen"}, days_ahead(4),
                  status="archived")
    client = events.test_client()
    response = client.get("/de/events/abgesagt")
    assert response.status_code == 410
    assert "Diese Veranstaltung wurde abgesagt" in response.get_data(as_text=True)
    assert "Abgesagtes Treffen" not in titles(page(client, "/de/events"))
    assert b"Abgesagtes Treffen" not in client.get("/de/events.ics").data
    assert client.get("/api/v1/events/abgesagt").status_code == 404
    assert client.get("/de/events/abgesagt/calendar.ics").status_code == 404


def test_paging_links_keep_the_number_per_page(events):
    """/de/events?per_page=2 linked to ?page=2 without it: page 2 then had the default 40 per
    page and, past the last page, showed the last one, skipping everything between."""
    client = events.test_client()
    html = page(client, "/de/events?per_page=2")
    assert len(titles(html)) == 2
    following = re.search(r'href="(/de/events\?[^"]*)" rel="next"', html).group(1)
    assert "per_page=2" in following.replace("&amp;", "&")
    second = titles(page(client, following.replace("&amp;", "&")))
    assert len(second) == 2 and not set(second) & set(titles(html))
    assert 'rel="next"' not in page(client, "/de/events") or \
        "per_page" not in re.search(r'href="([^"]*)" rel="next"', page(client, "/de/events"))[1]


def test_a_malformed_near_is_explained_once(events):
    body = events.test_client().get("/api/v1/offers?near=abc").get_json()
    message = str(body)
    assert message.count("latitude,longitude in decimal degrees") == 1, message
