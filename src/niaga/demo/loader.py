"""Demo data for `niaga init --demo`: Rizquna.id (Islamic bookshop + print shop, Yogyakarta), Batik
Sekar (batik shop with a year of transactions for RFM) and SmartCopy (thesis print/copy shop with its price
list). Idempotent: a second run updates in place and
leaves exactly one copy of every business, user, product, rate, document, customer and transaction.

Owners `owner@<slug>.demo` and staff `staff@<slug>.demo` get the password from NIAGA_DEMO_PASSWORD, or a
generated one printed once when the users are created.
"""

from __future__ import annotations

import os
import secrets
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

import niaga.db.models  # noqa: F401 (every table, so foreign keys resolve in a fresh process)
from niaga.catalog.importer import import_file
from niaga.db.engine import session_scope
from niaga.settings import get_settings
from niaga.tenancy import service as tenancy
from niaga.tenancy.models import Business

_HOURS_MON_SAT = {str(d): ["08:00", "17:00"] for d in range(1, 7)} | {"7": []}

RIZQUNA: dict[str, Any] = {
    "slug": "rizquna",
    "name": "Rizquna.id",
    "profile": {
        "address": "Jl. Kaliurang Km 5 No. 12, Sleman, Yogyakarta 55281",
        "city": "Yogyakarta",
        "description": "Penerbit dan percetakan buku Islami di Yogyakarta: Al-Quran, buku Islam, buku anak, "
        "perlengkapan haji dan umroh, serta jasa cetak, print, fotokopi dan jilid.",
    },
    "settings": {
        "agent": {
            "persona_name": "Asisten Rizquna",
            "greeting": "Assalamualaikum",
            "tone": "ramah",
            "address_customer_as": "kak",
        },
        "hours": _HOURS_MON_SAT,
        "pricing": {
            "print_bw_per_page": 300,
            "print_color_per_page": 1500,
            "print_thesis_per_page": 500,
            "binding": {"none": 0, "staple": 2000, "spiral": 5000, "hardcover": 15000},
            "express_surcharge_pct": 50,
        },
        "shipping": {
            "origin_city": "Yogyakarta",
            "free_shipping": {"min_subtotal": 200000, "cities": ["Yogyakarta", "Sleman"]},
        },
        "loyalty": {
            "enabled": True,
            "rupiah_per_point": 1000,
            "points_per_redeem": 100,
            "redeem_value": 10000,
            "expiry_months": 12,
        },
    },
    "files": [
        ("products", "rizquna_products.csv"),
        ("knowledge", "rizquna_knowledge.md"),
        ("shipping-rates", "shipping_rates.csv"),
    ],
}

BATIK_SEKAR: dict[str, Any] = {
    "slug": "batik-sekar",
    "name": "Batik Sekar",
    "profile": {
        "city": "Yogyakarta",
        "description": "Toko batik tulis, batik cap, pakaian dan aksesoris batik.",
    },
    "settings": {
        "agent": {
            "persona_name": "Asisten Batik Sekar",
            "greeting": "Halo",
            "tone": "ramah",
            "address_customer_as": "kak",
        },
        "hours": _HOURS_MON_SAT,
        "shipping": {"origin_city": "Yogyakarta", "free_shipping": {"min_subtotal": 0, "cities": []}},
    },
    "files": [
        ("products", "batik_sekar_products.csv"),
        ("shipping-rates", "shipping_rates.csv"),
        ("customers", "batik_sekar_customers.csv"),
        ("transactions", "batik_sekar_transactions.csv"),
    ],
}

SMARTCOPY: dict[str, Any] = {
    "slug": "smartcopy",
    "name": "SmartCopy",
    "profile": {
        "address": "Jl. Kampus Contoh No. 7, Kota Contoh Raya",
        "city": "Yogyakarta",
        "description": "Fotokopi, print dan jilid skripsi lewat WhatsApp: format naskah dirapikan sesuai template "
        "kampus, dicek kualitasnya, dicetak dan dijilid hard cover / soft cover / spiral.",
    },
    "settings": {
        "agent": {
            "persona_name": "Asisten SmartCopy",
            "greeting": "Halo",
            "tone": "ramah",
            "address_customer_as": "kak",
        },
        "hours": _HOURS_MON_SAT,
        "printshop": {"default_template": "skripsi"},
        "modules": {"print": True},  # the print queue (Antrean cetak) in the dashboard
    },
    "files": [],
    "printshop_prices": "default",
}

