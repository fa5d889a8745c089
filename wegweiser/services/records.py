"""Offers, organisations and events as plain records in the exchange format of DESIGN.md.

The same shape serves import (what a record should be), export, the API's detail view and the
revision history (which fields a change touched).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Event, Offer, OfferClosure, Organisation

ADDRESS_KEYS = ("street", "postal_code", "city", "lat", "lon")
CONTACT_KEYS = ("phone", "email", "website")
TRANSLATED = ("title", "summary", "description")
ORGANISATION_KEYS = ("name", "website", "email", "phone", "street", "postal_code", "city")


def _compact(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def organisation_record(org: Organisation) -> dict:
    record = {"id": org.external_id, **{k: getattr(org, k) for k in ORGANISATION_KEYS}}
    record["description"] = org.translations_of("description")
    return record


def offer_record(offer: Offer) -> dict:
    return {
        "id": offer.external_id,
        "organisation": offer.organisation.external_id,
        "original_language": offer.original_language,
        "title": offer.translations_of("title"),
        "summary": offer.translations_of("summary"),
        "description": offer.translations_of("description"),
        "categories": [c.slug for c in offer.categories],
        "target_groups": [t.slug for t in offer.target_groups],
        "languages": [lang.code for lang in offer.languages],
        "areas": sorted(a.slug for a in offer.areas),
        "citywide": offer.citywide,
        "address": _compact({k: getattr(offer, k) for k in ADDRESS_KEYS}),
        "contact": _compact({k: getattr(offer, k) for k in CONTACT_KEYS}),
        "opening_hours": [
            _compact({"weekday": h.weekday, "week_of_month": h.week_of_month,
                      "opens": h.opens.strftime("%H:%M"), "closes": h.closes.strftime("%H:%M"),
                      "note": h.note})
            for h in sorted(offer.opening_hours,
                            key=lambda h: (h.weekday, h.opens, h.week_of_month or 0))
        ],
        "open_on_public_holidays": offer.open_on_public_holidays,
        "closures": [closure_record(c) for c in offer.closures],
        "cost": offer.cost,
        "accessible": offer.accessible,
        "appointment_needed": offer.appointment_needed,
        "status": offer.status,
        "verified_at": offer.verified_at.isoformat() if offer.verified_at else None,
    }


def closure_record(closure) -> dict:
    """A closure as the import format writes it: ``{"from", "until", "note": {lang: text}}``
    (no note: no key)."""
    record = {"from": closure.first_day.isoformat(), "until": closure.last_day.isoformat()}
    note = closure.translations_of("note")
    if note:
        record["note"] = note
    return record


def stored_closures(session: Session, records: list[dict]) -> dict[str, list[dict]]:
    """The closures of the stored offers that ``records`` name by id (a new offer: none)."""
    ids = [r["id"] for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)]
    found: dict[str, list[dict]] = {}
    for start in range(0, len(ids), 500):
        for offer in session.scalars(
                select(Offer).where(Offer.external_id.in_(ids[start:start + 500]))
                .options(selectinload(Offer.closures).selectinload(OfferClosure.texts))):
            found[offer.external_id] = [closure_record(c) for c in offer.closures]
    return found


def keep_closures(session: Session, records: list[dict]) -> None:
    """Offer records of a format without closures (HSDS 3.0, a spreadsheet without the
    column) get the stored offer's closures: importing them leaves closures as they are."""
    found = stored_closures(session, records)
    for record in records:
        if isinstance(record, dict):
            record["closures"] = found.get(record.get("id"), [])


def closure_note(typed: str) -> str:
    """A closure's note as typed, on one line (the edit form, the translation form and a
    spreadsheet's cell keep the same)."""
    return " ".join(typed.split())


def is_over(closure: dict, today: date) -> bool:
    """Whether a closure's last day is before ``today`` (history, not shown for editing)."""
    return str(closure.get("until", "")) < today.isoformat()


def closures_typed_over(stored: list[dict], typed: list[dict], lang: str,
                        today: date) -> list[dict]:
    """What an offer's closures become when someone types its closures now or to come (the
    edit form's rows, a spreadsheet's cell) with their notes in ``lang``: the stored closures
    that are over stay as they are, then the typed ones in their order; a typed closure keeps
    the notes in other languages of the stored one that began on the same day."""
    others = {c.get("from"): {k: v for k, v in (c.get("note") or {}).items() if k != lang}
              for c in stored}
    closures = [c for c in stored if is_over(c, today)]
    for closure in typed:
        notes = {**others.get(closure.get("from"), {}), **(closure.get("note") or {})}
        closure = {k: v for k, v in closure.items() if k != "note"}
        closures.append({**closure, "note": notes} if notes else closure)
    return closures


EVENT_KEYS = ("online", "online_url", "cost", "registration_needed", "registration_contact",
              "registration_url")


def local_datetime(value) -> str:
    """A naive local date and time as the import format writes it: ``2027-01-05T18:00``."""
    return value.isoformat(timespec="minutes")


def event_record(event: Event) -> dict:
    return {
        "id": event.external_id,
        "organisation": event.organisation.external_id,
        "offer": event.offer.external_id if event.offer is not None else None,
        "original_language": event.original_language,
        "title": event.translations_of("title"),
        "description": event.translations_of("description"),
        "starts_at": local_datetime(event.starts_at),
        "ends_at": local_datetime(event.ends_at),
        "timezone": event.timezone,
        "rrule": event.rrule,
        "categories": [c.slug for c in event.categories],
        "target_groups": [t.slug for t in event.target_groups],
        "languages": [lang.code for lang in event.languages],
        "areas": sorted(a.slug for a in event.areas),
        "address": _compact({k: getattr(event, k) for k in ADDRESS_KEYS}),
        **{k: getattr(event, k) for k in EVENT_KEYS},
        "status": event.status,
    }


def entity_type(target: Offer | Event | Organisation) -> str:
    """What revisions and proposals call an entry's kind: "offer", "event", "organisation"."""
    return {Offer: "offer", Event: "event", Organisation: "organisation"}[type(target)]


def entry_record(target: Offer | Event) -> dict:
    """The saved state of an offer or event as a record."""
    return offer_record(target) if isinstance(target, Offer) else event_record(target)


def changed_fields(before: dict | None, after: dict) -> dict[str, dict]:
    """``{field: {"before": …, "after": …}}`` for every field that differs; of translated
    texts (dicts by language) only the languages that differ."""
    before = before or {}
    changes = {}
    for key, value in after.items():
        old = before.get(key)
        if old == value:
            continue
        if isinstance(old, dict) and isinstance(value, dict) and key in TRANSLATED:
            languages = sorted(k for k in {*old, *value} if old.get(k) != value.get(k))
            changes[key] = {"before": {k: old[k] for k in languages if k in old},
                            "after": {k: value[k] for k in languages if k in value}}
        else:
            changes[key] = {"before": old, "after": value}
    return changes
