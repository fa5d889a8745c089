"""Fixtures: a fresh app, database and index per test, on SQLite and on PostgreSQL.

PostgreSQL tests need the server at WEGWEISER_TEST_POSTGRES (default 127.0.0.1:5432, database
``test``); without it they are skipped with the reason shown, unless WEGWEISER_REQUIRE_ALL=1
(as in CI), where a missing service fails the run instead.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from wegweiser import create_app, db, opening
from wegweiser.search import rebuild_index
from wegweiser.services.setup import import_demo, initialise_database

REQUIRE_ALL = os.environ.get("WEGWEISER_REQUIRE_ALL") == "1"
POSTGRES_ADMIN_URL = os.environ.get("WEGWEISER_TEST_POSTGRES",
                                    "postgresql+psycopg://127.0.0.1:5432/test")
DATA = Path(__file__).parent / "data"
ARTIFACTS = Path(__file__).parent / "artifacts"


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker more than cores. The browser tests, the processes the CLI and
    drill tests start and the database leave a core idle at times; on the 2-core machine 3
    workers ran the suite in 1,092 s against 1,144-1,199 s with 2 (2026-12-05)."""
    return (os.cpu_count() or 1) + 1


@pytest.fixture(scope="session", autouse=True)
def cheapest_password_hashing():
    """Passwords and recovery codes hashed with argon2's cheapest parameters (its profile for
    tests): the real ones take 0.1-0.2 s a hash on purpose, and the suite hashes thousands.
    A stored hash names its parameters, so verifying works alike; the production parameters
    have their own test (test_accounts.py)."""
    from argon2 import PasswordHasher, profiles

    from wegweiser.services import accounts, second_factor

    cheapest = PasswordHasher.from_parameters(profiles.CHEAPEST)
    kept = accounts._hasher, accounts._DUMMY_HASH, second_factor._hasher
    accounts._hasher, second_factor._hasher = cheapest, cheapest
    accounts._DUMMY_HASH = cheapest.hash("not a real password")
    yield {"passwords": kept[0], "recovery codes": kept[2]}
    accounts._hasher, accounts._DUMMY_HASH, second_factor._hasher = kept


def unavailable(reason: str):
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (WEGWEISER_REQUIRE_ALL=1: nothing may be skipped)")
    pytest.skip(reason)


