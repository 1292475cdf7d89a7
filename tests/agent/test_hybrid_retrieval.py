"""Hybrid retrieval (issue 15): an OpenAI-compatible `/embeddings` endpoint per business, vectors kept
fresh by the `embeddings.sync` job, fused with the lexical ranking by reciprocal rank fusion.

The fake embeddings server stands in for a real model with a tiny "meaning" table: words that mean the
same thing share a topic dimension ("alas sholat" and "sajadah" are both the prayer-mat topic), every other
word lands on a hashed dimension with a small weight. So the synonym query is findable only by the vector
side: the catalogue never contains the words "alas" or "sholat"."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from niaga.catalog import embedding_tasks
from niaga.catalog import search as catalog_search
from niaga.integrations.models import ProviderConfig
from niaga.integrations.openai_compat import fake as ofake
from niaga.jobs.models import Job
from niaga.kit.crypto import encrypt_json
from niaga.knowledge import embeddings
from niaga.knowledge import search as knowledge_search
from niaga.knowledge.models import Embedding
from niaga.ops import metrics
from tests.factories import auth, make_user

DIM = 48
# The fake model's knowledge of meaning: word -> topic.
TOPICS = {
    "sajadah": "prayer_mat",
    "alas": "prayer_mat",
    "sholat": "prayer_mat",
    "shalat": "prayer_mat",
    "mukena": "prayer_robe",
    "telekung": "prayer_robe",
    "peci": "cap",
    "kopiah": "cap",
    "songkok": "cap",
    "retur": "returns",
    "tukar": "returns",
    "penukaran": "returns",
    "kembalikan": "returns",
    "dikembalikan": "returns",
    "refund": "returns",
}
TOPIC_DIMS = {t: i for i, t in enumerate(sorted(set(TOPICS.values())))}


def fake_vector(text: str) -> list[float]:
    v = [0.0] * DIM
    for w in re.findall(r"[a-z]+", text.lower()):
        topic = TOPICS.get(w)
        if topic is not None:
            v[TOPIC_DIMS[topic]] += 1.0
        else:
            h = int(hashlib.md5(w.encode()).hexdigest(), 16)
            v[len(TOPIC_DIMS) + h % (DIM - len(TOPIC_DIMS))] += 0.2
    n = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / n for x in v]


@pytest.fixture(autouse=True)
def _fresh_vectors() -> Iterator[None]:
    embeddings.invalidate()
    yield
    embeddings.invalidate()


@pytest.fixture
def emb_server() -> Iterator[ofake.FakeOpenAI]:
    with ofake.FakeOpenAI(api_key="sk-emb", embedder=fake_vector) as server:
        yield server


def _configure(db, business, url: str, **extra: Any) -> None:  # type: ignore[no-untyped-def]
    db.add(
        ProviderConfig(
            business_id=business.id,
            kind="embeddings",
            config={"base_url": url + "/v1", "model": "fake-embed", **extra},
            secrets=encrypt_json({"api_key": "sk-emb"}),
        )
    )
    db.commit()


def _sync(db, business) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Run the job as a worker would (its own session), then start a fresh transaction here."""
    db.commit()
    counts = embedding_tasks.sync_business(business.id)
    db.commit()
    return counts


def _ranking(db, bid: int, query: str, limit: int = 5) -> list[tuple[int, float]]:  # type: ignore[no-untyped-def]
    return [
        (h.product_id, h.score)
        for h in catalog_search.search_products(db, business_id=bid, query=query, limit=limit)
    ]


QUERIES = ["harga mukena", "peci hitam", "quran", "sajadah travel", "buku anak", "alas sholat", "atlas"]


