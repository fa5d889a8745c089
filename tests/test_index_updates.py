"""The index is derived: the change log brings every change into it, in every process."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from wegweiser import db
from wegweiser.models import ARCHIVED, PUBLISHED, ChangeLogEntry, Offer
from wegweiser.search import SearchQuery, SearchService, rebuild_index, search_service, updater
from wegweiser.search.store import DOCUMENT_FLAGS, INDEX_FORMAT
from wegweiser.search.updater import GAP_GRACE, Activity, Logged, _next_marker
from wegweiser.services.setup import import_files

from .conftest import DATA


def found(text: str, service: SearchService | None = None) -> list[int]:
    service = service or search_service()
    return service.search(SearchQuery(text=text), db.session()).offer_ids


def hotline() -> Offer:
    return db.session().scalar(select(Offer).where(Offer.external_id == "telefon-hotline"))


def set_status(status: str) -> None:
    offer = hotline()
    offer.status = status
    db.session().commit()


def test_every_offer_change_writes_the_change_log_in_its_transaction(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    session = db.session()
    before = session.scalar(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq.desc()))
    offer = hotline()
    offer.phone = "+49 341 999999"
    session.rollback()
    assert session.scalar(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq.desc())) \
        == before
    offer = hotline()
    offer.texts[0].text = "Neuer Titel"
    session.commit()
    newest = session.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.seq.desc())).first()
    assert newest.seq > before and newest.offer_id == offer.id


def test_archiving_and_restoring_show_in_search_at_once(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    assert found("Beratungstelefon")
    set_status(ARCHIVED)
    assert found("Beratungstelefon") == []
    set_status(PUBLISHED)
    assert found("Beratungstelefon")


def test_another_worker_on_the_same_index_catches_up(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    other = SearchService(search_service().store, search_service().settings)
    assert found("Beratungstelefon", other)
    set_status(ARCHIVED)
    assert found("Beratungstelefon", other) == []


def test_searches_never_wait_for_the_index_lock(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    service = search_service()
    assert found("Beratungstelefon")
    with service.store.writing():  # another process is writing
        set_status(ARCHIVED)
        started = datetime.now(UTC)
        assert found("Beratungstelefon"), "served from the index as it is"
        assert datetime.now(UTC) - started < timedelta(seconds=2)
    assert found("Beratungstelefon") == [], "caught up once the lock is free"


def test_a_lost_marker_is_repaired_by_applying_the_log_again(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    store = search_service().store
    store.set_applied_seq(store.current_generation(), 0)  # as if killed before writing it
    result = search_service().search(SearchQuery(), db.session())
    assert result.total == 2 and len(set(result.offer_ids)) == 2


def test_a_missing_index_is_rebuilt_from_the_database(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    assert not search_service().store.exists()
    assert search_service().search(SearchQuery(), db.session()).total == 2


def test_an_index_without_a_filters_flag_is_rebuilt(ctx):
    """An index built before a filter's flag existed (no_appointment) would count none of its
    offers: the next search rebuilds it."""
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    store = search_service().store
    old = store.current_generation()
    (store.root / old / DOCUMENT_FLAGS).write_text("accessible free")
    assert search_service().search(SearchQuery(no_appointment=True), db.session()) is not None
    assert store.current_generation() != old
    assert (store.root / store.current_generation() / DOCUMENT_FLAGS).read_text() == \
        f"format-{INDEX_FORMAT} accessible free no_appointment"


def test_an_index_of_an_older_format_is_rebuilt(ctx):
    """Same fields, other analysis (e.g. the Arabic stemming changed): rebuilt on the next
    search, so no deployment keeps searching terms the queries no longer produce."""
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    store = search_service().store
    old = store.current_generation()
    flags = (store.root / old / DOCUMENT_FLAGS).read_text()
    (store.root / old / DOCUMENT_FLAGS).write_text(
        flags.replace(f"format-{INDEX_FORMAT}", f"format-{INDEX_FORMAT - 1}"))
    assert found("Deutschkurs")
    assert store.current_generation() != old


def test_reindex_swaps_in_a_new_generation_while_readers_keep_working(ctx):
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    store = search_service().store
    first = store.current_generation()
    assert found("Deutschkurs")
    rebuild_index(db.session())
    assert store.current_generation() != first
    assert not (store.root / first).exists()
    assert found("Deutschkurs")


def test_reindex_succeeds_when_an_offer_is_withdrawn_while_it_runs(ctx, monkeypatch):
    """An offer archived after the reindex listed the published offers gets no document; the
    new generation is verified against the documents written (not the list), becomes current,
    and the archiving reaches it through the log. (The crash drill found `wegweiser reindex`
    failing with IndexNotVerified while editors worked.)"""
    assert import_files([DATA / "valid.json"], "import:test").ok
    rebuild_index(db.session())
    withdrawn = hotline().id
    db.session().rollback()
    sessions = ctx.extensions["wegweiser.sessionmaker"]
    write = updater.write_offers_in_processes

    def archive_meanwhile(*args, **kwargs):
        with sessions() as other:
            other.get(Offer, withdrawn).status = ARCHIVED
            other.commit()
        return write(*args, **kwargs)

    monkeypatch.setattr(updater, "write_offers_in_processes", archive_meanwhile)
    store = search_service().store
    first = store.current_generation()
    published = db.session().scalar(select(func.count()).select_from(Offer)
                                     .where(Offer.status == PUBLISHED))
    assert rebuild_index(db.session()) == published - 1
    monkeypatch.setattr(updater, "write_offers_in_processes", write)
    assert store.current_generation() != first
    result = search_service().search(SearchQuery(), db.session())
    assert result.total == published - 1 and withdrawn not in result.offer_ids


def test_gaps_in_the_sequence_hold_the_marker_until_they_are_settled():
    now = datetime.now(UTC)
    recent, old = now - timedelta(seconds=1), now - GAP_GRACE - timedelta(seconds=1)
    assert _next_marker(10, [Logged(11, recent), Logged(12, recent)], now) == 12
    assert _next_marker(10, [Logged(11, recent), Logged(13, recent)], now) == 11
    assert _next_marker(10, [Logged(11, recent), Logged(13, old), Logged(14, old)], now) == 14
    # Logged by the database: settled once no transaction that began before it still runs.
    logged = now - timedelta(seconds=30)
    second = timedelta(seconds=1)
    entries = [Logged(11, logged, logged), Logged(13, logged, logged)]
    assert _next_marker(10, entries, now, Activity(now, logged - second)) == 11
    assert _next_marker(10, entries, now, Activity(now, logged + second)) == 13
    assert _next_marker(10, entries, now, Activity(now, None)) == 13
    # Looked before 13 was logged: a transaction that began in between may hold 12.
    assert _next_marker(10, entries, now, Activity(logged - second, None)) == 11
    assert _next_marker(10, entries, now) == 11  # not looked at all
    # SQLite: write transactions never overlap, a gap is a rollback.
    assert _next_marker(10, [Logged(11, recent), Logged(13, recent)], now, serialised=True) == 13


ONLY_POSTGRESQL = pytest.mark.parametrize("backend", ["postgresql"], indirect=True,
                                         scope="session")


@ONLY_POSTGRESQL
def test_a_change_is_searchable_while_a_longer_transaction_is_still_open(app):
    """An editor's save is searchable at once while an import's transaction, which took its
    change-log numbers earlier, is still open; the import's changes arrive when it commits,
    however long it ran (PostgreSQL; SQLite serialises writers)."""
    with app.app_context():
        assert import_files([DATA / "valid.json"], "import:test").ok
        rebuild_index(db.session())
        sessions = app.extensions["wegweiser.sessionmaker"]
        store = search_service().store
        offers = db.session().scalars(select(Offer).order_by(Offer.id)).all()
        long_one, quick_one = offers[0].id, offers[1].id
        db.session().rollback()
        with sessions() as importing:
            importing.get(Offer, long_one).status = ARCHIVED
            importing.flush()  # takes its sequence number now, commits later
            with sessions() as editing:
                editing.get(Offer, quick_one).status = ARCHIVED
                editing.commit()
            assert quick_one not in found("")
            marker = store.applied_seq(store.current_generation())
            assert long_one in found("")
            gap = importing.scalar(select(func.max(ChangeLogEntry.seq))
                                   .where(ChangeLogEntry.offer_id == long_one))
            assert marker < gap  # held below the open transaction's number
            importing.commit()
        assert long_one not in found("")
        assert store.applied_seq(store.current_generation()) > gap


@ONLY_POSTGRESQL
def test_a_rolled_back_transaction_does_not_hold_the_index_back(app):
    with app.app_context():
        assert import_files([DATA / "valid.json"], "import:test").ok
        rebuild_index(db.session())
        sessions = app.extensions["wegweiser.sessionmaker"]
        offers = db.session().scalars(select(Offer).order_by(Offer.id)).all()
        db.session().rollback()
        with sessions() as abandoned:
            abandoned.get(Offer, offers[0].id).status = ARCHIVED
            abandoned.flush()
            abandoned.rollback()
        with sessions() as editing:
            editing.get(Offer, offers[1].id).status = ARCHIVED
            editing.commit()
        assert offers[1].id not in found("")
        store = search_service().store
        newest = db.session().scalar(select(func.max(ChangeLogEntry.seq)))
        assert store.applied_seq(store.current_generation()) == newest


@pytest.mark.parametrize("own_index", [False, True], ids=["shared-index", "own-index"])
def test_a_separate_process_sees_a_change_from_this_one(app, tmp_path, own_index):
    """Two real processes on one database: one index directory (workers of one machine) or
    one each (machines)."""
    with app.app_context():
        assert import_files([DATA / "valid.json"], "import:test").ok
        rebuild_index(db.session())
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "WEGWEISER_INDEX_DIR")}
    if own_index:
        config["WEGWEISER_INDEX_DIR"] = str(tmp_path / "second-machine-index")
    script = textwrap.dedent(f"""
        import json, sys
        from wegweiser import create_app, db
        from wegweiser.search import SearchQuery, search_service
        app = create_app({{**json.loads({json.dumps(json.dumps(config))}), "SECRET_KEY": "x"}})
        with app.app_context():
            result = search_service().search(SearchQuery(text="Beratungstelefon"), db.session())
            print(json.dumps(result.offer_ids))
    """)

    def other_process() -> list[int]:
        done = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True,
                              text=True, timeout=120, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert other_process()
    with app.app_context():
        set_status(ARCHIVED)  # this process does not search afterwards: the other catches up
    assert other_process() == []


def index_differences() -> list[str]:
    """How the current generation differs from the database: offer ids and the version each
    document was written from, read from disk (without catching up)."""
    session = db.session()
    expected = {str(i): v for i, v in session.execute(
        select(Offer.id, Offer.version).where(Offer.status == PUBLISHED))}
    session.rollback()
    stored = search_service().store.stored_versions()
    return [f"{key}: index {stored.get(key)}, database {expected.get(key)}"
            for key in sorted(expected.keys() | stored.keys(), key=int)
            if stored.get(key) != expected.get(key)]


def rounds_until_current(limit: int) -> int:
    """Catch-up rounds (as searches make them) until the index equals the database."""
    for rounds in range(1, limit + 1):
        search_service().catch_up(db.session())
        if not index_differences():
            return rounds
    raise AssertionError(f"not current after {limit} rounds: {index_differences()[:5]}")


def retitle(session, offer_id: int, word: str) -> None:
    """An editor's save: a new word in the title (a new version)."""
    offer = session.get(Offer, offer_id)
    text = next(t for t in offer.texts if t.field == "title")
    text.text = f"{text.text.split(' zz')[0]} {word}"
    offer.updated_at = datetime.now(UTC)  # the offer's row changes too: a new version


