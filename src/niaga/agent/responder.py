"""The offline responder: natural Indonesian/English replies written from tool results only.

Rules: every amount and stock figure comes from a tool result of this turn (money as `Rp150.000`);
the customer is addressed as the business wants ("kak"); greeting style, persona and opening hours come
from the business settings; wording varies between turns (seeded per conversation and turn, so replies
are reproducible in tests) without changing any fact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from niaga.agent import messages
from niaga.kit.money import format_rupiah as rp


@dataclass
class Voice:
    """Persona and language for one reply."""

    lang: str
    business_name: str
    persona: str
    greeting: str
    address: str
    now: datetime
    hours: dict[str, list[str]]
    rng: random.Random
    first_turn: bool = False
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def en(self) -> bool:
        return self.lang == "en"

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def say(self, key: str, **fields: Any) -> str:
        """A message of the catalogue (agent/messages.py) in this conversation's language, one of its
        wordings picked for this turn, with the fields filled in."""
        options = messages.wordings(key, self.lang)
        text = options[0] if len(options) == 1 else self.rng.choice(options)
        return text.format(kak=self.kak, business=self.business_name, **fields)

    @property
    def kak(self) -> str:
        return "" if self.en else (self.address or "kak")

    def time_greeting(self) -> str:
        return self.say(messages.time_of_day(self.now.hour, self.lang))

    def day_name(self, weekday: int) -> str:
        """The day's name; `weekday` as `datetime.weekday()` (Monday 0)."""
        return self.say(f"day.{weekday + 1}")

    # --- opening hours -----------------------------------------------------------------------------

    def is_open(self) -> bool:
        span = self.hours.get(str(self.now.isoweekday())) or []
        if len(span) != 2:
            return False
        hm = self.now.strftime("%H:%M")
        return span[0] <= hm < span[1]

    def next_opening(self) -> str:
        """'hari ini pukul 08.00', 'besok pukul 08.00', 'Senin pukul 08.00'."""
        for add in range(0, 8):
            day = self.now + timedelta(days=add)
            span = self.hours.get(str(day.isoweekday())) or []
            if len(span) != 2:
                continue
            if add == 0 and self.now.strftime("%H:%M") >= span[0]:
                continue
            at = span[0].replace(":", ".")
            if add == 0:
                return self.say("hours.today_at", at=at)
            if add == 1:
                return self.say("hours.tomorrow_at", at=at)
            return self.say("hours.day_at", day=self.day_name(day.weekday()), at=at)
        return self.say("hours.next_working")

    def hours_text(self) -> str:
        """'Senin–Sabtu 08.00–17.00, Minggu tutup' from the settings."""
        groups: list[tuple[list[int], tuple[str, ...]]] = []
        for d in range(1, 8):
            span = tuple(self.hours.get(str(d)) or ())
            if groups and groups[-1][1] == span:
                groups[-1][0].append(d)
            else:
                groups.append(([d], span))
        parts = []
        for days, span in groups:
            first, last = self.day_name(days[0] - 1), self.day_name(days[-1] - 1)
            label = first if len(days) == 1 else f"{first}–{last}"
            if len(span) == 2:
                parts.append(f"{label} {span[0].replace(':', '.')}–{span[1].replace(':', '.')}")
            else:
                parts.append(f"{label} {self.say('hours.closed')}")
        return ", ".join(parts)

    def after_hours_note(self) -> str:
        if self.is_open():
            return ""
        return self.say("hours.after", when=self.next_opening())


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p).strip()


def product_line(v: Voice, p: dict[str, Any], *, with_stock: bool = False) -> str:
    price = rp(p["effective_price"])
    if p.get("on_sale"):
        price += f" ({v.say('product.line_normally', price=rp(p['price']))})"
    line = f"• {p['name']} — {price}"
    if with_stock and p.get("stock_tracked"):
        avail = p.get("available") or 0
        if avail <= 0:
            line += " — " + v.say("product.line_out")
    return line


def cta(v: Voice, kind: str) -> str:
    """The closing question: "order", "choose" or "more"."""
    return v.say(f"cta.{kind}")
