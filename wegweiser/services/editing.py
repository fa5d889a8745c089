"""Editing offers and organisation profiles from forms: the same validation and writing as
imports, with optimistic locking, moderation for organisations that are not trusted, previews,
and "still correct"."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..models import (
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    PENDING,
    PUBLISHED,
    RETURNED,
    TEXT_FIELDS,
    Offer,
    Organisation,
    Proposal,
    Revision,
    User,
    utcnow,
)
from ..models.changelog import SKIP_CHANGE_LOG
from .importer import Importer, Problem, organisation_changes
from .records import changed_fields, offer_record, organisation_record

HOUR_ROWS_EXTRA = 3
EDITABLE_BY_FORM = ("categories", "target_groups", "languages", "areas", "citywide", "address",
                    "contact", "opening_hours", "cost", "accessible", "appointment_needed",
                    *TEXT_FIELDS)


class EditConflict(Exception):
    """Someone else saved the offer after this form was opened."""


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


def check_unchanged(session: Session, target: Offer | Organisation, expected_version: int,
                    expected_pending: str | None) -> None:
    """Refuse an edit made over an older state: a newer saved version, or a newer change
    waiting for review (``expected_pending`` None: not checked)."""
    if target.version != expected_version:
        raise EditConflict()
    if expected_pending is not None and pending_stamp(session, target) != expected_pending:
        raise EditConflict()


def pending_stamp(session: Session, target: Offer | Organisation) -> str:
    """Identifies the change waiting for review ("" when none is waiting)."""
    pending = _waiting(session, target)
    return pending.created_at.isoformat() if pending is not None else ""


def save(session: Session, user: User, offer: Offer, record: dict,
         expected_version: int, expected_pending: str | None = None) -> str:
    """Publish at once (trusted organisation or staff) or file a proposal; returns which."""
    check_unchanged(session, offer, expected_version, expected_pending)
    record = {**record, "status": offer.status,
              "organisation": offer.organisation.external_id}
    if offer.organisation.trusted or user.is_staff:
        Importer(session, f"user:{user.email}").write_offer(offer, record, offer.organisation)
        return PUBLISHED
    _file_proposal(session, user, offer, record)
    return PENDING


def _proposal_target(target: Offer | Organisation):
    if isinstance(target, Offer):
        return Proposal.offer_id == target.id
    return Proposal.organisation_id == target.id


def _waiting(session: Session, target: Offer | Organisation) -> Proposal | None:
    return session.scalar(select(Proposal).where(_proposal_target(target),
                                                 Proposal.status == PENDING))


def _file_proposal(session: Session, user: User, target: Offer | Organisation,
                   record: dict) -> None:
    """Put the change in the queue; a change still waiting is replaced by the newer one."""
    pending = _waiting(session, target)
    if pending is None:
        pending = Proposal(**{"offer_id" if isinstance(target, Offer) else "organisation_id":
                              target.id})
        session.add(pending)
    pending.base_version, pending.record, pending.author_id = target.version, record, user.id
    pending.created_at = utcnow()
    session.flush()


def pending_proposal(session: Session, target: Offer | Organisation) -> Proposal | None:
    """The change of an offer or profile still waiting, or the last one returned."""
    return session.scalar(select(Proposal).where(_proposal_target(target),
                                                 Proposal.status.in_((PENDING, RETURNED)))
                          .order_by(Proposal.created_at.desc()))


def open_changes(session: Session, offers: list[Offer]) -> dict[int, str]:
    """Per offer id: "pending" or "returned", the state of its newest change not approved."""
    rows = session.execute(
        select(Proposal.offer_id, Proposal.status)
        .where(Proposal.offer_id.in_([o.id for o in offers]),
               Proposal.status.in_((PENDING, RETURNED)))
        .order_by(Proposal.created_at)).all()
    return {offer_id: status for offer_id, status in rows}


def current_record(session: Session, target: Offer | Organisation) -> dict:
    """What an editor now works from: the change waiting for review, else the saved state."""
    pending = _waiting(session, target)
    if pending is not None:
        return pending.record
    if isinstance(target, Offer):
        return offer_record(target)
    return organisation_form_record(target)


def proposal_changes(proposal: Proposal) -> dict:
    if proposal.offer is not None:
        return changed_fields(offer_record(proposal.offer), proposal.record)
    return organisation_changes(proposal.organisation, proposal.record)


def approve(session: Session, moderator: User, proposal: Proposal) -> None:
    author = proposal.author.email if proposal.author else "?"
    importer = Importer(session, f"user:{moderator.email} (proposed by {author})")
    offer = proposal.offer
    if offer is not None:
        # A new offer waiting for its first approval is published by it.
        status = proposal.record.get("status", offer.status)
        if status in (DRAFT, IN_REVIEW):
            status = PUBLISHED
        importer.write_offer(offer, {**proposal.record, "status": status}, offer.organisation)
    else:
        importer.write_organisation(proposal.organisation, proposal.record)
    proposal.status, proposal.decided_at, proposal.decided_by_id = "approved", utcnow(), \
        moderator.id


def return_proposal(session: Session, moderator: User, proposal: Proposal,
                    comment: str) -> None:
    proposal.status, proposal.comment = RETURNED, comment.strip()[:2000]
    proposal.decided_at, proposal.decided_by_id = utcnow(), moderator.id


def confirm_still_correct(session: Session, user: User, offer: Offer) -> None:
    before = offer.verified_at.isoformat() if offer.verified_at else None
    offer.verified_at = date.today()
    session.add(Revision(entity_type="offer", entity_id=offer.id, actor=f"user:{user.email}",
                         changes={"verified_at": {"before": before,
                                                  "after": offer.verified_at.isoformat()}}))
    session.flush()


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


def create(session: Session, user: User, organisation: Organisation, record: dict) -> Offer:
    """Create an offer: published at once for trusted organisations and staff, otherwise it
    waits, unpublished, for a moderator's approval."""
    base = slugify(record["title"].get(record["original_language"], "angebot"))
    external_id, n = f"{organisation.external_id}-{base}"[:110], 1
    while session.scalar(select(Offer.id).where(Offer.external_id == external_id)):
        n += 1
        external_id = f"{organisation.external_id}-{base}-{n}"[:120]
    trusted = organisation.trusted or user.is_staff
    record = {**record, "id": external_id, "organisation": organisation.external_id,
              "status": PUBLISHED if trusted else IN_REVIEW}
    Importer(session, f"user:{user.email}").write_offer(None, record, organisation)
    offer = session.scalar(select(Offer).where(Offer.external_id == external_id))
    if not trusted:
        session.add(Proposal(offer_id=offer.id, author_id=user.id, base_version=offer.version,
                             record={**record, "status": PUBLISHED}))
        session.flush()
    return offer