def committed_block(session, size: int = 60) -> tuple[list[int], int]:
    """A block of ``size`` changed offers committed at once (an import's); the ids of its
    offers, and of a published offer outside it (for a save)."""
    ids = list(session.scalars(select(Offer.id).where(Offer.status == PUBLISHED)
                               .order_by(Offer.id)))
    for offer_id in ids[:size]:
        retitle(session, offer_id, "zzblock")
    session.commit()
    return ids[:size], ids[-1]


SMALL_ROUNDS = 10


@pytest.fixture
def small_rounds(monkeypatch):
    monkeypatch.setattr(updater, "CATCH_UP_CHUNK", SMALL_ROUNDS)


@pytest.mark.demo_directory
def test_a_save_is_not_queued_behind_a_large_block_of_changes(ctx, small_rounds):
    """A block of changes (an import's) is applied a round of at most CATCH_UP_CHUNK documents
    at a time, the lock released between rounds; a round takes the entries newer than all it
    applied before first, so a save committed after the block is in after one round."""
    session = db.session()
    block, saved = committed_block(session)
    retitle(session, saved, "zzsave")
    session.commit()
    search_service().catch_up(session)  # one round, as the next search of a process does
    behind = index_differences()
    assert str(saved) not in " ".join(behind), "the save waits behind the block"
    assert len(behind) > 60 - SMALL_ROUNDS, "the whole block was applied in one hold of the lock"
    assert rounds_until_current(20) <= 60 // SMALL_ROUNDS + 1
    store = search_service().store
    assert store.applied_seq(store.current_generation()) == \
        session.scalar(select(func.max(ChangeLogEntry.seq)))
    assert found("zzsave") == [saved]
    assert search_service().search(SearchQuery(text="zzblock"), session).total == 60


