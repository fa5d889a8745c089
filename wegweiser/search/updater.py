"""Keeping the index derived from the database: apply the change log, or rebuild everything."""
from __future__ import annotations

import multiprocessing
import pickle
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL

from ..cities import city_info
from ..config import DEFAULT_CITY
from ..models import (
    PUBLISHED,
    Area,
    ChangeLogEntry,
    Event,
    Offer,
    OfferText,
    Organisation,
)
from ..models.links import VocabularyLinks
from ..services.occurrences import is_over, last_end, schedule_of
from . import events as event_index
from . import lexicon
from .analysis import COMPOUND_PART, language_analyzer
from .bulk import BulkWriter, DocumentBatch
from .documents import offer_document
from .schema import content_languages
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
    city: str = DEFAULT_CITY  # whose area names' other spellings query understanding knows

    @classmethod
    def from_config(cls, config) -> IndexSettings:
        city = config.get("WEGWEISER_CITY") or DEFAULT_CITY
        timezone = config.get("BABEL_DEFAULT_TIMEZONE") or city_info(city).timezone
        return cls(stale_after_days=config.get("WEGWEISER_STALE_AFTER_DAYS", 183),
                   timezone=timezone, city=city)

    def public_holidays(self, now) -> tuple:
        """Of the two days whose slots can be open at ``now`` (today, and yesterday for a slot
        past midnight), those that are public holidays of the city: their slots open only for
        the offers open on public holidays too."""
        holidays = city_info(self.city).holidays
        days = (now.date(), now.date() - timedelta(days=1))
        return tuple(d for d in days if holidays is not None and holidays.is_holiday(d))


def _attach_organisations(session: Session, offers: dict[int, Offer]) -> list[Organisation]:
    """Give each of ``offers`` its organisation (one query); returns the organisations."""
    organisations = {org.id: org for org in session.scalars(
        select(Organisation).where(Organisation.id.in_(
            {offer.organisation_id for offer in offers.values()}))
        .execution_options(populate_existing=True))}
    for offer in offers.values():
        set_committed_value(offer, "organisation", organisations[offer.organisation_id])
    return list(organisations.values())


def write_offers(writer, session: Session, offer_ids: Iterable[int], settings: IndexSettings,
                  replace: bool, batch: int = BATCH,
                  stop: Callable[[], bool] | None = None, stop_every: int | None = None,
                  unpublished: set[int] | None = None) -> int:
    """Write the documents of ``offer_ids`` (``replace``: in place of theirs, or remove them
    when the offer is not published), read from the database ``batch`` at a time; after every
    ``stop_every`` (default: ``batch``) ``stop`` may end it early. Returns how many of
    ``offer_ids`` (the first ones) were written; the ids of those not published when read
    (given no document) are put into ``unpublished``, if given."""
    ids = list(offer_ids)
    if not ids:
        return 0
    stop_every = stop_every or batch
    today = date.today()
    # What a document shows besides the offer's own rows: its vocabularies' labels and areas
    # (loaded once per write, models/links.py), its organisation's name.
    links = VocabularyLinks.load(session)
    for start in range(0, len(ids), batch):
        if start % stop_every == 0 and start and stop is not None and stop():
            return start
        chunk = ids[start:start + batch]
        # populate_existing: the caller's session may hold an offer loaded before the change
        # committed; the index must get the state the database has now.
        offers = {o.id: o for o in session.scalars(
            select(Offer).where(Offer.id.in_(chunk))
            .options(selectinload(Offer.texts), selectinload(Offer.opening_hours),
                     selectinload(Offer.closures))
            .execution_options(populate_existing=True))}
        links.attach(session, offers)
        organisations = _attach_organisations(session, offers)
        try:
            for position, offer_id in enumerate(chunk, start):
                if position % stop_every == 0 and position > start and stop is not None \
                        and stop():
                    return position
                offer = offers.get(offer_id)
                if offer is not None and offer.status == PUBLISHED:
                    doc = offer_document(offer, today, settings.stale_after_days)
                    (writer.update_document if replace else writer.add_document)(**doc)
                else:
                    if replace:
                        writer.delete_by_term("id", str(offer_id))
                    if unpublished is not None:
                        unpublished.add(offer_id)
        finally:
            for entity in (*offers.values(), *organisations):
                session.expunge(entity)
    return len(ids)


