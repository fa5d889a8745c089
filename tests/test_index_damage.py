"""A damaged, missing, locked or unwritable index: searches keep answering (never a 500), from
the generation opened last or from the database, and the index repairs itself."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from wegweiser import cli, create_app, db
from wegweiser.models import PUBLISHED, Offer
from wegweiser.search import SearchQuery, rebuild_index, search_service
from wegweiser.search.store import IndexNotVerified

from .readonly import read_only

LIMITED_DE = "Die Suche ist gerade eingeschränkt"
OFFER = "a-sprachwerk-deutsch-eltern"
QUERIES = ["", "category=language-courses", "area=zentrum-ost&free=1", "area=ost&area=mitte",
           "target_group=women", "language=ar&language=fa", "area=citywide",
           "open_now=1&area=mitte", "accessible=1&no_appointment=1&category=health"]


@pytest.fixture
def restarted(tmp_path):
    """Another process on the same database and index directory (a restarted worker); its
    connections are closed at the end."""
    apps = []

    def start(url: str, index_dir: Path):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WEGWEISER_INDEX_DIR": str(index_dir),
                          "SECRET_KEY": "test", "TESTING": True,
                          "WEGWEISER_INDEX_RETRY_SECONDS": 0,
                          "WEGWEISER_OUTBOX": str(tmp_path / "outbox")})
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.extensions["wegweiser.search"].wait_for_repair(120)
        with app.app_context():
            db.engine().dispose()


def _segment_files(index_dir: Path) -> list[Path]:
    current = index_dir / os.readlink(index_dir / "current")
    return sorted(current.glob("*.seg"))


def _api(client, query: str = "") -> dict:
    response = client.get(f"/api/v1/offers?per_page=100&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def _intact_answers(client) -> dict:
    return {query: _api(client, query) for query in QUERIES}


def _published_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).where(Offer.status == PUBLISHED))


def _restart_on_damaged_index(directory, restarted, damage):
    """Build the index, damage it, start a new process on it."""
    client = directory.test_client()
    intact = _intact_answers(client)
    index_dir = Path(directory.config["WEGWEISER_INDEX_DIR"])
    damaged_generation = os.readlink(index_dir / "current")
    damage(_segment_files(index_dir)[0])
    return intact, index_dir, damaged_generation, restarted(
        directory.config["SQLALCHEMY_DATABASE_URI"], index_dir)


def _truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


def _scramble(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 4)
        handle.write(os.urandom(size // 2))
    with open(path, "r+b") as handle:  # the table of contents at the end as well
        handle.seek(max(0, size - 64))
        handle.write(b"\xff" * 64)


@pytest.mark.parametrize("damage", [_truncate, _scramble], ids=["truncated", "corrupt"])
def test_a_damaged_segment_answers_from_the_database_and_repairs_itself(directory, restarted,
                                                                       damage, caplog,
                                                                       frozen_clock):
    intact, index_dir, damaged_generation, app = _restart_on_damaged_index(
        directory, restarted, damage)
    client = app.test_client()
    caplog.set_level(logging.WARNING)
    service = app.extensions["wegweiser.search"]
    # Keep the repair from starting, to see the answers without an index.
    service._due_locked = lambda kind: kind != "repair"  # noqa: SLF001
    for query in QUERIES:
        answer = _api(client, query)
        assert answer["limited"] is True
        # The plain database search filters and counts as the index does.
        assert answer["total"] == intact[query]["total"], query
        assert sorted(r["id"] for r in answer["results"]) == \
            sorted(r["id"] for r in intact[query]["results"]), query
        assert answer["facets"] == intact[query]["facets"], query
    page = client.get("/de/search?q=Deutsch")
    assert page.status_code == 200
    assert LIMITED_DE in page.get_data(as_text=True)
    words = _api(client, "q=deutsch")
    assert words["limited"] and words["total"] > 0
    assert client.get("/de/").status_code == 200
    assert client.get(f"/de/offers/{OFFER}").status_code == 200
    damage_logs = [r for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(damage_logs) == 1, [r.getMessage() for r in caplog.records]

    del service._due_locked  # noqa: SLF001 - the repair may start now
    assert _api(client)["limited"] is True
    assert service.wait_for_repair(120)
    repaired = _api(client)
    assert repaired["limited"] is False
    assert repaired["total"] == _published_count(app)
    assert os.readlink(index_dir / "current") != damaged_generation
    assert not (index_dir / damaged_generation).exists()
    page = client.get("/de/search?q=Deutsch").get_data(as_text=True)
    assert LIMITED_DE not in page
    assert any("can be read again" in r.getMessage() for r in caplog.records)


def test_read_only_directory_with_pending_changes(directory, tmp_path, monkeypatch, caplog):
    client = directory.test_client()
    service = directory.extensions["wegweiser.search"]
    service.retry_seconds = 0
    before = _api(client, "q=Sprachwerk")
    assert OFFER in {r["id"] for r in before["results"]}
    index_dir = Path(directory.config["WEGWEISER_INDEX_DIR"])
    caplog.set_level(logging.WARNING)
    with read_only(index_dir, monkeypatch):
        result = directory.test_cli_runner().invoke(cli.main, ["offer", "archive", OFFER])
        assert result.exit_code == 0, result.output
        for _ in range(3):
            stale = _api(client, "q=Sprachwerk")
            # The current generation still answers, without the change that waits.
            assert stale["limited"] is False
            assert stale["total"] == before["total"]
        assert client.get("/de/search?q=Sprachwerk").status_code == 200
    assert len([r for r in caplog.records if "cannot be brought up to date" in r.getMessage()]) \
        == 1
    after = _api(client, "q=Sprachwerk")
    assert OFFER not in {r["id"] for r in after["results"]}
    assert after["total"] == before["total"] - 1
    assert any("can be brought up to date again" in r.getMessage() for r in caplog.records)


def test_missing_index_in_a_read_only_parent(directory, restarted, tmp_path, monkeypatch):
    parent = tmp_path / "readonly-parent"
    parent.mkdir()
    app = restarted(directory.config["SQLALCHEMY_DATABASE_URI"], parent / "index")
    client = app.test_client()
    with read_only(parent, monkeypatch):
        answer = _api(client, "category=language-courses")
        assert answer["limited"] is True and answer["total"] > 0
        assert LIMITED_DE in client.get("/de/search").get_data(as_text=True)
        assert client.get("/ar/search?q=%D8%AF%D9%88%D8%B1%D8%A9").status_code == 200
        assert not (parent / "index").exists()
    # Writable again: the next search builds the index and answers from it.
    healed = _api(client, "category=language-courses")
    assert healed["limited"] is False
    assert healed["total"] == answer["total"]
    assert (parent / "index" / "current").is_symlink()


def test_index_gone_while_running_answers_from_the_generation_opened_last(directory, tmp_path,
                                                                         monkeypatch):
    directory.extensions["wegweiser.search"].retry_seconds = 0
    client = directory.test_client()
    before = _api(client, "q=Deutsch")
    index_dir = Path(directory.config["WEGWEISER_INDEX_DIR"])
    generation = index_dir / os.readlink(index_dir / "current")
    for path in sorted(generation.iterdir()):
        path.unlink()
    generation.rmdir()
    (index_dir / "current").unlink()
    with read_only(index_dir, monkeypatch):
        during = _api(client, "q=Deutsch")
        assert during["limited"] is False  # the open files of the last generation answer
        assert during["total"] == before["total"]
    assert _api(client, "q=Deutsch")["total"] == before["total"]
    assert (index_dir / "current").is_symlink()


def test_a_locked_index_keeps_answering_and_catches_up_when_released(directory, tmp_path):
    client = directory.test_client()
    before = _api(client, "q=Sprachwerk")
    index_dir = Path(directory.config["WEGWEISER_INDEX_DIR"])
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from filelock import FileLock
            with FileLock({str(index_dir / "write.lock")!r}):
                print("locked", flush=True)
                sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = directory.test_cli_runner().invoke(cli.main, ["offer", "archive", OFFER])
        assert result.exit_code == 0, result.output
        during = _api(client, "q=Sprachwerk")
        assert during["limited"] is False and during["total"] == before["total"]
    finally:
        holder.communicate("\n", timeout=30)
    assert _api(client, "q=Sprachwerk")["total"] == before["total"] - 1


def test_a_rebuild_that_does_not_verify_is_not_swapped_in(directory, monkeypatch):
    from wegweiser.search import updater

    client = directory.test_client()
    _api(client)
    index_dir = Path(directory.config["WEGWEISER_INDEX_DIR"])
    current = os.readlink(index_dir / "current")
    real = updater.write_offers

    def loses_one(writer, session, offer_ids, *args):
        return real(writer, session, list(offer_ids)[1:], *args)

    monkeypatch.setattr(updater, "write_offers", loses_one)
    with directory.app_context(), pytest.raises(IndexNotVerified):
        rebuild_index(db.session())
    assert os.readlink(index_dir / "current") == current
    assert sorted(p.name for p in index_dir.glob("gen-*")) == [current]


def test_the_database_search_is_reached_through_the_service(directory):
    with directory.app_context():
        result = search_service()._without_current(  # noqa: SLF001
            SearchQuery(text="deutsch", per_page=5), db.session())
    assert result.limited and result.total > 0 and len(result.offer_ids) <= 5
