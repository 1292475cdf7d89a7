"""Per-business structures cached across a process's turns (the cities a business ships to, the knowledge
index's freshness key) follow writes: at once for this process's ORM writes (the writing session sees its
own rows, a rollback leaves no trace), within the TTL for another process's plain SQL."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from niaga.agent.tools import ToolContext, _cities, known_cities
from niaga.catalog.models import ShippingRate
from niaga.db.engine import new_session
from niaga.knowledge import search as knowledge_search
from niaga.knowledge.models import KnowledgeDocument


def _rate(business_id: int, city: str) -> ShippingRate:
    return ShippingRate(
        business_id=business_id,
        origin_city="Yogyakarta",
        destination_city=city,
        courier="JNE",
        service="REG",
        price_per_kg=20000,
    )


def test_known_cities_cached_and_invalidated(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ctx = ToolContext(db=db, business=rizquna)
    before = known_cities(ctx)
    assert "ternate" not in before
    queries: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "shipping_rates" in statement:
            queries.append(statement)

    engine = db.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert known_cities(ctx) == before and not queries  # cached: no query
        db.add(_rate(rizquna.id, "Ternate"))
        db.flush()
        assert "ternate" in known_cities(ctx)  # this session sees its own write at once
        db.rollback()
        assert "ternate" not in known_cities(ToolContext(db=db, business=rizquna))  # … and no trace after
        db.add(_rate(rizquna.id, "Sorong"))
        db.commit()
        # Another thread (another request) sees the committed city at once.
        seen: dict[str, bool] = {}

        def other() -> None:
            s = new_session()
            try:
                seen["sorong"] = "sorong" in known_cities(ToolContext(db=s, business=s.merge(rizquna)))
            finally:
                s.close()

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert seen["sorong"]
        # A plain INSERT (another process: no ORM event here) is seen once the TTL has passed.
        db.execute(
            sa.insert(ShippingRate).values(
                business_id=rizquna.id,
                origin_city="Yogyakarta",
                destination_city="Kupang",
                courier="JNE",
                service="REG",
                price_per_kg=20000,
            )
        )
        db.commit()
        assert "kupang" not in known_cities(ToolContext(db=db, business=rizquna))  # within the TTL
        monkeypatch.setattr(_cities, "ttl", 0.0)
        assert "kupang" in known_cities(ToolContext(db=db, business=rizquna))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_knowledge_index_follows_a_new_document(db, rizquna) -> None:  # type: ignore[no-untyped-def]
    knowledge_search.search_knowledge(db, business_id=rizquna.id, query="jam buka", limit=1)
    db.add(
        KnowledgeDocument(
            business_id=rizquna.id,
            title="Layanan kaligrafi",
            content="Kami menerima pesanan kaligrafi nama untuk hadiah pernikahan.",
        )
    )
    db.commit()
    hits = knowledge_search.search_knowledge(db, business_id=rizquna.id, query="kaligrafi nama", limit=1)
    assert hits and hits[0].title == "Layanan kaligrafi"
