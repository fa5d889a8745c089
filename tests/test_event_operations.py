"""The operations of offers serve events unchanged: submit, create, archive ("cancelled"),
reactivate, approve, return, restore; a change waiting for review is closed by anything that
changes the saved event, and cannot be approved afterwards."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import Event, Proposal, Revision
from wegweiser.services import editing, operations, proposals
from wegweiser.services.records import event_record

pytestmark = pytest.mark.demo_directory
EVENT = "e-sprachcafe-arabisch-deutsch"  # a weekly demo event of an untrusted organisation
EDITOR = operations.Actor("user:ed@example.org")
MODERATOR = operations.Actor("user:mod@example.org", staff=True)


@pytest.fixture
def event(app):
    with app.app_context():
        yield db.session().scalar(select(Event).where(Event.external_id == EVENT))


def _changed(event: Event, **values) -> dict:
    record = {**event_record(event), **values}
    checked, problems = editing.validate(db.session(), event.organisation, record, Event)
    assert checked is not None, problems
    return checked


def _retitled(event: Event, title: str) -> dict:
    return _changed(event, title={**event.translations_of("title"), "de": title})


def test_an_untrusted_change_waits_and_approving_publishes_it(event):
    session = db.session()
    outcome = operations.submit(session, EDITOR, event, _retitled(event, "Sprachcafé neu"),
                                event.version)
    assert outcome == "pending"
    assert event.text_in("title", "de")[0] == "Arabisch-deutsches Sprachcafé"
    pending = proposals.waiting_change(session, event)
    assert pending.event_id == event.id and pending.offer_id is None
    assert proposals.proposal_changes(pending)["title"]["after"] == {"de": "Sprachcafé neu"}
    operations.approve(session, MODERATOR, pending.id)
    assert event.text_in("title", "de")[0] == "Sprachcafé neu"
    assert pending.status == "approved"
    revision = editing.history(session, event)[0]
    assert revision.entity_type == "event" and "proposed by" in revision.actor


def test_approving_a_change_after_the_event_was_cancelled_is_refused(event):
    session = db.session()
    operations.submit(session, EDITOR, event, _retitled(event, "Vor der Absage"), event.version)
    pending = proposals.waiting_change(session, event)
    operations.archive(session, EDITOR, event)
    assert event.status == "archived" and pending.status == "closed"
    with pytest.raises(operations.ChangeNotWaiting) as refused:
        operations.approve(session, MODERATOR, pending.id)
    assert refused.value.reason == operations.CLOSED_ARCHIVED
    assert event.status == "archived"
    assert event.text_in("title", "de")[0] == "Arabisch-deutsches Sprachcafé"


def test_a_returned_change_publishes_nothing_and_a_conflict_is_noticed(event):
    session = db.session()
    version = event.version
    operations.submit(session, EDITOR, event, _retitled(event, "Zurück damit"), version)
    pending = proposals.waiting_change(session, event)
    stamp = proposals.pending_stamp(session, event)
    operations.return_change(session, MODERATOR, pending.id, "Bitte mit Uhrzeit im Titel")
    assert pending.status == "returned" and pending.comment == "Bitte mit Uhrzeit im Titel"
    assert event.text_in("title", "de")[0] == "Arabisch-deutsches Sprachcafé"
    operations.submit(session, MODERATOR, event, _changed(event, ends_at=event_record(event)[
        "ends_at"].replace("18:00", "18:30")), version)
    with pytest.raises(operations.EditConflict):
        operations.submit(session, EDITOR, event, _retitled(event, "Alt"), version, stamp)


def test_restore_brings_back_the_times_before_a_change(event):
    session = db.session()
    before = event_record(event)["ends_at"]
    operations.submit(session, MODERATOR, event, _changed(
        event, ends_at=before.replace("18:00", "19:00")), event.version)
    revision = editing.history(session, event)[0]
    assert revision.changes["ends_at"] == {"before": before,
                                           "after": before.replace("18:00", "19:00")}
    assert operations.restore(session, EDITOR, event, revision.id) == "pending"
    operations.approve(session, MODERATOR, proposals.waiting_change(session, event).id)
    assert event_record(event)["ends_at"] == before
    with pytest.raises(LookupError):  # a revision of something else
        other = session.scalar(select(Revision).where(Revision.entity_type == "offer"))
        operations.restore(session, EDITOR, event, other.id)


def test_a_new_event_of_an_untrusted_organisation_waits_unpublished(event):
    session = db.session()
    record = {**_retitled(event, "Zweites Sprachcafé"), "id": ""}
    created = operations.create(session, EDITOR, event.organisation, record, Event)
    assert created.status == "in_review"
    assert created.external_id == "b-kulturbruecke-levante-zweites-sprachcafe"
    pending = proposals.waiting_change(session, created)
    changes = proposals.proposal_changes(pending)
    assert changes["title"]["after"]["de"] == "Zweites Sprachcafé"  # all of it is new
    assert changes["rrule"] == {"before": None, "after": "FREQ=WEEKLY;BYDAY=TU"}
    operations.approve(session, MODERATOR, pending.id)
    assert created.status == "published"
    assert operations.reactivate(session, EDITOR, created) is None  # not cancelled
    operations.archive(session, EDITOR, created)
    assert operations.reactivate(session, MODERATOR, created) == "published"
    assert created.status == "published"


def test_staff_publish_directly(event):
    session = db.session()
    assert operations.submit(session, MODERATOR, event, _retitled(event, "Sofort"),
                             event.version) == "published"
    assert session.scalar(select(Proposal).where(Proposal.event_id == event.id)) is None
