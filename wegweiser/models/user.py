from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

ADMIN, MODERATOR, EDITOR = "admin", "moderator", "editor"
ROLES = (ADMIN, MODERATOR, EDITOR)


class User(Base):
    """Someone who keeps entries: an administrator, a moderator of the network, or an editor
    of one or more organisations. Refugees and social workers need no account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(12), default=EDITOR)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Bumped on every password change and logout: sessions carrying an older one end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set while an invitation is open; cleared when it is used (single use).
    invitation_nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # The second factor (TOTP): the secret is set at enrolment and counts once confirmed with a
    # code; the last time step accepted is kept so that a code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column()
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    @property
    def is_staff(self) -> bool:
        return self.role in (ADMIN, MODERATOR)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    @property
    def needs_second_factor(self) -> bool:
        """Moderators and administrators must use one; editors may."""
        return self.is_staff or self.has_second_factor

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(Base):
    """An editor's membership in an organisation (a user may belong to several)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12), default=EDITOR)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()  # noqa: F821
