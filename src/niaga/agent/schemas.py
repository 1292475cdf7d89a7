from __future__ import annotations

from pydantic import Field

from niaga.kit.strict import StrictIn


class TurnIn(StrictIn):
    channel: str = Field("api", min_length=1, max_length=20)
    sender: str = Field(..., min_length=1, max_length=128)
    text: str = Field("", max_length=20000)
    name: str | None = Field(None, max_length=200)
    provider_message_id: str | None = Field(None, max_length=200)