@pytest.mark.demo_directory
def test_a_round_of_older_changes_ends_when_a_newer_one_arrives(ctx, monkeypatch):
    """A save committed while a round works through a block ends that round after its current
    step (what it wrote is committed); the next round applies the save first."""
    monkeypatch.setattr(updater, "CATCH_UP_STEP", 5)
    monkeypatch.setattr(updater, "CATCH_UP_SECONDS", 600)
    sessions = ctx.extensions["wegweiser.sessionmaker"]
    session = db.session()
    block, saved = committed_block(session)
    documents, saves = [], []
    document = updater.offer_document

    def save_meanwhile(*args):
        documents.append(args[0].id)
        if len(documents) == 7 and not saves:
            saves.append(saved)
            with sessions() as editing:
                retitle(editing, saved, "zzsave")
                editing.commit()
        return document(*args)

    monkeypatch.setattr(updater, "offer_document", save_meanwhile)
    search_service().catch_up(session)
    assert len(documents) == 10, "the round ended after the step in which the save came"
    assert len(index_differences()) == 60 - 10 + 1
    documents.clear()
    search_service().catch_up(db.session())
    assert documents[0] == saved, "the newer save first, then the rest of the block"
    assert rounds_until_current(5) >= 1
    assert found("zzsave") == [saved]


