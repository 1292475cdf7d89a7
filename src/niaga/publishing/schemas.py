"""API shapes of the content studio, the calendar and broadcasts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from niaga.kit.strict import StrictIn


class GenerateIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        ...,
        max_length=30,
        description="ig_caption|tiktok_caption|wa_broadcast|promo_idea|product_description",
    )
    segment: str | None = Field(None, max_length=32)
    product: str | None = Field(None, max_length=64, description="product SKU")
    occasion: str | None = Field(None, max_length=40)
    instruction: str = Field("", max_length=500)
    regenerate: bool = False


class PosterIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    product: str = Field(..., max_length=64)
    format: str = Field("feed", pattern="^(feed|story)$")
    promo: str = Field("", max_length=300)
    allow_without_photo: bool = False


class VideoIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    products: list[str] = Field(..., min_length=1, max_length=12)
    seconds_per_slide: float = Field(3.0, ge=1.0, le=10.0)


class ItemIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    caption: str = Field("", max_length=70000)
    title: str = Field("", max_length=200)
    hashtags: list[str] = Field(default_factory=list, max_length=60)
    targets: list[str] = Field(..., min_length=1, max_length=4)
    media: list[str] = Field(
        default_factory=list, max_length=4, description="media tokens from /content/posters or /videos"
    )
    scheduled_at: datetime | None = Field(
        None, strict=False, description="ISO time; without a zone = business time"
    )
    segment: str | None = Field(None, max_length=32)
    product: str | None = Field(None, max_length=64)
    occasion: str | None = Field(None, max_length=40)


class ItemPatch(StrictIn):
    model_config = ConfigDict(extra="forbid")

    caption: str | None = Field(None, max_length=70000)
    title: str | None = Field(None, max_length=200)
    hashtags: list[str] | None = Field(None, max_length=60)
    targets: list[str] | None = Field(None, min_length=1, max_length=4)
    scheduled_at: datetime | None = Field(None, strict=False)


class DecisionIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(..., pattern="^(approve|reject|revise)$")
    reason: str | None = Field(None, max_length=1000)


class AccountIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    config: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict)
    is_enabled: bool = True


class AudienceIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    segment: str | None = Field(None, max_length=32)
    tag: str | None = Field(None, max_length=64)
    city: str | None = Field(None, max_length=100)


class BroadcastIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200)
    text: str = Field(..., max_length=5000)
    audience: AudienceIn
    consent_confirmed: bool = Field(
        False, description="the owner confirms customers who never wrote consented"
    )
