"""Events in the search index: a document per upcoming published event in an index of its own
(offer results, totals and facet counts do not change), kept by the change log and the
rebuild, removed when the event is withdrawn or over."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import ChangeLogEntry, Event
from wegweiser.search import SearchQuery, rebuild_index, search_service
from wegweiser.search.events import ENDLESS
from wegweiser.search.updater import expire_events
from wegweiser.services import operations

from .event_factory import add_event, days_ahead, local_now

pytestmark = pytest.mark.demo_directory

QUERIES = ["", "Deutschkurs", "Frauen", "Beratung Asyl", "دورة لغة", "Netzwerk Treffen"]


def found(text: str) -> list[int]:
    return search_service().search_events(text, db.session())


def event_id(external_id: str) -> int:
    return db.session().scalar(select(Event.id).where(Event.external_id == external_id))


def offer_results() -> list[tuple]:
    results = []
    for text in QUERIES:
        result = search_service().search(SearchQuery(text=text, per_page=50), db.session())
        results.append((result.total, result.offer_ids, result.facets))
    return results


def stored_documents() -> dict[str, int]:
    store = search_service().store
    index = store.open_events(store.current_generation())
    try:
        with index.searcher() as searcher:
            return {f["id"]: f["ends"] for f in searcher.all_stored_fields()}
    finally:
        index.close()


def test_a_published_event_is_found_at_once_and_a_withdrawn_one_no_longer(ctx):
    session = db.session()
    add_event(session, "schachtreff", {"de": "Schachtreff für alle", "ar": "نادي الشطرنج"},
              days_ahead(2), rrule="FREQ=WEEKLY;COUNT=4", categories=["leisure-sports-culture"])
    assert found("Schachtreff") == [event_id("schachtreff")]
    assert found("الشطرنج") == [event_id("schachtreff")]  # the Arabic title
    assert found("chess") == []
    event = session.scalar(select(Event).where(Event.external_id == "schachtreff"))
    event.status = "draft"
    session.commit()
    assert found("Schachtreff") == []
    event = session.scalar(select(Event).where(Event.external_id == "schachtreff"))
    event.status = "published"
    session.commit()
    assert found("Schachtreff")


def test_an_event_cancelled_through_the_operation_leaves_the_index(ctx):
    session = db.session()
    add_event(session, "laternenumzug", {"de": "Laternenumzug im Park"}, days_ahead(6))
    assert found("Laternenumzug") == [event_id("laternenumzug")]
    event = session.scalar(select(Event).where(Event.external_id == "laternenumzug"))
    operations.archive(session, operations.Actor("user:mod@example.org", staff=True), event)
    session.commit()
    assert found("Laternenumzug") == []
    assert str(event_id("laternenumzug")) not in stored_documents()


def test_the_change_log_names_changed_events_and_their_organisation_renames(ctx):
    session = db.session()
    event = add_event(session, "lesecafe", {"de": "Lesecafé"}, days_ahead(4))
    newest = session.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.seq.desc())).first()
    assert (newest.event_id, newest.offer_id) == (event.id, None)
    event.organisation.name = "Sprachwerk Ostwind"
    session.commit()
    assert event.id in found("Ostwind")


def test_offer_results_totals_and_facets_do_not_change_with_events(ctx, frozen_clock):
    # Documents replaced by earlier tests still count in the term statistics until their
    # segments merge, so the comparison starts from a freshly built index.
    rebuild_index(db.session())
    before = offer_results()
    session = db.session()
    for n in range(5):
        add_event(session, f"kurs-{n}", {"de": f"Deutschkurs Treffen Frauen {n}"},
                  days_ahead(n + 1), categories=["language-courses"],
                  target_groups=["women"], areas=["connewitz"], languages=["ar"])
    mine = {event_id(f"kurs-{n}") for n in range(5)}
    assert mine <= set(found("Deutschkurs"))
    assert offer_results() == before
    rebuild_index(db.session())
    assert offer_results() == before
    assert mine <= set(found("Deutschkurs"))


def test_a_rebuild_indexes_upcoming_published_events_only(ctx):
    session = db.session()
    add_event(session, "kommt", {"de": "Sommerfest kommt"}, days_ahead(9))
    add_event(session, "war", {"de": "Sommerfest war"}, days_ahead(-9))
    add_event(session, "serie-vorbei", {"de": "Sommerfest Serie"}, days_ahead(-30),
              rrule="FREQ=WEEKLY;COUNT=2")
    add_event(session, "endlos", {"de": "Sommerfest endlos"}, days_ahead(-30),
              rrule="FREQ=MONTHLY")
    add_event(session, "entwurf", {"de": "Sommerfest Entwurf"}, days_ahead(9), status="draft")
    rebuild_index(db.session())
    documents = stored_documents()
    assert {str(event_id(e)) for e in ("kommt", "endlos")} <= set(documents)
    assert not {str(event_id(e)) for e in ("war", "serie-vorbei", "entwurf")} & set(documents)
    assert documents[str(event_id("endlos"))] == ENDLESS
    assert sorted(found("Sommerfest")) == sorted([event_id("kommt"), event_id("endlos")])


def test_an_event_is_removed_from_the_index_once_its_last_date_has_ended(ctx):
    session = db.session()
    soon = local_now() - timedelta(hours=1)
    add_event(session, "gleich-vorbei", {"de": "Abschlussrunde"}, soon,
              hours=1 + 3 / 3600)  # ends three seconds from now
    add_event(session, "morgen", {"de": "Abschlussrunde morgen"}, days_ahead(1))
    assert found("Abschlussrunde") and str(event_id("gleich-vorbei")) in stored_documents()
    time.sleep(4)
    # Never returned once over; the next search (the updater) removes its document.
    assert found("Abschlussrunde") == [event_id("morgen")]
    assert str(event_id("gleich-vorbei")) not in stored_documents()
    assert str(event_id("morgen")) in stored_documents()


def test_expiring_by_hand_removes_what_is_over_at_that_moment(ctx):
    add_event(db.session(), "einmal", {"de": "Einmaliger Abend"}, days_ahead(1))
    assert found("Einmaliger") == [event_id("einmal")]
    store = search_service().store
    with store.writing():
        expire_events(store)  # now: nothing is over
    assert str(event_id("einmal")) in stored_documents()
    later = datetime.combine(days_ahead(3).date(), datetime.min.time(), UTC)
    with store.writing():
        expire_events(store, later)
    assert str(event_id("einmal")) not in stored_documents()


def test_the_results_page_shows_matching_events_in_a_block_of_three(ctx):
    session = db.session()
    for n in range(5):
        add_event(session, f"beratung-{n}", {"de": f"Offene Asylberatung Abend {n}"},
                  days_ahead(n + 1, 17))
    client = ctx.test_client()
    html = client.get("/de/search?q=Asylberatung").get_data(as_text=True)
    block = html[html.index('id="found-events-heading"'):]
    assert block.count('class="event-card"') == 3
    assert 'href="/de/events?q=Asylberatung"' in block
    assert 'class="offer-card' in html  # offers are still listed
    events_page = client.get("/de/events?q=Asylberatung").get_data(as_text=True)
    assert events_page.count("Offene Asylberatung Abend") == 5
    assert found("Zahnarzt") == []
    assert 'id="found-events-heading"' not in \
        client.get("/de/search?q=Zahnarzt").get_data(as_text=True)
