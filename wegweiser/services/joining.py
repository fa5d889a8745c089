"""Joining without an account: a new initiative asks to be listed (with its first offer), or
someone claims an existing organisation's entry ("This is us"). Both wait for a moderator as a
:class:`JoinRequest`; nothing is public before a moderator accepts.

One function per change of state, as in ``operations.py``: filing, verifying a claim through
the link sent to the organisation's published address, accepting, declining. Deciding forgets
the contact's personal data (name, e-mail, phone, the submitted record) and keeps the audit
minimum. Mails are sent by the caller after the commit (``notifications.py``).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import (
    ACCEPTED,
    CLAIM,
    DECLINED,
    DRAFT,
    JOIN,
    PUBLISHED,
    SUGGESTION,
    UNVERIFIED,
    WAITING,
    JoinRequest,
    Organisation,
    User,
    utcnow,
)
from . import actors
from .accounts import AccountError, add_editor, normalise_email, signed_link_data
from .editing import new_external_id, slugify
from .importer import EMAIL_PATTERN, Importer, Problem
from .operations import Actor

CLAIM_SALT = "wegweiser-claim"
CLAIM_LINK_DAYS = 7
NEW = "new"  # the id of the not yet existing organisation while a request is checked
ORGANISATION_FIELDS = ("name", "website", "email", "phone", "street", "postal_code", "city")
OFFER_TERMS = ("categories", "target_groups", "languages", "areas")
MAX_REASON = 2000


class RequestNotWaiting(Exception):
    """The request was decided already (or is a claim not yet verified by its link)."""


class InvalidRequest(ValueError):
    """The submitted record no longer passes validation (e.g. a category was removed)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Decision:
    """What the caller needs to tell the contact after the commit (their data is gone from
    the request by then)."""

    email: str | None  # None: a suggestion from open data, nobody to tell
    language: str
    organisation: str
    reason: str | None = None
    user: User | None = None


# -- filing ----------------------------------------------------------------------------------

def join_records(fields: dict) -> dict:
    """The form's plain fields as import records: the organisation and its first offer,
    written in ``fields["text_language"]``."""
    lang = fields["text_language"]
    organisation = {key: fields.get(key) or None for key in ORGANISATION_FIELDS}
    organisation["description"] = {lang: fields["description"]} \
        if fields.get("description") else {}
    offer = {"organisation": NEW, "original_language": lang,
             "title": {lang: fields["title"]} if fields.get("title") else {},
             "summary": {lang: fields["summary"]} if fields.get("summary") else {},
             "description": {}, "citywide": bool(fields.get("citywide")),
             **{name: list(fields.get(name) or []) for name in OFFER_TERMS},
             "status": DRAFT}
    return {"organisation": {**organisation, "original_language": lang}, "offers": [offer]}


def check_join(session: Session, records: dict) -> tuple[dict | None, list[Problem]]:
    """Validate a join request's records as an import would; the checked records (None: there
    were problems, named by the import format's field names)."""
    importer = Importer(session, "form")
    raw = {k: v for k, v in records["organisation"].items() if v is not None}
    organisation = importer.check_organisation("organisation", raw)
    offers = [importer.check_offer("offer", {**offer, "id": f"{NEW}-offer"}, {NEW})
              for offer in records["offers"]]
    if organisation is None or None in offers:
        return None, importer.problems
    for offer in offers:
        del offer["id"]
    return {"organisation": {k: v for k, v in organisation.items() if k != "id"},
            "offers": offers}, []


def check_contact(email: str) -> str:
    email = normalise_email(email or "")
    if not EMAIL_PATTERN.match(email) or len(email) > 320:
        raise AccountError("email")
    return email


def file_join(session: Session, checked: dict, email: str, language: str,
              name: str = "", phone: str = "") -> JoinRequest:
    """A new initiative (checked records) waits for a moderator."""
    request = JoinRequest(kind=JOIN, status=WAITING, language=language, record=checked,
                          contact_email=check_contact(email),
                          contact_name=name.strip()[:200] or None,
                          contact_phone=phone.strip()[:60] or None)
    session.add(request)
    session.flush()
    return request


def file_suggestion(session: Session, checked: dict, source: dict,
                    language: str = "de") -> JoinRequest:
    """An organisation found in open data (checked records, no offers) waits for a moderator;
    ``source`` says where it came from (``uri`` and what the moderator should know)."""
    request = JoinRequest(kind=SUGGESTION, status=WAITING, language=language,
                          record={**checked, "source": source}, source_uri=source["uri"])
    session.add(request)
    session.flush()
    return request


def file_claim(session: Session, organisation: Organisation, name: str, email: str,
               language: str) -> JoinRequest:
    """"This is us": a claim of an organisation's entry. With a published address it waits
    for the link mailed there (unverified); without one it goes to the moderators at once,
    marked as not verified, for them to check by other means."""
    forget_unverified(session)
    name = name.strip()[:200]
    if not name:
        raise AccountError("name")
    request = JoinRequest(kind=CLAIM, language=language, organisation_id=organisation.id,
                          status=UNVERIFIED if organisation.email else WAITING,
                          contact_name=name, contact_email=check_contact(email))
    session.add(request)
    session.flush()
    return request


