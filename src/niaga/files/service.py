"""Save, register and open a business's files by id. A foreign or unknown id is a 404 (never a hint that
another business has such a file); a path outside the files folder is never served."""

from __future__ import annotations

import secrets
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.files.models import StoredFile
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.settings import get_settings

MAX_ID = 2**63 - 1
PROOF_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
MAX_PROOF_BYTES = 10 * 1024 * 1024


def _root() -> Path:
    return get_settings().files_dir.resolve()


def _clean_name(name: str | None, fallback: str) -> str:
    base = PurePosixPath(str(name or "").replace("\\", "/")).name.strip()
    return (base or fallback)[:255]


def save(
    db: Session, *, business_id: int, data: bytes, filename: str | None, mimetype: str, kind: str
) -> StoredFile:
    """Write bytes under files/<business>/<kind>/<random><ext> and return its row (flushed: it has an id)."""
    ext = PROOF_TYPES.get(mimetype) or PurePosixPath(_clean_name(filename, "file")).suffix[:10]
    rel = PurePosixPath(str(business_id)) / kind / f"{secrets.token_hex(12)}{ext}"
    target = _root() / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    row = StoredFile(
        business_id=business_id,
        kind=kind,
        path=str(rel),
        filename=_clean_name(filename, target.name),
        mimetype=mimetype[:100],
        size=len(data),
    )
    db.add(row)
    db.flush()
    return row


def owned_path(business_id: int, path: str) -> Path | None:
    """The absolute path of a server-written file of this business, or None when `path` points anywhere
    else (another business's folder, outside the files folder, a missing file)."""
    root = _root()
    p = Path(str(path or ""))
    full = (p if p.is_absolute() else root / p).resolve()
    if not path or not full.is_relative_to(root) or not full.is_file():
        return None
    rel = full.relative_to(root).parts
    # Layouts the server writes: <business>/..., payments/<business>/..., invoices/<business>/...
    if rel and rel[0] == str(business_id):
        return full
    if len(rel) > 1 and rel[0] in ("payments", "invoices") and rel[1] == str(business_id):
        return full
    return None


def register(
    db: Session, *, business_id: int, path: str, filename: str | None, mimetype: str | None, kind: str
) -> StoredFile | None:
    """Give an id to a file the server already wrote for this business (a downloaded chat attachment).
    Returns None when the path is not this business's file."""
    full = owned_path(business_id, path)
    if full is None:
        return None
    row = StoredFile(
        business_id=business_id,
        kind=kind,
        path=str(full.relative_to(_root())),
        filename=_clean_name(filename, full.name),
        mimetype=(mimetype or "application/octet-stream")[:100],
        size=full.stat().st_size,
    )
    db.add(row)
    db.flush()
    return row


def get(db: Session, *, business_id: int, file_id: Any) -> StoredFile:
    if not isinstance(file_id, int) or isinstance(file_id, bool) or not 0 < file_id <= MAX_ID:
        raise NotFound("File tidak ditemukan.")
    row = db.scalars(
        sa.select(StoredFile).where(StoredFile.id == file_id, StoredFile.business_id == business_id)
    ).first()
    if row is None:
        raise NotFound("File tidak ditemukan.")
    return row


def resolve_refs(db: Session, *, business_id: int, file_ids: list[int]) -> list[dict[str, Any]]:
    """Client references -> stored refs. Any id that is not this business's file is a 422 naming it."""
    refs: list[dict[str, Any]] = []
    for fid in file_ids:
        try:
            refs.append(ref(get(db, business_id=business_id, file_id=fid)))
        except NotFound:
            raise ValidationFailed(
                f"File {fid} tidak ditemukan di bisnis ini. Unggah dulu lewat POST /api/v1/files.",
                code="unknown_file",
                details={"file_id": fid},
            ) from None
    return refs


def ref(row: StoredFile) -> dict[str, Any]:
    """How a row (payment proof, ...) keeps a file: by id, with the display facts."""
    return {"file_id": row.id, "filename": row.filename, "mimetype": row.mimetype, "size": row.size}


def open_path(row: StoredFile) -> Path:
    full = owned_path(row.business_id, row.path)
    if full is None:
        raise NotFound("File tidak ditemukan.")
    return full
