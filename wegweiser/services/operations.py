"""One function per change of state of an offer, an event or an organisation's profile.

Every entry point calls these and nothing else changes an entry's state: the editors' pages,
the links of reminder mails, the command line and imports. So each of them treats a change
that waits for a moderator's review in the same way:

- **Submitting** a change publishes it at once (trusted organisation or staff) or files it for
  review; a change still waiting is replaced by the newer one.
- Anything that changes the saved entry other than approving the waiting change itself
  (publishing directly, restoring, an import, "no longer offered") **closes** the waiting
  change with the reason recorded: it was made over a state that no longer exists, and
  approving it would silently undo what happened since (above all, bring a withdrawn offer
  back). Its author finds it on the edit page, with the reason, and can send it again.
- **"Still correct"** changes no content: the waiting change carries the new date along.
- Only a waiting change can be **approved** or **returned**; one that was closed (or decided)
  is refused with :class:`ChangeNotWaiting` and publishes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    APPROVED,
    ARCHIVED,
    CLOSED,
    DRAFT,
    IN_REVIEW,
    PENDING,
    PUBLISHED,
    RETURNED,
    Event,
    Offer,
    Organisation,
    Proposal,
    Revision,
    User,
    utcnow,
)
from . import actors
from .editing import check_organisation, new_external_id, restored_record, validate
from .importer import Importer
from .proposals import pending_stamp, waiting_change
from .records import entity_type, entry_record, organisation_record

# Why a waiting change was closed (kept in the proposal's comment).
CLOSED_ARCHIVED = "archived"  # the offer was withdrawn ("no longer offered")
CLOSED_OVERWRITTEN = "overwritten"  # the saved entry changed (direct save, restore, import)


@dataclass(frozen=True)
class Actor:
    """Who changes something, as plain data: the name written into the history, the account
    (if any) and whether it publishes without review."""

    name: str
    user_id: int | None = None
    staff: bool = False

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(f"user:{user.email}", user.id, user.is_staff)


REMINDER_LINK = Actor(actors.REMINDER_LINK)


class EditConflict(Exception):
    """Someone else saved the entry (or sent a change for review) after the form was opened."""


class ChangeNotWaiting(Exception):
    """The change is no longer waiting for review: ``status`` says what became of it and
    ``reason`` why it was closed."""

    def __init__(self, status: str, reason: str | None):
        super().__init__(status)
        self.status, self.reason = status, reason


class InvalidRestore(ValueError):
    """An earlier state that would not pass validation today (e.g. a category since removed)."""


MAX_COMMENT = 2000  # characters of a moderator's comment on a change returned


class InvalidComment(ValueError):
    """A change is returned with a comment for its author of at most MAX_COMMENT characters:
    this one has none, or (``too_long``) more."""

    def __init__(self, too_long: bool):
        super().__init__("too long" if too_long else "missing")
        self.too_long = too_long


def returning_comment(comment: str) -> str:
    """The comment a change is returned with, as typed (stripped); raises InvalidComment."""
    comment = comment.strip()
    if not comment or len(comment) > MAX_COMMENT:
        raise InvalidComment(too_long=bool(comment))
    return comment


# -- the change waiting for review ----------------------------------------------------------

def _close_waiting(session: Session, target: Offer | Event | Organisation, reason: str,
                   actor: Actor) -> None:
    pending = waiting_change(session, target)
    if pending is not None:
        pending.status, pending.comment = CLOSED, reason
        pending.decided_at, pending.decided_by_id = utcnow(), actor.user_id
        session.flush()


def _file_proposal(session: Session, actor: Actor, target: Offer | Event | Organisation,
                   record: dict) -> None:
    """Put the change in the queue; a change still waiting is replaced by the newer one."""
    pending = waiting_change(session, target)
    if pending is None:
        pending = Proposal(**{f"{entity_type(target)}_id": target.id})
        session.add(pending)
    pending.base_version, pending.record, pending.author_id = target.version, record, \
        actor.user_id
    pending.created_at = utcnow()
    session.flush()


def _publishes_directly(actor: Actor, target: Offer | Event | Organisation) -> bool:
    organisation = target if isinstance(target, Organisation) else target.organisation
    return organisation.trusted or actor.staff


# -- writing the saved state ----------------------------------------------------------------

def _write_entry(writer: Importer, target: Offer | Event | None, record: dict,
                 organisation: Organisation | None = None,
                 model: type[Offer | Event] | None = None) -> bool:
    """Write an offer's or event's record (``target`` None: a new one of ``model``)."""
    model = model or type(target)
    write = writer.write_offer if model is Offer else writer.write_event
    return write(target, record, organisation or target.organisation)


def publish(writer: Importer, target: Offer | Event | Organisation, record: dict,
            actor: Actor | None = None, organisation: Organisation | None = None) -> bool:
    """Write ``record`` as the saved state of an existing offer, event or profile; if anything
    changed, a change waiting for review is closed (why: the offer or event was archived, or
    the saved entry changed under it). Returns whether anything changed. Imports call this for
    every existing record, with their own writer (and the entry's ``organisation`` from the
    file)."""
    actor = actor or Actor(writer.actor)
    if not isinstance(target, Organisation):
        changed = _write_entry(writer, target, record, organisation)
        reason = CLOSED_ARCHIVED if record["status"] == ARCHIVED else CLOSED_OVERWRITTEN
    else:
        _org, changed = writer.write_organisation(target, record)
        reason = CLOSED_OVERWRITTEN
    if changed:
        _close_waiting(writer.session, target, reason, actor)
    return changed


def _check_unchanged(session: Session, target: Offer | Event | Organisation,
                     expected_version: int,
                     expected_pending: str | None) -> None:
    """Refuse an edit made over an older state: a newer saved version, or a newer change
    waiting for review (``expected_pending`` None: not checked)."""
    if target.version != expected_version:
        raise EditConflict()
    if expected_pending is not None and pending_stamp(session, target) != expected_pending:
        raise EditConflict()


# -- the operations -------------------------------------------------------------------------

def submit(session: Session, actor: Actor, target: Offer | Event | Organisation, record: dict,
           expected_version: int, expected_pending: str | None = None) -> str:
    """A changed offer, event or profile (a validated record), made over ``expected_version``:
    published at once (trusted organisation or staff) or filed for review; returns which."""
    _check_unchanged(session, target, expected_version, expected_pending)
    if not isinstance(target, Organisation):
        record = {**record, "status": target.status,
                  "organisation": target.organisation.external_id}
    if _publishes_directly(actor, target):
        publish(Importer(session, actor.name), target, record, actor)
        return PUBLISHED
    _file_proposal(session, actor, target, record)
    return PENDING


def create(session: Session, actor: Actor, organisation: Organisation, record: dict,
           model: type[Offer | Event] = Offer) -> Offer | Event:
    """A new offer (or event): published at once for trusted organisations and staff,
    otherwise it waits, unpublished, for a moderator's approval."""
    external_id = new_external_id(session, organisation, record, model)
    trusted = organisation.trusted or actor.staff
    record = {**record, "id": external_id, "organisation": organisation.external_id,
              "status": PUBLISHED if trusted else IN_REVIEW}
    _write_entry(Importer(session, actor.name), None, record, organisation, model)
    entry = session.scalar(select(model).where(model.external_id == external_id))
    if not trusted:
        _file_proposal(session, actor, entry, {**record, "status": PUBLISHED})
    return entry