def forget_unverified(session: Session) -> None:
    """Claims whose link expired unused are deleted with the data they hold."""
    expired = utcnow() - timedelta(days=CLAIM_LINK_DAYS)
    session.execute(delete(JoinRequest).where(JoinRequest.status == UNVERIFIED,
                                              JoinRequest.created_at < expired))


# -- the link sent to the organisation's published address -----------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CLAIM_SALT)


def claim_token(request: JoinRequest) -> str:
    return _serializer().dumps({"claim": request.id})


def claim_for_token(session: Session, token: str) -> JoinRequest:
    """The unverified claim a link names; AccountError link_expired, link_invalid or
    link_used."""
    claim_id = signed_link_data(CLAIM_SALT, token, CLAIM_LINK_DAYS).get("claim")
    request = session.get(JoinRequest, claim_id) if isinstance(claim_id, int) else None
    if request is None or request.kind != CLAIM:
        raise AccountError("link_invalid")
    if request.status != UNVERIFIED:
        raise AccountError("link_used")
    return request


def verify_claim(session: Session, request: JoinRequest) -> None:
    """Someone reading the organisation's published address confirmed the claim: it goes to
    the moderators."""
    request.status, request.verified_at = WAITING, utcnow()
    session.flush()


# -- the moderators' side --------------------------------------------------------------------

def waiting_requests(session: Session) -> list[JoinRequest]:
    """Requests for a moderator to decide, oldest first."""
    return list(session.scalars(select(JoinRequest).where(JoinRequest.status == WAITING)
                                .order_by(JoinRequest.created_at, JoinRequest.id)))


def waiting_request(session: Session, request_id: int) -> JoinRequest | None:
    request = session.get(JoinRequest, request_id)
    return request if request is not None and request.status == WAITING else None


def _decidable(session: Session, request_id: int) -> JoinRequest:
    request = session.get(JoinRequest, request_id)
    if request is None:
        raise LookupError(request_id)
    if request.status != WAITING:
        raise RequestNotWaiting(request.status)
    return request


def _decided(request: JoinRequest, status: str, moderator: Actor,
             reason: str | None = None) -> None:
    """Record the decision and forget the personal data of the request."""
    request.status, request.reason = status, reason
    request.decided_at, request.decided_by_id = utcnow(), moderator.user_id
    request.contact_name = request.contact_email = request.contact_phone = None
    request.record = None


def _organisation_id(session: Session, name: str) -> str:
    """A free external id made of the name (an id for names without Latin letters)."""
    latin = any(c.isascii() and c.isalnum() for c in unicodedata.normalize("NFKD", name))
    base = slugify(name) if latin else "initiative"
    external_id, n = base, 1
    while session.scalar(select(Organisation.id).where(Organisation.external_id ==
                                                       external_id)):
        n += 1
        external_id = f"{base}-{n}"
    return external_id


def _create_organisation(session: Session, moderator: Actor,
                         request: JoinRequest) -> Organisation:
    """The requested organisation (not trusted: its editors' changes are reviewed) and its
    offers, published: the moderator has just read them."""
    checked, problems = check_join(session, request.record)
    if checked is None:
        raise InvalidRequest(problems)
    importer = Importer(session, actors.join_request(moderator.name, request.id))
    record = {**checked["organisation"], "id": _organisation_id(
        session, checked["organisation"]["name"])}
    organisation, _changed = importer.write_organisation(None, record)
    for offer in checked["offers"]:
        importer.write_offer(None, {
            **offer, "id": new_external_id(session, organisation, offer),
            "organisation": organisation.external_id, "status": PUBLISHED,
            "verified_at": date.today().isoformat()}, organisation)
    return organisation


def accept(session: Session, moderator: Actor, request_id: int) -> Decision:
    """Accept a request: a new initiative's organisation and offers are created; the contact
    (or the claimant) becomes an editor of the organisation. Their data is then forgotten."""
    request = _decidable(session, request_id)
    if request.kind in (JOIN, SUGGESTION):
        organisation = _create_organisation(session, moderator, request)
    elif request.organisation is not None:
        organisation = request.organisation
    else:
        raise LookupError(request_id)  # the claimed organisation was deleted since
    # A suggestion from open data has no contact: nobody is invited.
    user = add_editor(session, request.contact_email, organisation) \
        if request.contact_email else None
    decision = Decision(request.contact_email, request.language, organisation.name,
                        user=user)
    request.organisation_id = organisation.id
    _decided(request, ACCEPTED, moderator)
    session.flush()
    return decision


def decline(session: Session, moderator: Actor, request_id: int, reason: str) -> Decision:
    """Decline a request with a reason for the contact; nothing is created."""
    request = _decidable(session, request_id)
    reason = reason.strip()[:MAX_REASON]
    if not reason:
        raise AccountError("reason")
    name = request.organisation.name if request.organisation is not None else \
        (request.record or {}).get("organisation", {}).get("name", "")
    decision = Decision(request.contact_email, request.language, name, reason=reason)
    _decided(request, DECLINED, moderator, reason)
    session.flush()
    return decision
