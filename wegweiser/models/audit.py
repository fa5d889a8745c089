from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

# What the audit log records (one kind per event; the admin page filters by it).
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
SECOND_FACTOR_FAILED = "second_factor_failed"
RECOVERY_CODE_USED = "recovery_code_used"
SECOND_FACTOR_ENABLED = "second_factor_enabled"
SECOND_FACTOR_RESET = "second_factor_reset"
PERMISSION_REFUSED = "permission_refused"
USER_CREATED = "user_created"
ROLE_CHANGED = "role_changed"
USER_REMOVED = "user_removed"
AUDIT_KINDS = (SIGN_IN, SIGN_IN_FAILED, SECOND_FACTOR_FAILED, RECOVERY_CODE_USED,
               SECOND_FACTOR_ENABLED, SECOND_FACTOR_RESET, PERMISSION_REFUSED, USER_CREATED,
               ROLE_CHANGED, USER_REMOVED)


class AuditEvent(Base):
    """Something that happened to or with a staff account, for administrators.

    Deliberately not kept: IP addresses, search terms, and the address typed in a failed
    sign-in when it belongs to no account (it may be a typo of someone else's address, or a
    password typed into the wrong field). User ids are plain numbers, not foreign keys, so the
    log outlives a removed account (whose address is kept in ``detail`` of its removal).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(String(200), default="")


class RecoveryCode(Base):
    """A single-use code that stands in for the authenticator app's code; only its hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
