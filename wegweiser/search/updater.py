"""Keeping the index derived from the database: apply the change log, or rebuild everything."""
from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..cities import city_info
from ..config import DEFAULT_CITY
from ..models import (
    PUBLISHED,
    Area,
    Category,
    ChangeLogEntry,
    Event,
    Language,
    Offer,
    Organisation,
    TargetGroup,
)
from ..models.offer import offer_areas, offer_categories, offer_languages, offer_target_groups
from ..services.occurrences import is_over, last_end, schedule_of
from . import events as event_index
from .bulk import BulkWriter, DocumentBatch
from .documents import offer_document
from .store import IndexStore

# A gap in the sequence may be a transaction that has not committed yet (changelog.py says when
# it is settled). Entries logged before ``logged_at`` existed, or if the running transactions
# cannot be seen, are settled after this long.
GAP_GRACE = timedelta(hours=1)
BATCH = 500


@dataclass(frozen=True)
class IndexSettings:
    stale_after_days: int = 183
    timezone: str = "UTC"  # "open now" is decided in the city's time zone (from_config)

    @classmethod
    def from_config(cls, config) -> IndexSettings:
        timezone = config.get("BABEL_DEFAULT_TIMEZONE") or \
            city_info(config.get("WEGWEISER_CITY") or DEFAULT_CITY).timezone
        return cls(stale_after_days=config.get("WEGWEISER_STALE_AFTER_DAYS", 183),
                   timezone=timezone)


class _Related:
    """What an offer's document shows besides its own rows: its vocabularies' labels and
    synonyms, its areas with their Stadtbezirke, its organisation's name.

    The vocabularies and areas are a few hundred rows: loaded once per write (not once per
    batch and offer, as eager loading of the relationships would, decoding the labels' JSON for
    every link), and given to each offer from the link tables, one query per table and batch.
    """

    LINKS = (("categories", offer_categories, Category, "category_id", "position"),
             ("target_groups", offer_target_groups, TargetGroup, "target_group_id", "position"),
             ("languages", offer_languages, Language, "language_id", "position"),
             ("areas", offer_areas, Area, "area_id", "name"))

    def __init__(self, session: Session):
        self.rows: dict[str, dict[int, object]] = {}
        for name, _table, model, _column, _order in self.LINKS:
            self.rows[name] = {row.id: row for row in session.scalars(
                select(model).execution_options(populate_existing=True))}
        for area in self.rows["areas"].values():
            area.lineage()  # parents from the identity map, before anything is expunged

    def attach(self, session: Session, offers: dict[int, Offer]) -> list[Organisation]:
        """Give each of ``offers`` its vocabularies, areas and organisation (as loaded
        relationships, in their relationship's order); returns the organisations."""
        ids = list(offers)
        for name, table, _model, column, order in self.LINKS:
            linked: dict[int, list] = {offer_id: [] for offer_id in ids}
            rows = self.rows[name]
            for offer_id, other_id in session.execute(
                    select(table.c.offer_id, table.c[column]).where(table.c.offer_id.in_(ids))):
                linked[offer_id].append(rows[other_id])
            for offer_id, values in linked.items():
                values.sort(key=lambda row: (getattr(row, order), row.id))
                set_committed_value(offers[offer_id], name, values)
        organisations = {org.id: org for org in session.scalars(
            select(Organisation).where(Organisation.id.in_(
                {offer.organisation_id for offer in offers.values()}))
            .execution_options(populate_existing=True))}
        for offer in offers.values():
            set_committed_value(offer, "organisation", organisations[offer.organisation_id])
        return list(organisations.values())


def write_offers(writer, session: Session, offer_ids: Iterable[int], settings: IndexSettings,
                  replace: bool) -> None:
    ids = list(offer_ids)
    if not ids:
        return
    today = date.today()
    related = _Related(session)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        # populate_existing: the caller's session may hold an offer loaded before the change
        # committed; the index must get the state the database has now.
        offers = {o.id: o for o in session.scalars(
            select(Offer).where(Offer.id.in_(chunk))
            .options(selectinload(Offer.texts), selectinload(Offer.opening_hours))
            .execution_options(populate_existing=True))}
        organisations = related.attach(session, offers)
        for offer_id in chunk:
            offer = offers.get(offer_id)
            if offer is not None and offer.status == PUBLISHED:
                doc = offer_document(offer, today, settings.stale_after_days)
                (writer.update_document if replace else writer.add_document)(**doc)
            elif replace:
                writer.delete_by_term("id", str(offer_id))
        for entity in (*offers.values(), *organisations):
            session.expunge(entity)


# Offers from which a write is shared with another process (forked), when allowed.
PARALLEL_FROM = 2000
PARALLEL_STEP = 5000  # offers per fork (a rebuild reports its progress after each)


