"""Settings: code defaults, then the instance folder's ``config.py``, then environment variables.

Every setting is declared once in ``SETTINGS`` with its default and its documentation; the
README lists them and a test keeps the two in step.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CITY = "leipzig"
DEFAULT_INDEX_DIR = str(PROJECT_ROOT / "index")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    doc: str
    env: str | None = None
    kind: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("SQLALCHEMY_DATABASE_URI", None,
            "Database URL. SQLite in the instance folder unless set; production uses PostgreSQL "
            "(`postgresql+psycopg://user@host/db`).", env="DATABASE_URL"),
    Setting("WEGWEISER_INDEX_DIR", DEFAULT_INDEX_DIR,
            "Directory of the derived Whoosh index (one per machine).", env="WEGWEISER_INDEX_DIR"),
    Setting("SECRET_KEY", None,
            "Key that signs cookies. Generated and kept in the instance folder when unset.",
            env="SECRET_KEY"),
    Setting("WEGWEISER_INDEX_RETRY_SECONDS", 30,
            "While the index cannot be updated or rebuilt (directory read-only, damaged), try "
            "again after this many seconds; searches answer meanwhile.",
            env="WEGWEISER_INDEX_RETRY_SECONDS", kind=int),
    Setting("WEGWEISER_CITY", DEFAULT_CITY,
            "Slug of the city the directory serves: its areas, names, time zone and map come "
            "from wegweiser/data/reference/<city>-areas.toml.", env="WEGWEISER_CITY"),
    Setting("WEGWEISER_UI_LANGUAGES", None,
            "Comma-separated interface languages, the first the default; unset: every language "
            "marked `ui = true` in languages.toml, in its order.", env="WEGWEISER_UI_LANGUAGES"),
    Setting("WEGWEISER_INDEX_LANGUAGES", None,
            "Comma-separated languages with their own analysed fields in the search index "
            "(other languages are folded, not stemmed); unset: the interface languages. "
            "Changing it needs `wegweiser reindex`.", env="WEGWEISER_INDEX_LANGUAGES"),
    Setting("WEGWEISER_PER_PAGE", 20, "Results per page on the search page.",
            env="WEGWEISER_PER_PAGE", kind=int),
    Setting("WEGWEISER_STALE_AFTER_DAYS", 183,
            "An offer not confirmed for this many days counts as stale.",
            env="WEGWEISER_STALE_AFTER_DAYS", kind=int),
    Setting("MAX_CONTENT_LENGTH", 2 * 1024 * 1024, "Largest accepted request body in bytes.",
            env="WEGWEISER_MAX_CONTENT_LENGTH", kind=int),
    Setting("WEGWEISER_INVITATION_DAYS", 7, "Days an invitation link stays valid.",
            env="WEGWEISER_INVITATION_DAYS", kind=int),
    Setting("WEGWEISER_IDLE_MINUTES", 60, "Signed-in sessions end after this long without use.",
            env="WEGWEISER_IDLE_MINUTES", kind=int),
    Setting("WEGWEISER_SESSION_HOURS", 12, "Signed-in sessions end this long after sign-in.",
            env="WEGWEISER_SESSION_HOURS", kind=int),
    Setting("WEGWEISER_MAIL_FROM", "wegweiser@localhost", "Sender address of e-mails.",
            env="WEGWEISER_MAIL_FROM"),
    Setting("WEGWEISER_OPERATOR", None,
            "Who runs the site (an organisation's name): named in every page's footer and on "
            "the privacy page as responsible for the data it keeps; unset: the footer names "
            "'the network of refugee initiatives in <city>' and the privacy page no one.",
            env="WEGWEISER_OPERATOR"),
    Setting("WEGWEISER_OPERATOR_CONTACT", None,
            "How to reach who runs the site (postal address, e-mail), on the privacy page.",
            env="WEGWEISER_OPERATOR_CONTACT"),
    Setting("WEGWEISER_SMTP_HOST", None,
            "SMTP server; unset: mails go to instance/outbox/ and the log.",
            env="WEGWEISER_SMTP_HOST"),
    Setting("WEGWEISER_OUTBOX", None,
            "Folder for mails when no SMTP server is set (default: instance/outbox).",
            env="WEGWEISER_OUTBOX"),
    Setting("WEGWEISER_SMTP_PORT", 587, "SMTP port (STARTTLS).", env="WEGWEISER_SMTP_PORT",
            kind=int),
    Setting("WEGWEISER_SMTP_USER", None, "SMTP user name.", env="WEGWEISER_SMTP_USER"),
    Setting("WEGWEISER_SMTP_PASSWORD", None, "SMTP password.", env="WEGWEISER_SMTP_PASSWORD"),
    Setting("RATELIMIT_STORAGE_URI", "memory://",
            "Where rate limits are counted, e.g. redis://127.0.0.1:6379 with several workers.",
            env="WEGWEISER_RATELIMIT_STORAGE"),
    Setting("WEGWEISER_DATA_LICENCE", "CC BY 4.0",
            "Licence under which the directory's data are published (exports, feeds).",
            env="WEGWEISER_DATA_LICENCE"),
    Setting("WEGWEISER_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/",
            "Address of the licence's text.", env="WEGWEISER_DATA_LICENCE_URL"),
    Setting("WEGWEISER_IMPORT_MAX_BYTES", 100 * 1024 * 1024,
            "Largest import file (`wegweiser import`: JSON, HSDS, a spreadsheet) in bytes; a "
            "larger or endless one is refused, naming the limit, before it is read into memory.",
            env="WEGWEISER_IMPORT_MAX_BYTES", kind=int),
    Setting("WEGWEISER_IMPORT_DIR", None,
            "Folder where an uploaded spreadsheet waits between its preview and the import "
            "(default: instance/imports; shared by all machines of a site).",
            env="WEGWEISER_IMPORT_DIR"),
    Setting("SESSION_COOKIE_SECURE", False,
            "Send the cookie over HTTPS only (set 1 in production behind HTTPS).",
            env="WEGWEISER_SECURE_COOKIES", kind=bool),
)


def _convert(setting: Setting, raw: str) -> Any:
    if setting.kind is int:
        return int(raw)
    if setting.kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def load_settings(app) -> None:
    """Apply defaults, then ``instance/config.py``, then environment variables to ``app``."""
    for setting in SETTINGS:
        # Flask pre-populates some keys (MAX_CONTENT_LENGTH = None): only None is "unset".
        if app.config.get(setting.name) is None:
            app.config[setting.name] = setting.default
    app.config.from_pyfile("config.py", silent=True)
    for setting in SETTINGS:
        if setting.env and setting.env in os.environ:
            app.config[setting.name] = _convert(setting, os.environ[setting.env])


def apply_city(app) -> None:
    """Check the city (an unknown one stops the start with a clear message) and derive what
    depends on it: its time zone, and for a city other than Leipzig its own default index
    directory ``index/<city>`` (and database file, ``db.default_database_url``), so one
    checkout can hold the demo of several cities."""
    from .cities import city_info

    city = city_info(app.config["WEGWEISER_CITY"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", city.timezone)
    if city.slug == DEFAULT_CITY:
        return
    if app.config.get("WEGWEISER_INDEX_DIR") == DEFAULT_INDEX_DIR:
        app.config["WEGWEISER_INDEX_DIR"] = str(Path(DEFAULT_INDEX_DIR) / city.slug)


def ensure_secret_key(app) -> None:
    """Keep a random key in the instance folder, so sessions survive restarts of the demo."""
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(os.urandom(32).hex())
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()
