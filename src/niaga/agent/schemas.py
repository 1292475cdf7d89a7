from __future__ import annotations

from pydantic import Field

from niaga.kit.strict import StrictIn


class TurnIn(StrictIn):
    channel: str = Field("api", min_length=1, max_length=20)
    sender: str = Field(..., min_length=1, max_length=128)
    text: str = Field("", max_length=20000)
    name: str | None = Field(None, max_length=200)
    provider_message_id: str | None = Field(None, max_length=200)


class EmbeddingsIn(StrictIn):
    """An OpenAI-compatible `/embeddings` endpoint for hybrid retrieval; `api_key` omitted or "" keeps the
    stored one; `is_enabled=false` switches hybrid retrieval off (lexical only)."""

    base_url: str = Field(..., min_length=1, max_length=300)
    model: str = Field(..., min_length=1, max_length=200)
    api_key: str | None = Field(None, max_length=500)
    timeout: float | None = Field(None, gt=0, le=120)
    min_similarity: float | None = Field(None, gt=0, lt=1)
    is_enabled: bool = True
