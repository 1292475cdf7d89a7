"""Load the shared catalogue fixtures (Rizquna, Batik Sekar) into a database for agent tests.

Run as a script to fill a NIAGA_HOME for the agent_eval tool before the demo loader exists:
    NIAGA_HOME=/tmp/agenthome .venv/bin/python -m tests.agent.demo_data
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from niaga.catalog.models import Product, ShippingRate
from niaga.knowledge.models import KnowledgeDocument
from niaga.tenancy import service as tenancy
from niaga.tenancy.models import Business

# Only files in the repository (tests/fixtures/README.md): the catalogue copies shipped with the demo loader and
# the agent's development cases.
_ROOT = Path(__file__).resolve().parents[2]
CATALOG = _ROOT / "src" / "niaga" / "demo"
AGENT_CASES = _ROOT / "tests" / "fixtures" / "agent" / "dev.jsonl"

RIZQUNA_PROFILE = {
    "address": "Jl. Kaliurang Km 5 No. 12, Sleman, Yogyakarta 55281",
    "city": "Yogyakarta",
    "phone": "6281234567890",
}
RIZQUNA_SETTINGS: dict[str, Any] = {
    "agent": {"persona_name": "Asisten Rizquna", "greeting": "Assalamualaikum"},
    "shipping": {
        "origin_city": "Yogyakarta",
        "free_shipping": {"min_subtotal": 200000, "cities": ["Yogyakarta", "Sleman"]},
    },
}


def available() -> bool:
    return (CATALOG / "rizquna_products.csv").exists()


def load_products(db: Session, business: Business, path: Path) -> int:
    n = 0
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            db.add(
                Product(
                    business_id=business.id,
                    sku=row["sku"],
                    name=row["name"],
                    category=row["category"] or None,
                    description=row["description"] or "",
                    price=int(row["price"]),
                    sale_price=int(row["sale_price"]) if row["sale_price"] else None,
                    stock=int(row["stock"]) if row["stock"] else None,
                    weight_g=int(row["weight_g"]) if row["weight_g"] else None,
                    tags=[t.strip() for t in row["tags"].split(";") if t.strip()],
                    attributes=json.loads(row["attributes"] or "{}"),
                )
            )
            n += 1
    db.flush()
    return n


def load_knowledge(db: Session, business: Business, path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    n = 0
    for m in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        db.add(
            KnowledgeDocument(business_id=business.id, title=m.group(1).strip(), content=m.group(2).strip())
        )
        n += 1
    db.flush()
    return n


def load_rates(db: Session, business: Business, path: Path) -> int:
    n = 0
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            db.add(
                ShippingRate(
                    business_id=business.id,
                    origin_city=row["origin_city"],
                    destination_city=row["destination_city"],
                    courier=row["courier"],
                    service=row["service"],
                    price_per_kg=int(row["price_per_kg"]),
                    etd_days=row["etd_days"] or None,
                )
            )
            n += 1
    db.flush()
    return n


def load_rizquna(db: Session, *, slug: str = "rizquna") -> Business:
    b = tenancy.create_business(
        db,
        slug=slug,
        name="Rizquna.id",
        profile=dict(RIZQUNA_PROFILE),
        settings=json.loads(json.dumps(RIZQUNA_SETTINGS)),
    )
    load_products(db, b, CATALOG / "rizquna_products.csv")
    load_knowledge(db, b, CATALOG / "rizquna_knowledge.md")
    load_rates(db, b, CATALOG / "shipping_rates.csv")
    db.commit()
    return b


def load_batik(db: Session, *, slug: str = "batik-sekar") -> Business:
    b = tenancy.create_business(
        db,
        slug=slug,
        name="Batik Sekar",
        profile={"city": "Yogyakarta"},
        settings={"shipping": {"origin_city": "Yogyakarta"}},
    )
    load_products(db, b, CATALOG / "batik_sekar_products.csv")
    load_rates(db, b, CATALOG / "shipping_rates.csv")
    db.commit()
    return b


if __name__ == "__main__":  # pragma: no cover - developer helper
    from niaga.db.engine import session_scope
    from niaga.db.migrate import upgrade

    upgrade()
    with session_scope() as s:
        if tenancy.get_business_by_slug.__doc__ is not None:
            pass
        from sqlalchemy import select

        if s.scalars(select(Business).where(Business.slug == "rizquna")).first() is None:
            load_rizquna(s)
            load_batik(s)
    print("loaded")


def print_shop(db: Session, slug: str) -> Any:
    """A business with the default print price list (`printshop.pricing.DEFAULT_PRICES`), committed."""
    from niaga.printshop.models import PrintPriceList
    from niaga.printshop.pricing import DEFAULT_PRICES
    from tests.factories import make_business

    shop = make_business(db, slug=slug)
    db.add(PrintPriceList(business_id=shop.id, name="default", prices=dict(DEFAULT_PRICES)))
    db.commit()
    return shop


def rupiah(n: int) -> str:
    """An amount as the replies write it: 12500 -> '12.500'."""
    return f"{n:,}".replace(",", ".")
