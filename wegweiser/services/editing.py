"""Editing offers, events and organisation profiles: the records the web layer makes of its forms,
validated like imports, previews written and rolled back, translations' state, the history.
The changes of state themselves (saving, approving, archiving, …) are in ``operations.py``."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cities import City
from ..models import (
    DRAFT,
    EVENT_TEXT_FIELDS,
    TEXT_FIELDS,
    Event,
    Offer,
    Organisation,
    Revision,
    User,
)
from ..models.changelog import SKIP_CHANGE_LOG
from .importer import Importer, Problem
from .nearby import street_position
from .proposals import waiting_change
from .records import entity_type, entry_record, organisation_record


def validate(session: Session, organisation: Organisation, record: dict,
             model: type[Offer | Event] = Offer) -> tuple[dict | None, list[Problem]]:
    """An offer's or event's record checked as an import would check it; an event may belong
    to one of the organisation's offers."""
    importer = Importer(session, "form")
    record_id, own = record.get("id") or "new", {organisation.external_id}
    if model is Offer:
        checked = importer.check_offer(record_id, record, own)
    else:
        checked = importer.check_event(record_id, record, own, {
            offer.external_id: organisation.external_id for offer in organisation.offers})
    return checked, importer.problems


def current_record(session: Session, target: Offer | Event | Organisation) -> dict:
    """What an editor now works from: the change waiting for review, else the saved state."""
    pending = waiting_change(session, target)
    if pending is not None:
        return pending.record
    if isinstance(target, Organisation):
        return organisation_form_record(target)
    return entry_record(target)


def history(session: Session, target: Offer | Event | Organisation) -> list[Revision]:
    """Every change of an offer, event or organisation, newest first."""
    return list(session.scalars(select(Revision).where(
        Revision.entity_type == entity_type(target), Revision.entity_id == target.id)
        .order_by(Revision.created_at.desc(), Revision.id.desc())))


def text_fields(entry: Offer | Event) -> tuple[str, ...]:
    """The translated fields of an offer (title, summary, description) or an event."""
    return TEXT_FIELDS if isinstance(entry, Offer) else EVENT_TEXT_FIELDS


def translation_state(offer: Offer | Event, lang: str) -> dict[str, str]:
    """Per text field: "missing", "outdated" (the original changed after it) or "ok"."""
    rows = {(t.field, t.locale): t for t in offer.texts}
    state = {}
    for name in text_fields(offer):
        original = rows.get((name, offer.original_language))
        mine = rows.get((name, lang))
        if original is None:
            state[name] = "ok"
        elif mine is None:
            state[name] = "missing"
        elif original.updated_at and mine.updated_at and original.updated_at > mine.updated_at:
            state[name] = "outdated"
        else:
            state[name] = "ok"
    return state


def blank_record(organisation: Organisation, original_language: str = "de") -> dict:
    """What the edit form starts from for a new offer."""
    return {"id": "", "organisation": organisation.external_id,
            "original_language": original_language, "title": {}, "summary": {},
            "description": {}, "categories": [], "target_groups": [], "languages": [],
            "areas": [], "citywide": False, "address": {}, "contact": {}, "opening_hours": [],
            "open_on_public_holidays": False, "cost": "free", "accessible": None,
            "appointment_needed": None, "status": DRAFT,
            "verified_at": date.today().isoformat()}


def blank_event_record(organisation: Organisation, timezone: str,
                       original_language: str = "de") -> dict:
    """What the event form starts from for a new event."""
    return {"id": "", "organisation": organisation.external_id, "offer": None,
            "original_language": original_language, "title": {}, "description": {},
            "starts_at": None, "ends_at": None, "timezone": timezone, "rrule": None,
            "categories": [], "target_groups": [], "languages": [], "areas": [],
            "address": {}, "online": False, "online_url": None, "cost": "free",
            "registration_needed": False, "registration_contact": None,
            "registration_url": None, "status": DRAFT}


