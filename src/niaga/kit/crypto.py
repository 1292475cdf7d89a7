"""Secrets at rest (channel tokens, payment keys) are Fernet-encrypted with a key derived from the secret key."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from niaga.settings import get_settings


def _fernet() -> Fernet:
    key = hashlib.sha256(("niaga-secrets:" + get_settings().resolved_secret_key()).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_json(data: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()


def decrypt_json(token: str | None) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise RuntimeError("stored secrets cannot be decrypted: NIAGA_SECRET_KEY changed?") from exc


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
