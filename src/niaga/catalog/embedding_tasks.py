"""The embedding job: a business's active products and knowledge documents, embedded when their text
changes (see `niaga.knowledge.embeddings`).

`embeddings.sync(business_id)` compares each row's text hash with the stored one and sends only the changed
texts, in batches of `BATCH_SIZE`, committing after each batch (a crash resumes where it stopped); rows no
longer active are deleted. It is enqueued when the endpoint is configured and every few minutes by
`embeddings.sweep` for each business with an endpoint (a sweep that finds nothing changed sends nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.catalog.models import Product
from niaga.db.engine import session_scope
from niaga.jobs.registry import PermanentError, RetryLater, periodic, task
from niaga.jobs.runner import enqueue
from niaga.kit.providers import LLMError
from niaga.knowledge import embeddings as emb
from niaga.knowledge.models import Embedding, KnowledgeDocument
from niaga.ops.logging import get_logger
from niaga.tenancy.models import ProviderConfig

log = get_logger("niaga.embeddings")


def product_text(p: Any) -> str:
    attrs = " ".join(f"{k} {v}" for k, v in sorted((p.attributes or {}).items()) if isinstance(v, str | int))
    parts = [p.name, p.category or "", " ".join(str(t) for t in p.tags or ()), attrs, p.description or ""]
    return emb.clip(". ".join(x for x in parts if x))


def knowledge_text(d: Any) -> str:
    return emb.clip(f"{d.title}. {d.content}")


def wanted_texts(db: Session, business_id: int) -> dict[tuple[str, int], str]:
    """(kind, ref_id) -> the text to embed, for every active product and knowledge document."""
    out: dict[tuple[str, int], str] = {}
    for p in db.execute(
        sa.select(
            Product.id, Product.name, Product.category, Product.tags, Product.attributes, Product.description
        ).where(Product.business_id == business_id, Product.is_active.is_(True))
    ):
        out[("product", p.id)] = product_text(p)
    for d in db.execute(
        sa.select(KnowledgeDocument.id, KnowledgeDocument.title, KnowledgeDocument.content).where(
            KnowledgeDocument.business_id == business_id, KnowledgeDocument.is_active.is_(True)
        )
    ):
        out[("knowledge", d.id)] = knowledge_text(d)
    return out


def sync_business(business_id: int) -> dict[str, int]:
    """Embed what changed; returns counts {embedded, deleted, unchanged, requests}."""
    with session_scope() as db:
        cfg = emb.load_config(db, business_id=business_id)
        if cfg is None:
            return {"embedded": 0, "deleted": 0, "unchanged": 0, "requests": 0}
        wanted = wanted_texts(db, business_id)
        stored = {
            (r.kind, r.ref_id): (r.id, r.text_hash, r.model)
            for r in db.execute(
                sa.select(
                    Embedding.id, Embedding.kind, Embedding.ref_id, Embedding.text_hash, Embedding.model
                ).where(Embedding.business_id == business_id)
            )
        }
        gone = [row_id for key, (row_id, _, _) in stored.items() if key not in wanted]
        for n in range(0, len(gone), 500):
            db.execute(sa.delete(Embedding).where(Embedding.id.in_(gone[n : n + 500])))
    todo = [
        (key, text)
        for key, text in sorted(wanted.items())
        if key not in stored or stored[key][1] != emb.text_hash(text) or stored[key][2] != cfg.model
    ]
    client = emb.client(cfg)
    requests = 0
    for n in range(0, len(todo), emb.BATCH_SIZE):
        batch = todo[n : n + emb.BATCH_SIZE]
        try:
            vectors = client.embed([t for _, t in batch], timeout=cfg.timeout)
        except LLMError as exc:
            log.warning("embeddings.sync_failed", business_id=business_id, error=str(exc)[:200])
            if exc.retryable:
                raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
            raise PermanentError(str(exc)) from exc
        requests += 1
        now = datetime.now(UTC)
        with session_scope() as db:
            existing = {
                (r.kind, r.ref_id): r
                for r in db.scalars(
                    sa.select(Embedding).where(
                        Embedding.business_id == business_id,
                        Embedding.ref_id.in_([k[1] for k, _ in batch]),
                    )
                )
            }
            for ((kind, ref_id), text), vec in zip(batch, vectors, strict=True):
                row = existing.get((kind, ref_id))
                if row is None:
                    row = Embedding(business_id=business_id, kind=kind, ref_id=ref_id)
                    db.add(row)
                row.model, row.dim, row.text_hash = cfg.model, len(vec), emb.text_hash(text)
                row.vector = emb.to_bytes(vec)
                row.updated_at = now
    counts = {
        "embedded": len(todo),
        "deleted": len(gone),
        "unchanged": len(wanted) - len(todo),
        "requests": requests,
    }
    log.info("embeddings.synced", business_id=business_id, **counts)
    return counts


# A first sync of a large catalogue on a CPU-only model server can take long; each batch commits, so a run
# given up at its time limit is resumed by the next.
@task("embeddings.sync", max_attempts=6, base_delay=30.0, time_limit=3600.0)
def sync(shop_id: int) -> dict[str, int]:
    return sync_business(shop_id)


def request_sync(db: Session, *, business_id: int) -> None:
    """Queue a sync of the business (one per minute at most)."""
    minute = datetime.now(UTC).strftime("%Y%m%d%H%M")
    enqueue(
        db,
        "embeddings.sync",
        business_id=business_id,
        idempotency_key=f"embeddings.sync:{business_id}:{minute}",
        shop_id=business_id,
    )


@periodic("embeddings.sweep", minute="*/5")
def sweep() -> None:
    with session_scope() as db:
        ids = db.scalars(
            sa.select(ProviderConfig.business_id).where(
                ProviderConfig.kind == emb.PROVIDER_KIND, ProviderConfig.is_enabled.is_(True)
            )
        ).all()
        for business_id in ids:
            request_sync(db, business_id=business_id)
