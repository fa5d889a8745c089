"""Loading the reference data: the city's area tree and the controlled vocabularies."""
from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CITY, DISTRICT, QUARTER, Area, Category, Language, TargetGroup

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


def _read(name: str) -> dict:
    with open(REFERENCE_DIR / name, "rb") as handle:
        return tomllib.load(handle)


def _assign(obj, **values) -> None:
    """Set only what differs, so reloading unchanged data writes nothing."""
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _upsert(session: Session, model, key: str, value: str):
    obj = session.scalar(select(model).where(getattr(model, key) == value))
    if obj is None:
        obj = model(**{key: value})
        session.add(obj)
    return obj


def load_areas(session: Session, city: str) -> int:
    data = _read(f"{city}-areas.toml")
    root = _upsert(session, Area, "slug", data["city"]["slug"])
    _assign(root, name=data["city"]["name"], kind=CITY, code=None, parent=None)
    count = 0
    for district in data["stadtbezirk"]:
        node = _upsert(session, Area, "slug", district["slug"])
        _assign(node, name=district["name"], code=district["code"], kind=DISTRICT, parent=root)
        for quarter in district["ortsteile"]:
            leaf = _upsert(session, Area, "slug", quarter["slug"])
            _assign(leaf, name=quarter["name"], code=quarter["code"], kind=QUARTER, parent=node)
            count += 1
    return count


def load_vocabulary(session: Session, model, filename: str, table: str) -> int:
    entries = _read(filename)[table]
    for position, entry in enumerate(entries):
        obj = _upsert(session, model, "slug", entry["slug"])
        values = {"labels": entry["labels"], "synonyms": entry.get("synonyms", {}),
                  "position": position}
        if model is Category:
            values["icon"] = entry.get("icon", entry["slug"])
            values["for_offers"] = entry.get("scope", "all") != "events"
        _assign(obj, **values)
    return len(entries)


def load_languages(session: Session) -> int:
    entries = _read("languages.toml")["language"]
    for position, entry in enumerate(entries):
        obj = _upsert(session, Language, "code", entry["code"])
        _assign(obj, autonym=entry["autonym"], rtl=entry.get("rtl", False),
                ui=entry.get("ui", False), labels=entry["labels"], position=position)
    return len(entries)


def load_reference_data(session: Session, city: str) -> dict[str, int]:
    """Create or update areas and vocabularies (idempotent); the caller commits."""
    counts = {
        "areas": load_areas(session, city),
        "categories": load_vocabulary(session, Category, "categories.toml", "category"),
        "target_groups": load_vocabulary(session, TargetGroup, "target-groups.toml",
                                         "target_group"),
        "languages": load_languages(session),
    }
    session.flush()
    return counts
