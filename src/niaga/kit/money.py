"""Money is integer rupiah everywhere. Parsing accepts what Indonesian users type and spreadsheets hold."""

from __future__ import annotations

import re
from datetime import date, datetime

_RP = re.compile(r"^(?:rp\.?|idr)\s*", re.I)


class ParseError(ValueError):
    """Carries a short reason suitable for an import report."""


# The largest amount any field accepts: Rp10 trillion, far beyond a small shop and well inside 64 bits.
MAX_RUPIAH = 10**13


def parse_rupiah(raw: object) -> int:
    """Parse `150000`, `Rp 1.250.000`, `1.250.000,00`, `1,250,000`, `150000.0`, `Rp150rb`.

    Raises ParseError("non-numeric amount") for text, ParseError("fractional rupiah") for sen.
    """
    if raw is None:
        raise ParseError("missing amount")
    if isinstance(raw, bool):
        raise ParseError("non-numeric amount")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ParseError("non-numeric amount")
        if abs(raw - round(raw)) > 1e-6:
            raise ParseError("fractional rupiah")
        return round(raw)
    s = str(raw).strip()
    if not s:
        raise ParseError("missing amount")
    neg = False
    if s.startswith("-"):
        neg, s = True, s[1:].strip()
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1].strip()
    s = _RP.sub("", s).replace(" ", "").replace("\u00a0", "")
    if s.startswith("-"):
        neg, s = True, s[1:]
    mult = 1
    m = re.fullmatch(r"([0-9.,]+)(rb|ribu|k|jt|juta)", s, re.I)
    if m:
        s = m.group(1)
        mult = 1000 if m.group(2).lower() in ("rb", "ribu", "k") else 1_000_000
    if not re.fullmatch(r"[0-9][0-9.,]*", s):
        raise ParseError("non-numeric amount")
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?", s):  # 1.250.000 / 1.250.000,00
        whole, _, frac = s.partition(",")
        value = float(whole.replace(".", "") + ("." + frac if frac else ""))
    elif re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", s):  # 1,250,000 / 1,250,000.00
        whole, _, frac = s.partition(".")
        value = float(whole.replace(",", "") + ("." + frac if frac else ""))
    elif re.fullmatch(r"[0-9]+(?:[.,][0-9]{1,2})?", s):  # 150000 / 150000.5 / 150000,00
        value = float(s.replace(",", "."))
    else:
        raise ParseError("non-numeric amount")
    value *= mult
    if abs(value - round(value)) > 1e-6:
        raise ParseError("fractional rupiah")
    out = round(value)
    return -out if neg else out


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")


def parse_date(raw: object) -> date:
    """Parse ISO `yyyy-mm-dd`, Indonesian `dd/mm/yyyy` (and `-`/`.` separators), Excel dates.

    Raises ParseError("missing date") or ParseError("invalid date").
    """
    if raw is None:
        raise ParseError("missing date")
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    s = str(raw).strip()
    if not s:
        raise ParseError("missing date")
    s = s.split("T")[0].split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ParseError("invalid date")


def format_rupiah(amount: int) -> str:
    """`Rp1.250.000` — the Indonesian way (dot thousands, no decimals)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")
