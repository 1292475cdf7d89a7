"""Signed, expiring links: the customer's upload page (`/u/<token>`) and the staff's view of a job's
processed PDF or preview (`/cetak/berkas/<token>`). Tokens are signed with the installation's secret key
(itsdangerous, per-purpose salt) and carry the business id, so a token never opens another business's
job; nothing in a URL is a file path."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from niaga.kit.errors import AppError
from niaga.settings import get_settings

UPLOAD_SALT = "niaga.print.upload"
FILE_SALT = "niaga.print.file"


class LinkInvalid(AppError):
    code = "link_invalid"
    status = 404
    message = "Link tidak valid atau sudah kedaluwarsa. Minta link baru lewat chat ya."


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().resolved_secret_key(), salt=salt)


def _load(token: str, salt: str, max_age_s: float) -> dict[str, Any]:
    try:
        data = _serializer(salt).loads(token, max_age=int(max_age_s))
    except SignatureExpired as exc:
        raise LinkInvalid("Link ini sudah kedaluwarsa. Minta link baru lewat chat ya.") from exc
    except BadSignature as exc:
        raise LinkInvalid() from exc
    if not isinstance(data, dict):
        raise LinkInvalid()
    return data


def upload_token(*, business_id: int, customer_id: int | None, conversation_id: int | None) -> str:
    return _serializer(UPLOAD_SALT).dumps({"b": business_id, "cu": customer_id, "cv": conversation_id})


def read_upload_token(token: str, *, max_age_hours: float) -> dict[str, Any]:
    return _load(token, UPLOAD_SALT, max_age_hours * 3600)


def upload_url(token: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/u/{token}"


def file_token(*, business_id: int, job_id: int, what: str) -> str:
    """`what`: "pdf" (the processed PDF) or "preview:<n>"."""
    return _serializer(FILE_SALT).dumps({"b": business_id, "j": job_id, "w": what})


def read_file_token(token: str, *, max_age_minutes: float) -> dict[str, Any]:
    return _load(token, FILE_SALT, max_age_minutes * 60)