def write_offers_in_processes(writer, session: Session, offer_ids: Iterable[int],
                              settings: IndexSettings, replace: bool, processes: int) -> None:
    """write_offers(), with the documents of the second half of ``offer_ids`` loaded and
    analysed by a forked process meanwhile (processes > 1, a BulkWriter, many offers; only
    from the command line, never inside a threaded server). The documents keep their order,
    so the index is the same as from one process."""
    ids = list(offer_ids)
    if processes < 2 or len(ids) < PARALLEL_FROM or not isinstance(writer, BulkWriter):
        write_offers(writer, session, ids, settings, replace)
        return
    own, theirs = ids[:len(ids) // 2], ids[len(ids) // 2:]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_analyse_apart, daemon=True,
                            args=(writer.schema, session.get_bind(), theirs, settings, sender))
    child.start()
    sender.close()
    try:
        write_offers(writer, session, own, settings, replace)
        status, batch = pickle.loads(receiver.recv_bytes())
    except BaseException:
        child.kill()
        raise
    finally:
        child.join()
        receiver.close()
    if status != "ok":
        raise RuntimeError(f"analysing offers in another process failed:\n{batch}")
    if replace:  # as update_document() does for each
        for offer_id in theirs:
            writer.delete_by_term("id", str(offer_id))
    writer.add_batch(batch)


