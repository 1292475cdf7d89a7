"""Per-business price lists and itemised quotes in integer rupiah.

A price list (`PrintPriceList.prices`) looks like DEFAULT_PRICES: per-page prices by paper size and colour,
a duplex discount, binding per copy, cover colours (standard ones free, others with a surcharge), a photo
page (straightened photo / ID card copy), express surcharge and a minimum charge. All money is integer
rupiah; percentages are applied with round-half-up to whole rupiah.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from niaga.printshop.errors import PrintshopInputError

DEFAULT_PRICES: dict[str, Any] = {
    "per_page": {
        "A4": {"bw": 300, "colour": 1500},
        "F4": {"bw": 350, "colour": 1700},
        "A3": {"bw": 1000, "colour": 3500},
    },
    "paper_gsm_surcharge_per_page": {"70": 0, "80": 0, "100": 100},
    "duplex_discount_pct": 10,
    "binding": {"hard cover": 35000, "soft cover": 12000, "spiral": 8000, "staple": 1000},
    "cover_colours": ["biru dongker", "hitam", "merah marun", "hijau tua", "biru muda", "kuning", "abu-abu"],
    "custom_cover_colour_surcharge": 5000,
    "photo_page": 2000,
    "express_surcharge_pct": 50,
    "minimum_charge": 5000,
}

BINDING_ALIASES = {
    "hardcover": "hard cover",
    "hard cover": "hard cover",
    "jilid keras": "hard cover",
    "softcover": "soft cover",
    "soft cover": "soft cover",
    "jilid lunak": "soft cover",
    "spiral": "spiral",
    "ring": "spiral",
    "staple": "staple",
    "steples": "staple",
    "stapler": "staple",
    "none": "none",
    "tanpa": "none",
    "": "none",
}


@dataclass
class QuoteRequest:
    bw_pages: int = 0
    colour_pages: int = 0
    photo_pages: int = 0
    copies: int = 1
    paper_size: str = "A4"
    paper_gsm: int | None = None
    duplex: bool = False
    binding: str | None = None
    cover_colour: str | None = None
    express: bool = False


@dataclass
class Quote:
    items: list = field(default_factory=list)
    subtotal: int = 0
    total: int = 0
    notes: list = field(default_factory=list)

    def add(self, code: str, label: str, qty: int, unit: int) -> None:
        if qty and unit:
            amount = int(qty) * int(unit)
            self.items.append(
                {"code": code, "label": label, "qty": int(qty), "unit_price": int(unit), "amount": amount}
            )

    def as_dict(self) -> dict:
        return {
            "currency": "IDR",
            "items": self.items,
            "subtotal": self.subtotal,
            "total": self.total,
            "notes": self.notes,
        }


def _pct(amount: int, pct: float) -> int:
    return int((amount * pct + 50) // 100) if pct else 0


def normalise_binding(value: str | None) -> str:
    if value is None:
        return "none"
    key = " ".join(str(value).lower().replace("-", " ").split())
    return BINDING_ALIASES.get(key, BINDING_ALIASES.get(key.replace(" ", ""), key))


def validate_prices(prices: dict) -> dict:
    """Defaults for missing keys; integers >= 0 everywhere money appears."""
    merged = copy.deepcopy(DEFAULT_PRICES)
    for k, v in (prices or {}).items():
        merged[k] = v
    for size, row in merged["per_page"].items():
        for mode in ("bw", "colour"):
            if not isinstance(row.get(mode), int) or row[mode] < 0:
                raise PrintshopInputError("bad_price_list", f"Harga per halaman {size} {mode} tidak valid.")
    for name, price in merged["binding"].items():
        if not isinstance(price, int) or price < 0:
            raise PrintshopInputError("bad_price_list", f"Harga jilid '{name}' tidak valid.")
    for gsm, price in (merged.get("paper_gsm_surcharge_per_page") or {}).items():
        if not isinstance(price, int) or price < 0:
            raise PrintshopInputError("bad_price_list", f"Tambahan kertas {gsm} gram tidak valid.")
    for key in ("custom_cover_colour_surcharge", "photo_page", "minimum_charge"):
        if not isinstance(merged.get(key), int) or merged[key] < 0:
            raise PrintshopInputError("bad_price_list", f"Harga '{key}' tidak valid.")
    for key in ("duplex_discount_pct", "express_surcharge_pct"):
        if not isinstance(merged.get(key), int) or not 0 <= merged[key] <= (
            100 if key.startswith("duplex") else 500
        ):
            raise PrintshopInputError("bad_price_list", f"Persentase '{key}' tidak valid.")
    return merged


def quote(prices: dict, req: QuoteRequest) -> Quote:
    p = validate_prices(prices)
    q = Quote()
    if req.copies < 1 or req.copies > 1000:
        raise PrintshopInputError("bad_quantity", "Jumlah rangkap harus antara 1 dan 1000.")
    if min(req.bw_pages, req.colour_pages, req.photo_pages) < 0:
        raise PrintshopInputError("bad_quantity", "Jumlah halaman tidak boleh negatif.")
    size = (req.paper_size or "A4").upper()
    row = p["per_page"].get(size)
    if row is None:
        raise PrintshopInputError(
            "unknown_paper",
            f"Ukuran kertas {size} tidak tersedia di daftar harga.",
            available=sorted(p["per_page"]),
        )
    duplex_note = " bolak-balik" if req.duplex else ""
    bw_unit = row["bw"] - _pct(row["bw"], p["duplex_discount_pct"]) if req.duplex else row["bw"]
    col_unit = row["colour"] - _pct(row["colour"], p["duplex_discount_pct"]) if req.duplex else row["colour"]
    q.add(
        f"print_bw_{size}",
        f"Cetak hitam-putih {size}{duplex_note} ({req.bw_pages} hlm x {req.copies} rangkap)",
        req.bw_pages * req.copies,
        bw_unit,
    )
    q.add(
        f"print_colour_{size}",
        f"Cetak berwarna {size}{duplex_note} ({req.colour_pages} hlm x {req.copies} rangkap)",
        req.colour_pages * req.copies,
        col_unit,
    )
    q.add(
        "photo_page",
        f"Foto/KTP dirapikan ke kertas ({req.photo_pages} hlm x {req.copies} rangkap)",
        req.photo_pages * req.copies,
        p["photo_page"],
    )
    if req.paper_gsm is not None:
        gsm_extra = int(p["paper_gsm_surcharge_per_page"].get(str(req.paper_gsm), 0))
        pages = (req.bw_pages + req.colour_pages + req.photo_pages) * req.copies
        q.add(f"paper_{req.paper_gsm}gsm", f"Tambahan kertas {req.paper_gsm} gram", pages, gsm_extra)
    binding = normalise_binding(req.binding)
    if binding != "none":
        price = p["binding"].get(binding)
        if price is None:
            raise PrintshopInputError(
                "unknown_binding",
                f"Jenis jilid '{req.binding}' tidak tersedia.",
                available=sorted(p["binding"]),
            )
        q.add(
            f"binding_{binding.replace(' ', '_')}",
            f"Jilid {binding} ({req.copies} rangkap)",
            req.copies,
            price,
        )
        colour = (req.cover_colour or "").strip().lower()
        if colour and colour not in [c.lower() for c in p["cover_colours"]]:
            q.add(
                "cover_colour_custom",
                f"Warna sampul khusus: {colour}",
                req.copies,
                p["custom_cover_colour_surcharge"],
            )
    q.subtotal = sum(i["amount"] for i in q.items)
    total = q.subtotal
    if req.express:
        extra = _pct(q.subtotal, p["express_surcharge_pct"])
        q.add("express", f"Ekspres (+{p['express_surcharge_pct']}%)", 1, extra)
        total += extra
    if total < p["minimum_charge"]:
        q.add("minimum_charge", "Penyesuaian biaya minimum", 1, p["minimum_charge"] - total)
        q.notes.append(f"Biaya minimum Rp{p['minimum_charge']:,}".replace(",", "."))
        total = p["minimum_charge"]
    q.total = total
    return q


def request_from_intake(intake: dict, **overrides: Any) -> QuoteRequest:
    """Pages and options of an intake (the cover letter's order details) as a quote request."""
    order = intake.get("order", {})
    letter = intake.get("cover_letter")
    mode = order.get("colour_mode", "mixed")
    bw = colour = photos = 0
    for f in intake.get("files", []):
        if f["name"] == letter or f["kind"] == "rejected":
            continue
        if f["kind"] == "image":
            photos += int(f["pages"])
            continue
        n_col = len(f.get("colour_pages", []))
        if mode == "bw":
            bw += int(f["pages"])
        elif mode == "colour":
            colour += int(f["pages"])
        else:
            colour += n_col
            bw += int(f["pages"]) - n_col
    req = QuoteRequest(
        bw_pages=bw,
        colour_pages=colour,
        photo_pages=photos,
        copies=int(order.get("copies") or 1),
        paper_size=order.get("paper_size", "A4"),
        paper_gsm=order.get("paper_gsm"),
        duplex=bool(order.get("duplex")),
        binding=order.get("binding"),
        cover_colour=order.get("cover_colour"),
        express=bool(order.get("express")),
    )
    for k, v in overrides.items():
        if v is not None:
            setattr(req, k, v)
    return req


def active_price_list(session: Any, business_id: int) -> Any:
    """The business's price list in use (a `PrintPriceList` row, or None): the active list named "default",
    else the oldest active one. The agent's quotes, the print-job pipeline and the settings page all go
    through here, so they can never price from different lists."""
    from sqlalchemy import select

    from niaga.printshop.models import PrintPriceList

    return session.scalars(
        select(PrintPriceList)
        .where(PrintPriceList.business_id == business_id, PrintPriceList.is_active.is_(True))
        .order_by((PrintPriceList.name == "default").desc(), PrintPriceList.id)
        .limit(1)
    ).first()


def save_price_list(session: Any, business_id: int, prices: dict) -> Any:
    """Store `prices` (checked by `validate_prices`; raises PrintshopInputError) as the business's price list
    in use, creating the "default" list when there is none. Returns the row."""
    from niaga.printshop.models import PrintPriceList

    checked = validate_prices(prices)
    row = active_price_list(session, business_id)
    if row is None:
        row = PrintPriceList(business_id=business_id, name="default", prices=checked, is_active=True)
        session.add(row)
    else:
        row.prices = checked
    session.flush()
    return row


def price_list_for(session: Any, business_id: int) -> dict:
    row = active_price_list(session, business_id)
    if row is None:
        raise PrintshopInputError("no_price_list", "Bisnis ini belum memiliki daftar harga cetak.")
    return dict(row.prices)


def quote_for_intake(session: Any, business_id: int, intake: dict, **overrides: Any) -> dict:
    """Service function: an intake result -> itemised quote (integer rupiah) from the business's price list."""
    q = quote(price_list_for(session, business_id), request_from_intake(intake, **overrides))
    return q.as_dict()


def quote_cli(
    paths: list[Path],
    *,
    business: str,
    pages: int | None,
    colour_pages: int,
    copies: int | None,
    binding: str | None,
    paper: str | None,
    duplex: bool,
    express: bool,
) -> dict:
    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.tenancy.service import get_business_by_slug

    intake = None
    if paths:
        from niaga.printshop.intake import intake_order

        intake = intake_order(paths)
    try:
        with session_scope() as s:
            b = get_business_by_slug(s, business)
            prices = price_list_for(s, b.id)
    except AppError as exc:
        raise PrintshopInputError(
            "business_not_found", f"{exc.message} Jalankan `niaga init --demo` dulu?"
        ) from exc
    except Exception as exc:  # no database yet
        if isinstance(exc, PrintshopInputError):
            raise
        raise PrintshopInputError(
            "no_database", "Database belum siap; jalankan `niaga init --demo`."
        ) from exc
    if intake is not None:
        req = request_from_intake(
            intake, copies=copies, binding=binding, duplex=duplex or None, express=express or None
        )
    elif pages is None and not colour_pages:
        raise PrintshopInputError("nothing_to_quote", "Berikan berkas pesanan atau --pages/--colour-pages.")
    else:
        req = QuoteRequest(
            bw_pages=pages or 0,
            colour_pages=colour_pages,
            copies=copies or 1,
            binding=binding,
            duplex=duplex,
            express=express,
        )
    if paper:
        req.paper_size = paper.upper()
    out = {"business": business, **quote(prices, req).as_dict(), "request": req.__dict__}
    if intake is not None:
        out["intake"] = {
            k: intake[k] for k in ("files", "order", "attachments_in_letter_order", "output", "pages")
        }
    return out