@pytest.mark.demo_directory
@pytest.mark.parametrize("processes", [1, 2])
def test_the_command_line_applies_a_block_in_rounds_to_the_end(ctx, small_rounds, monkeypatch,
                                                               processes):
    """With two processes a round takes twice as many documents, half of them analysed by a
    forked process: this process builds only its half, and the index ends the same."""
    session = db.session()
    ids = list(session.scalars(select(Offer.id).where(Offer.status == PUBLISHED)))[:35]
    for offer_id in ids:
        retitle(session, offer_id, "zzcli")
    session.commit()
    built_here = []
    document = updater.offer_document
    monkeypatch.setattr(updater, "offer_document",
                        lambda offer, *args: built_here.append(offer.id) or document(offer, *args))
    search_service().catch_up(session, fully=True, processes=processes)
    assert index_differences() == []
    assert search_service().search(SearchQuery(text="zzcli"), session).total == len(ids)
    if processes == 1:
        assert sorted(built_here) == sorted(ids)
    else:
        assert 10 <= len(built_here) <= 20, "the forked process built the other half"


@pytest.mark.demo_directory
def test_a_forked_round_stopped_by_a_newer_change_drops_the_other_half(ctx):
    """When a newer change ends this process's half early, nothing of the forked half is
    written and the count says so: those entries stay waiting for the next round."""
    session = db.session()
    block, _ = committed_block(session, size=40)
    _, index = search_service().store.open()
    writer = updater.BulkWriter(index)
    asked = []
    written = updater.write_offers_in_processes(
        writer, session, block, search_service().settings, replace=True, processes=2,
        parallel_from=10, batch=5, stop=lambda: asked.append(1) or len(asked) > 1, stop_every=5)
    writer.commit()
    index.close()
    assert written == 10
    behind = {int(line.split(":")[0]) for line in index_differences()}
    assert behind == set(block[10:])


