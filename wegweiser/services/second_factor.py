"""The second factor of a sign-in: a TOTP app (RFC 6238) and single-use recovery codes.

Moderators and administrators must use it, editors may. A code is accepted one time step
(30 s) early or late, and never twice: the step of the last accepted code is kept, and only
later steps are accepted after it. Recovery codes are random (50 bits), shown once, and
stored as Argon2id hashes; a used one is deleted.
"""
from __future__ import annotations

import secrets
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import RecoveryCode, User, utcnow
from ..qrcode import inline_svg

RECOVERY_CODES = 10
DRIFT_STEPS = 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# The codes carry 50 bits of chance themselves; Argon2id with OWASP's smallest recommended
# cost keeps checking ten of them quick.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class SecondFactorError(ValueError):
    """The second factor cannot be set up now (it already is)."""


def enrolment_secret(user: User) -> str:
    """The secret the user is setting up (made on first use; kept until confirmed)."""
    if user.has_second_factor:
        raise SecondFactorError("already set up")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def qr_svg(user: User, issuer: str) -> str:
    """The QR code of the secret for authenticator apps, as inline SVG (made here, no request
    to anywhere)."""
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)
    return inline_svg(uri, scale=4, title=issuer, light="#fff")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it in by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def check_code(user: User, code: str, now: float | None = None) -> bool:
    """Whether ``code`` is the app's code of the current time step (±1) and newer than the
    last one accepted; an accepted step is remembered so the code cannot be used again."""
    code = _digits(code)
    if not user.totp_secret or len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(time.time() if now is None else now)
    last = user.totp_last_step if user.totp_last_step is not None else -1
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last and secrets.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def confirm(session: Session, user: User, code: str) -> list[str] | None:
    """Confirm the set-up with a code from the app: the new recovery codes (to be shown once),
    or None when the code is not right."""
    if user.has_second_factor or not check_code(user, code):
        return None
    user.totp_confirmed_at = utcnow()
    return new_recovery_codes(session, user)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes by ten new ones; returns them in plain text."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hasher.hash(code))
                    for code in codes)
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; it is used up."""
    code = "".join(ch for ch in code.lower() if ch.isalnum())
    if len(code) != 10:
        return False
    for stored in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        try:
            _hasher.verify(stored.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        session.delete(stored)
        session.flush()
        return True
    return False


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id)) or 0


def reset(session: Session, user: User) -> None:
    """Remove the second factor (an administrator's help for a lost phone): the next sign-in
    sets up a new one if the role needs it; every session of the user ends."""
    user.totp_secret = user.totp_confirmed_at = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version += 1
