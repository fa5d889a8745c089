from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# A closed change was not decided by a moderator: the entry changed under it (its comment
# says why, see services/operations.py), so it can no longer be approved.
PENDING, APPROVED, RETURNED, CLOSED = "pending", "approved", "returned", "closed"


class Proposal(Base):
    """An edit by an organisation that is not trusted: it waits for a moderator, while the
    public page keeps showing the last approved version. It changes either an offer or an
    organisation's profile or an event (exactly one of ``offer_id``, ``organisation_id`` and
    ``event_id`` is set)."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"),
                                                 index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                                 index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    base_version: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))

    offer: Mapped["Offer | None"] = relationship()  # noqa: F821, UP037
    organisation: Mapped["Organisation | None"] = relationship()  # noqa: F821, UP037
    event: Mapped["Event | None"] = relationship()  # noqa: F821, UP037
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821, UP037
