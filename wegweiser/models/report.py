from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

OPEN, RESOLVED = "open", "resolved"


class ProblemReport(Base):
    """"Something is wrong with this entry", sent by anyone without an account."""

    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"),
                                          index=True)
    message: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(320))  # optional, given by the sender
    status: Mapped[str] = mapped_column(String(12), default=OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer: Mapped["Offer"] = relationship()  # noqa: F821, UP037
