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


def test_a_new_process_reads_stored_documents_instead_of_analysing(db, rizquna) -> None:  # type: ignore[no-untyped-def]
    """ORM writes store each product's analysed document in their own transaction; a process without the
    index (here: the cache dropped) builds it by reading them — no product is analysed again — and ranks
    exactly as an index analysed from the text. A document stored for other text is not trusted."""
    from niaga.catalog.models import ProductSearchDoc

    bid = rizquna.id
    n_products = db.scalar(sa.select(sa.func.count()).select_from(Product).where(Product.business_id == bid))
    stored = db.scalar(
        sa.select(sa.func.count()).select_from(ProductSearchDoc).where(ProductSearchDoc.business_id == bid)
    )
    assert stored == n_products > 0  # the demo catalogue was written through the ORM
    queries = ["peci hitam", "quran tajwid", "sajadah", "buku doa harian", "mukena"]

    active = db.scalar(
        sa.select(sa.func.count()).select_from(Product).where(Product.business_id == bid, Product.is_active)
    )

    def fresh_ranking() -> tuple[list[list[str]], int]:
        db.commit()  # a new transaction and no index in the process: as a process that just started
        search.invalidate(bid)
        before = search.analysed
        ranking = [_skus(db, bid, q) for q in queries]
        return ranking, search.analysed - before

    from_docs, analysed = fresh_ranking()
    assert analysed == 0
    db.execute(sa.delete(ProductSearchDoc).where(ProductSearchDoc.business_id == bid))
    from_text, analysed = fresh_ranking()
    assert analysed == active and from_text == from_docs
    assert search.store_docs(db, business_id=bid) == n_products
    assert search.store_docs(db, business_id=bid) == 0  # nothing missing or stale any more
    db.commit()

    # A rename through the ORM stores the new document with the new name; a price change stores nothing.
    peci = _product(db, bid, "RQ-PECI-001")
    old = db.get(ProductSearchDoc, peci.id)
    assert old is not None and "peci" in old.terms
    old_sig, old_peci = old.sig, old.terms["peci"]
    peci.price += 1000
    db.commit()
    db.expire_all()
    assert db.get(ProductSearchDoc, peci.id).sig == old_sig  # type: ignore[union-attr]
    peci.name = "Kopiah Beludru Hitam"
    db.commit()
    db.expire_all()
    doc = db.get(ProductSearchDoc, peci.id)
    assert doc is not None and doc.sig != old_sig and "kopiah" in doc.terms
    assert doc.terms["peci"] < old_peci  # no longer in the name (still in its category and description)

    # The stored terms are what the index reads while the signature matches the product's fields (terms
    # written by hand here, to tell them apart); a signature of other fields is not trusted.
    db.execute(
        sa.update(ProductSearchDoc)
        .where(ProductSearchDoc.product_id == peci.id)
        .values(terms={"zirkon": 3.0})
    )
    db.commit()
    search.invalidate(bid)
    before = search.analysed
    assert _skus(db, bid, "zirkon") == ["RQ-PECI-001"] and search.analysed == before
    db.execute(sa.update(ProductSearchDoc).where(ProductSearchDoc.product_id == peci.id).values(sig="stale"))
    db.commit()
    search.invalidate(bid)
    assert _skus(db, bid, "zirkon") == [] and _skus(db, bid, "kopiah beludru")[0] == "RQ-PECI-001"
    assert search.analysed == before + 1


def test_hard_deletes_leave_the_index(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The freshness check reads only the last update on most lookups (one index seek); counting the products,
    which notices a hard delete, happens at once after this process deletes one and every COUNT_TTL_S
    seconds for other processes' deletes."""
    monkeypatch.setattr(search, "KEY_TTL_S", 0.0)
    bid = rizquna.id
    search.invalidate(bid)
    assert _skus(db, bid, "peci hitam")[0] == "RQ-PECI-001"
    db.commit()
    db.delete(_product(db, bid, "RQ-PECI-001"))  # this process, through the ORM: at once
    db.commit()
    assert "RQ-PECI-001" not in _skus(db, bid, "peci hitam")
    db.commit()
    # Another process deletes with plain SQL (no ORM event here): noticed when the count is read again.
    top = _skus(db, bid, "quran")[0]
    db.commit()
    db.execute(sa.delete(Product).where(Product.business_id == bid, Product.sku == top))
    db.commit()
    assert _skus(db, bid, "quran")[0] == top  # within COUNT_TTL_S: still indexed (never loaded for a reply)
    db.commit()
    monkeypatch.setattr(search, "COUNT_TTL_S", 0.0)
    assert top not in _skus(db, bid, "quran")


def test_documents_of_another_analyser_version_are_analysed_again(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A niaga version that analyses text differently (slang, stemming, field weights) does not reuse the
    documents the previous one stored: its index analyses the products again, and `refresh_docs` (run by
    `niaga migrate` and `niaga init`) stores them for the next process."""
    bid = rizquna.id
    active = db.scalar(
        sa.select(sa.func.count()).select_from(Product).where(Product.business_id == bid, Product.is_active)
    )
    db.commit()
    search.invalidate(bid)
    before = search.analysed
    _skus(db, bid, "peci hitam")
    assert search.analysed == before  # this version's documents are read

    monkeypatch.setattr(search, "ANALYZER_VERSION", "another-analyser")  # as after an upgrade
    db.commit()
    search.invalidate(bid)
    before = search.analysed
    assert _skus(db, bid, "peci hitam")[0] == "RQ-PECI-001"
    assert search.analysed - before == active  # none of the stored documents was trusted
    stored = search.refresh_docs(db)
    assert stored >= active and search.refresh_docs(db) == 0
    db.commit()
    search.invalidate(bid)
    before = search.analysed
    assert _skus(db, bid, "peci hitam")[0] == "RQ-PECI-001" and search.analysed == before


def test_the_analyser_version_follows_the_analyser() -> None:
    """It is a digest of the analyser's code and the field weights: stable within a version, different when
    either changes."""
    assert search._analyzer_version() == search.ANALYZER_VERSION
    weights = dict(search._field_weights)
    try:
        search._field_weights["name"] = weights["name"] + 1
        assert search._analyzer_version() != search.ANALYZER_VERSION
    finally:
        search._field_weights.clear()
        search._field_weights.update(weights)
