"""Intents, modes and statuses are StrEnums that equal the strings stored and scored."""

from __future__ import annotations

import json

from niaga.agent import nlu
from niaga.agent.enums import Intent, Mode, OrderStatus
from niaga.agent.tools import ORDER_STATUS_TEXT


def test_intents_are_the_scorers_list() -> None:
    assert tuple(Intent) == nlu.INTENTS
    assert [str(i) for i in Intent][:3] == ["greeting", "store_info", "product_query"]
    assert Intent.PRICE_CHECK == "price_check" and json.dumps(Intent.PRICE_CHECK) == '"price_check"'
    assert Mode("") is Mode.NONE


def test_every_order_status_has_text_in_both_languages() -> None:
    for lang in ("id", "en"):
        assert set(ORDER_STATUS_TEXT[lang]) == set(OrderStatus)
        assert ORDER_STATUS_TEXT[lang]["shipped"]  # plain strings still look it up


def test_the_dashboard_labels_every_intent_and_order_status() -> None:
    """The agent's vocabularies and the dashboard's labels (niaga.web.i18n) stay one list."""
    from niaga.web import i18n

    for lang in i18n.LANGS:
        assert set(i18n.INTENT_LABELS[lang]) == set(Intent)
        assert set(OrderStatus) <= set(i18n.STATUS_LABELS[lang])
