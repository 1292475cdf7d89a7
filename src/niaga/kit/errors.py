"""One error base for the whole service; one handler (in `niaga.app`) renders the API envelope."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = "error"
    status = 400
    message = "Permintaan tidak dapat diproses."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details


class NotFound(AppError):
    code = "not_found"
    status = 404
    message = "Data tidak ditemukan."


class Unauthorized(AppError):
    code = "unauthorized"
    status = 401
    message = "Perlu login atau token yang valid."


class Forbidden(AppError):
    code = "forbidden"
    status = 403
    message = "Anda tidak punya akses untuk tindakan ini."


class Conflict(AppError):
    code = "conflict"
    status = 409
    message = "Data bentrok dengan yang sudah ada."


class ValidationFailed(AppError):
    """Business-rule validation with per-field details: {"field": "message"}."""

    code = "validation_error"
    status = 422
    message = "Data tidak valid."


class PayloadTooLarge(AppError):
    code = "payload_too_large"
    status = 413
    message = "Ukuran data melebihi batas."


class BadRequest(AppError):
    code = "bad_request"
    status = 400


class RateLimited(AppError):
    code = "rate_limited"
    status = 429
    message = "Terlalu banyak permintaan, coba lagi sebentar lagi."
