"""Editing offers and organisation profiles from forms: the forms as records, validated like
imports, previews written and rolled back, translations' state, the history. The changes of
state themselves (saving, approving, archiving, …) are in ``operations.py``."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..models import DRAFT, TEXT_FIELDS, Offer, Organisation, Revision, User
from ..models.changelog import SKIP_CHANGE_LOG
from .importer import Importer, Problem
from .proposals import waiting_change
from .records import offer_record, organisation_record

HOUR_ROWS_EXTRA = 3
EDITABLE_BY_FORM = ("categories", "target_groups", "languages", "areas", "citywide", "address",
                    "contact", "opening_hours", "cost", "accessible", "appointment_needed",
                    *TEXT_FIELDS)


def _tri_state(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def record_from_form(form: MultiDict, base: dict) -> dict:
    """The form's fields as an import record over ``base`` (the offer as it is, or a blank
    record); what an editor may not change is kept."""
    record = record_with_texts(base, form, base["original_language"])
    for name in ("categories", "target_groups", "languages", "areas"):
        record[name] = form.getlist(name)
    record["citywide"] = form.get("citywide") == "1"
    address = {k: form.get(f"address_{k}", "").strip() for k in ("street", "postal_code", "city")}
    for key in ("lat", "lon"):
        raw = form.get(f"address_{key}", "").strip().replace(",", ".")
        if raw:
            try:
                address[key] = float(raw)
            except ValueError:
                address[key] = raw  # reported by the validation as not a number
    record["address"] = {k: v for k, v in address.items() if v != ""}
    record["contact"] = {k: form.get(f"contact_{k}", "").strip() for k in
                         ("phone", "email", "website") if form.get(f"contact_{k}", "").strip()}
    hours = []
    for index in range(int(form.get("hour_rows", "0") or 0)):
        weekday = form.get(f"hours-{index}-weekday", "")
        opens, closes = form.get(f"hours-{index}-opens", ""), form.get(f"hours-{index}-closes", "")
        if not (weekday or opens or closes):
            continue
        slot = {"weekday": int(weekday) if weekday.isdigit() else weekday,
                "opens": opens, "closes": closes}
        note = form.get(f"hours-{index}-note", "").strip()
        if note:
            slot["note"] = note
        hours.append(slot)
    record["opening_hours"] = hours
    record["cost"] = form.get("cost", "")
    record["accessible"] = _tri_state(form.get("accessible"))
    record["appointment_needed"] = _tri_state(form.get("appointment_needed"))
    return record


def validate(session: Session, organisation: Organisation,
             record: dict) -> tuple[dict | None, list[Problem]]:
    importer = Importer(session, "form")
    checked = importer.check_offer(record.get("id") or "new", record,
                                   {organisation.external_id})
    return checked, importer.problems


def current_record(session: Session, target: Offer | Organisation) -> dict:
    """What an editor now works from: the change waiting for review, else the saved state."""
    pending = waiting_change(session, target)
    if pending is not None:
        return pending.record
    if isinstance(target, Offer):
        return offer_record(target)
    return organisation_form_record(target)


def history(session: Session, target: Offer | Organisation) -> list[Revision]:
    """Every change of an offer or organisation, newest first."""
    kind = "offer" if isinstance(target, Offer) else "organisation"
    return list(session.scalars(select(Revision).where(
        Revision.entity_type == kind, Revision.entity_id == target.id)
        .order_by(Revision.created_at.desc(), Revision.id.desc())))


def record_with_texts(base: dict, form: MultiDict, lang: str) -> dict:
    """``base`` with the title, summary and description in ``lang`` taken from a form."""
    record = {**base}
    for name in TEXT_FIELDS:
        texts = dict(record.get(name, {}))
        value = form.get(name, "").replace("\r\n", "\n").strip()
        if value:
            texts[lang] = value
        else:
            texts.pop(lang, None)
        record[name] = texts
    return record


def translation_state(offer: Offer, lang: str) -> dict[str, str]:
    """Per text field: "missing", "outdated" (the original changed after it) or "ok"."""
    rows = {(t.field, t.locale): t for t in offer.texts}
    state = {}
    for name in TEXT_FIELDS:
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
            "cost": "free", "accessible": None, "appointment_needed": None, "status": DRAFT,
            "verified_at": date.today().isoformat()}


def new_offer_id(session: Session, organisation: Organisation, record: dict) -> str:
    """A free external id for a new offer, made of the organisation's id and the title."""
    base = slugify(record["title"].get(record["original_language"], "angebot"))
    external_id, n = f"{organisation.external_id}-{base}"[:110], 1
    while session.scalar(select(Offer.id).where(Offer.external_id == external_id)):
        n += 1
        external_id = f"{organisation.external_id}-{base}-{n}"[:120]
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


def organisation_form_record(organisation: Organisation, form: MultiDict | None = None,
                             base: dict | None = None) -> dict:
    """The organisation's profile (or ``base``, a change waiting for review) as an import
    record, with a form's fields over it."""
    record = {**(base or organisation_record(organisation)),
              "original_language": organisation.original_language}
    if form is not None:
        for key in ("name", "website", "email", "phone", "street", "postal_code", "city"):
            record[key] = form.get(key, "").strip() or None
        description = dict(record["description"])
        text = form.get("description", "").replace("\r\n", "\n").strip()
        if text:
            description[organisation.original_language] = text
        else:
            description.pop(organisation.original_language, None)
        record["description"] = description
    return record


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
