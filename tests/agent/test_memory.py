"""The conversation memory is a typed dataclass that reads every stored form (the free-form dict of earlier
versions included) and writes the same flat JSON form."""

from __future__ import annotations

import json

from niaga.agent.enums import Intent
from niaga.agent.memory import ConversationMemory

OLD_FORM = {
    "lang": "id",
    "turns": 3,
    "unanswered": 1,
    "last_intent": "price_check",
    "city": "Bandung",
    "focus": ["12", 7],  # ids stored as strings by an older version
    "focus_skus": ["RQ-SAJ-002"],
    "draft": {"items": [{"sku": "RQ-SAJ-002", "quantity": 2}], "awaiting": "courier"},
    "quotes": {"total": 78000},
    "seen_staff_id": 40,
    "handoff_notified": True,
    "some_future_key": {"kept": True},
}


def test_reads_the_old_dict_form() -> None:
    m = ConversationMemory.from_dict(OLD_FORM)
    assert m.focus == [12, 7] and m.last_intent is Intent.PRICE_CHECK and m.turns == 3
    assert m.draft is not None and m.draft["awaiting"] == "courier"
    assert m.handoff_notified is True and m.seen_staff_id == 40
    assert m.extra == {"some_future_key": {"kept": True}}


def test_round_trip_keeps_every_key_and_is_json() -> None:
    m = ConversationMemory.from_dict(OLD_FORM)
    out = m.to_dict()
    assert json.loads(json.dumps(out)) == out
    assert out == {**OLD_FORM, "focus": [12, 7]}
    assert ConversationMemory.from_dict(out) == m


def test_empty_and_broken_forms() -> None:
    assert ConversationMemory.from_dict(None) == ConversationMemory()
    m = ConversationMemory.from_dict({"turns": "x", "last_intent": "no_such_intent", "focus": ["a", 3]})
    assert m.turns == 0 and m.last_intent is None and m.focus == [3]
    assert ConversationMemory().to_dict() == {"turns": 0, "unanswered": 0}


def test_reply_changes_apply_and_none_clears() -> None:
    m = ConversationMemory.from_dict(OLD_FORM)
    m.update({"draft": None, "focus": [5], "complaint_order": "ORD-20261120-0001", "new_key": 1})
    assert m.draft is None and m.focus == [5] and m.complaint_order == "ORD-20261120-0001"
    assert m.extra["new_key"] == 1 and "draft" not in m.to_dict()


def test_the_dict_form_still_works_for_older_callers() -> None:
    m = ConversationMemory()
    assert m.get("focus") is None and m.get("lang", "id") == "id"
    m["focus"] = ["9"]
    m.setdefault("last_intent", "stock_check")
    m.setdefault("last_intent", "price_check")
    assert m["focus"] == [9] and m.last_intent is Intent.STOCK_CHECK and "focus" in m
    assert m.pop("focus") == [9] and m.focus == []


def test_a_conversation_stores_the_flat_form(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62818000001", "harga sajadah travel?")
    stored = t.conversation.memory
    assert isinstance(stored, dict) and stored["last_intent"] == "price_check"
    assert stored["focus_skus"] == ["RQ-SAJ-002"] and stored["turns"] == 1
