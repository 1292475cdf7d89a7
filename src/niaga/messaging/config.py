"""Channel configuration per business: settings and encrypted secrets per provider kind, the webhook
URLs to give the provider, and a real test call with the stored credentials."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.crypto import decrypt_json, encrypt_json
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import utcnow
from niaga.messaging import channels
from niaga.messaging.channels import CHANNEL_KINDS
from niaga.ops.logging import get_logger
from niaga.settings import get_settings
from niaga.tenancy.models import Business, ProviderConfig

log = get_logger("niaga.channels")

SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


# --- configuration ---------------------------------------------------------------------------------


def _check_kind(kind: str) -> dict[str, Any]:
    spec = CHANNEL_KINDS.get(kind)
    if spec is None:
        raise NotFound(
            f"Kanal '{kind}' tidak dikenal. Pilihan: {', '.join(CHANNEL_KINDS)}.", code="unknown_channel"
        )
    return spec


def get_config_row(db: Session, *, business_id: int, kind: str) -> ProviderConfig | None:
    _check_kind(kind)
    return db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id, ProviderConfig.kind == kind
        )
    ).first()


def channel_out(kind: str, row: ProviderConfig | None, *, business: Business | None = None) -> dict[str, Any]:
    """The configuration as the API shows it: settings in full, secrets masked."""
    spec = _check_kind(kind)
    secrets = decrypt_json(row.secrets) if row is not None else {}
    out: dict[str, Any] = {
        "kind": kind,
        "channel": spec["channel"],
        "configured": row is not None,
        "is_enabled": bool(row.is_enabled) if row is not None else False,
        "config": {
            **{k: v for k, v in spec["config"].items() if v is not None},
            **(row.config if row else {}),
        },
        "secrets": {name: channels.mask(secrets.get(name)) for name in spec["secrets"]},
        "last_test_at": row.last_test_at.isoformat() if row is not None and row.last_test_at else None,
        "last_test_ok": row.last_test_ok if row is not None else None,
        "last_error": row.last_error if row is not None else None,
    }
    if business is not None and kind in ("waha", "telegram"):
        out["webhook_url"] = webhook_url(business.slug, kind)
    return out


def webhook_url(slug: str, kind: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/webhooks/{kind}/{slug}"


def do_configure(
    db: Session,
    *,
    business_id: int,
    kind: str,
    config: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    is_enabled: bool | None = None,
) -> ProviderConfig:
    """Create or update a channel. Given secrets replace stored ones; omitted or empty ones are kept.
    Preconditions: required settings and secrets present after the merge (422 with field details)."""
    spec = _check_kind(kind)
    row = get_config_row(db, business_id=business_id, kind=kind)
    new_config = dict(row.config) if row is not None else {}
    for key, value in (config or {}).items():
        if key not in spec["config"]:
            raise ValidationFailed(details={f"config.{key}": "Pengaturan ini tidak dikenal untuk kanal ini."})
        new_config[key] = value.strip() if isinstance(value, str) else value
    stored = decrypt_json(row.secrets) if row is not None else {}
    for key, value in (secrets or {}).items():
        if key not in spec["secrets"]:
            raise ValidationFailed(details={f"secrets.{key}": "Rahasia ini tidak dikenal untuk kanal ini."})
        if isinstance(value, str) and value.strip():
            stored[key] = value.strip()
    errors: dict[str, str] = {}
    for key, default in spec["config"].items():
        if default is None and not new_config.get(key):
            errors[f"config.{key}"] = "Wajib diisi."
    base_url = new_config.get("base_url")
    if base_url and not re.match(r"^https?://[^\s/]+", str(base_url)):
        errors["config.base_url"] = "Harus alamat http:// atau https://."
    for key in spec["secrets"]:
        if not stored.get(key):
            errors[f"secrets.{key}"] = "Wajib diisi."
    if (
        kind == "telegram"
        and stored.get("secret_token")
        and not SECRET_TOKEN_RE.match(stored["secret_token"])
    ):
        errors["secrets.secret_token"] = "Hanya huruf, angka, _ dan - (1–256 karakter)."
    if (
        kind == "telegram"
        and new_config.get("admin_chat_id")
        and not re.fullmatch(r"-?\d+", str(new_config["admin_chat_id"]))
    ):
        errors["config.admin_chat_id"] = "Chat id Telegram berupa angka, mis. -1001234567890."
    if new_config.get("admin_number"):
        digits = re.sub(r"[\s().+-]", "", str(new_config["admin_number"]))
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        if not re.fullmatch(r"\d{9,15}", digits):
            errors["config.admin_number"] = "Nomor WhatsApp admin berupa angka, mis. 6281234567890."
        else:
            new_config["admin_number"] = digits
    if errors:
        raise ValidationFailed("Pengaturan kanal belum lengkap.", details=errors)
    if row is None:
        row = ProviderConfig(
            business_id=business_id,
            kind=kind,
            config=new_config,
            secrets=encrypt_json(stored),
            is_enabled=True if is_enabled is None else is_enabled,
        )
        db.add(row)
    else:
        row.config = new_config
        row.secrets = encrypt_json(stored)
        if is_enabled is not None:
            row.is_enabled = is_enabled
    db.flush()
    channels.invalidate_cache(business_id)
    return row


def do_test(db: Session, *, business_id: int, kind: str) -> dict[str, Any]:
    """A real call with the stored credentials; the outcome is kept on the configuration."""
    row = get_config_row(db, business_id=business_id, kind=kind)
    if row is None:
        raise NotFound("Kanal ini belum diatur.", code="channel_not_configured")
    cfg = channels.load(db, business_id=business_id, kind=kind)
    assert cfg is not None
    sender = channels.make_sender(cfg)
    try:
        info = sender.check()
        row.last_test_ok, row.last_error = True, None
        result = {"ok": True, "kind": kind, "info": info}
    except ProviderError as exc:
        row.last_test_ok, row.last_error = False, str(exc)[:1000]
        result = {"ok": False, "kind": kind, "error": _friendly_error(exc)}
    finally:
        sender.close()
    row.last_test_at = utcnow()
    db.flush()
    return result


def _friendly_error(exc: ProviderError) -> str:
    if exc.status in (401, 403):
        return "Kredensial ditolak penyedia (401/403). Periksa API key / token."
    if exc.status == 404:
        return "Alamat atau sesi tidak ditemukan di penyedia (404). Periksa base URL / nama sesi."
    if exc.status is None:
        return f"Penyedia tidak dapat dihubungi: {exc}"
    return f"Penyedia menjawab {exc.status}: {str(exc)[:200]}"
