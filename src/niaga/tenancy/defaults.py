"""Default business settings and profile. Stored per business in `businesses.settings` / `.profile`;
readers use `business_settings()` so that a missing key falls back to these defaults."""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_PROFILE: dict[str, Any] = {
    "address": "",
    "city": "",  # shipping origin city, e.g. "Yogyakarta"
    "phone": "",
    "email": "",
    "description": "",
}

DEFAULT_SETTINGS: dict[str, Any] = {
    "language": "id",
    "agent": {
        "persona_name": "Asisten",
        "greeting": "Halo",  # e.g. "Assalamualaikum" for Rizquna
        "tone": "ramah",  # ramah|formal|santai
        "address_customer_as": "kak",
        "provider": "offline",  # offline|openai|gemini
        "model": "",
        "backup_provider": "",
        "daily_token_budget": 200000,
        "handoff_after_unanswered": 2,
    },
    # Opening hours per ISO weekday (1=Monday..7=Sunday) in the business's time zone; [] = closed.
    "hours": {
        "1": ["08:00", "17:00"],
        "2": ["08:00", "17:00"],
        "3": ["08:00", "17:00"],
        "4": ["08:00", "17:00"],
        "5": ["08:00", "17:00"],
        "6": ["08:00", "17:00"],
        "7": [],
    },
    "pricing": {
        # Print shop prices in rupiah.
        "print_bw_per_page": 300,
        "print_color_per_page": 1500,
        "print_thesis_per_page": 500,
        "binding": {"none": 0, "staple": 2000, "spiral": 5000, "hardcover": 15000},
        "express_surcharge_pct": 50,
    },
    "shipping": {
        "origin_city": "",
        # Free shipping when the order subtotal reaches min_subtotal and the destination is in cities.
        "free_shipping": {"min_subtotal": 0, "cities": []},
    },
    "orders": {"payment_expiry_hours": 24, "allow_preorder": True, "preorder_dp_pct": 50},
    "loyalty": {
        "enabled": True,
        "rupiah_per_point": 1000,
        "points_per_redeem": 100,
        "redeem_value": 10000,
        "expiry_months": 12,
    },
    "modules": {"print": False},  # optional dashboard modules; a print shop turns `print` on
    "channels": {
        "buffer_seconds": 2.0,
        "ignore_groups": True,
        "per_number_per_minute": 20,
        "daily_cap": 1000,
        "allowed_origins": [],  # widget: sites allowed to embed it; [] = any site
        "whatsapp_gateway": "",  # waha|fonnte|starsender; "" = first configured
        "max_media_mb": 20,  # inbound files above this are refused with a note to the customer
        "widget_per_visitor_per_minute": 12,
        "widget_per_ip_per_minute": 60,
    },
}


def _copy(v: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars), several times cheaper than `copy.deepcopy`
    (settings are merged on every agent turn)."""
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    if isinstance(v, (str, int, float, bool, type(None))):
        return v
    return copy.deepcopy(v)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = _copy(base)
    for k, v in (over or {}).items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def business_settings(business: Any) -> dict[str, Any]:
    return _merge(DEFAULT_SETTINGS, business.settings or {})


def merged_section(business: Any, key: str) -> dict[str, Any]:
    """`business_settings(business)[key]` for one section (a dict in DEFAULT_SETTINGS), without copying the
    rest of the tree."""
    over = (business.settings or {}).get(key)
    base = DEFAULT_SETTINGS[key]
    return _merge(base, over) if isinstance(over, dict) else (_copy(base) if over is None else over)


def business_profile(business: Any) -> dict[str, Any]:
    return _merge(DEFAULT_PROFILE, business.profile or {})
