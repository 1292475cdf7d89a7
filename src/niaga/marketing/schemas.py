"""API shapes of the RFM endpoints."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from niaga.kit.strict import StrictIn


class RfmCalculateIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(
        None, strict=False, description="YYYY-MM-DD; default today in the business's time zone"
    )
    method: str | None = Field(None, pattern="^(quantile|bins)$", description="quantile (default) or bins")
    include_customers: bool = Field(False, description="Also return every customer's figures and scores")


class TransactionRefundIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    amount: int | None = Field(None, description="Rupiah to refund; empty = the whole transaction")
