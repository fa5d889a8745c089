"""The audit log of staff accounts: sign-ins, failures, refusals and changes of accounts.

Nothing here keeps an IP address or a search term. Entries older than a year are deleted
whenever one is written (and by ``wegweiser audit prune``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, User, utcnow

RETENTION = timedelta(days=365)


def record(session: Session, kind: str, actor_id: int | None = None,
           target_id: int | None = None, detail: str = "") -> None:
    """Write one entry (committed with the caller's transaction) and drop expired ones."""
    session.add(AuditEvent(kind=kind, actor_id=actor_id, target_id=target_id,
                           detail=detail[:200]))
    prune(session)


def prune(session: Session) -> int:
    """Delete the entries older than the retention period; returns how many."""
    result = session.execute(delete(AuditEvent).where(
        AuditEvent.created_at < utcnow() - RETENTION))
    return result.rowcount or 0


@dataclass(frozen=True)
class Entry:
    time: object
    kind: str
    actor: str | None
    target: str | None
    detail: str


def entries(session: Session, kind: str | None = None, user_id: int | None = None,
            page: int = 1, per_page: int = 50) -> tuple[list[Entry], int]:
    """One page of entries, newest first, with the addresses of the accounts named; and the
    total. ``user_id`` matches entries where the account acted or was acted upon."""
    query = select(AuditEvent)
    if kind:
        query = query.where(AuditEvent.kind == kind)
    if user_id is not None:
        query = query.where(or_(AuditEvent.actor_id == user_id,
                                AuditEvent.target_id == user_id))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(AuditEvent.created_at.desc(),
                                               AuditEvent.id.desc())
                                .offset((page - 1) * per_page).limit(per_page)))
    ids = {i for row in rows for i in (row.actor_id, row.target_id) if i is not None}
    emails = {row.id: row.email for row in session.execute(
        select(User.id, User.email).where(User.id.in_(ids)))} if ids else {}

    def name(user_id: int | None) -> str | None:
        return None if user_id is None else emails.get(user_id, f"#{user_id}")

    return [Entry(row.created_at, row.kind, name(row.actor_id), name(row.target_id),
                  row.detail) for row in rows], total
