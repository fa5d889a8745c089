"""Setting up a database: schema migrations, reference data, the demo data set."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from .. import db, migrate
from ..models import Offer
from .importer import Importer, ImportReport, read_files
from .reference import load_reference_data

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


def initialise_database() -> dict[str, int]:
    """Create or upgrade the schema and load the reference data (idempotent)."""
    migrate.upgrade(db.engine())
    session = db.session()
    counts = load_reference_data(session, current_app.config["WEGWEISER_CITY"])
    session.commit()
    return counts


def demo_files() -> list[Path]:
    return sorted(DEMO_DIR.glob("*.json"))


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
