"""The product index is updated in place when products change: a price or stock change rebuilds nothing, a
renamed, added or deactivated product is found (or not) at once, a rolled-back write leaves no trace, and a
write from another process (no ORM event here) is seen through the key's watermark."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.catalog import search
from niaga.catalog.models import Product
from niaga.kit.timeutil import utcnow


def _skus(db, business_id: int, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.sku for h in search.search_products(db, business_id=business_id, query=query, limit=5)]


def _product(db, business_id: int, sku: str) -> Product:  # type: ignore[no-untyped-def]
    return db.scalars(sa.select(Product).where(Product.business_id == business_id, Product.sku == sku)).one()


def test_index_follows_product_changes_without_rebuilding(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(search, "KEY_TTL_S", 0.0)
    bid = rizquna.id
    search.invalidate(bid)
    assert _skus(db, bid, "peci hitam")[0] == "RQ-PECI-001"
    db.commit()
    builds = search.builds

    peci = _product(db, bid, "RQ-PECI-001")
    peci.price, peci.stock = peci.price + 5000, 3  # price and stock: the text is unchanged
    db.commit()
    assert _skus(db, bid, "peci hitam")[0] == "RQ-PECI-001"

    peci.name = "Kopiah Beludru Hitam"
    db.commit()
    assert _skus(db, bid, "kopiah beludru")[0] == "RQ-PECI-001"

    db.add(Product(business_id=bid, sku="RQ-NEW-001", name="Tasbih Kokka Zaitun", price=55000, stock=4))
    db.commit()
    assert _skus(db, bid, "tasbih kokka")[0] == "RQ-NEW-001"

    _product(db, bid, "RQ-NEW-001").is_active = False
    db.commit()
    assert "RQ-NEW-001" not in _skus(db, bid, "tasbih kokka zaitun")
    assert search.builds == builds  # every change above was applied in place

    peci.name = "Kupluk Zirkonia"
    db.flush()
    assert _skus(db, bid, "kupluk zirkonia")[0] == "RQ-PECI-001"  # this transaction sees its write
    db.rollback()
    assert "RQ-PECI-001" not in _skus(db, bid, "kupluk zirkonia")  # … and after the rollback nobody does
    db.commit()

    # Another process renames a product with a plain UPDATE: seen through the key's watermark.
    db.execute(
        sa.update(Product)
        .where(Product.business_id == bid, Product.sku == "RQ-PECI-001")
        .values(name="Blangkon Solo Wiron", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.commit()
    assert _skus(db, bid, "blangkon wiron")[0] == "RQ-PECI-001"
