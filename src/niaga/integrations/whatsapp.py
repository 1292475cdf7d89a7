"""What the WhatsApp gateways (Fonnte, Starsender) share: the phone-number target they expect."""

from __future__ import annotations


def to_target(chat_id: str) -> str:
    """`6281234@c.us` / `+62 812-34` / `0812...` → digits with the country code, as Fonnte wants."""
    digits = "".join(ch for ch in chat_id.split("@", 1)[0] if ch.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits
