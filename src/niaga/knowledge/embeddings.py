"""Vector side of retrieval (issue 15, "hybrid retrieval"): a business may configure an OpenAI-compatible
`/embeddings` endpoint (a `ProviderConfig` of kind "embeddings": config {base_url, model, timeout,
min_similarity}, secrets {api_key}). The job `embeddings.sync` (`niaga.catalog.embedding_tasks`) embeds the
business's active products and knowledge documents whose text changed (sha256 of the text sent) and stores
the vectors as float32 bytes in `Embedding` rows.

At search time `query_scores` embeds the question (short timeout, cached) and scores it by cosine against
the business's vectors, loaded once into a normalised numpy matrix per (business, kind) and reloaded when
the rows change. The catalogue and knowledge searches fuse that ranking with their lexical one by
reciprocal rank fusion (`rrf`, k=60). No endpoint, no vectors, or any provider error → None: the lexical
path runs exactly as without embeddings (errors are logged and counted in
`niaga_provider_errors_total{provider="embeddings"}`).

The embedding client is a port (`EMBEDDERS`), filled by `niaga.integrations.registry` with the
OpenAI-compatible client: domains never import a provider.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from niaga.db.savepoints import in_savepoint
from niaga.kit.crypto import decrypt_json
from niaga.kit.ports import Port
from niaga.knowledge.models import Embedding
from niaga.ops import metrics
from niaga.ops.logging import get_logger
from niaga.tenancy.models import ProviderConfig

log = get_logger("niaga.embeddings")

PROVIDER_KIND = "embeddings"
RRF_K = 60  # reciprocal rank fusion constant (Cormack et al. 2009)
QUERY_TIMEOUT_S = 2.0  # a customer's turn never waits longer than this for the query's vector
SYNC_TIMEOUT_S = 30.0
BATCH_SIZE = 64  # texts per /embeddings request in the sync job
MAX_TEXT_CHARS = 2000  # what is sent per row (a long policy's opening carries its subject)
# A vector hit at least this similar to the question counts as naming what the customer asked for (the
# agent may answer about it though no word matched). Models differ in scale: a business may override it
# (`config.min_similarity`).
DEFAULT_MIN_SIMILARITY = 0.6
KEY_TTL_S = 1.0
# After a failed query embedding the business searches lexically for this long without asking again, so
# an endpoint that is down costs one short timeout, not one per search of every turn.
FAILURE_BACKOFF_S = 30.0


class Embedder(Protocol):
    model: str

    def embed(self, texts: Sequence[str], *, timeout: float) -> list[list[float]]: ...


# "openai_compat" -> factory(base_url=, api_key=, model=, timeout=) -> Embedder; filled at start-up.
EMBEDDERS: Port[Callable[..., Embedder]] = Port("embeddings")


@dataclass(frozen=True)
class EmbedConfig:
    business_id: int
    base_url: str
    model: str
    api_key: str
    timeout: float
    min_similarity: float


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clip(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT_CHARS]


def to_bytes(vec: Sequence[float]) -> bytes:
    return np.asarray(vec, dtype="<f4").tobytes()


def from_bytes(raw: bytes, dim: int) -> np.ndarray:
    arr = np.frombuffer(raw, dtype="<f4")
    if arr.shape[0] != dim:
        raise ValueError(f"stored vector has {arr.shape[0]} values, dim says {dim}")
    return arr


def load_config(db: Session, *, business_id: int) -> EmbedConfig | None:
    row = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id,
            ProviderConfig.kind == PROVIDER_KIND,
            ProviderConfig.is_enabled.is_(True),
        )
    ).first()
    if row is None:
        return None
    conf = row.config or {}
    if not conf.get("base_url") or not conf.get("model"):
        return None
    return EmbedConfig(
        business_id=business_id,
        base_url=str(conf["base_url"]),
        model=str(conf["model"]),
        api_key=str(decrypt_json(row.secrets).get("api_key") or ""),
        timeout=float(conf.get("timeout") or SYNC_TIMEOUT_S),
        min_similarity=float(conf.get("min_similarity") or DEFAULT_MIN_SIMILARITY),
    )


def client(cfg: EmbedConfig, *, timeout: float | None = None) -> Embedder:
    factory = EMBEDDERS.get("openai_compat")
    return factory(
        base_url=cfg.base_url, api_key=cfg.api_key, model=cfg.model, timeout=timeout or cfg.timeout
    )


# --- the per-business matrices --------------------------------------------------------------------------


@dataclass
class VectorSet:
    key: tuple[Any, ...]
    ref_ids: np.ndarray  # int64, one per row of `matrix`
    matrix: np.ndarray  # float32 (n, dim), rows of unit length
    model: str


@dataclass
class _State:
    """What one business's searches need, re-checked at most every KEY_TTL_S seconds."""

    checked: float
    config: EmbedConfig | None
    sets: dict[str, VectorSet]


_lock = threading.Lock()  # guards the dicts below; loads happen outside it and are swapped in whole
_state: dict[int, _State] = {}
_queries: OrderedDict[tuple[int, str, str], np.ndarray] = OrderedDict()
_failed_until: dict[int, float] = {}
_QUERY_CACHE = 512
loads = 0  # matrix loads in this process (tests read it)


def _set_key(db: Session, business_id: int, kind: str, model: str) -> tuple[Any, ...]:
    row = db.execute(
        sa.select(sa.func.count(Embedding.id), sa.func.max(Embedding.updated_at)).where(
            Embedding.business_id == business_id, Embedding.kind == kind, Embedding.model == model
        )
    ).one()
    return (int(row[0]), str(row[1]), model)


def _load_set(db: Session, business_id: int, kind: str, model: str, key: tuple[Any, ...]) -> VectorSet:
    global loads
    rows = db.execute(
        sa.select(Embedding.ref_id, Embedding.dim, Embedding.vector)
        .where(Embedding.business_id == business_id, Embedding.kind == kind, Embedding.model == model)
        .order_by(Embedding.ref_id)
    ).all()
    dims = {r.dim for r in rows}
    if len(dims) > 1:  # a model that changed its output size: keep the most common size only
        common = max(dims, key=lambda d: sum(1 for r in rows if r.dim == d))
        rows = [r for r in rows if r.dim == common]
    matrix: np.ndarray = np.zeros((0, 0), dtype=np.float32)
    if rows:
        raw = np.vstack([from_bytes(r.vector, r.dim) for r in rows]).astype(np.float32)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        matrix = (raw / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    loads += 1
    return VectorSet(
        key=key, ref_ids=np.array([r.ref_id for r in rows], dtype=np.int64), matrix=matrix, model=model
    )


def vector_set(db: Session, *, business_id: int, kind: str) -> tuple[EmbedConfig, VectorSet] | None:
    """The business's configuration and its current vectors of `kind`; None when it has none."""
    now = time.monotonic()
    with _lock:
        st = _state.get(business_id)
    if st is None or now - st.checked >= KEY_TTL_S:
        cfg = load_config(db, business_id=business_id)
        old = st.sets if st is not None else {}
        st = _State(checked=now, config=cfg, sets={})
        if cfg is not None:
            for k in ("product", "knowledge"):
                key = _set_key(db, business_id, k, cfg.model)
                prev = old.get(k)
                st.sets[k] = (
                    prev
                    if prev is not None and prev.key == key
                    else _load_set(db, business_id, k, cfg.model, key)
                )
        with _lock:
            _state[business_id] = st
    vs = st.sets.get(kind)
    if st.config is None or vs is None or len(vs.ref_ids) == 0:
        return None
    return st.config, vs


def _query_vector(cfg: EmbedConfig, query: str) -> np.ndarray | None:
    ck = (cfg.business_id, cfg.model, query)
    with _lock:
        hit = _queries.get(ck)
        if hit is not None:
            _queries.move_to_end(ck)
            return hit
        if _failed_until.get(cfg.business_id, 0.0) > time.monotonic():
            return None
    try:
        vec = client(cfg, timeout=QUERY_TIMEOUT_S).embed([query], timeout=QUERY_TIMEOUT_S)[0]
        q = np.asarray(vec, dtype=np.float32)
    except Exception as exc:  # any provider failure: the lexical ranking stands alone
        metrics.provider_errors.labels(provider=PROVIDER_KIND, kind=type(exc).__name__).inc()
        log.warning("embeddings.query_failed", business_id=cfg.business_id, error=str(exc)[:200])
        with _lock:
            _failed_until[cfg.business_id] = time.monotonic() + FAILURE_BACKOFF_S
        return None
    norm = float(np.linalg.norm(q))
    if norm == 0 or not np.isfinite(norm):
        return None
    q = q / norm
    with _lock:
        _queries[ck] = q
        while len(_queries) > _QUERY_CACHE:
            _queries.popitem(last=False)
    return q


@dataclass
class VectorScores:
    ref_ids: np.ndarray
    cosine: np.ndarray  # aligned with ref_ids
    min_similarity: float

    def top(self, k: int, allowed: Callable[[int], bool] | None = None) -> list[tuple[int, float]]:
        """The k most similar refs (best first, ties by id), optionally only those `allowed`."""
        # ref_ids are ascending (loaded in id order), so a stable sort breaks ties by id
        order = np.argsort(-self.cosine, kind="stable")
        out: list[tuple[int, float]] = []
        for j in order.tolist():
            rid = int(self.ref_ids[j])
            if allowed is None or allowed(rid):
                out.append((rid, float(self.cosine[j])))
                if len(out) >= k:
                    break
        return out


def query_scores(db: Session, *, business_id: int, kind: str, query: str) -> VectorScores | None:
    """Cosine of the question against every stored vector of `kind`; None = lexical only."""
    if not query.strip():
        return None
    found = vector_set(db, business_id=business_id, kind=kind)
    if found is None:
        return None
    cfg, vs = found
    q = _query_vector(cfg, query)
    if q is None:
        return None
    if q.shape[0] != vs.matrix.shape[1]:
        metrics.provider_errors.labels(provider=PROVIDER_KIND, kind="dimension").inc()
        log.warning("embeddings.dimension_mismatch", business_id=business_id, query=q.shape[0])
        return None
    return VectorScores(ref_ids=vs.ref_ids, cosine=vs.matrix @ q, min_similarity=cfg.min_similarity)


def rrf(rankings: Iterable[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: each ranking adds 1/(k + rank) (rank from 1) to the items it lists."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def invalidate(business_id: int | None = None) -> None:
    with _lock:
        if business_id is None:
            _state.clear()
            _queries.clear()
            _failed_until.clear()
        else:
            _state.pop(business_id, None)
            _failed_until.pop(business_id, None)
            for ck in [ck for ck in _queries if ck[0] == business_id]:
                del _queries[ck]


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if in_savepoint(session):
        return
    for business_id in session.info.pop("niaga.embeddings.dirty", ()):
        invalidate(business_id)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: Any) -> None:
    for o in (*session.new, *session.dirty, *session.deleted):
        if isinstance(o, Embedding) or (isinstance(o, ProviderConfig) and o.kind == PROVIDER_KIND):
            session.info.setdefault("niaga.embeddings.dirty", set()).add(o.business_id)