def archive(session: Session, actor: Actor, entry: Offer | Event) -> None:
    """"No longer offered" (an event: "cancelled, does not take place"): hidden at once; a
    change waiting for review is closed, so approving it later cannot bring it back."""
    publish(Importer(session, actor.name), entry, {**entry_record(entry), "status": ARCHIVED},
            actor)


def reactivate(session: Session, actor: Actor, entry: Offer | Event) -> str | None:
    """"Offered again" ("takes place after all"): an archived offer or event comes back (an
    offer confirmed as of today); published at once for trusted organisations and staff,
    otherwise after a moderator's approval. None: it was not archived, nothing changed."""
    if entry.status != ARCHIVED:
        return None
    record = {**entry_record(entry), "status": PUBLISHED}
    if isinstance(entry, Offer):
        record["verified_at"] = date.today().isoformat()
    if _publishes_directly(actor, entry):
        publish(Importer(session, actor.name), entry, record, actor)
        return PUBLISHED
    _file_proposal(session, actor, entry, record)
    return PENDING


def confirm(session: Session, actor: Actor, offer: Offer) -> None:
    """"Still correct": confirmed as of today. No content changes, so a change waiting for
    review stays valid and carries the new date along (approving it does not turn the date
    back)."""
    today = date.today().isoformat()
    Importer(session, actor.name).write_offer(
        offer, {**entry_record(offer), "verified_at": today}, offer.organisation)
    pending = waiting_change(session, offer)
    if pending is not None:
        pending.record = {**pending.record, "verified_at": today}
    session.flush()


def _decidable(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise LookupError(proposal_id)
    if proposal.status != PENDING:
        raise ChangeNotWaiting(proposal.status,
                               proposal.comment if proposal.status == CLOSED else None)
    return proposal


def approve(session: Session, moderator: Actor, proposal_id: int) -> Proposal:
    """Publish a waiting change; refused (ChangeNotWaiting) for one that no longer waits."""
    proposal = _decidable(session, proposal_id)
    author = proposal.author.email if proposal.author else "?"
    importer = Importer(session, actors.approval(moderator.name, author))
    entry = proposal.offer or proposal.event
    if entry is not None:
        # A new offer or event waiting for its first approval is published by it.
        status = proposal.record.get("status", entry.status)
        if status in (DRAFT, IN_REVIEW):
            status = PUBLISHED
        _write_entry(importer, entry, {**proposal.record, "status": status})
    else:
        importer.write_organisation(proposal.organisation, proposal.record)
    proposal.status, proposal.decided_at, proposal.decided_by_id = APPROVED, utcnow(), \
        moderator.user_id
    session.flush()
    return proposal


def return_change(session: Session, moderator: Actor, proposal_id: int,
                  comment: str) -> Proposal:
    """Send a waiting change back to its author with a comment (required: the author is told
    what to change; InvalidComment, and nothing changes, without one); nothing is published."""
    proposal = _decidable(session, proposal_id)
    proposal.status, proposal.comment = RETURNED, returning_comment(comment)
    proposal.decided_at, proposal.decided_by_id = utcnow(), moderator.user_id
    session.flush()
    return proposal


def restore(session: Session, actor: Actor, target: Offer | Event | Organisation,
            revision_id: int) -> str:
    """Bring back the state before one of the entry's revisions, as a new change over the
    saved state (moderated like any edit)."""
    revision = session.get(Revision, revision_id)
    if revision is None or revision.entity_type != entity_type(target) \
            or revision.entity_id != target.id:
        raise LookupError(revision_id)
    if not isinstance(target, Organisation):
        checked, _problems = validate(session, target.organisation,
                                      restored_record(entry_record(target), revision),
                                      type(target))
    else:
        checked, _problems = check_organisation(
            session, target, restored_record(
                {**organisation_record(target),
                 "original_language": target.original_language}, revision))
    if checked is None:
        raise InvalidRestore(revision_id)
    return submit(session, actor, target, checked, target.version)