def archive(session: Session, user: User, offer: Offer) -> None:
    """"No longer offered": hidden at once; a change still waiting keeps it archived when it
    is approved later."""
    session.add(Revision(entity_type="offer", entity_id=offer.id, actor=f"user:{user.email}",
                         changes={"status": {"before": offer.status, "after": ARCHIVED}}))
    offer.status = ARCHIVED
    pending = _waiting(session, offer)
    if pending is not None:
        pending.record = {**pending.record, "status": ARCHIVED}
    session.flush()


def reactivate(session: Session, user: User, offer: Offer) -> str:
    """"Offered again": an archived offer comes back, confirmed as of today; published at once
    for trusted organisations and staff, otherwise after a moderator's approval."""
    record = {**offer_record(offer), "status": PUBLISHED,
              "verified_at": date.today().isoformat()}
    if offer.organisation.trusted or user.is_staff:
        Importer(session, f"user:{user.email}").write_offer(offer, record, offer.organisation)
        return PUBLISHED
    _file_proposal(session, user, offer, record)
    return PENDING


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


def save_organisation(session: Session, user: User, organisation: Organisation,
                      checked: dict, expected_version: int,
                      expected_pending: str | None = None) -> str:
    """Publish the profile at once (trusted organisation or staff) or file a proposal."""
    check_unchanged(session, organisation, expected_version, expected_pending)
    if organisation.trusted or user.is_staff:
        Importer(session, f"user:{user.email}").write_organisation(organisation, checked)
        return PUBLISHED
    _file_proposal(session, user, organisation, checked)
    return PENDING


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


def pending_proposals(session: Session) -> list[Proposal]:
    """Changes waiting for a moderator, oldest first."""
    return list(session.scalars(select(Proposal).where(Proposal.status == PENDING)
                                .order_by(Proposal.created_at)))
