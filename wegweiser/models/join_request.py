from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# What is asked: a new initiative joins (with its first offer), or someone claims an existing
# organisation's entry ("This is us").
# A suggestion comes from open data (LeipzigData), not from a person: no contact, no mail.
JOIN, CLAIM, SUGGESTION = "join", "claim", "suggest"
# unverified: a claim whose link to the organisation's published address was not used yet;
# waiting: for a moderator; accepted / declined: decided, the contact's data forgotten.
UNVERIFIED, WAITING, ACCEPTED, DECLINED = "unverified", "waiting", "accepted", "declined"


class JoinRequest(Base):
    """A request from someone without an account, waiting for a moderator. Nothing of it is
    public: a new initiative exists only here (``record``) until a moderator accepts it. The
    contact's personal data is blanked when the request is decided; what stays is the audit
    minimum (kind, outcome, dates, who decided, the reason given)."""

    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default=WAITING, index=True)
    # The language the form was filled in: mails to the contact are written in it.
    language: Mapped[str] = mapped_column(String(12))
    # A claim: the organisation claimed; a join: the organisation created on acceptance.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    # A join: {"organisation": {...}, "offers": [{...}]} as import records.
    record: Mapped[dict | None] = mapped_column()
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(60))
    verified_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    # A suggestion's record in the open data it came from (not personal, kept after the
    # decision, so the same record is not suggested again).
    source_uri: Mapped[str | None] = mapped_column(String(500), index=True)

    organisation: Mapped["Organisation | None"] = relationship()  # noqa: F821, UP037
