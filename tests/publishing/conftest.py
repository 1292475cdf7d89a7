"""Fixtures for publishing: loopback fakes of Telegram, Meta and TikTok, and a shop wired to them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from niaga.integrations.meta.fake import FakeMeta
from niaga.integrations.telegram.fake import FakeTelegram
from niaga.integrations.tiktok.fake import FakeTikTok
from tests import factories as f
from tests.channels.conftest import configure

_updates = itertools.count(990001)
TG_SECRET = "tg-secret_Token-123"
ADMIN_CHAT = "-1001234567890"
OWNER_TG = 999000111
CHANNEL = "@batiksari_official"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    from niaga.integrations import routes
    from niaga.messaging import channels

    channels.invalidate_cache()
    routes._business_cache.clear()
    yield
    channels.invalidate_cache()
    routes._business_cache.clear()


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def meta() -> Iterator[FakeMeta]:
    with FakeMeta() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def tiktok() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield fake  # type: ignore[misc]


@dataclass
class Shop:
    business: Any
    owner: Any
    telegram: FakeTelegram
    meta: FakeMeta
    tiktok: FakeTikTok


def photo(name: str, colour: tuple[int, int, int]) -> str:
    """A product photo under files/ (returns the relative path kept in the product's attributes)."""
    from niaga.settings import get_settings

    rel = f"photos/{name}.jpg"
    path = get_settings().files_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (900, 700), colour).save(path, "JPEG")
    return rel


@pytest.fixture
def shop(db: Any, telegram: FakeTelegram, meta: FakeMeta, tiktok: FakeTikTok) -> Shop:
    from niaga.publishing import service

    b = f.make_business(
        db,
        slug="batik-sari",
        name="Batik Sari",
        settings={
            "publishing": {
                "telegram_channel_id": CHANNEL,
                "targets": ["instagram", "facebook", "telegram_channel"],
            },
            "branding": {"primary": "#1F3A5F", "secondary": "#F2D492"},
        },
    )
    owner = f.make_user(db, email="owner@batiksari.test", business=b, role="owner")
    owner.telegram_chat_id = str(OWNER_TG)
    db.commit()
    f.make_product(
        db, business=b, sku="BTK-01", name="Kemeja Batik Parang", price=185000, stock=40,
        category="Kemeja", attributes={"image": photo("btk01", (150, 60, 40))},
    )  # fmt: skip
    f.make_product(
        db, business=b, sku="BTK-02", name="Kain Batik Tulis Sogan", price=450000, sale_price=399000, stock=12,
        category="Kain", attributes={"image": photo("btk02", (90, 50, 20))},
    )  # fmt: skip
    f.make_product(
        db,
        business=b,
        sku="BTK-03",
        name="Selendang Batik Sutra",
        price=95000,
        stock=25,
        category="Aksesoris",
    )
    configure(
        db, b, "telegram", base_url=telegram.url, bot_token=telegram.token, secret_token=TG_SECRET, admin_chat_id=ADMIN_CHAT
    )  # fmt: skip
    service.do_connect(
        db, business=b, kind="meta", config={"base_url": meta.url, "ig_user_id": meta.ig_user_id, "page_id": meta.page_id},
        secrets={"access_token": meta.token},
    )  # fmt: skip
    service.do_connect(
        db, business=b, kind="tiktok", config={"base_url": tiktok.url}, secrets={"access_token": tiktok.token}
    )
    db.commit()
    return Shop(b, owner, telegram, meta, tiktok)


def drain_all(*, ahead: float = 0.0, rounds: int = 8) -> list[str]:
    from niaga.jobs.runner import drain
    from niaga.kit.timeutil import utcnow

    outcomes: list[str] = []
    for _ in range(rounds):
        got = drain(now=utcnow() + timedelta(seconds=ahead))
        outcomes += got
        if not got:
            break
    return outcomes


def press(
    client: Any, slug: str, data: str, *, from_id: int = OWNER_TG, message_id: int = 77, chat: int = OWNER_TG
) -> None:
    from niaga.integrations.telegram.fake import post_update

    upd = {
        "update_id": next(_updates),
        "callback_query": {
            "id": f"cbq-{next(_updates)}",
            "from": {"id": from_id, "is_bot": False, "first_name": "Pemilik"},
            "message": {
                "message_id": message_id,
                "chat": {"id": chat, "type": "private"},
                "date": 1718000200,
            },
            "chat_instance": "-88",
            "data": data,
        },
    }
    assert post_update(f"/webhooks/telegram/{slug}", upd, TG_SECRET, client=client).status_code == 200