def test_sync_embeds_changed_rows_only(rizquna, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    _configure(db, rizquna, emb_server.url)
    n_products = len(catalog_search.get_index(db, business_id=rizquna.id).by_sku)
    n_docs = len(knowledge_search.get_index(db, business_id=rizquna.id).ids)
    first = _sync(db, rizquna)
    assert first["embedded"] == n_products + n_docs and first["deleted"] == 0
    assert first["requests"] == math.ceil((n_products + n_docs) / embeddings.BATCH_SIZE)
    req = emb_server.requests[0]
    assert req["path"] == "/v1/embeddings" and req["headers"]["authorization"] == "Bearer sk-emb"
    assert req["json"]["model"] == "fake-embed" and isinstance(req["json"]["input"], list)
    rows = db.scalars(sa.select(Embedding).where(Embedding.business_id == rizquna.id)).all()
    assert len(rows) == n_products + n_docs
    assert all(r.dim == DIM and len(r.vector) == 4 * DIM and r.model == "fake-embed" for r in rows)

    sent = len(emb_server.requests)
    again = _sync(db, rizquna)
    assert again == {"embedded": 0, "deleted": 0, "unchanged": n_products + n_docs, "requests": 0}
    assert len(emb_server.requests) == sent  # unchanged text is never re-sent

    from niaga.catalog.models import Product

    peci = db.scalars(sa.select(Product).where(Product.sku == "RQ-PECI-001")).one()
    peci.description = (peci.description or "") + " Bahan beludru."
    saj = db.scalars(sa.select(Product).where(Product.sku == "RQ-SAJ-002")).one()
    saj.price = saj.price + 1000  # not embedded text: no new vector
    mukena = db.scalars(sa.select(Product).where(Product.name.like("Mukena%"))).first()
    assert mukena is not None
    mukena.is_active = False
    db.commit()
    third = _sync(db, rizquna)
    assert third["embedded"] == 1 and third["deleted"] == 1 and third["requests"] == 1
    assert emb_server.requests[-1]["json"]["input"][0].startswith(peci.name)


def test_without_endpoint_rankings_are_the_lexical_ones(rizquna, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    before = {q: _ranking(db, rizquna.id, q) for q in QUERIES}
    kb_before = {
        q: [
            (h.document_id, h.score, h.sentences)
            for h in knowledge_search.search_knowledge(db, business_id=rizquna.id, query=q)
        ]
        for q in ("jam buka", "bisa retur?", "uang kembali")
    }
    assert before["harga mukena"] and before["peci hitam"]
    _configure(db, rizquna, emb_server.url)
    _sync(db, rizquna)
    assert _ranking(db, rizquna.id, "alas sholat") != before["alas sholat"]  # hybrid is on
    # Switched off: exactly the lexical rankings again, and the endpoint is not asked.
    row = db.scalars(sa.select(ProviderConfig).where(ProviderConfig.kind == "embeddings")).one()
    row.is_enabled = False
    db.commit()
    sent = len(emb_server.requests)
    assert {q: _ranking(db, rizquna.id, q) for q in QUERIES} == before
    for q, hits in kb_before.items():
        got = knowledge_search.search_knowledge(db, business_id=rizquna.id, query=q)
        assert [(h.document_id, h.score, h.sentences) for h in got] == hits
    assert len(emb_server.requests) == sent


def test_synonym_is_found_only_by_the_vector_side(rizquna, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    lexical = catalog_search.search_products(db, business_id=rizquna.id, query="alas sholat", limit=5)
    assert not any(h.name.startswith("Sajadah") for h in lexical)
    _configure(db, rizquna, emb_server.url)
    _sync(db, rizquna)
    hybrid = catalog_search.search_products(db, business_id=rizquna.id, query="alas sholat", limit=5)
    sajadah = [h for h in hybrid if h.name.startswith("Sajadah")]
    assert sajadah and sajadah[0].semantic and sajadah[0].similarity is not None
    assert hybrid[0].name.startswith("Sajadah")
    # A lexical match keeps its place: the exact product name still ranks first.
    assert _ranking(db, rizquna.id, "sajadah travel")[0][0] == next(
        h.product_id for h in hybrid if h.sku == "RQ-SAJ-002"
    )


def test_knowledge_search_fuses_the_vector_ranking(rizquna, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    q = "kalau barangnya mau dikembalikan gimana"
    lexical = knowledge_search.search_knowledge(db, business_id=rizquna.id, query=q, limit=3)
    assert not any("Retur" in h.title for h in lexical)
    _configure(db, rizquna, emb_server.url)
    _sync(db, rizquna)
    hybrid = knowledge_search.search_knowledge(db, business_id=rizquna.id, query=q, limit=3)
    top = [h for h in hybrid if "Retur" in h.title]
    assert top and top[0].similarity is not None and top[0].sentences


def test_agent_answers_a_price_question_by_meaning(rizquna, chat, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    before = chat(rizquna, "6283000101", "berapa harga alas sholat?")
    assert (
        before.intent == "price_check" and "tidak tersedia" in before.reply and "Rp95.000" not in before.reply
    )
    _configure(db, rizquna, emb_server.url)
    _sync(db, rizquna)
    t = chat(rizquna, "6283000102", "berapa harga alas sholat?")
    assert t.intent == "price_check" and "tidak tersedia" not in t.reply, t.reply
    assert "Sajadah Turki Tebal — Rp95.000" in t.reply and "Sajadah Travel Lipat — Rp39.000" in t.reply


def test_provider_failure_falls_back_to_lexical(rizquna, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    before = {q: _ranking(db, rizquna.id, q) for q in QUERIES}
    _configure(db, rizquna, emb_server.url)
    _sync(db, rizquna)
    embeddings.invalidate()  # forget cached query vectors
    emb_server.embed_failure = ofake.server_error(503)
    counter = metrics.provider_errors.labels(provider="embeddings", kind="LLMError")
    errors = counter._value.get()
    sent = len(emb_server.requests)
    assert {q: _ranking(db, rizquna.id, q) for q in QUERIES} == before
    assert counter._value.get() == errors + 1
    assert len(emb_server.requests) == sent + 1  # then lexical only for a while, without asking again
    # A slow endpoint is cut off by the short query timeout, and the answer is the lexical one.
    emb_server.embed_failure = ofake.Reply(200, {"data": []}, delay=embeddings.QUERY_TIMEOUT_S + 1)
    embeddings.invalidate()
    assert _ranking(db, rizquna.id, "peci hitam") == before["peci hitam"]


def test_sync_job_retries_on_provider_errors(rizquna, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    from niaga.jobs.registry import PermanentError, RetryLater

    _configure(db, rizquna, emb_server.url)
    emb_server.embed_failure = ofake.server_error(500)
    with pytest.raises(RetryLater):
        embedding_tasks.sync(rizquna.id)
    emb_server.embed_failure = ofake.Reply(401, {"error": {"message": "bad key", "code": "invalid_api_key"}})
    with pytest.raises(PermanentError):
        embedding_tasks.sync(rizquna.id)
    assert db.scalar(sa.select(sa.func.count(Embedding.id))) == 0


def test_embeddings_api_is_admin_only_and_strict(rizquna, db, client, emb_server) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(db, business=rizquna, role="admin")
    staff = make_user(db, business=rizquna, role="staff")
    db.commit()
    body = {"base_url": emb_server.url + "/v1", "model": "fake-embed", "api_key": "sk-emb"}
    assert client.put("/api/v1/ai/embeddings", json=body, headers=auth(staff, rizquna)).status_code == 403
    bad = client.put("/api/v1/ai/embeddings", json={**body, "timeout": "3"}, headers=auth(admin, rizquna))
    assert bad.status_code == 422
    bad_url = client.put(
        "/api/v1/ai/embeddings", json={**body, "base_url": "ftp://x"}, headers=auth(admin, rizquna)
    )
    assert bad_url.status_code == 422 and "http" in bad_url.text
    r = client.put("/api/v1/ai/embeddings", json=body, headers=auth(admin, rizquna))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["model"] == "fake-embed" and data["has_api_key"] and "sk-emb" not in r.text
    db.expire_all()
    assert db.scalars(sa.select(Job).where(Job.name == "embeddings.sync")).first() is not None
    # The key stays when it is not sent again.
    r = client.put("/api/v1/ai/embeddings", json={**body, "api_key": None}, headers=auth(admin, rizquna))
    assert r.json()["data"]["has_api_key"]
    g = client.get("/api/v1/ai/embeddings", headers=auth(admin, rizquna))
    assert g.status_code == 200 and g.json()["data"]["base_url"] == emb_server.url + "/v1"


def test_settings_screen_saves_the_endpoint(client, world, db) -> None:  # type: ignore[no-untyped-def]
    from tests.web.helpers import login, post_form

    login(client, "admin@a.test")
    bad = post_form(
        client,
        "/app/pengaturan/ai",
        "/app/pengaturan/ai/embeddings",
        {"emb_base_url": "127.0.0.1:11434", "emb_model": "", "emb_enabled": "1"},
    )
    assert bad.status_code == 422 and "Harus alamat http" in bad.text and "wajib diisi" in bad.text
    r = post_form(
        client,
        "/app/pengaturan/ai",
        "/app/pengaturan/ai/embeddings",
        {
            "emb_base_url": "http://127.0.0.1:11434/v1/",
            "emb_model": "nomic-embed-text",
            "emb_api_key": "sk-rahasia-emb",
            "emb_enabled": "1",
        },
    )
    assert r.status_code == 303
    html = client.get("/app/pengaturan/ai").text
    assert "sk-rahasia-emb" not in html and "nomic-embed-text" in html
    db.expire_all()
    cfg = embeddings.load_config(db, business_id=world.a.id)
    assert cfg is not None and cfg.base_url == "http://127.0.0.1:11434/v1" and cfg.api_key == "sk-rahasia-emb"
    assert db.scalars(sa.select(Job).where(Job.name == "embeddings.sync")).first() is not None
    login(client, "staff@a.test")
    denied = post_form(
        client,
        "/app",
        "/app/pengaturan/ai/embeddings",
        {"emb_base_url": "http://x", "emb_model": "m", "emb_enabled": "1"},
    )
    assert denied.status_code in (303, 403)
    db.expire_all()
    assert embeddings.load_config(db, business_id=world.a.id).model == "nomic-embed-text"  # type: ignore[union-attr]


def test_vectors_refresh_when_rows_change_and_threads_share_them(rizquna, db, emb_server) -> None:  # type: ignore[no-untyped-def]
    import threading

    from niaga.catalog.models import Product
    from niaga.db.engine import new_session

    _configure(db, rizquna, emb_server.url)
    _sync(db, rizquna)
    names = {h.sku for h in catalog_search.search_products(db, business_id=rizquna.id, query="alas sholat")}
    assert {"RQ-SAJ-001", "RQ-SAJ-002"} <= names

    errors: list[BaseException] = []
    seen: list[set[str]] = []

    def worker() -> None:
        s = new_session()
        try:
            for _ in range(15):
                hits = catalog_search.search_products(s, business_id=rizquna.id, query="alas sholat")
                seen.append({h.sku for h in hits})
                s.rollback()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    p = db.scalars(sa.select(Product).where(Product.sku == "RQ-SAJ-001")).one()
    p.name, p.category, p.tags = "Karpet Turki Tebal", "Karpet", ["karpet"]
    p.description = "Karpet motif Turki tebal dan lembut."
    loads = embeddings.loads
    counts = _sync(db, rizquna)
    for t in threads:
        t.join()
    assert not errors and len(seen) == 60 and all("RQ-SAJ-002" in s for s in seen)
    assert counts["embedded"] == 1
    after = {h.sku for h in catalog_search.search_products(db, business_id=rizquna.id, query="alas sholat")}
    assert "RQ-SAJ-002" in after and "RQ-SAJ-001" not in after  # its new vector is no prayer mat
    assert embeddings.loads > loads
