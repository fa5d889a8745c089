"""One function per change of state of a call for help, moderated like offers (see
``operations.py``, whose Actor and exceptions these share):

- A **new** call of a trusted organisation (or by staff) is published at once; otherwise it
  waits, unpublished, in the review queue.
- A **change** to a published call by an untrusted organisation waits in ``pending`` while the
  public keeps seeing the approved call; a change to a call still in review (or returned)
  replaces it and sends it to review again.
- **Approving** publishes the waiting call or change; **returning** sends it back with a comment
  (a new call becomes a draft). Only something waiting can be decided (ChangeNotWaiting).
- **"Filled – remove"** and **extending** the end date need no review: they take nothing new to
  the public. Removing drops a waiting change.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    PENDING,
    PUBLISHED,
    HelpCall,
    Organisation,
    Revision,
)
from .editing import new_external_id
from .help_calls import EXTEND_DAYS, help_call_record, latest_end_date
from .importer import Importer, Problem
from .operations import Actor, ChangeNotWaiting, EditConflict, returning_comment


def _trusted(actor: Actor, organisation: Organisation) -> bool:
    return organisation.trusted or actor.staff


def _write(session: Session, actor: Actor, call: HelpCall | None, record: dict) -> bool:
    organisation = call.organisation if call is not None else session.scalar(
        select(Organisation).where(Organisation.external_id == record["organisation"]))
    return Importer(session, actor.name).write_help_call(call, record, organisation)


def create(session: Session, actor: Actor, organisation: Organisation, record: dict) -> HelpCall:
    """A new call (a validated record): published at once or sent to review."""
    external_id = new_external_id(session, organisation, record, HelpCall, kind="mitmachen")
    status = PUBLISHED if _trusted(actor, organisation) else IN_REVIEW
    _write(session, actor, None, {**record, "id": external_id,
                                  "organisation": organisation.external_id, "status": status})
    return session.scalar(select(HelpCall).where(HelpCall.external_id == external_id))


def submit(session: Session, actor: Actor, call: HelpCall, record: dict,
           expected_version: int) -> str:
    """A changed call made over ``expected_version``: PUBLISHED or PENDING (waits for review).
    A newer saved version raises EditConflict."""
    if call.version != expected_version:
        raise EditConflict()
    record = {**record, "id": call.external_id, "organisation": call.organisation.external_id}
    if _trusted(actor, call.organisation):
        status = call.status if call.status == ARCHIVED else PUBLISHED
        _write(session, actor, call, {**record, "status": status})
        call.pending, call.review_comment = None, None
        return PUBLISHED
    if call.status == PUBLISHED:
        call.pending, call.pending_author_id = {**record, "status": PUBLISHED}, actor.user_id
    else:
        _write(session, actor, call, {**record, "status": IN_REVIEW})
    call.review_comment = None
    session.flush()
    return PENDING


def _waiting(call: HelpCall) -> None:
    if call.pending is None and call.status != IN_REVIEW:
        raise ChangeNotWaiting(call.status, None)


def approve(session: Session, moderator: Actor, call: HelpCall) -> None:
    """Publish the waiting call, or the waiting change of a published one."""
    _waiting(call)
    record = call.pending or help_call_record(call)
    _write(session, Actor(f"{moderator.name} (approved)", moderator.user_id), call,
           {**record, "status": PUBLISHED})
    call.pending, call.pending_author_id, call.review_comment = None, None, None
    session.flush()


def return_call(session: Session, moderator: Actor, call: HelpCall, comment: str) -> None:
    """Send the waiting call (it becomes a draft) or change back, with a comment (required:
    InvalidComment, and nothing changes, without one)."""
    _waiting(call)
    comment = returning_comment(comment)
    if call.pending is not None:
        call.pending, call.pending_author_id = None, None
    else:
        _write(session, moderator, call, {**help_call_record(call), "status": DRAFT})
    call.review_comment = comment
    session.flush()


def remove(session: Session, actor: Actor, call: HelpCall) -> None:
    """"Filled – remove": off the public page at once; a waiting change is dropped."""
    _write(session, actor, call, {**help_call_record(call), "status": ARCHIVED})
    call.pending, call.pending_author_id = None, None
    session.flush()


def extend(session: Session, actor: Actor, call: HelpCall, today: date | None = None) -> date:
    """Still looking: the end date moves ``EXTEND_DAYS`` on (from today for a call that already
    ended), at most half a year ahead. Returns the new end date."""
    today = today or date.today()
    new_end = min(max(call.end_date, today) + timedelta(days=EXTEND_DAYS),
                  latest_end_date(today))
    _write(session, actor, call, {**help_call_record(call), "end_date": new_end.isoformat()})
    if call.pending is not None:
        call.pending = {**call.pending, "end_date": new_end.isoformat()}
    session.flush()
    return new_end


def validate(session: Session, organisation: Organisation, record: dict,
             today: date | None = None) -> tuple[dict | None, list]:
    """An editor's call checked by the importer's rules, and its end date not in the past:
    (the checked record or None, the problems)."""
    importer = Importer(session, "form")
    checked = importer.check_help_call(record.get("id") or "new", record,
                                       {organisation.external_id})
    end = checked["end_date"] if checked else None
    if end is not None and date.fromisoformat(end) < (today or date.today()):
        importer.problems.append(Problem(record.get("id") or "new", "end_date",
                                         _l("lies in the past")))
        checked = None
    return checked, importer.problems


def blank_record(organisation: Organisation, today: date | None = None) -> dict:
    """What the form of a new call starts from: four weeks ahead, in the organisation's
    language."""
    end = (today or date.today()) + timedelta(days=EXTEND_DAYS)
    return {"organisation": organisation.external_id,
            "original_language": organisation.original_language, "kind": "volunteers",
            "title": {}, "description": {}, "when": {}, "areas": [], "languages": [],
            "end_date": end.isoformat(), "status": IN_REVIEW}


def history(session: Session, call: HelpCall) -> list:
    """Every change of a call, newest first."""
    return list(session.scalars(select(Revision).where(
        Revision.entity_type == "help_call", Revision.entity_id == call.id)
        .order_by(Revision.created_at.desc(), Revision.id.desc())))
