"""Users (argon2 password hashes) and API keys (shown once, stored as a sha256 hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_app.db import utcnow
from review_app.exceptions import Conflict, Forbidden, Unauthorized, ValidationFailed
from review_app.models import ApiKey, Role, User

_hasher = PasswordHasher()
KEY_PREFIX = "dl_"
ALL_SCOPES = ("documents:write", "documents:read", "reviews:write", "exports:read")
MIN_PASSWORD = 10
# A fixed hash to verify against when the user does not exist, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def create_user(session: Session, email: str, password: str, role: Role | str, name: str = "") -> User:
    """Add a user; emails are unique and case-insensitive."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 255:
        raise ValidationFailed("Enter a valid email address.", code="invalid_email")
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"Passwords need at least {MIN_PASSWORD} characters.", code="weak_password")
    if session.scalar(select(User).where(func.lower(User.email) == email)):
        raise Conflict(f"A user with email {email} exists already.", code="user_exists")
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        role=Role(role),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether or not the email exists)."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    try:
        if user is None:
            _hasher.verify(_DUMMY_HASH, password)
            return None
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


@dataclass(frozen=True)
class NewApiKey:
    """A freshly created key: `secret` is shown once and never stored."""

    key: ApiKey
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session,
    name: str,
    scopes: list[str] | tuple[str, ...] = ALL_SCOPES,
    created_by_id: int | None = None,
) -> NewApiKey:
    """Make a key `dl_<prefix>_<secret>`; only its prefix and sha256 are kept (it is high-entropy, so
    a fast hash is safe and keeps per-request checks cheap)."""
    unknown = set(scopes) - set(ALL_SCOPES)
    if unknown:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(sorted(unknown))}.",
            code="invalid_scopes",
            details={"allowed": list(ALL_SCOPES)},
        )
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name.strip() or "api key",
        prefix=prefix,
        key_hash=_digest(secret),
        scopes=list(scopes),
        created_by_id=created_by_id,
    )
    session.add(key)
    session.flush()
    return NewApiKey(key=key, secret=secret)


def authenticate_api_key(session: Session, presented: str) -> ApiKey:
    """The active key matching a presented secret; raises Unauthorized otherwise."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or f"{parts[0]}_" != KEY_PREFIX:
        raise Unauthorized(
            "The API key is malformed; send 'Authorization: Bearer dl_...'.", code="invalid_api_key"
        )
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, _digest(presented.strip())):
        raise Unauthorized("The API key is not valid.", code="invalid_api_key")
    if not key.is_active:
        raise Unauthorized("The API key was revoked.", code="revoked_api_key")
    return key


def require_scope(key: ApiKey, scope: str) -> None:
    """Refuse with 403 when a key lacks a scope."""
    if scope not in key.scopes:
        raise Forbidden(
            f"This API key lacks the '{scope}' scope.",
            code="missing_scope",
            details={"required": scope, "granted": key.scopes},
        )


def revoke_api_key(session: Session, key_id: int) -> ApiKey:
    """Revoke a key; it never authenticates again."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise ValidationFailed(f"API key {key_id} does not exist.", code="not_found", status=404)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def set_role(session: Session, user_id: int, role: Role | str, acting: User) -> User:
    """Change a user's role (an admin may not demote themselves: someone must remain in charge)."""
    user = session.get(User, user_id)
    if user is None:
        raise ValidationFailed(f"User {user_id} does not exist.", code="not_found", status=404)
    role = Role(role)
    if user.id == acting.id and role != Role.ADMIN:
        raise Conflict("You cannot take away your own admin role; ask another admin.", code="self_demotion")
    user.role = role
    return user


def set_active(session: Session, user_id: int, active: bool, acting: User) -> User:
    """Disable or re-enable a user; a disabled user cannot log in and their session ends."""
    user = session.get(User, user_id)
    if user is None:
        raise ValidationFailed(f"User {user_id} does not exist.", code="not_found", status=404)
    if user.id == acting.id and not active:
        raise Conflict("You cannot disable your own account.", code="self_disable")
    user.active = active
    return user
