"""Setting up a database: schema migrations, reference data, the demo data set."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from .. import db, migrate
from ..cities import current_city
from ..config import DEFAULT_CITY
from ..models import CITY, Area, Offer
from .importer import Importer, ImportReport, canonical_rrule, read_files
from .reference import load_reference_data

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
# The demo events' dates are written as seen from this week (a Monday); loading the demo moves
# them by whole weeks to the current one, so they stay upcoming (and one stays just past).
DEMO_EVENTS_WEEK = date(2026, 11, 30)
UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?")


class OtherCitysDatabase(RuntimeError):
    """The database already holds the directory of another city."""


def check_city(session) -> None:
    """Raise OtherCitysDatabase when the database holds another city's directory than the one
    ``WEGWEISER_CITY`` names (one database holds one city; an empty one holds none yet)."""
    city = current_app.config["WEGWEISER_CITY"]
    others = session.scalars(select(Area.name).where(Area.kind == CITY, Area.slug != city)).all()
    if others:
        raise OtherCitysDatabase(
            f"The database holds the directory of {', '.join(others)}; WEGWEISER_CITY={city} "
            f"needs a database of its own (DATABASE_URL).")


def initialise_database() -> dict[str, int]:
    """Create or upgrade the schema and load the reference data (idempotent)."""
    migrate.upgrade(db.engine())
    session = db.session()
    check_city(session)
    counts = load_reference_data(session, current_app.config["WEGWEISER_CITY"])
    session.commit()
    return counts


def demo_files(city: str | None = None) -> list[Path]:
    """The demo data set of a city: Leipzig's in ``data/demo/``, another city's in
    ``data/demo/<city>/`` (none: an empty list)."""
    city = city or current_city().slug
    folder = DEMO_DIR if city == DEFAULT_CITY else DEMO_DIR / city
    return sorted(folder.glob("*.json"))


def moved_events(events: list, today: date | None = None) -> list:
    """The demo events with their dates moved by whole weeks from ``DEMO_EVENTS_WEEK`` to the
    week of ``today``: weekdays stay, a repeating event starts on its first date from then on
    (its UNTIL moves along). Records that are not well-formed are left to the validation."""
    from dateutil.rrule import rrulestr

    today = today or date.today()
    shift = timedelta(weeks=((today - timedelta(days=today.weekday())) - DEMO_EVENTS_WEEK).days
                      // 7)
    moved = []
    for event in events:
        try:
            starts = datetime.fromisoformat(event["starts_at"]) + shift
            duration = datetime.fromisoformat(event["ends_at"]) + shift - starts
            rule = event.get("rrule")
            if rule:
                rule = UNTIL.sub(lambda m: "UNTIL=" + (datetime.strptime(m.group(1), "%Y%m%d")
                                                       + shift).strftime("%Y%m%d")
                                 + (m.group(2) or ""), canonical_rrule(rule))
                starts = rrulestr(rule, dtstart=starts).after(starts, inc=True) or starts
        except (KeyError, TypeError, ValueError):
            moved.append(event)
            continue
        moved.append({**event, "starts_at": starts.isoformat(timespec="minutes"),
                      "ends_at": (starts + duration).isoformat(timespec="minutes"),
                      **({"rrule": rule} if rule else {})})
    return moved


def moved_closures(offers: list, today: date | None = None) -> list:
    """The demo offers with their closures (written for the winter of ``DEMO_EVENTS_WEEK``)
    moved by whole years to the first such season not over on ``today``: the Christmas
    holidays stay at Christmas and are never past. Records not well-formed are left to the
    validation."""
    today = today or date.today()
    moved = []
    for offer in offers:
        closures = offer.get("closures") if isinstance(offer, dict) else None
        if not isinstance(closures, list):
            moved.append(offer)
            continue
        shifted = []
        for closure in closures:
            try:
                first, last = (date.fromisoformat(closure[k]) for k in ("from", "until"))
            except (KeyError, TypeError, ValueError):
                shifted.append(closure)
                continue
            years = max(0, today.year - last.year)
            if last.replace(year=last.year + years) < today:
                years += 1
            shifted.append({**closure, "from": first.replace(year=first.year + years).isoformat(),
                            "until": last.replace(year=last.year + years).isoformat()})
        moved.append({**offer, "closures": shifted})
    return moved


def import_demo(city: str | None = None, actor: str = "import:demo", progress=None,
                today: date | None = None) -> ImportReport:
    """Import a city's demo data set, its events moved to the current week and its closures
    to the coming season."""
    data, problems = read_files(demo_files(city))
    if problems:
        return ImportReport(problems=problems)
    data["events"] = moved_events(data["events"], today)
    data["offers"] = moved_closures(data["offers"], today)
    return import_records(data, actor, progress=progress)


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
