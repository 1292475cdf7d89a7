"""The one provider-config service: a business's connection to a provider (chat channels, payments, email,
language models) is one `ProviderConfig` row per kind, settings in `config`, keys encrypted in `secrets`.
Domains and adapters read and write provider settings only through these functions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.crypto import decrypt_json, encrypt_json
from niaga.tenancy.models import ProviderConfig


def get_row(db: Session, *, business_id: int, kind: str) -> ProviderConfig | None:
    return db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id, ProviderConfig.kind == kind
        )
    ).first()


def enabled_rows(db: Session, *, business_id: int, kinds: Iterable[str]) -> dict[str, ProviderConfig]:
    """The business's enabled configurations among `kinds`, by kind."""
    return {
        r.kind: r
        for r in db.scalars(
            sa.select(ProviderConfig).where(
                ProviderConfig.business_id == business_id,
                ProviderConfig.kind.in_(tuple(kinds)),
                ProviderConfig.is_enabled.is_(True),
            )
        )
    }


def secrets_of(row: ProviderConfig) -> dict[str, Any]:
    return decrypt_json(row.secrets)


def save(
    db: Session,
    *,
    business_id: int,
    kind: str,
    config: dict[str, Any],
    secrets: dict[str, Any] | None = None,
    is_enabled: bool | None = None,
) -> ProviderConfig:
    """Create or replace the configuration of `kind`; `secrets=None` keeps the stored keys."""
    row = get_row(db, business_id=business_id, kind=kind)
    if row is None:
        row = ProviderConfig(
            business_id=business_id, kind=kind, config=config, secrets=encrypt_json(secrets or {})
        )
        db.add(row)
    else:
        row.config = config
        if secrets is not None:
            row.secrets = encrypt_json(secrets)
    if is_enabled is not None:
        row.is_enabled = is_enabled
    db.flush()
    return row
