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
from wegweiser.search import SearchQuery, SearchService, rebuild_index, search_service
from wegweiser.search.store import DOCUMENT_FLAGS, INDEX_FORMAT
from wegweiser.search.updater import GAP_GRACE, Logged, _next_marker
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


def test_gaps_in_the_sequence_hold_the_marker_until_they_are_settled():
    now = datetime.now(UTC)
    recent, old = now - timedelta(seconds=1), now - GAP_GRACE - timedelta(seconds=1)
    assert _next_marker(10, [Logged(11, recent), Logged(12, recent)], now) == 12
    assert _next_marker(10, [Logged(11, recent), Logged(13, recent)], now) == 11
    assert _next_marker(10, [Logged(11, recent), Logged(13, old), Logged(14, old)], now) == 14
    # Logged by the database: settled once no transaction that began before it still runs.
    logged = now - timedelta(seconds=30)
    entries = [Logged(11, logged, logged), Logged(13, logged, logged)]
    assert _next_marker(10, entries, now, oldest_running=logged - timedelta(seconds=1)) == 11
    assert _next_marker(10, entries, now, oldest_running=logged + timedelta(seconds=1)) == 13
    assert _next_marker(10, entries, now, oldest_running=None) == 13
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
