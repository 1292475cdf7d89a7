"""Fixtures for the channel tests: fake providers on loopback, a business wired to them, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from niaga.integrations.fonnte.fake import FakeFonnte
from niaga.integrations.starsender.fake import FakeStarsender
from niaga.integrations.telegram.fake import FakeTelegram
from niaga.integrations.waha.fake import FakeWaha
from tests import factories as f

HMAC_KEY = "waha-hmac-secret"
TG_SECRET = "tg-secret_Token-123"
ADMIN_CHAT = "-1001234567890"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    from niaga.integrations import routes
    from niaga.integrations.widget.routes import limiter
    from niaga.messaging import channels

    channels.invalidate_cache()
    routes._business_cache.clear()
    limiter.reset()
    yield
    channels.invalidate_cache()
    routes._business_cache.clear()


@pytest.fixture
def waha() -> Iterator[FakeWaha]:
    with FakeWaha() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def fonnte() -> Iterator[FakeFonnte]:
    with FakeFonnte() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def starsender() -> Iterator[FakeStarsender]:
    with FakeStarsender() as fake:
        yield fake  # type: ignore[misc]


def configure(db: Any, business: Any, kind: str, **values: Any) -> None:
    from niaga.messaging import config as service
    from niaga.messaging.channels import CHANNEL_KINDS

    spec = CHANNEL_KINDS[kind]
    config = {k: v for k, v in values.items() if k in spec["config"]}
    secrets = {k: v for k, v in values.items() if k in spec["secrets"]}
    service.do_configure(
        db, business_id=business.id, kind=kind, config=config, secrets=secrets, is_enabled=True
    )
    db.commit()


@dataclass
class Shop:
    business: Any
    waha: FakeWaha
    telegram: FakeTelegram


@pytest.fixture
def shop(db: Any, waha: FakeWaha, telegram: FakeTelegram) -> Shop:
    """Rizquna-like shop with products, WAHA and Telegram configured (buffer window 0.2 s for speed)."""
    b = f.make_business(
        db,
        slug="rizquna",
        name="Rizquna",
        settings={"channels": {"buffer_seconds": 0.2}, "shipping": {"origin_city": "Yogyakarta"}},
    )
    f.make_product(
        db,
        business=b,
        sku="RQ-PECI-001",
        name="Peci Hitam Polos Nasional",
        price=40000,
        stock=200,
        category="Songkok & Peci",
        description="Peci beludru hitam polos, tersedia ukuran 5-9.",
        tags=["peci", "songkok"],
    )
    f.make_product(
        db,
        business=b,
        sku="RQ-SAJ-001",
        name="Sajadah Turki Premium",
        price=125000,
        stock=30,
        category="Sajadah",
        description="Sajadah tebal motif Turki.",
        tags=["sajadah"],
    )
    configure(db, b, "waha", base_url=waha.url, api_key=waha.api_key, session="default", hmac_key=HMAC_KEY)
    configure(
        db,
        b,
        "telegram",
        base_url=telegram.url,
        bot_token=telegram.token,
        secret_token=TG_SECRET,
        admin_chat_id=ADMIN_CHAT,
    )
    return Shop(b, waha, telegram)


def drain_all(*, ahead: float = 0.0, rounds: int = 5) -> list[str]:
    """Run every job due now (+ `ahead` seconds), repeating so that jobs enqueued by jobs run too."""
    from datetime import timedelta

    from niaga.jobs.runner import drain
    from niaga.kit.timeutil import utcnow

    outcomes: list[str] = []
    for _ in range(rounds):
        got = drain(now=utcnow() + timedelta(seconds=ahead))
        outcomes += got
        if not got:
            break
    return outcomes
