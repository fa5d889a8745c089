"""Changes waiting for a moderator's review (proposals): what is waiting, for which entry,
and what became of the last one. Read-only; the operations that change them are in
``operations.py``."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    CLOSED,
    DRAFT,
    IN_REVIEW,
    PENDING,
    RETURNED,
    Event,
    Offer,
    Organisation,
    Proposal,
)
from .importer import organisation_changes
from .records import changed_fields, entity_type, entry_record

# What an editor is shown of a change that was not approved: the one still waiting, or the
# last one returned by a moderator or closed because the entry changed under it.
UNDECIDED_OR_SENT_BACK = (PENDING, RETURNED, CLOSED)


def _of(target: Offer | Event | Organisation):
    return getattr(Proposal, f"{entity_type(target)}_id") == target.id


def waiting_change(session: Session, target: Offer | Event | Organisation) -> Proposal | None:
    """The change of an offer, event or profile waiting for review, if any."""
    return session.scalar(select(Proposal).where(_of(target), Proposal.status == PENDING))


def pending_stamp(session: Session, target: Offer | Event | Organisation) -> str:
    """Identifies the change waiting for review ("" when none is waiting)."""
    pending = waiting_change(session, target)
    return pending.created_at.isoformat() if pending is not None else ""


def latest_change(session: Session, target: Offer | Event | Organisation) -> Proposal | None:
    """The change still waiting, else the newest one returned or closed, unless a newer one
    was approved since."""
    newest = session.scalar(select(Proposal).where(_of(target))
                            .order_by(Proposal.created_at.desc(), Proposal.id.desc()))
    return newest if newest is not None and newest.status in UNDECIDED_OR_SENT_BACK else None


def open_changes(session: Session, entries: list[Offer] | list[Event]) -> dict[int, str]:
    """Per offer (or event) id: "pending", "returned" or "closed", the state of its newest
    change, if that was not approved."""
    if not entries:
        return {}
    column = getattr(Proposal, f"{entity_type(entries[0])}_id")
    rows = session.execute(
        select(column, Proposal.status)
        .where(column.in_([o.id for o in entries]))
        .order_by(Proposal.created_at, Proposal.id)).all()
    newest = {offer_id: status for offer_id, status in rows}
    return {k: v for k, v in newest.items() if v in UNDECIDED_OR_SENT_BACK}


def waiting_for_review(session: Session) -> list[Proposal]:
    """Changes waiting for a moderator, oldest first."""
    return list(session.scalars(select(Proposal).where(Proposal.status == PENDING)
                                .order_by(Proposal.created_at)))


def waiting_by_id(session: Session, proposal_id: int) -> Proposal | None:
    proposal = session.get(Proposal, proposal_id)
    return proposal if proposal is not None and proposal.status == PENDING else None


def proposal_changes(proposal: Proposal) -> dict:
    """The fields a change would change, with their values before and after."""
    entry = proposal.offer or proposal.event
    if entry is not None and entry.status in (DRAFT, IN_REVIEW):
        # A new entry, never published: all that it says is new to the moderator.
        return changed_fields(None, {k: v for k, v in proposal.record.items()
                                     if k not in ("id", "organisation")
                                     and v not in (None, {}, [])})
    if entry is not None:
        return changed_fields(entry_record(entry), proposal.record)
    return organisation_changes(proposal.organisation, proposal.record)