# Offers from which a write is shared with another process (forked), when allowed.
PARALLEL_FROM = 2000
PARALLEL_STEP = 5000  # offers per fork (a rebuild reports its progress after each)


def write_offers_in_processes(writer, session: Session, offer_ids: Iterable[int],
                              settings: IndexSettings, replace: bool, processes: int,
                              parallel_from: int = PARALLEL_FROM, batch: int = BATCH,
                              stop: Callable[[], bool] | None = None,
                              stop_every: int | None = None,
                              unpublished: set[int] | None = None) -> int:
    """write_offers(), with the documents of the second half of ``offer_ids`` loaded and
    analysed by a forked process meanwhile (processes > 1, a BulkWriter, at least
    ``parallel_from`` offers; only from the command line, never inside a threaded server). The
    documents keep their order, so the index is the same as from one process. When ``stop``
    ends this process's half early, the other half is dropped; returns how many of
    ``offer_ids`` (the first ones) were written."""
    ids = list(offer_ids)
    if processes < 2 or len(ids) < parallel_from or not isinstance(writer, BulkWriter):
        return write_offers(writer, session, ids, settings, replace, batch, stop, stop_every,
                            unpublished)
    own, theirs = ids[:len(ids) // 2], ids[len(ids) // 2:]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_analyse_apart, daemon=True,
                            args=(writer.schema, session.get_bind(), theirs, settings, sender))
    child.start()
    sender.close()
    try:
        written = write_offers(writer, session, own, settings, replace, batch, stop,
                               stop_every, unpublished)
        if written < len(own):
            child.kill()
            return written
        status, exported, theirs_unpublished = pickle.loads(receiver.recv_bytes())
    except BaseException:
        child.kill()
        raise
    finally:
        child.join()
        receiver.close()
    if status != "ok":
        raise RuntimeError(f"analysing offers in another process failed:\n{exported}")
    if replace:  # as update_document() does for each
        for offer_id in theirs:
            writer.delete_by_term("id", str(offer_id))
    writer.add_batch(exported)
    if unpublished is not None:
        unpublished.update(theirs_unpublished)
    return len(ids)