@ONLY_POSTGRESQL
@pytest.mark.demo_directory
def test_a_block_above_an_open_transaction_is_applied_round_by_round(ctx, small_rounds):
    """The marker waits below a transaction still open (it took its numbers first); the block
    committed above it still goes in round by round (the entries applied above the marker are
    remembered), and the open one's change arrives once it commits."""
    sessions = ctx.extensions["wegweiser.sessionmaker"]
    session = db.session()
    ids = list(session.scalars(select(Offer.id).where(Offer.status == PUBLISHED)
                               .order_by(Offer.id)))
    session.rollback()
    store = search_service().store
    with sessions() as importing:
        retitle(importing, ids[0], "zzlong")
        importing.flush()
        for offer_id in ids[1:41]:
            retitle(session, offer_id, "zzabove")
        session.commit()
        for _ in range(41 // SMALL_ROUNDS + 1):
            search_service().catch_up(db.session())
        assert index_differences() == [], "the block above the open transaction is all in"
        marker = store.applied_seq(store.current_generation())
        assert marker < importing.scalar(select(func.max(ChangeLogEntry.seq))
                                         .where(ChangeLogEntry.offer_id == ids[0]))
        importing.commit()
    assert len(index_differences()) == 1
    assert rounds_until_current(2) == 1
    assert found("zzlong") == [ids[0]]
    assert store.applied_seq(store.current_generation()) == \
        db.session().scalar(select(func.max(ChangeLogEntry.seq)))


@ONLY_POSTGRESQL
@pytest.mark.demo_directory
def test_a_transaction_that_commits_while_the_log_is_applied_is_not_skipped(ctx, monkeypatch):
    """A transaction holding a number below a committed entry commits after the log was read
    but before the marker is moved: the marker must not pass its number as if it had been
    rolled back (which transactions run is looked at before the log is read)."""
    sessions = ctx.extensions["wegweiser.sessionmaker"]
    session = db.session()
    first, second = session.scalars(select(Offer.id).where(Offer.status == PUBLISHED)
                                    .order_by(Offer.id).limit(2))
    session.rollback()
    late = sessions()
    retitle(late, first, "zzlate")
    late.flush()  # takes its number now
    retitle(session, second, "zzearly")
    session.commit()
    write = updater.write_offers

    def commit_meanwhile(*args, **kwargs):
        if late.in_transaction():
            late.commit()  # after the log was read, before the marker is computed
        return write(*args, **kwargs)

    monkeypatch.setattr(updater, "write_offers", commit_meanwhile)
    search_service().catch_up(db.session())
    late.close()
    monkeypatch.setattr(updater, "write_offers", write)
    rounds_until_current(2)
    assert found("zzlate") == [first] and found("zzearly") == [second]


@pytest.mark.demo_directory
def test_many_small_rounds_do_not_pile_up_segments(ctx, monkeypatch):
    """Every round commits a segment; a commit merges the smallest ones (a bounded number of
    documents) once there are more than MERGE_FROM, never a large one."""
    monkeypatch.setattr(updater, "CATCH_UP_CHUNK", 3)
    session = db.session()
    for offer_id in list(session.scalars(select(Offer.id).where(Offer.status == PUBLISHED)))[:45]:
        retitle(session, offer_id, "zzsmall")
    session.commit()
    rounds_until_current(20)
    _, index = search_service().store.open()
    try:
        sizes = sorted(segment.doc_count_all() for segment in index._segments())
    finally:
        index.close()
    assert len(sizes) <= updater.MERGE_FROM + 1, sizes
    assert sizes[-1] >= 150, "the demo's large segment was left alone"
