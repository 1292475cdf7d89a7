"""Generated media (posters, videos) on disk under `files/<business>/content/`, each with an unguessable
token: the platforms fetch them from the public URL `/media/konten/<business>/<token>.<ext>`."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from niaga.publishing.ports import Media
from niaga.settings import get_settings

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "video/mp4": "mp4"}
_TOKEN = re.compile(r"^[A-Za-z0-9]{20,40}$")


def store(business_id: int, data: bytes, mimetype: str) -> dict[str, Any]:
    """Keep a file; returns the media entry stored on a calendar item."""
    ext = EXTENSIONS[mimetype]
    token = secrets.token_hex(12)
    rel = f"{business_id}/content/{token}.{ext}"
    path = get_settings().files_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {
        "path": rel,
        "token": token,
        "mimetype": mimetype,
        "kind": "video" if mimetype.startswith("video/") else "image",
        "size": len(data),
    }


def public_url(business_id: int, entry: dict[str, Any]) -> str:
    ext = EXTENSIONS.get(str(entry.get("mimetype")), "bin")
    return f"{get_settings().public_url.rstrip('/')}/media/konten/{business_id}/{entry['token']}.{ext}"


def resolve(business_id: int, filename: str) -> tuple[Path, str] | None:
    """The file behind a public name (None for anything that is not one of ours)."""
    token, _, ext = filename.partition(".")
    mime = next((m for m, e in EXTENSIONS.items() if e == ext), None)
    if mime is None or not _TOKEN.match(token):
        return None
    path = get_settings().files_dir / str(int(business_id)) / "content" / f"{token}.{ext}"
    return (path, mime) if path.is_file() else None


def as_media(business_id: int, entries: list[Any]) -> list[Media]:
    out = []
    for e in entries:
        if not isinstance(e, dict) or not e.get("token"):
            continue
        out.append(
            Media(
                kind=str(e.get("kind") or "image"),
                mimetype=str(e.get("mimetype") or "image/jpeg"),
                url=public_url(business_id, e),
                path=get_settings().files_dir / str(e["path"]),
            )
        )
    return out