def _analyse_apart(schema, engine, ids: list[int], settings: IndexSettings, sender) -> None:
    """In the forked process: the documents of ``ids``, analysed, sent back."""
    try:
        engine.dispose(close=False)  # the parent's connections stay the parent's
        batch, unpublished = DocumentBatch(schema), set()
        with Session(engine) as session:
            write_offers(batch, session, ids, settings, replace=False, unpublished=unpublished)
        sender.send_bytes(pickle.dumps(("ok", batch.exported(), unpublished),
                                       pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        sender.send_bytes(pickle.dumps(("error", traceback.format_exc(), None)))
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
            # Only what this batch loaded: the caller's session (a web request's) may hold
            # rows it still uses, such as the page's vocabularies.
            for event in found.values():
                session.expunge(event)
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


@dataclass(frozen=True)
class Activity:
    """Other transactions on the database (PostgreSQL), looked at *before* the log is read:
    ``observed_at`` the database's clock just before, ``oldest_start`` when the oldest of them
    began (None: none was running)."""

    observed_at: datetime
    oldest_start: datetime | None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def running_transactions(session: Session) -> Activity | None:
    """What other connections to this database are doing (PostgreSQL); None on SQLite, whose
    write transactions never overlap. Both times as ``logged_at`` is stored (the session's
    time zone, without one); PostgreSQL keeps one snapshot of the activity per transaction
    unless told to look again."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    session.execute(text("SELECT pg_stat_clear_snapshot()"))
    observed = session.scalar(text("SELECT clock_timestamp()::timestamp"))
    oldest = session.scalar(text(
        "SELECT min(xact_start)::timestamp FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND xact_start IS NOT NULL"))
    return Activity(observed, oldest)


def _gap_settled(above: Logged, now: datetime, activity: Activity | None,
                 serialised: bool) -> bool:
    """Whether the numbers missing below ``above`` can no longer arrive. A transaction that
    took one of them began before ``above`` was logged. If ``above`` was logged before the
    activity was looked at and no transaction that began before it was running then, those
    transactions had ended before the log was read: what they committed was in it, so the
    missing numbers were rolled back."""
    if serialised:
        return True
    if above.logged_at is not None and activity is not None \
            and _aware(above.logged_at) < _aware(activity.observed_at) \
            and (activity.oldest_start is None
                 or _aware(activity.oldest_start) > _aware(above.logged_at)):
        return True
    return now - _aware(above.created_at) >= GAP_GRACE


def _next_marker(marker: int, entries: list[Logged], now: datetime,
                 activity: Activity | None = None, serialised: bool = False) -> int:
    """The highest sequence number below which nothing can still arrive (``entries``: those
    after ``marker`` that are applied, in order; the walk ends before the first one not)."""
    for entry in entries:
        if entry.seq != marker + 1 and not _gap_settled(entry, now, activity, serialised):
            break
        marker = entry.seq
    return marker


def _logged(session: Session, after: int) -> list[Logged]:
    query = select(ChangeLogEntry.seq, ChangeLogEntry.created_at, ChangeLogEntry.logged_at) \
        .where(ChangeLogEntry.seq > after).order_by(ChangeLogEntry.seq)
    return [Logged(*row) for row in session.execute(query).all()]


def _settled_seq(session: Session) -> int:
    """The newest sequence number below which no change can still arrive."""
    activity = running_transactions(session)  # before the log is read (_gap_settled)
    settled = session.scalar(select(func.max(ChangeLogEntry.seq))
                             .where(ChangeLogEntry.created_at < datetime.now(UTC) - GAP_GRACE)) \
        or 0
    return _next_marker(settled, _logged(session, settled), datetime.now(UTC), activity,
                        serialised=activity is None)


# A large block of changes (an import's) is applied over several rounds, the writer lock
# released between them, so that newer changes are not queued behind it. A round takes the
# entries newer than everything applied so far first (newest first), then the older ones
# (oldest first), at most CATCH_UP_CHUNK documents, CATCH_UP_STEP at a time; it ends early,
# committing what it wrote, once a newer entry has arrived in the log, and after
# CATCH_UP_SECONDS when it is a web request's or began with newer entries (they become
# searchable with its commit). Applying an entry re-reads the document's current state from
# the database, so the order does not matter (see apply_changes).
CATCH_UP_CHUNK = 500
CATCH_UP_STEP = 10
# Offers a round reads from the database at a time (a few queries per read): CATCH_UP_STEP of
# them are a query per one or two offers, a large part of a long catch-up's time.
CATCH_UP_LOAD = 100
CATCH_UP_SECONDS = 0.5


# Merging segments: Whoosh does it in Python, posting by posting, and its own policy
# (MERGE_SMALL) now and then merges thousands of documents in one commit, which would hold the
# lock (and the next save) for many seconds. A commit here merges only when there are more than
# MERGE_FROM segments, and then only segments of at most MERGE_SMALL_DOCS documents, the
# smallest first, up to MERGE_DOCS in all; larger ones stay until a reindex writes one again.
MERGE_FROM = 8
MERGE_SMALL_DOCS = 50
MERGE_DOCS = 200


MERGE_ALL_FROM = 32


def merge_bounded(writer, segments):
    """A Whoosh merge policy (``writer.commit(mergetype=…)``): see MERGE_FROM. Past
    MERGE_ALL_FROM segments (segments of up to MERGE_DOCS documents pile up from imports and
    months of saves) Whoosh's own policy merges them, a longer commit now and then rather
    than ever more segments for every search to read."""
    if len(segments) <= MERGE_FROM:
        return segments
    if len(segments) > MERGE_ALL_FROM:
        return MERGE_SMALL(writer, segments)
    taken, total = [], 0
    for segment in sorted(segments, key=lambda s: s.doc_count_all()):
        if segment.doc_count_all() > MERGE_SMALL_DOCS or total + segment.doc_count_all() > \
                MERGE_DOCS:
            break
        taken.append(segment)
        total += segment.doc_count_all()
    if len(taken) < 2:
        return segments
    for segment in taken:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in taken]


def _key(row) -> tuple[str, int]:
    return ("offer", row.offer_id) if row.offer_id is not None else ("event", row.event_id)


def apply_changes(store: IndexStore, session: Session, settings: IndexSettings,
                  limit: int | None = None, timed: bool = True, processes: int = 1) -> int:
    """One round: apply log entries after this index's marker, the documents of at most
    ``limit`` (CATCH_UP_CHUNK) of them; the caller holds the writer lock and ends the session's
    transaction afterwards; ``timed``: it ends after CATCH_UP_SECONDS (else only ``limit``,
    newer entries, and having begun with new ones end it). Returns how many documents still
    wait (0: caught up; the marker may still wait for a gap); segments merged: merge_bounded.
    ``processes`` > 1 (the command line only): a round takes twice ``limit`` documents, half
    of them analysed by a forked process (write_offers_in_processes shares work with one
    other process, however many cores), so a round of a long catch-up lasts as long as with
    one process and does as much again.

    State of a generation: its marker (every entry up to it is applied) and the entries after
    it applied already (``applied-above``). Applying an entry writes its document from the
    database as it is now (read after the entry was seen in the log), so any order ends in the
    database's state, and an entry applied once is never needed again. The marker advances
    over applied entries and over gaps that are settled (_gap_settled).
    """
    limit = (CATCH_UP_CHUNK if limit is None else limit) * (2 if processes > 1 else 1)
    activity = running_transactions(session)  # before the log is read (_gap_settled)
    generation, index = store.open()
    marker = store.applied_seq(generation)
    done = store.applied_above(generation)
    rows = session.execute(
        select(ChangeLogEntry.seq, ChangeLogEntry.offer_id, ChangeLogEntry.event_id,
               ChangeLogEntry.created_at, ChangeLogEntry.logged_at)
        .where(ChangeLogEntry.seq > marker).order_by(ChangeLogEntry.seq)
    ).all()
    if not rows:
        index.close()
        return 0
    todo = [row for row in rows if row.seq not in done]
    fresh = [row for row in todo if row.seq > max(done, default=marker)]
    keys = list(dict.fromkeys(_key(row) for row in (*reversed(fresh), *todo)))[:limit]
    offer_ids = [i for kind, i in keys if kind == "offer"]
    event_ids = [i for kind, i in keys if kind == "event"]
    started, newest = time.monotonic(), rows[-1].seq
    seconds = CATCH_UP_SECONDS if timed or fresh else None

    def newer_work() -> bool:
        return (seconds is not None and time.monotonic() - started > seconds) or \
            (session.scalar(select(func.max(ChangeLogEntry.seq))) or 0) > newest

    written = 0
    if offer_ids:
        writer = BulkWriter(index)
        try:
            written = write_offers_in_processes(
                writer, session, offer_ids, settings, replace=True, processes=processes,
                parallel_from=CATCH_UP_CHUNK, batch=CATCH_UP_LOAD, stop=newer_work,
                stop_every=CATCH_UP_STEP)
        except BaseException:
            writer.cancel()
            raise
    chosen = {("offer", i) for i in offer_ids[:written]} | {("event", i) for i in event_ids}
    waiting = len({_key(row) for row in todo} - chosen)
    if offer_ids:
        writer.commit(mergetype=merge_bounded)
    now = datetime.now(UTC)
    if event_ids or events_expire(store, generation, now):
        write_events(store, generation, session, event_ids, now)
    done |= {row.seq for row in todo if _key(row) in chosen}
    applied = []
    for row in rows:
        if row.seq not in done:
            break
        applied.append(Logged(row.seq, row.created_at, row.logged_at))
    new_marker = _next_marker(marker, applied, now, activity, serialised=activity is None)
    # The entries after the marker first: a crash between the two leaves some applied ones
    # unrecorded (applied again), never an unapplied one recorded.
    store.set_applied_above(generation, {seq for seq in done if seq > new_marker})
    store.set_applied_seq(generation, new_marker)
    index.close()
    return waiting


def catch_up_fully(store: IndexStore, session: Session, settings: IndexSettings,
                   processes: int = 1) -> None:
    """Apply the whole log, a round at a time, waiting for the writer lock before each and
    releasing it after; a round ends early only for newer entries (for the command line; a
    web request applies one round of at most CATCH_UP_SECONDS). ``processes``: see
    apply_changes."""
    while True:
        try:
            with store.writing(wait=True):
                waiting = apply_changes(store, session, settings, timed=False,
                                        processes=processes)
        finally:
            session.rollback()
        if not waiting:
            return


# The most recent offers the learned translations are read from (lexicon.py bounds the work
# per language pair further).
LEXICON_OFFERS = 5000
LEXICON_BATCH = 500


def learn_lexicon(session: Session, ids: list[int]) -> lexicon.Lexicon:
    """Translations learned from the texts of offers ``ids`` (the newest LEXICON_OFFERS), in
    the languages the index has fields for, analysed as the index analyses them."""
    languages = set(content_languages())
    analyzers = {lang: language_analyzer(lang) for lang in languages}
    offers: dict[int, dict[str, dict[str, str]]] = {}
    chosen = ids[-LEXICON_OFFERS:]
    for start in range(0, len(chosen), LEXICON_BATCH):
        rows = session.execute(
            select(OfferText.offer_id, OfferText.locale, OfferText.field, OfferText.text)
            .where(OfferText.offer_id.in_(chosen[start:start + LEXICON_BATCH]),
                   OfferText.locale.in_(languages)))
        for offer_id, locale, field, text_ in rows:
            offers.setdefault(offer_id, {}).setdefault(locale, {})[field] = text_

    def terms(text_: str, lang: str) -> list[str]:
        return [t.text for t in analyzers[lang](text_) if not t.text.startswith(COMPOUND_PART)]

    return lexicon.learn([offers[i] for i in sorted(offers)], terms)


def rebuild(store: IndexStore, session: Session, settings: IndexSettings,
            progress: Callable[[int, int], None] | None = None, processes: int = 1,
            still_needed: Callable[[], bool] | None = None) -> int:
    """Build a complete new generation from the database and make it current once it is
    verified (read back from disk: one document for each offer published both when listed and
    when read); returns how many offers it holds.

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
        # An offer withdrawn after ``ids`` was read gets no document (the log then has its
        # change): the generation must hold exactly the offers that were still published.
        withdrawn: set[int] = set()
        try:
            step = PARALLEL_STEP if processes > 1 else BATCH
            for start in range(0, len(ids), step):
                write_offers_in_processes(writer, session, ids[start:start + step], settings,
                                          replace=False, processes=processes,
                                          unpublished=withdrawn)
                if progress:
                    progress(min(start + step, len(ids)), len(ids))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=True)
        index.close()
        now = datetime.now(UTC)
        write_events(store, path.name, session, upcoming_event_ids(session, now), now)
        written = set(ids) - withdrawn
        lexicon.save(learn_lexicon(session, [i for i in ids if i not in withdrawn]), path)
        store.verify(path, {str(i) for i in written})
        store.set_applied_seq(path.name, start_seq)
        store.activate(path)
    catch_up_fully(store, session, settings, processes)  # the changes since start_seq
    return len(written)
