from __future__ import annotations

from pydantic import BaseModel, Field


class StaffReplyIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=4000)


class TakeoverIn(BaseModel):
    reason: str = Field("staff", max_length=100)
