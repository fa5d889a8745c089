"""Backup and restore of an instance: the database and the instance's secrets.

A backup is a directory: the database (SQLite through its online backup API, so a running
site may keep writing; PostgreSQL through ``pg_dump`` in its custom format, one consistent
snapshot), the instance folder's secrets (``secret_key``, ``config.py``) and a manifest with
checksums and the number of offers, revisions and users. The search index is not in it: it is
derived, and rebuilt after a restore.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine

from ..models import Offer, Revision, User, utcnow

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
SECRET_FILES = ("secret_key", "config.py")
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Result:
    directory: Path
    counts: dict[str, int]
    secrets: list[str]


def counts(session) -> dict[str, int]:
    """What a restore must bring back in full."""
    return {name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (("offers", Offer), ("revisions", Revision), ("users", User))}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"no backup for {name} databases")
    return name


def _libpq(engine: Engine) -> tuple[str, dict]:
    """The database's address for pg_dump and pg_restore, and an environment with the
    password (kept out of the command line, where other users of the machine could read it)."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    # URL.set(password=None) keeps the password (None means "unchanged"), and str() of a URL
    # writes it as "***", which libpq then prefers to PGPASSWORD: the namedtuple's _replace.
    plain = url._replace(password=None).set(drivername="postgresql")
    address = plain.set(query={}).render_as_string(hide_password=False)
    if plain.query:  # libpq reads %20 as a space but "+" as a plus (SQLAlchemy writes "+")
        address += "?" + urlencode(plain.query, doseq=True, quote_via=quote)
    return address, env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(engine: Engine, session, instance_dir: Path, directory: Path) -> Result:
    """Write a backup into ``directory`` (new or empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)  # password hashes, second-factor secrets, the signing key
    kind = _kind(engine)
    found = counts(session)
    revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    session.rollback()  # the counts' transaction is not held open during the copy
    if kind == "sqlite":
        target = directory / SQLITE_FILE
        source = sqlite3.connect(engine.url.database)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        target = directory / POSTGRES_FILE
        address, env = _libpq(engine)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(target), "--dbname", address], env)
    target.chmod(0o600)
    secrets = []
    for name in SECRET_FILES:
        if (Path(instance_dir) / name).is_file():
            (directory / "instance").mkdir(exist_ok=True)
            shutil.copy2(Path(instance_dir) / name, directory / "instance" / name)
            (directory / "instance" / name).chmod(0o600)
            secrets.append(name)
    files = [target.name, *(f"instance/{name}" for name in secrets)]
    manifest = {"format": FORMAT, "created_at": utcnow().isoformat(), "database": kind,
                "revision": revision, "counts": found,
                "files": {name: _sha256(directory / name) for name in files}}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Result(directory, found, secrets)


def read_manifest(directory: Path) -> dict:
    """The manifest of a backup, its files checked against their checksums."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} holds no backup ({MANIFEST} is missing)")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, digest in manifest["files"].items():
        if not (Path(directory) / name).is_file() or _sha256(Path(directory) / name) != digest:
            raise BackupError(f"{name} is missing or damaged (checksum differs)")
    return manifest


def _has_tables(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


def restore(engine: Engine, instance_dir: Path, directory: Path, force: bool = False) -> dict:
    """Put a backup's database and secrets in place; returns its manifest. The database must
    be empty (a new one) unless ``force``; so must the secrets' places. The caller upgrades
    the schema, rebuilds the index and compares the counts."""
    manifest = read_manifest(directory)
    kind = _kind(engine)
    if manifest["database"] != kind:
        raise BackupError(f"the backup is of a {manifest['database']} database, the target "
                          f"is {kind}")
    if _has_tables(engine) and not force:
        raise BackupError("the target database is not empty (--force replaces it)")
    _check_secrets(Path(directory), Path(instance_dir), force)
    engine.dispose()
    if kind == "sqlite":
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(Path(directory) / SQLITE_FILE)
        target = sqlite3.connect(engine.url.database)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        address, env = _libpq(engine)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              *(["--clean", "--if-exists"] if force else []),
              "--dbname", address, str(Path(directory) / POSTGRES_FILE)], env)
    for name in manifest["files"]:
        if name.startswith("instance/"):
            Path(instance_dir).mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(directory) / name, Path(instance_dir) / Path(name).name)
            (Path(instance_dir) / Path(name).name).chmod(0o600)
    return manifest


def _check_secrets(directory: Path, instance_dir: Path, force: bool) -> None:
    for name in SECRET_FILES:
        mine, theirs = instance_dir / name, directory / "instance" / name
        if theirs.is_file() and mine.is_file() and not force and \
                mine.read_bytes() != theirs.read_bytes():
            raise BackupError(f"{mine} exists and differs from the backup's (--force "
                              "replaces it)")
