"""Problem reports about entries: anyone may send one; moderators see them, the organisation
is told by mail."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OPEN, RESOLVED, Membership, Offer, ProblemReport, User
from .accounts import AccountError

MAX_MESSAGE = 2000


def file_report(session: Session, offer: Offer, message: str, contact: str) -> ProblemReport:
    message = message.strip()
    if not 3 <= len(message) <= MAX_MESSAGE:
        raise AccountError("report_length")
    report = ProblemReport(offer_id=offer.id, message=message,
                           contact=contact.strip()[:320] or None)
    session.add(report)
    session.flush()
    return report


def organisation_addresses(session: Session, offer: Offer) -> list[str]:
    editors = list(session.scalars(select(User.email).join(Membership).where(
        Membership.organisation_id == offer.organisation_id)))
    return editors or ([offer.organisation.email] if offer.organisation.email else [])


def open_reports(session: Session) -> list[ProblemReport]:
    return list(session.scalars(select(ProblemReport).where(ProblemReport.status == OPEN)
                                .order_by(ProblemReport.created_at)))


def resolve(session: Session, report_id: int) -> None:
    report = session.get(ProblemReport, report_id)
    if report is not None:
        report.status = RESOLVED
