"""/metrics counts what issue 17 lists from the places it happens: webhooks refused for a bad signature (by
provider) and the agent's turn latency (one observation per answered turn)."""

from __future__ import annotations

import re

from niaga.integrations.waha.fake import message_event, post_webhook
from tests.channels.conftest import HMAC_KEY, drain_all


def _value(text: str, name: str, labels: str = "") -> float:
    m = re.search(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+-]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def test_bad_signatures_and_agent_turns_reach_metrics(client, shop, db) -> None:
    before = client.get("/metrics").text
    refused = '{outcome="bad_signature",provider="waha"}'
    r = post_webhook("/webhooks/waha/rizquna", message_event(text="halo"), "wrong-key", client=client)
    assert r.status_code == 401
    r = post_webhook(
        "/webhooks/waha/rizquna", message_event(text="halo"), HMAC_KEY, client=client, tamper=True
    )
    assert r.status_code == 401
    ev = message_event(text="berapa harga peci hitam?", chat_id="6281355550001@c.us")
    assert post_webhook("/webhooks/waha/rizquna", ev, HMAC_KEY, client=client).status_code == 200
    drain_all(ahead=1.0)
    assert any("40.000" in t for t in shop.waha.texts_to("6281355550001@c.us"))  # the turn answered
    after = client.get("/metrics").text
    assert (
        _value(after, "niaga_webhooks_total", refused) - _value(before, "niaga_webhooks_total", refused) == 2
    )
    turns = _value(after, "niaga_agent_turn_seconds_count") - _value(before, "niaga_agent_turn_seconds_count")
    assert turns == 1
    assert _value(after, "niaga_agent_turn_seconds_sum") > _value(before, "niaga_agent_turn_seconds_sum")
