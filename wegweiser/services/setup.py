"""Setting up a database: schema migrations, reference data, the demo data set."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from .. import db, migrate
from ..cities import current_city
from ..config import DEFAULT_CITY
from ..models import CITY, Area, Offer
from .importer import Importer, ImportReport, read_files
from .reference import load_reference_data

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


class OtherCitysDatabase(RuntimeError):
    """The database already holds the directory of another city."""


def initialise_database() -> dict[str, int]:
    """Create or upgrade the schema and load the reference data (idempotent)."""
    migrate.upgrade(db.engine())
    session = db.session()
    city = current_app.config["WEGWEISER_CITY"]
    others = session.scalars(select(Area.name).where(Area.kind == CITY, Area.slug != city)).all()
    if others:
        raise OtherCitysDatabase(
            f"The database holds the directory of {', '.join(others)}; WEGWEISER_CITY={city} "
            f"needs a database of its own (DATABASE_URL).")
    counts = load_reference_data(session, city)
    session.commit()
    return counts


def demo_files(city: str | None = None) -> list[Path]:
    """The demo data set of a city: Leipzig's in ``data/demo/``, another city's in
    ``data/demo/<city>/`` (none: an empty list)."""
    city = city or current_city().slug
    folder = DEMO_DIR if city == DEFAULT_CITY else DEMO_DIR / city
    return sorted(folder.glob("*.json"))


def has_offers() -> bool:
    return bool(db.session().scalar(select(func.count()).select_from(Offer)))


def import_files(paths: list[Path], actor: str, dry_run: bool = False,
                 progress=None) -> ImportReport:
    """Validate and import files in one transaction; nothing is written when anything fails."""
    data, problems = read_files(paths)
    if problems:
        return ImportReport(problems=problems, dry_run=dry_run)
    return import_records(data, actor, dry_run, progress)


def import_records(data: dict, actor: str, dry_run: bool = False,
                   progress=None) -> ImportReport:
    """Validate and import records of the import format (``organisations``, ``offers``) in one
    transaction: all of them, or nothing when anything fails."""
    session = db.session()
    try:
        report = Importer(session, actor).run(data, dry_run=dry_run, progress=progress)
        if report.ok and not dry_run:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    return report
