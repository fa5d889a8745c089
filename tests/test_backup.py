"""Backup and restore drill: a backup of the demo directory (with accounts, a second factor,
revisions) is restored onto an empty database, instance folder and index path; every row of
every table is compared, the index is rebuilt, and a staff member signs in on the restored
site with the same password and authenticator app. On SQLite and on PostgreSQL (pg_dump)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.models import Base

from .conftest import _make_app
from .helpers import PASSWORD, csrf, second_step, signed_in

pytestmark = pytest.mark.demo_directory


def every_row(app) -> dict[str, list[tuple]]:
    with app.app_context():
        session = db.session()
        return {table.name: [tuple(row) for row in session.execute(
            select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables}


def run(app, *args):
    return app.test_cli_runner().invoke(cli.main, list(args))


@pytest.fixture
def source(app, tmp_path):
    """The demo directory with a signed-in moderator (second factor, audit entries) and an
    edited offer (a revision), and an instance folder with a secret key."""
    app.instance_path = str(tmp_path / "source-instance")
    Path(app.instance_path).mkdir()
    (Path(app.instance_path) / "secret_key").write_text("0123456789abcdef" * 4)
    signed_in(app, "mod@example.org", "moderator")
    assert run(app, "offer", "archive", "a-sprachwerk-deutsch-eltern").exit_code == 0
    return app


def empty_machine(backend, tmp_path):
    """An app on a new, empty database with its own (missing) instance folder and index."""
    root = tmp_path / "empty-machine"
    url = backend.empty()
    application = _make_app(url, root / "index")
    application.instance_path = str(root / "instance")
    return application, url


def test_backup_then_restore_onto_an_empty_machine_loses_nothing(backend, source, tmp_path):
    if backend.name == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    target = tmp_path / "backup"
    made = run(source, "backup", str(target))
    assert made.exit_code == 0, made.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["counts"]["revisions"] > 0 and manifest["counts"]["users"] == 1
    assert "instance/secret_key" in manifest["files"]
    assert target.stat().st_mode & 0o077 == 0, "readable by its owner only"
    before = every_row(source)

    machine, url = empty_machine(backend, tmp_path)
    try:
        restored = run(machine, "restore", str(target))
        assert restored.exit_code == 0, restored.output
        after = every_row(machine)
        assert after.keys() == before.keys()
        for table, rows in before.items():
            assert after[table] == rows, table
        assert (Path(machine.instance_path) / "secret_key").read_text() == "0123456789abcdef" * 4
        assert Path(machine.config["WEGWEISER_INDEX_DIR"]).is_dir(), "the index is rebuilt"
        total = machine.test_client().get("/api/v1/offers?per_page=1").get_json()["total"]
        assert total == source.test_client().get("/api/v1/offers?per_page=1").get_json()[
            "total"] > 0
        client = machine.test_client()
        response = client.post("/de/login", data={"csrf_token": csrf(client, "/de/login"),
                                                  "email": "mod@example.org",
                                                  "password": PASSWORD})
        assert response.headers["Location"] == "/de/login/code", "the second factor came too"
        assert second_step(machine, client, response, "mod@example.org").status_code == 303
        assert client.get("/de/manage/").status_code == 200
    finally:
        with machine.app_context():
            db.engine().dispose()
        backend.drop(url)


def test_restore_refuses_a_database_in_use_and_a_damaged_backup(backend, source, tmp_path):
    target = tmp_path / "backup"
    assert run(source, "backup", str(target)).exit_code == 0
    again = run(source, "backup", str(target))
    assert again.exit_code != 0 and "not empty" in again.output
    refused = run(source, "restore", str(target))
    assert refused.exit_code != 0 and "not empty" in refused.output
    dump = next(p for p in target.iterdir() if p.name.startswith("database."))
    dump.write_bytes(dump.read_bytes()[:-10])
    machine, url = empty_machine(backend, tmp_path)
    try:
        damaged = run(machine, "restore", str(target))
        assert damaged.exit_code != 0 and "damaged" in damaged.output
    finally:
        with machine.app_context():
            db.engine().dispose()
        backend.drop(url)


def test_restore_keeps_a_different_secret_key_unless_forced(backend, source, tmp_path):
    target = tmp_path / "backup"
    assert run(source, "backup", str(target)).exit_code == 0
    machine, url = empty_machine(backend, tmp_path)
    key = Path(machine.instance_path) / "secret_key"
    key.parent.mkdir(parents=True)
    key.write_text("another machine's key")
    try:
        refused = run(machine, "restore", str(target))
        assert refused.exit_code != 0 and "differs" in refused.output
        assert key.read_text() == "another machine's key"
        forced = run(machine, "restore", "--force", str(target))
        assert forced.exit_code == 0, forced.output
        assert key.read_text() == "0123456789abcdef" * 4
        assert every_row(machine)["offers"] == every_row(source)["offers"]
    finally:
        with machine.app_context():
            db.engine().dispose()
        backend.drop(url)


def test_a_forced_restore_replaces_a_database_in_use(backend, source, tmp_path):
    target = tmp_path / "backup"
    assert run(source, "backup", str(target)).exit_code == 0
    before = every_row(source)
    assert run(source, "offer", "reactivate", "a-sprachwerk-deutsch-eltern").exit_code == 0
    assert every_row(source)["offers"] != before["offers"]
    forced = run(source, "restore", "--force", str(target))
    assert forced.exit_code == 0, forced.output
    after = every_row(source)
    assert all(after[table] == rows for table, rows in before.items())


def test_pg_dump_gets_the_connection_options_of_the_database_address():
    """A production address may carry libpq options (``?options=-c%20statement_timeout%3D5s``);
    libpq reads "+" as a plus, so the address handed to pg_dump keeps spaces as %20."""
    from sqlalchemy import create_engine

    from wegweiser.services.backup import _libpq

    engine = create_engine("postgresql+psycopg://ww:secret@db.internal:5433/wegweiser"
                           "?options=-c%20statement_timeout%3D5s&sslmode=require")
    address, env = _libpq(engine)
    assert address == ("postgresql://ww@db.internal:5433/wegweiser"
                       "?options=-c%20statement_timeout%3D5s&sslmode=require")
    assert env["PGPASSWORD"] == "secret" and "secret" not in address
