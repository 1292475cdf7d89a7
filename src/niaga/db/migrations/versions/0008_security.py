"""stored_files: files referenced by server-issued ids scoped to the business; payment proofs move from
client-given paths to file ids (issue 11, item 1)

Revision ID: 0008_security
Revises: 0007_rfm_rows_lean
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

from niaga.db.base import JSONType, UTCDateTime
from niaga.kit.timeutil import utcnow

revision = "0008_security"
down_revision = "0007_rfm_rows_lean"
branch_labels = None
depends_on = None


def _owned(root: Path, business_id: int, path: str) -> Path | None:
    """The file when `path` is one the server wrote for this business, else None (a path a client
    supplied that points at another business's file, or outside the files folder, is dropped)."""
    p = Path(path)
    full = (p if p.is_absolute() else root / p).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        return None
    rel = full.relative_to(root).parts
    if rel and rel[0] == str(business_id):
        return full
    if len(rel) > 1 and rel[0] in ("payments", "invoices") and rel[1] == str(business_id):
        return full
    return None


def _files_root() -> Path:
    from niaga.settings import get_settings

    return get_settings().files_dir.resolve()


def upgrade() -> None:
    files = op.create_table(
        "stored_files",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("business_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_stored_files_business_id_businesses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
    )
    op.create_index(op.f("ix_stored_files_business_id"), "stored_files", ["business_id"], unique=False)
    _convert_payment_proofs(files)


def _convert_payment_proofs(files: sa.Table) -> None:
    """Old proof entries held a path. Each path the server wrote for the payment's own business gets a
    stored_files row and the entry keeps only its id; any other path loses it (it is no longer served)."""
    conn = op.get_bind()
    payments = sa.table(
        "payments",
        sa.column("id", sa.Integer),
        sa.column("business_id", sa.Integer),
        sa.column("proof", JSONType),
    )
    root = _files_root()
    now = utcnow()
    for pid, business_id, proof in conn.execute(
        sa.select(payments.c.id, payments.c.business_id, payments.c.proof)
    ):
        if not isinstance(proof, list) or not any(isinstance(m, dict) and m.get("path") for m in proof):
            continue
        new: list[Any] = []
        for m in proof:
            if not isinstance(m, dict) or not m.get("path"):
                new.append(m)
                continue
            full = _owned(root, int(business_id), str(m["path"]))
            kept = {k: v for k, v in m.items() if k not in ("path", "url")}
            if full is None:
                new.append({**kept, "note": "path_dropped"})
                continue
            fid = conn.execute(
                files.insert()
                .values(
                    business_id=business_id,
                    kind="payment_proof",
                    path=str(full.relative_to(root)),
                    filename=str(m.get("filename") or full.name)[:255],
                    mimetype=str(m.get("mimetype") or "application/octet-stream")[:100],
                    size=full.stat().st_size,
                    created_at=now,
                    updated_at=now,
                )
                .returning(files.c.id)
            ).scalar_one()
            new.append({**kept, "file_id": fid})
        conn.execute(payments.update().where(payments.c.id == pid).values(proof=new))


def downgrade() -> None:
    conn = op.get_bind()
    files = sa.table("stored_files", sa.column("id", sa.Integer), sa.column("path", sa.String))
    payments = sa.table("payments", sa.column("id", sa.Integer), sa.column("proof", JSONType))
    paths = dict(conn.execute(sa.select(files.c.id, files.c.path)).all())
    for pid, proof in conn.execute(sa.select(payments.c.id, payments.c.proof)).all():
        if isinstance(proof, list) and any(isinstance(m, dict) and m.get("file_id") for m in proof):
            old = [
                {**{k: v for k, v in m.items() if k != "file_id"}, "path": paths.get(m["file_id"], "")}
                if isinstance(m, dict) and m.get("file_id")
                else m
                for m in proof
            ]
            conn.execute(payments.update().where(payments.c.id == pid).values(proof=old))
    op.drop_index(op.f("ix_stored_files_business_id"), table_name="stored_files")
    op.drop_table("stored_files")
