"""The change log: one row per changed offer or event, written in the same transaction as the
change (a row names either an offer or an event).

The search index remembers a marker (every entry up to it applied) and the entries after it
applied already, so any index (another worker, another machine) can always catch up from the
database; it applies the log in bounded rounds, newer entries first (search/updater.py).

A transaction takes its sequence numbers when it writes, not when it commits, so a long one
(an import) leaves a gap below the numbers of transactions that committed after it. The index
applies what it sees above a gap at once and keeps its marker below the gap until the gap is
settled (updater.py): on PostgreSQL, once no transaction that began before the entry above the
gap was logged (``logged_at``, the database's clock after the insert) was running when the
index looked, just before reading the log; on SQLite at once, as its write transactions never
overlap.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, Integer, event, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, utcnow


class ChangeLogEntry(Base):
    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    offer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # PostgreSQL: the database's clock just after the entry was inserted (see the docstring).
    logged_at: Mapped[datetime | None] = mapped_column()


def _affected_offer_ids(session: Session) -> tuple[set[int], dict[str, set[int]]]:
    """Offer ids touched by this flush, and ids of other rows whose change reaches offers."""
    from .area import Area
    from .offer import Offer, OfferText, OpeningHours
    from .organisation import Organisation
    from .vocabulary import Category, Language, TargetGroup

    offers: set[int] = set()
    indirect: dict[str, set[int]] = {"organisation": set(), "category": set(),
                                      "target_group": set(), "language": set(), "area": set()}
    kinds = {Organisation: "organisation", Category: "category", TargetGroup: "target_group",
             Language: "language", Area: "area"}
    new, dirty = session.new, session.dirty  # each a new set per access: taken once
    for obj in (*new, *dirty, *session.deleted):
        if obj in dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Offer):
            offers.add(obj.id)
        elif isinstance(obj, OfferText | OpeningHours):
            offer_id = obj.offer_id if obj.offer_id is not None else getattr(obj.offer, "id", None)
            if offer_id is not None:
                offers.add(offer_id)
        elif type(obj) in kinds and obj not in new:
            indirect[kinds[type(obj)]].add(obj.id)
    offers.discard(None)
    return offers, indirect


def _offers_reached(session: Session, indirect: dict[str, set[int]]) -> set[int]:
    from .offer import Offer, offer_areas, offer_categories, offer_languages, offer_target_groups

    reached: set[int] = set()
    links = {
        "organisation": (Offer.__table__.c.organisation_id, Offer.__table__.c.id),
        "category": (offer_categories.c.category_id, offer_categories.c.offer_id),
        "target_group": (offer_target_groups.c.target_group_id, offer_target_groups.c.offer_id),
        "language": (offer_languages.c.language_id, offer_languages.c.offer_id),
        "area": (offer_areas.c.area_id, offer_areas.c.offer_id),
    }
    for kind, ids in indirect.items():
        if ids:
            key, offer_id = links[kind]
            reached.update(session.connection().scalars(select(offer_id).where(key.in_(ids))))
    return reached


# Set in ``session.info`` while a preview writes changes it will roll back: they are never
# committed, so the index must not hear of them (on PostgreSQL a rolled-back entry would also
# leave a gap in the sequence that the index waits for).
SKIP_CHANGE_LOG = "wegweiser.skip_change_log"
LOG_BATCH = 1000  # rows per statement (far below the databases' limits on parameters)


def _affected_event_ids(session: Session, indirect: dict[str, set[int]]) -> set[int]:
    """Events touched by this flush, and those whose index document shows a changed row
    (their organisation, categories, target groups, areas)."""
    from .area import Area
    from .event import Event, EventText
    from .vocabulary import Category, TargetGroup

    events: set[int] = set()
    dirty = session.dirty
    for obj in (*session.new, *dirty, *session.deleted):
        if obj in dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Event):
            events.add(obj.id)
        elif isinstance(obj, EventText):
            event_id = obj.event_id if obj.event_id is not None else getattr(obj.event, "id", None)
            events.add(event_id)
    links = {"organisation": Event.organisation_id.in_,
             "category": lambda ids: Event.categories.any(Category.id.in_(ids)),
             "target_group": lambda ids: Event.target_groups.any(TargetGroup.id.in_(ids)),
             "area": lambda ids: Event.areas.any(Area.id.in_(ids))}
    for kind, condition in links.items():
        if indirect.get(kind):
            events.update(session.connection().scalars(
                select(Event.id).where(condition(indirect[kind]))))
    events.discard(None)
    return events


def _write_change_log(session: Session, _flush_context) -> None:
    if session.info.get(SKIP_CHANGE_LOG):
        return
    offers, indirect = _affected_offer_ids(session)
    offers |= _offers_reached(session, indirect)
    log_changes(session, offers, _affected_event_ids(session, indirect))


def log_changes(session: Session, offer_ids: Iterable[int], event_ids: Iterable[int] = ()) -> None:
    """Log these offers and events as changed, in the session's transaction (nothing while a
    preview writes: SKIP_CHANGE_LOG). Every flush logs what it changed (_write_change_log); a
    write that bypasses the flush (the import's bulk insert of new offers) calls this itself."""
    if session.info.get(SKIP_CHANGE_LOG):
        return
    rows = [{"offer_id": i, "event_id": None} for i in sorted(offer_ids)]
    rows += [{"offer_id": None, "event_id": i} for i in sorted(event_ids)]
    if rows:
        connection = session.connection()
        now = utcnow()
        for start in range(0, len(rows), LOG_BATCH):
            # One statement for many rows, compiled once (SQLAlchemy's insertmanyvalues).
            seqs = list(connection.scalars(
                insert(ChangeLogEntry).returning(ChangeLogEntry.seq),
                [{**row, "created_at": now} for row in rows[start:start + LOG_BATCH]]))
            if connection.dialect.name == "postgresql":
                # A statement of its own, so the time is surely after the numbers were taken.
                connection.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq.in_(seqs))
                                   .values(logged_at=func.clock_timestamp()))
        session.info["offers_changed"] = True


def install_change_tracking(session_factory) -> None:
    """Every flush that changes an offer (or what its index document shows) logs the offer."""
    event.listen(session_factory, "after_flush", _write_change_log)
