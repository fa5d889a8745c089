"""Accounts: invitations, passwords (Argon2id), sign-in, and who may edit what."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ADMIN, EDITOR, MODERATOR, ROLES, Membership, Organisation, User, utcnow
from ..models.audit import (
    ROLE_CHANGED,
    SECOND_FACTOR_RESET,
    SIGN_IN,
    SIGN_IN_FAILED,
    USER_CREATED,
    USER_REMOVED,
)
from . import audit, second_factor

PASSWORD_MIN, PASSWORD_MAX = 8, 128
INVITATION_SALT = "wegweiser-invitation"
_hasher = PasswordHasher()
# Compared against when an address is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


class AccountError(ValueError):
    """A problem a user can fix; ``code`` names it for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AccountError("password_length")


def create_user(session: Session, email: str, role: str,
                organisation_id: str | None = None, by: int | None = None) -> User:
    """Create (or re-invite) a user; editors belong to an organisation. A new account and a
    changed role go into the audit log, with ``by`` (the administrator's id; None: the
    command line)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise AccountError("email")
    if role not in ROLES:
        raise AccountError("role")
    organisation = None
    if role == EDITOR:
        organisation = session.scalar(select(Organisation).where(
            Organisation.external_id == (organisation_id or "")))
        if organisation is None:
            raise AccountError("organisation")
    user = session.scalar(select(User).where(User.email == email))
    before = user.role if user is not None else None
    if user is None:
        user = User(email=email, role=role)
        session.add(user)
    user.role = role
    user.invitation_nonce = secrets.token_urlsafe(24)
    session.flush()
    if before is None:
        audit.record(session, USER_CREATED, by, user.id, f"{email} ({role})")
    elif before != role:
        audit.record(session, ROLE_CHANGED, by, user.id, f"{before} → {role}")
    if organisation is not None and not any(
            m.organisation_id == organisation.id for m in user.memberships):
        user.memberships.append(Membership(organisation_id=organisation.id, role=EDITOR))
    session.flush()
    return user


def add_editor(session: Session, email: str, organisation: Organisation) -> User:
    """Make the address an editor of ``organisation``: a new account is invited; an existing
    one keeps its role (a moderator stays one) and gains the membership, and is invited again
    only if it never set a password."""
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        return create_user(session, email, EDITOR, organisation.external_id)
    if not user.password_hash:
        user.invitation_nonce = secrets.token_urlsafe(24)
    if not any(m.organisation_id == organisation.id for m in user.memberships):
        user.memberships.append(Membership(organisation_id=organisation.id, role=EDITOR))
    session.flush()
    return user


def start_password_reset(session: Session, email: str) -> User | None:
    """Open a single-use link for a known, active account (None for unknown addresses)."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None or not user.password_hash:
        return None
    user.invitation_nonce = secrets.token_urlsafe(24)
    session.flush()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def signed_link_data(salt: str, token: str, days: int) -> dict:
    """What a signed link (``salt``) says, if it is at most ``days`` old; AccountError
    link_expired or link_invalid otherwise."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)
    try:
        data = serializer.loads(token, max_age=days * 86400)
    except SignatureExpired as exc:
        raise AccountError("link_expired") from exc
    except BadSignature as exc:
        raise AccountError("link_invalid") from exc
    if not isinstance(data, dict):
        raise AccountError("link_invalid")
    return data


def invitation_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "nonce": user.invitation_nonce})


def user_for_invitation(session: Session, token: str) -> User:
    max_age = current_app.config["WEGWEISER_INVITATION_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise AccountError("invitation_expired") from exc
    except BadSignature as exc:
        raise AccountError("invitation_invalid") from exc
    user = session.get(User, data.get("user"))
    if user is None or not user.invitation_nonce or \
            not secrets.compare_digest(user.invitation_nonce, str(data.get("nonce"))):
        raise AccountError("invitation_used")
    return user


def accept_invitation(session: Session, token: str, password: str) -> User:
    user = user_for_invitation(session, token)
    check_password_rules(password)
    set_password(user, password)
    user.invitation_nonce = None
    return user


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)
    user.session_version += 1  # every other session of this user ends


def account_id(session: Session, email: str) -> int | None:
    """The id of the account with this address (None: no account)."""
    return session.scalar(select(User.id).where(func.lower(User.email) ==
                                                normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(func.lower(User.email) ==
                                             normalise_email(email)))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password[:PASSWORD_MAX])
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def session_user(session: Session, user_id: int, session_version: int) -> User | None:
    """The user of a signed-in session, unless it ended (signed out elsewhere, or the password
    changed since)."""
    user = session.get(User, user_id)
    return user if user is not None and user.session_version == session_version else None


def end_sessions(session: Session, user_id: int) -> None:
    """Sign out everywhere: every session made with the current session version ends."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1


def organisations_of(session: Session, user: User) -> list[Organisation]:
    """The organisations a user may edit: all for staff, their memberships for editors."""
    query = select(Organisation).order_by(Organisation.name)
    if not user.is_staff:
        query = query.join(Membership).where(Membership.user_id == user.id)
    return list(session.scalars(query))


def may_edit_organisation(user: User, organisation_id: int) -> bool:
    if user.role in (ADMIN, MODERATOR):
        return True
    return any(m.organisation_id == organisation_id for m in user.memberships)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def remove_user(session: Session, user_id: int, by: int) -> User:
    """Delete an account (not one's own); its changes keep their history."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("unknown")
    if user.id == by:
        raise AccountError("self")
    audit.record(session, USER_REMOVED, by, user.id, f"{user.email} ({user.role})")
    session.delete(user)
    session.flush()
    return user


def reset_second_factor(session: Session, user_id: int, by: int | None) -> User:
    """An administrator removes a user's second factor (a lost phone); logged."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("unknown")
    second_factor.reset(session, user)
    audit.record(session, SECOND_FACTOR_RESET, by, user.id)
    return user


def record_sign_in(session: Session, user: User, how: str) -> None:
    """A completed sign-in (``how``: the factors used), for the audit log."""
    user.last_login_at = utcnow()
    audit.record(session, SIGN_IN, user.id, None, how)


def record_failed_sign_in(session: Session, email: str) -> None:
    """A wrong password: logged under the account the address belongs to; an address of no
    account is not kept (it may be a typo of someone else's, or a password)."""
    known = account_id(session, email)
    audit.record(session, SIGN_IN_FAILED, known, None, "" if known else "unknown address")
