"""What the chat agent may know about a customer's standing: their RFM segment, used only to set the tone
of a greeting. The segment's name is internal and never appears in what the customer reads."""

from __future__ import annotations

from typing import Any

from niaga.marketing import service

# Valued customers coming back: thank them warmly. Valued customers who have drifted away: welcome back.
WARM = frozenset({"champions", "loyal_customers"})
MISSED = frozenset({"cant_lose_them", "at_risk"})


def customer_standing(db: Any, *, business_id: int, customer_id: int | None) -> dict[str, Any]:
    """{"segment": str | None, "tone": "warm" | "welcome_back" | "neutral"} from the latest snapshot."""
    row = (
        service.current_segment(db, business_id=business_id, customer_id=customer_id) if customer_id else None
    )
    segment = row.segment if row is not None else None
    tone = "warm" if segment in WARM else "welcome_back" if segment in MISSED else "neutral"
    return {"segment": segment, "tone": tone}


def welcome_back(ctx: Any, *, kak: str = "kak", en: bool = False) -> str:
    """A sentence to open the greeting with for a valued returning customer ("" otherwise). The tool call is
    recorded on the agent's context like any other tool."""
    standing = ctx.record(
        "customer_standing",
        {"customer_id": ctx.customer_id},
        customer_standing(ctx.db, business_id=ctx.business_id, customer_id=ctx.customer_id),
    )
    name = ctx.business.name
    if standing["tone"] == "warm":
        return (
            f"Great to hear from you again, thank you for always shopping with {name}!"
            if en
            else f"Senang sekali {kak} menghubungi kami lagi, terima kasih selalu belanja di {name}! 🙏"
        )
    if standing["tone"] == "welcome_back":
        return (
            f"Welcome back, we have missed you at {name}!"
            if en
            else f"Wah, senang sekali {kak} mampir lagi ke {name}, sudah lama kami kangen! 🙏"
        )
    return ""
