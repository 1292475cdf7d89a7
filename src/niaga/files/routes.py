"""Files API: `POST /api/v1/files` (upload a transfer proof, staff and above) answers a file id;
`GET /api/v1/files/{id}` serves this business's file. Another business's id is a 404."""

from __future__ import annotations

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import FileResponse

from niaga.db.session import SessionDep, WriteSessionDep
from niaga.files import links
from niaga.files import service as files
from niaga.kit.envelope import ok
from niaga.kit.errors import ValidationFailed
from niaga.tenancy.auth import StaffDep

api_router = APIRouter(prefix="/api/v1", tags=["files"])
public_router = APIRouter(tags=["files"])


@public_router.get("/files/s/{token}")
def signed_download(token: str) -> FileResponse:
    """A file behind a signed, expiring link (no login: the link is the credential; see files.links)."""
    path, name = links.resolve(token)
    return FileResponse(path, filename=name or path.name)


@api_router.post("/files", status_code=201)
def upload_file(principal: StaffDep, db: WriteSessionDep, file: UploadFile = File(...)) -> dict:
    data = file.file.read(files.MAX_PROOF_BYTES + 1)
    mimetype = (file.content_type or "").split(";")[0].strip().lower()
    if len(data) > files.MAX_PROOF_BYTES:
        raise ValidationFailed(
            "Ukuran file maksimal 10 MB.", code="file_too_large", details={"file": "maks 10 MB"}
        )
    if mimetype not in files.PROOF_TYPES or not data:
        raise ValidationFailed(
            "File harus foto (JPG/PNG/WEBP) atau PDF.",
            code="file_type",
            details={"file": mimetype or "kosong"},
        )
    row = files.save(
        db,
        business_id=principal.business_id,
        data=data,
        filename=file.filename,
        mimetype=mimetype,
        kind="upload",
    )
    return ok(files.ref(row))


@api_router.get("/files/{file_id}")
def download_file(file_id: int, principal: StaffDep, db: SessionDep) -> FileResponse:
    row = files.get(db, business_id=principal.business_id, file_id=file_id)
    return FileResponse(files.open_path(row), media_type=row.mimetype, filename=row.filename)


router = APIRouter()
router.include_router(api_router)
router.include_router(public_router)
