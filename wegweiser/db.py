"""Engine and sessions: one engine per app, one session per application context."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .config import DEFAULT_CITY
from .models.changelog import install_change_tracking


def default_database_url(app) -> str:
    """SQLite in the instance folder: ``wegweiser.sqlite3`` for Leipzig, the first city, and
    ``wegweiser-<city>.sqlite3`` for any other, so a second city's demo starts afresh."""
    city = app.config.get("WEGWEISER_CITY") or DEFAULT_CITY
    name = "wegweiser.sqlite3" if city == DEFAULT_CITY else f"wegweiser-{city}.sqlite3"
    return f"sqlite:///{Path(app.instance_path) / name}"


def normalise_url(url: str) -> str:
    """Accept the usual ``postgres://`` and ``postgresql://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # SQLite's lower() folds only ASCII: the plain database search needs Unicode.
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def init_app(app) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or default_database_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    install_change_tracking(factory)
    app.extensions["wegweiser.engine"] = engine
    app.extensions["wegweiser.sessionmaker"] = factory
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["wegweiser.engine"]


def session() -> Session:
    """The session of the current application context (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["wegweiser.sessionmaker"]()
    return g.db_session


def _close_session(_exc) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