def _analyse_apart(schema, engine, ids: list[int], settings: IndexSettings, sender) -> None:
    """In the forked process: the documents of ``ids``, analysed, sent back."""
    try:
        engine.dispose(close=False)  # the parent's connections stay the parent's
        batch = DocumentBatch(schema)
        with Session(engine) as session:
            write_offers(batch, session, ids, settings, replace=False)
        sender.send_bytes(pickle.dumps(("ok", batch.exported()), pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        sender.send_bytes(pickle.dumps(("error", traceback.format_exc())))
    finally:
        sender.close()


def _events_with_relations():
    return select(Event).options(
        selectinload(Event.texts),
        selectinload(Event.categories),
        selectinload(Event.target_groups),
        selectinload(Event.areas).selectinload(Area.parent).selectinload(Area.parent),
        selectinload(Event.organisation),
    )


def upcoming_event_ids(session: Session, now: datetime) -> list[int]:
    """Published events with an occurrence still to come (or going on) at ``now``."""
    rows = session.execute(select(Event.id, Event.starts_at, Event.ends_at, Event.timezone,
                                  Event.rrule).where(Event.status == PUBLISHED)
                           .order_by(Event.id)).all()
    return [row.id for row in rows if not is_over(schedule_of(row), now)]


def write_events(store: IndexStore, generation: str, session: Session,
                 event_ids: Iterable[int], now: datetime) -> None:
    """Bring the events index of ``generation`` up to date for ``event_ids``: upcoming
    published events get their document, the others lose it; events whose last occurrence
    has ended by ``now`` are removed; the moment the next one expires is noted."""
    index = store.open_events(generation)
    writer = index.writer()
    try:
        ids = list(event_ids)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            found = {e.id: e for e in session.scalars(
                _events_with_relations().where(Event.id.in_(chunk)))}
            for event_id in chunk:
                event = found.get(event_id)
                schedule = schedule_of(event) if event is not None else None
                if event is not None and event.status == PUBLISHED and \
                        not is_over(schedule, now):
                    writer.update_document(**event_index.event_document(
                        event, last_end(schedule)))
                else:
                    writer.delete_by_term("id", str(event_id))
            session.expunge_all()
        with index.searcher() as searcher:
            event_index.expire(writer, searcher, now)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    with index.searcher() as searcher:
        store.set_events_expiry(generation, event_index.next_expiry(searcher))
    index.close()


def events_expire(store: IndexStore, generation: str, now: datetime) -> bool:
    """Whether a document of the events index has expired by ``now`` (its marker says so)."""
    expiry = store.events_expiry(generation)
    return bool(expiry) and expiry <= now.timestamp()


def expire_events(store: IndexStore, now: datetime | None = None) -> None:
    """Remove the documents of events that are over (the caller holds the writer lock)."""
    generation = store.current_generation()
    if generation is not None:
        write_events(store, generation, None, (), now or datetime.now(UTC))


def pending_state(session: Session, after: int) -> tuple[int, int]:
    """Count and newest sequence number of log entries after ``after`` (cheap "am I behind")."""
    count, newest = session.execute(
        select(func.count(), func.max(ChangeLogEntry.seq)).where(ChangeLogEntry.seq > after)
    ).one()
    return count, newest or 0


@dataclass(frozen=True)
class Logged:
    """A change-log entry as the marker needs it."""

    seq: int
    created_at: datetime
    logged_at: datetime | None = None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def oldest_running_transaction(session: Session) -> datetime | None:
    """When the oldest transaction of another connection to this database began (PostgreSQL),
    None if there is none; on SQLite write transactions never overlap, so never anything."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.scalar(text(
        "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"))


def _gap_settled(above: Logged, now: datetime, oldest_running: datetime | None,
                 serialised: bool) -> bool:
    """Whether the numbers missing below ``above`` can no longer arrive: a transaction that
    took one of them began before ``above`` was logged, so if none of those is running, they
    were rolled back."""
    if serialised:
        return True
    if above.logged_at is not None and (oldest_running is None
                                        or _aware(oldest_running) > _aware(above.logged_at)):
        return True
    return now - _aware(above.created_at) >= GAP_GRACE


def _next_marker(marker: int, entries: list[Logged], now: datetime,
                 oldest_running: datetime | None = None, serialised: bool = False) -> int:
    """The highest sequence number below which nothing can still arrive."""
    for entry in entries:
        if entry.seq != marker + 1 and not _gap_settled(entry, now, oldest_running,
                                                         serialised):
            break
        marker = entry.seq
    return marker


def _logged(session: Session, after: int) -> list[Logged]:
    query = select(ChangeLogEntry.seq, ChangeLogEntry.created_at, ChangeLogEntry.logged_at) \
        .where(ChangeLogEntry.seq > after).order_by(ChangeLogEntry.seq)
    return [Logged(*row) for row in session.execute(query).all()]


def _marker_after(session: Session, marker: int, entries: list[Logged]) -> int:
    serialised = session.get_bind().dialect.name == "sqlite"
    oldest = None if serialised else oldest_running_transaction(session)
    return _next_marker(marker, entries, datetime.now(UTC), oldest, serialised)


def _settled_seq(session: Session) -> int:
    """The newest sequence number below which no change can still arrive."""
    settled = session.scalar(select(func.max(ChangeLogEntry.seq))
                             .where(ChangeLogEntry.created_at < datetime.now(UTC) - GAP_GRACE)) \
        or 0
    return _marker_after(session, settled, _logged(session, settled))


def apply_changes(store: IndexStore, session: Session, settings: IndexSettings,
                  processes: int = 1) -> int:
    """Apply the log entries after this index's marker; the caller holds the writer lock.
    ``processes``: as for rebuild()."""
    generation, index = store.open()
    marker = store.applied_seq(generation)
    rows = session.execute(
        select(ChangeLogEntry.seq, ChangeLogEntry.offer_id, ChangeLogEntry.event_id,
               ChangeLogEntry.created_at, ChangeLogEntry.logged_at)
        .where(ChangeLogEntry.seq > marker).order_by(ChangeLogEntry.seq)
    ).all()
    if not rows:
        return 0
    offer_ids = sorted({row.offer_id for row in rows if row.offer_id is not None})
    event_ids = sorted({row.event_id for row in rows if row.event_id is not None})
    if offer_ids:
        writer = BulkWriter(index)
        try:
            for start in range(0, len(offer_ids), PARALLEL_STEP):  # a fork's share bounded
                write_offers_in_processes(writer, session, offer_ids[start:start + PARALLEL_STEP],
                                          settings, replace=True, processes=processes)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    now = datetime.now(UTC)
    if event_ids or events_expire(store, generation, now):
        write_events(store, generation, session, event_ids, now)
    new_marker = _marker_after(session, marker, [Logged(r.seq, r.created_at, r.logged_at)
                                                 for r in rows])
    store.set_applied_seq(generation, new_marker)
    index.close()
    return len(offer_ids) + len(event_ids)


def rebuild(store: IndexStore, session: Session, settings: IndexSettings,
            progress: Callable[[int, int], None] | None = None, processes: int = 1,
            still_needed: Callable[[], bool] | None = None) -> int:
    """Build a complete new generation from the database and make it current once it is
    verified (one document for every published offer, read back from disk).

    ``processes`` > 1 loads and analyses half of the offers in a forked process
    (write_offers_in_processes): for the command line, not inside a threaded web server.
    ``still_needed`` is asked once the writer lock is held
    (another process may have rebuilt meanwhile); when it says no, nothing is done.
    """
    with store.writing(wait=True):
        if still_needed is not None and not still_needed():
            return 0
        # Changes of transactions still open when the rebuild started reach the new generation
        # through the log: start from what is surely settled and re-apply the rest afterwards.
        start_seq = _settled_seq(session)
        ids = list(session.scalars(
            select(Offer.id).where(Offer.status == PUBLISHED).order_by(Offer.id)))
        path, index = store.new_generation()
        writer = BulkWriter(index)
        try:
            step = PARALLEL_STEP if processes > 1 else BATCH
            for start in range(0, len(ids), step):
                write_offers_in_processes(writer, session, ids[start:start + step], settings,
                                          replace=False, processes=processes)
                if progress:
                    progress(min(start + step, len(ids)), len(ids))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=True)
        index.close()
        now = datetime.now(UTC)
        write_events(store, path.name, session, upcoming_event_ids(session, now), now)
        store.verify(path, {str(i) for i in ids})
        store.set_applied_seq(path.name, start_seq)
        store.activate(path)
        apply_changes(store, session, settings)
    return len(ids)
