"""Inbound media rules shared by every channel: the business's size limit, the notice a customer gets for a
file that is too large, and a safe local file name."""

from __future__ import annotations

import re

from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business


def safe_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return name[:100] or "file"


def max_media_bytes(business: Business) -> int:
    mb = business_settings(business).get("channels", {}).get("max_media_mb", 20)
    try:
        return int(float(mb) * 1024 * 1024)
    except (TypeError, ValueError):
        return 20 * 1024 * 1024


def too_large_notice(filename: str, limit: int) -> str:
    return (
        f'Mohon maaf kak, file "{filename}" terlalu besar (maksimal {limit // (1024 * 1024)} MB) '
        "sehingga belum bisa kami terima. Silakan kirim file yang lebih kecil, atau bagikan lewat "
        "link Google Drive ya."
    )
