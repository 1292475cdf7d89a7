from __future__ import annotations

from pydantic import Field

from niaga.kit.strict import StrictIn


class StaffReplyIn(StrictIn):
    text: str = Field(..., min_length=1, max_length=4000)


class TakeoverIn(StrictIn):
    reason: str = Field("staff", max_length=100)
