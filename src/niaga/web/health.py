"""/healthz (alive), /readyz (database, queue, storage), /metrics (Prometheus)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from niaga.db.engine import get_engine
from niaga.jobs.queue import get_huey, queue_depth
from niaga.ops import metrics
from niaga.settings import get_settings

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


def readiness() -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with get_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            conn.execute(sa.text("SELECT count(*) FROM alembic_version"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}: {str(exc)[:200]}"
    try:
        huey = get_huey()
        huey.storage.queue_size()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"error: {type(exc).__name__}: {str(exc)[:200]}"
    try:
        s = get_settings()
        s.files_dir.mkdir(parents=True, exist_ok=True)
        probe = s.files_dir / f".probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()
        checks["storage"] = "ok"
    except Exception as exc:
        checks["storage"] = f"error: {type(exc).__name__}: {str(exc)[:200]}"
    return checks


@router.get("/readyz")
def readyz() -> JSONResponse:
    checks = readiness()
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "fail", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics")
def metrics_endpoint() -> Response:
    try:
        from niaga.db.engine import session_scope
        from niaga.operations.alerts import collect

        with session_scope() as db:
            collect(db)
    except Exception:
        pass
    try:
        metrics.queue_depth.labels("huey").set(queue_depth())
    except Exception:
        pass
    return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
