"""Keeping entries fresh: which offers are stale, reminder mails with signed links that work
without signing in (for stale offers and for calls for help ending soon), and what those links
do."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import PUBLISHED, HelpCall, Membership, Offer, Organisation, User
from . import operations
from .accounts import AccountError, signed_link_data
from .help_calls import help_call_by_external_id

SALT = "wegweiser-freshness"
ACTIONS = ("confirm", "edit", "withdraw")
LINK_DAYS = 30


def stale_before(today: date | None = None) -> date:
    days = current_app.config["WEGWEISER_STALE_AFTER_DAYS"]
    return (today or date.today()) - timedelta(days=days)


def stale_offers(session: Session, today: date | None = None) -> list[Offer]:
    return list(session.scalars(
        select(Offer).where(Offer.status == PUBLISHED,
                            or_(Offer.verified_at.is_(None),
                                Offer.verified_at < stale_before(today)))
        .options(selectinload(Offer.organisation), selectinload(Offer.texts))
        .order_by(Offer.verified_at.is_(None).desc(), Offer.verified_at)))


@dataclass
class Reminder:
    organisation: Organisation
    recipients: list[str]
    offers: list[Offer]


def reminders(session: Session, today: date | None = None) -> list[Reminder]:
    """One reminder per organisation with stale offers: to its editors, else its address."""
    by_org: dict[int, list[Offer]] = {}
    for offer in stale_offers(session, today):
        by_org.setdefault(offer.organisation_id, []).append(offer)
    result = []
    for offers in by_org.values():
        org = offers[0].organisation
        editors = list(session.scalars(select(User.email).join(Membership).where(
            Membership.organisation_id == org.id)))
        recipients = editors or ([org.email] if org.email else [])
        if recipients:
            result.append(Reminder(org, recipients, offers))
    return result


def _serializer(salt: str = SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def action_token(offer: Offer, action: str) -> str:
    return _serializer().dumps({"offer": offer.external_id, "action": action})


def read_token(session: Session, token: str) -> tuple[Offer, str]:
    data = signed_link_data(SALT, token, LINK_DAYS)
    offer = session.scalar(select(Offer).where(Offer.external_id == data.get("offer")))
    if offer is None or data.get("action") not in ACTIONS:
        raise AccountError("link_invalid")
    return offer, data["action"]


def apply_action(session: Session, offer: Offer, action: str) -> None:
    """What a reminder link does once its page's button is pressed (never on GET): the same
    operations as the editors' dashboard, in the name of the reminder link."""
    if action == "confirm":
        operations.confirm(session, operations.REMINDER_LINK, offer)
    elif action == "withdraw":
        operations.archive(session, operations.REMINDER_LINK, offer)


# -- the same for calls for help ending soon (extend, edit, "filled – remove") ---------------

HELP_CALL_SALT = "wegweiser-help-call"
HELP_CALL_ACTIONS = ("extend", "remove", "edit")


def help_call_token(call: HelpCall, action: str) -> str:
    return _serializer(HELP_CALL_SALT).dumps({"call": call.external_id, "action": action})


def read_help_call_token(session: Session, token: str) -> tuple[HelpCall, str]:
    data = signed_link_data(HELP_CALL_SALT, token, LINK_DAYS)
    call = help_call_by_external_id(session, str(data.get("call")))
    if call is None or data.get("action") not in HELP_CALL_ACTIONS:
        raise AccountError("link_invalid")
    return call, data["action"]
