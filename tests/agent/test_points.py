"""'poin saya berapa': the customer's own balance, from the loyalty ledger, in their language."""

from __future__ import annotations

from niaga.customers.service import get_or_create_by_identity
from niaga.orders import loyalty


def test_customer_asks_for_own_points(rizquna, chat, db):  # type: ignore[no-untyped-def]
    first = chat(rizquna, "62811000111", "poin saya berapa?")
    assert "0 poin" in first.reply
    customer = get_or_create_by_identity(
        db, business_id=rizquna.id, channel="whatsapp", external_id="62811000111"
    )
    loyalty.do_adjust(db, business=rizquna, customer_id=customer.id, points=250, note="test")
    db.commit()
    t = chat(rizquna, "62811000111", "cek poin sy dong kak")
    assert t.intent == "store_info"
    assert "250 poin" in t.reply and "Rp20.000" in t.reply  # 2 × 100 points = 2 × Rp10.000
    assert any(c["name"] == "loyalty_points" for c in t.tool_calls)
    other = chat(rizquna, "62811000222", "how many points do I have?")
    assert "0 points" in other.reply  # another customer's balance is never shown