def new_external_id(session: Session, organisation: Organisation, record: dict,
                    model=Offer, kind: str = "") -> str:
    """A free external id for a new offer, event or call for help (``model``), made of the
    organisation's id, ``kind`` (if any: "mitmachen") and the title."""
    prefix = f"{organisation.external_id}-{kind}-" if kind else f"{organisation.external_id}-"
    base = slugify(record["title"].get(record["original_language"], kind or "angebot"))
    external_id, n = f"{prefix}{base}"[:110], 1
    while session.scalar(select(model.id).where(model.external_id == external_id)):
        n += 1
        external_id = f"{prefix}{base}"[:110] + f"-{n}"
    return external_id


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode(
        "ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "angebot"


def mark_reviewed(session: Session, user: User, offer: Offer, lang: str) -> int:
    """A moderator confirms the published translation into ``lang``; returns texts marked."""
    marked = 0
    for text in offer.texts:
        if text.locale == lang and text.locale != offer.original_language and not text.reviewed:
            text.reviewed = True
            marked += 1
    if marked:
        session.add(Revision(entity_type="offer", entity_id=offer.id,
                             actor=f"user:{user.email}",
                             changes={"reviewed": {"before": None, "after": lang}}))
        session.flush()
    return marked


def restored_record(current: dict, revision: Revision) -> dict:
    """A record as it is now, with the fields a revision changed set back to their "before"."""
    record = {**current}
    for field, change in revision.changes.items():
        if field not in record or field in ("status", "id", "organisation"):
            continue
        before = change.get("before")
        if isinstance(record[field], dict) and isinstance(before, dict):
            # Translated texts: only the languages the revision touched go back.
            texts = {**record[field]}
            for lang in set(before) | set(change.get("after") or {}):
                if lang in before:
                    texts[lang] = before[lang]
                else:
                    texts.pop(lang, None)
            record[field] = texts
        else:
            record[field] = before
    return record


def organisation_form_record(organisation: Organisation, base: dict | None = None) -> dict:
    """The organisation's profile (or ``base``, a change waiting for review) as an import
    record, as its form starts from."""
    return {**(base or organisation_record(organisation)),
            "original_language": organisation.original_language}


def check_organisation(session: Session, organisation: Organisation,
                       record: dict) -> tuple[dict | None, list[Problem]]:
    """Validate a profile as an import would."""
    importer = Importer(session, "form")
    raw = {k: v for k, v in record.items() if v is not None and k != "id"}
    checked = importer.check_organisation(organisation.external_id, raw)
    return checked, importer.problems


# -- previews -------------------------------------------------------------------------------

PREVIEW_ID = "__preview__"


@contextmanager
def _rolled_back(session: Session) -> Iterator[None]:
    """Write for real, then roll the whole transaction back: a preview goes through the same
    code as saving and keeps nothing. Use it before anything else the request changes."""
    session.info[SKIP_CHANGE_LOG] = True
    try:
        yield
    finally:
        session.rollback()
        session.info.pop(SKIP_CHANGE_LOG, None)


@contextmanager
def offer_preview(session: Session, organisation: Organisation, offer: Offer | None,
                  checked: dict) -> Iterator[Offer]:
    """The offer as it would be after saving ``checked`` (a new one when ``offer`` is None),
    valid only inside the ``with`` block."""
    with _rolled_back(session):
        record = {**checked, "organisation": organisation.external_id,
                  "id": offer.external_id if offer is not None else PREVIEW_ID,
                  "status": offer.status if offer is not None else DRAFT}
        Importer(session, "preview").write_offer(offer, record, organisation)
        yield offer if offer is not None else session.scalar(
            select(Offer).where(Offer.external_id == PREVIEW_ID))


@contextmanager
def organisation_preview(session: Session, organisation: Organisation,
                         checked: dict) -> Iterator[Organisation]:
    """The organisation as it would be after saving ``checked``, inside the block only."""
    with _rolled_back(session):
        Importer(session, "preview").write_organisation(organisation, checked)
        yield organisation


def place_by_street(session: Session, record: dict, before: dict,
                    city: City | None = None) -> None:
    """Coordinates from the address: where the street or postal code changed (or there are
    no coordinates yet) and the coordinates were left as they were, take the street's
    position (nearby.street_position); if the street is unknown, drop coordinates that
    belonged to the old address rather than keep a wrong position."""
    address, old = record.get("address") or {}, before.get("address") or {}
    moved = [address.get(k) for k in ("street", "postal_code")] != \
        [old.get(k) for k in ("street", "postal_code")]
    kept = [address.get(k) for k in ("lat", "lon")] == [old.get(k) for k in ("lat", "lon")]
    if not address.get("street") or not kept or not (moved or address.get("lat") is None):
        return
    found = street_position(session, address["street"], address.get("postal_code"), city)
    if found is not None:
        address["lat"], address["lon"] = round(found[0], 6), round(found[1], 6)
    elif moved:
        address.pop("lat", None)
        address.pop("lon", None)