DEMO_BUSINESSES = (RIZQUNA, BATIK_SEKAR, SMARTCOPY)


def _printshop_prices(db: Session, business: Business) -> str:
    """The print shop's price list (printshop.pricing.DEFAULT_PRICES), created or refreshed in place."""
    from niaga.printshop.models import PrintPriceList
    from niaga.printshop.pricing import DEFAULT_PRICES

    row = (
        db.query(PrintPriceList)
        .filter(PrintPriceList.business_id == business.id, PrintPriceList.name == "default")
        .first()
    )
    if row is None:
        db.add(PrintPriceList(business_id=business.id, name="default", prices=dict(DEFAULT_PRICES)))
        return "  printshop: daftar harga dibuat"
    row.prices = dict(DEFAULT_PRICES)
    return "  printshop: daftar harga diperbarui"


def _demo_file(name: str) -> bytes:
    return resources.files("niaga.demo").joinpath(name).read_bytes()


def _business(db: Session, spec: dict[str, Any]) -> tuple[Business, bool]:
    existing = db.query(Business).filter(Business.slug == spec["slug"]).first()
    if existing is None:
        return tenancy.create_business(
            db,
            slug=spec["slug"],
            name=spec["name"],
            timezone="Asia/Jakarta",
            profile=spec["profile"],
            settings=spec["settings"],
        ), True
    tenancy.update_business(
        db, existing, name=spec["name"], profile=spec["profile"], settings=spec["settings"]
    )
    return existing, False


def load_demo() -> list[str]:
    """Create or refresh the demo businesses; returns the lines to print (including credentials)."""
    settings = get_settings()
    password = settings.demo_password or os.environ.get("NIAGA_DEMO_PASSWORD")
    generated = password is None
    password = password or secrets.token_urlsafe(9)
    lines: list[str] = []
    created_users: list[str] = []
    existing_users: list[str] = []
    with session_scope() as db:
        for spec in DEMO_BUSINESSES:
            business, is_new = _business(db, spec)
            lines.append(f"{'dibuat' if is_new else 'diperbarui'}: bisnis {business.slug} ({business.name})")
            for role in ("owner", "staff"):
                email = f"{role}@{business.slug}.demo"
                user = tenancy.get_user_by_email(db, email)
                if user is None:
                    # NIAGA_DEMO_PASSWORD is the operator's explicit choice for a local demo: no length rule.
                    user = tenancy.create_user(
                        db,
                        email=email,
                        password=password,
                        name=f"{role.title()} {business.name}",
                        min_length=1,
                    )
                    created_users.append(email)
                else:
                    existing_users.append(email)
                tenancy.add_member(db, user=user, business=business, role=role)
            for kind, filename in spec["files"]:
                report = import_file(
                    db,
                    kind=kind,
                    business_id=business.id,
                    data=_demo_file(filename),
                    filename=filename,
                    actor_type="system",
                )
                reasons: dict[str, int] = {}
                for err in report.errors:
                    reasons[err["reason"]] = reasons.get(err["reason"], 0) + 1
                skipped = (
                    (
                        f", {report.rejected} dilewati ("
                        + ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items()))
                        + ")"
                    )
                    if reasons
                    else ""
                )
                lines.append(
                    f"  {kind}: {report.rows} baris — {report.created} baru, "
                    f"{report.updated} diperbarui{skipped}"
                )
            if spec.get("printshop_prices"):
                lines.append(_printshop_prices(db, business))
            db.flush()
    base = settings.public_url.rstrip("/")
    lines.append(f"Login: {base}/login  (API: POST {base}/api/v1/auth/login)")
    if created_users:
        lines.append("Akun demo: " + ", ".join(created_users))
        if generated:
            lines.append(f"Kata sandi (dibuat acak, simpan sekarang — tidak ditampilkan lagi): {password}")
        else:
            lines.append(f"Kata sandi: {password} (dari NIAGA_DEMO_PASSWORD)")
    if existing_users:
        lines.append("Akun sudah ada, kata sandi tidak diubah: " + ", ".join(existing_users))
    return lines
