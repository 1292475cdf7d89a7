"""Operations alerts reach the owner's WhatsApp number as well as the Telegram admin chat, at most once per
condition per hour; a route that fails for now is retried alone, so the other never gets the alert twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from niaga.integrations.telegram.fake import FakeTelegram
from niaga.integrations.waha.fake import FakeWaha
from niaga.jobs.models import Job
from niaga.jobs.runner import drain
from niaga.kit.errors import ValidationFailed
from niaga.kit.timeutil import utcnow
from niaga.messaging import config as channel_config
from niaga.operations.notify import raise_alert

ADMIN_CHAT = "-1001234567890"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeWaha, FakeTelegram]]:
    with FakeWaha() as waha, FakeTelegram() as telegram:
        yield waha, telegram  # type: ignore[misc]


def _configure(db, business_id: int, waha: FakeWaha, telegram: FakeTelegram, number: str) -> None:  # type: ignore[no-untyped-def]
    channel_config.do_configure(
        db,
        business_id=business_id,
        kind="waha",
        config={"base_url": waha.url, "admin_number": number},
        secrets={"api_key": waha.api_key, "hmac_key": "k"},
        is_enabled=True,
    )
    channel_config.do_configure(
        db,
        business_id=business_id,
        kind="telegram",
        config={"base_url": telegram.url, "admin_chat_id": ADMIN_CHAT},
        secrets={"bot_token": telegram.token, "secret_token": "s"},
        is_enabled=True,
    )
    db.commit()


def test_alert_goes_to_whatsapp_and_telegram_once_per_hour(db, world, fakes, clock):  # type: ignore[no-untyped-def]
    waha, telegram = fakes
    _configure(db, world.a.id, waha, telegram, "0812-3456-7890")  # stored as 6281234567890
    assert raise_alert(db, business_id=world.a.id, condition="queue_backlog", message="Antrean job menumpuk")
    db.commit()
    assert drain() == ["done"]
    assert waha.texts_to("6281234567890@c.us") == ["⚠️ Antrean job menumpuk"]
    assert [m["text"] for m in telegram.messages_to(ADMIN_CHAT)] == ["⚠️ Antrean job menumpuk"]

    clock.advance(30 * 60)  # still within the hour: nothing more
    assert not raise_alert(
        db, business_id=world.a.id, condition="queue_backlog", message="Antrean job menumpuk"
    )
    db.commit()
    assert drain() == []
    clock.advance(31 * 60)  # past the hour while the condition lasts: one more on each
    assert raise_alert(
        db, business_id=world.a.id, condition="queue_backlog", message="Antrean masih menumpuk"
    )
    db.commit()
    drain()
    assert len(waha.texts_to("6281234567890@c.us")) == 2
    assert len(telegram.messages_to(ADMIN_CHAT)) == 2


def test_whatsapp_down_is_retried_alone(db, world, fakes, clock):  # type: ignore[no-untyped-def]
    waha, telegram = fakes
    _configure(db, world.a.id, waha, telegram, "6281234567890")
    waha.script("sendText", [503, 503])
    raise_alert(
        db, business_id=world.a.id, condition="backup_age", message="Cadangan terakhir lebih dari 26 jam"
    )
    db.commit()
    drain()
    assert len(telegram.messages_to(ADMIN_CHAT)) == 1
    assert waha.texts_to("6281234567890@c.us") == []
    pending = db.scalars(sa.select(Job).where(Job.name == "channels.alert", Job.status == "pending")).all()
    assert [j.args.get("only") for j in pending] == [["whatsapp"]]
    for _ in range(4):  # the WhatsApp-only job, after its delay (and one more retry for the second 503)
        clock.advance(300)
        drain(now=utcnow())
    assert waha.texts_to("6281234567890@c.us") == ["⚠️ Cadangan terakhir lebih dari 26 jam"]
    assert len(telegram.messages_to(ADMIN_CHAT)) == 1  # never twice


def test_admin_number_is_validated(db, world, fakes):  # type: ignore[no-untyped-def]
    waha, _ = fakes
    with pytest.raises(ValidationFailed) as err:
        channel_config.do_configure(
            db,
            business_id=world.a.id,
            kind="waha",
            config={"base_url": waha.url, "admin_number": "pemilik toko"},
            secrets={"api_key": waha.api_key, "hmac_key": "k"},
            is_enabled=True,
        )
    assert "config.admin_number" in err.value.details


def _metric(text: str, name: str, **labels: str) -> float:
    import re

    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        m = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if m and m.group(1) == name and ",".join(sorted((m.group(2) or "").split(","))) == want:
            return float(m.group(3))
    return 0.0


def test_metrics_count_provider_errors_and_print_requests(client, db, world, fakes):  # type: ignore[no-untyped-def]
    from niaga.printshop.printing_models import PrintRequest

    waha, telegram = fakes
    _configure(db, world.a.id, waha, telegram, "6281234567890")
    before = _metric(
        client.get("/metrics").text, "niaga_provider_errors_total", provider="waha", kind="temporary"
    )
    waha.script("sendText", [503])
    raise_alert(db, business_id=world.a.id, condition="disk", message="Disk hampir penuh")
    for state, n in (("error", 2), ("completed", 3)):
        for i in range(n):
            db.add(
                PrintRequest(
                    business_id=world.a.id,
                    source=f"print_job:{state}{i}",
                    pdf_path="/tmp/x.pdf",
                    options={},
                    state=state,
                    token=f"t{state}{i}",
                )
            )
    db.commit()
    drain()
    text = client.get("/metrics").text
    assert _metric(text, "niaga_provider_errors_total", provider="waha", kind="temporary") == before + 1
    assert _metric(text, "niaga_print_requests", state="error") == 2
    assert _metric(text, "niaga_print_requests", state="completed") == 3