class SqliteDatabases:
    def __init__(self, root: Path):
        self.root = root
        self.template = root / "template.sqlite3"

    def new(self, template: str | None = None) -> str:
        path = self.root / f"db-{uuid.uuid4().hex}.sqlite3"
        shutil.copy(self.root / template if template else self.template, path)
        return f"sqlite:///{path}"

    def empty(self) -> str:
        """A new database without the template's reference data (another city's directory)."""
        return f"sqlite:///{self.root / f'db-{uuid.uuid4().hex}.sqlite3'}"

    def keep_as_template(self, url: str, name: str) -> None:
        shutil.copy(url.removeprefix("sqlite:///"), self.root / name)

    def template_url(self) -> str:
        return f"sqlite:///{self.template}"

    def drop(self, url: str) -> None:
        pass

    def finish_template(self) -> None:
        pass

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Each test's database is a copy of a template (CREATE DATABASE ... TEMPLATE), dropped
    in batches. PostgreSQL 15 makes every DROP DATABASE wait for a checkpoint, which writes
    out what every other test has changed meanwhile: dropped one at a time after each test,
    twelve databases took 17 s to drop beside a running suite, twelve dropped together 0.6 s
    (the waiting drops share their checkpoints; 2026-12-07). So a used database waits in
    ``unused`` until DROP_BATCH of them are dropped at once, each on its own connection.
    Measured before and not used, both slower: dropping in a background thread while the next
    test runs (the drops fell behind), and setting a used copy back to its template's rows and
    sequences with DELETE and INSERT instead of dropping it."""

    DROP_BATCH = 16

    def __init__(self):
        try:
            self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT",
                                       poolclass=NullPool)  # a connection per batched drop
            with self.admin.connect() as conn:
                conn.execute(text("select 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means: no server here
            unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
        self.prefix = f"ww_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = f"{self.prefix}_template"
        self.created: list[str] = []
        self.unused: list[str] = []
        self._create(self.template)

    def _url(self, name: str) -> str:
        return (POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
                + "?options=-c%20synchronous_commit%3Doff")

    def _create(self, name: str, template: str | None = None) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'
                              + (f' TEMPLATE "{template}"' if template else "")))
        self.created.append(name)

    def template_url(self) -> str:
        return self._url(self.template)

    def finish_template(self) -> None:
        # A template database must have no open connections when it is copied.
        with self.admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": self.template})

    def new(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        self._create(name, f"{self.prefix}_{template}" if template else self.template)
        return self._url(name)

    def empty(self) -> str:
        """A new database without the template's reference data (another city's directory)."""
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        self._create(name)
        return self._url(name)

    def keep_as_template(self, url: str, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.prefix}_{name}" TEMPLATE '
                              f'"{url.rsplit("/", 1)[1].split("?")[0]}"'))
        self.created.append(f"{self.prefix}_{name}")

    def drop(self, url: str) -> None:
        self.unused.append(url.rsplit("/", 1)[1].split("?")[0])
        if len(self.unused) >= self.DROP_BATCH:
            self._drop_unused()

    def _drop_unused(self) -> None:
        names, self.unused = self.unused, []
        with ThreadPoolExecutor(max_workers=len(names) or 1) as pool:
            list(pool.map(self._drop_now, names))

    def _drop_now(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        self.unused = list(dict.fromkeys(self.unused + self.created))
        self._drop_unused()
        self.admin.dispose()


def _make_app(url: str, index_dir: Path, **extra):
    config = {"SQLALCHEMY_DATABASE_URI": url, "WEGWEISER_INDEX_DIR": str(index_dir),
              "SECRET_KEY": "test", "TESTING": True, **extra}
    return create_app(config)


class Kept:
    """Session resources kept to the end of the run, once per key. pytest tears a parametrized
    session fixture down whenever the next test has the other parameter, and with the tests
    handed out file by file (pytest-xdist's loadfile) that is at nearly every file: the
    template databases and the demo directory were made again and again (5-20 s each time).
    The parametrized fixtures below take their value from here; their teardown does nothing."""

    def __init__(self, stack: ExitStack):
        self._stack, self._values = stack, {}

    def get(self, key, make: Callable[[], Iterator]):
        """``make``: a generator function that sets up, yields the value, then tears down."""
        if key not in self._values:
            steps = make()
            self._values[key] = next(steps)
            self._stack.callback(next, steps, None)
        return self._values[key]


@pytest.fixture(scope="session")
def kept():
    with ExitStack() as stack:  # torn down in reverse: demo apps before their databases
        yield Kept(stack)


def _databases(name: str, tmp_path_factory):
    databases = (SqliteDatabases(tmp_path_factory.mktemp("sqlite")) if name == "sqlite"
                 else PostgresDatabases())
    template_app = _make_app(databases.template_url(), tmp_path_factory.mktemp("tmpl-index"))
    with template_app.app_context():
        initialise_database()
        db.engine().dispose()
    databases.finish_template()
    databases.name = name
    yield databases
    databases.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, kept, tmp_path_factory):
    return kept.get(("databases", request.param),
                    lambda: _databases(request.param, tmp_path_factory))


@pytest.fixture
def app(request, backend, tmp_path):
    """A fresh app with the reference data, no offers, an empty index directory; in modules
    marked ``demo_directory``, the ``directory`` app with the demo data instead."""
    if request.node.get_closest_marker("demo_directory"):
        yield request.getfixturevalue("directory")
        return
    url = backend.new()
    application = _make_app(url, tmp_path / "index", WEGWEISER_OUTBOX=str(tmp_path / "outbox"))
    yield application
    with application.app_context():
        db.engine().dispose()
    backend.drop(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def directory(backend, tmp_path, tmp_path_factory):
    """A fresh app with the demo data imported and indexed, for tests that change it: the
    database and the index are copies of ones made once per backend (the copy's change log is
    the template's, so the copied index is current; it catches up with what the test changes)."""
    if not getattr(backend, "demo_index", None):
        url = backend.new()
        index = tmp_path_factory.mktemp(f"demo-template-index-{backend.name}")
        application = _make_app(url, index)
        with application.app_context():
            assert import_demo().ok
            rebuild_index(db.session())
            db.session().close()  # its connection must be back for the copy to be complete
            db.engine().dispose()
        backend.keep_as_template(url, "demo")
        backend.drop(url)
        backend.demo_index = index
    url = backend.new("demo")
    shutil.copytree(backend.demo_index, tmp_path / "index", symlinks=True)
    application = _make_app(url, tmp_path / "index", WEGWEISER_OUTBOX=str(tmp_path / "outbox"))
    yield application
    with application.app_context():
        db.engine().dispose()
    backend.drop(url)


def _load_demo(application, city: str | None = None) -> None:
    """Import a city's demo set into the app's database and build its index."""
    with application.app_context():
        report = import_demo(city)
        assert report.ok, report.problems[:5]
        rebuild_index(db.session())


def _demo_app(backend, tmp_path_factory):
    url = backend.new()
    application = _make_app(url, tmp_path_factory.mktemp("demo-index"))
    _load_demo(application)
    yield application
    with application.app_context():
        db.engine().dispose()
    backend.drop(url)


@pytest.fixture(scope="session")
def demo_app(backend, kept, tmp_path_factory):
    """One app per backend with the demo data and its index, for tests that only read."""
    return kept.get(("demo", backend.name), lambda: _demo_app(backend, tmp_path_factory))


@pytest.fixture(scope="module")
def dresden_app(backend, tmp_path_factory):
    """A Dresden directory (WEGWEISER_CITY=dresden) with its demo data and index, set up once
    per module and backend, for tests that only read."""
    url = backend.empty()
    root = tmp_path_factory.mktemp("dresden")
    application = _make_app(url, root / "index", WEGWEISER_CITY="dresden",
                            WEGWEISER_OUTBOX=str(root / "outbox"))
    with application.app_context():
        initialise_database()
    _load_demo(application, "dresden")
    yield application
    with application.app_context():
        db.engine().dispose()
    backend.drop(url)


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def demo_ctx(demo_app):
    with demo_app.app_context():
        yield demo_app


@pytest.fixture
def frozen_clock(monkeypatch):
    """"Now" (for "open now") stays the moment of the test's first search: answers compared a few
    seconds apart must not differ because a block of opening hours began in between."""
    real, frozen = opening.local_now, {}
    monkeypatch.setattr(opening, "local_now",
                        lambda timezone: frozen.setdefault(timezone, real(timezone)))
