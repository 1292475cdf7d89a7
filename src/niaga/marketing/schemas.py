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


class RfmSettingsIn(StrictIn):
    """The business's marketing settings (replaced as a whole; missing parts take their defaults)."""

    model_config = ConfigDict(extra="forbid")

    rfm_method: str = Field("quantile", description="quantile (default) or bins")
    rfm_bins: dict[str, list[int]] | None = Field(
        None,
        description="Upper bin edges (inclusive), four increasing numbers each: recency (days), "
        "frequency (purchases), monetary (rupiah)",
    )
    weekly: dict[str, bool | int] | None = Field(
        None,
        description="Weekly snapshot and report: enabled, weekday (1 = Monday … 7), hour (0-23, business time)",
    )
    report: dict[str, bool | str | list[str]] | None = Field(
        None, description="Report recipients: email (list), telegram (admin chat, bool), whatsapp (number)"
    )
