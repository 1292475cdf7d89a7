"""Passwords (argon2), access/refresh tokens (JWT HS256) and API keys (`nk_...`, SHA-256 at rest)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from niaga.kit.crypto import sha256_hex
from niaga.kit.errors import Unauthorized
from niaga.kit.timeutil import utcnow
from niaga.settings import get_settings

_hashers: dict[bool, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    """argon2id with the library's recommended cost; the test suite (NIAGA_ENV=test) uses a cheap one so that
    hundreds of fixture users do not dominate its run time. Verification reads the cost from the hash itself."""
    cheap = get_settings().env == "test"
    if cheap not in _hashers:
        _hashers[cheap] = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if cheap else PasswordHasher()
        )
    return _hashers[cheap]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def _key() -> str:
    return get_settings().resolved_secret_key()


def issue_token(user_id: int, *, kind: str, business_id: int | None = None) -> tuple[str, int]:
    """Returns (token, lifetime in seconds). kind: access|refresh."""
    s = get_settings()
    lifetime = (
        timedelta(minutes=s.access_token_minutes)
        if kind == "access"
        else timedelta(days=s.refresh_token_days)
    )
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "typ": kind,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": secrets.token_hex(8),
    }
    if business_id is not None:
        claims["bid"] = business_id
    return jwt.encode(claims, _key(), algorithm="HS256"), int(lifetime.total_seconds())


def decode_token(token: str, *, kind: str) -> dict[str, Any]:
    try:
        # Expiry is checked below against the injected clock (`kit.timeutil.clock`), not the wall clock.
        claims = jwt.decode(
            token,
            _key(),
            algorithms=["HS256"],
            options={"require": ["exp", "sub", "typ"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise Unauthorized("Token tidak valid.", code="invalid_token")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise Unauthorized("Token tidak valid.", code="invalid_token")
    if exp <= utcnow().timestamp():
        raise Unauthorized("Token kedaluwarsa, silakan login lagi.", code="token_expired")
    if claims.get("typ") != kind:
        raise Unauthorized("Jenis token salah.", code="invalid_token")
    return claims


API_KEY_PREFIX = "nk_"


def new_api_key() -> tuple[str, str, str]:
    """Returns (full key shown once, lookup prefix, hash to store)."""
    prefix = secrets.token_hex(6)
    full = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return full, prefix, sha256_hex(full)


def split_api_key(key: str) -> str | None:
    if not key.startswith(API_KEY_PREFIX):
        return None
    rest = key[len(API_KEY_PREFIX) :]
    prefix, sep, _ = rest.partition("_")
    return prefix if sep and prefix else None
