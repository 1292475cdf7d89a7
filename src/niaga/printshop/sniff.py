"""What a file really is (by content, not by its extension) and whether it is safe to open.

Zip containers (DOCX/XLSX/PPTX/ODT) are inspected before any library opens them: the total uncompressed size
and the compression ratio are bounded, so a zip bomb renamed to `.docx` is refused without being inflated.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from niaga.printshop.errors import PrintshopInputError
from niaga.settings import get_settings

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".bmp", ".tif", ".tiff"}
OFFICE_KINDS = {"docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "rtf"}


@dataclass(frozen=True)
class Sniffed:
    kind: str  # pdf | docx | xlsx | pptx | odt | ods | odp | doc | rtf | image | unknown
    ext_matches: bool  # False when the extension says something else than the content
    note: str = ""


def _ext_kind(path: Path) -> str:
    ext = path.suffix.lower()
    if ext in IMAGE_EXTS:
        return "image"
    return ext.lstrip(".")


def _zip_kind(path: Path) -> str:
    s = get_settings()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if (
                len(infos) > s.printshop_zip_max_members
                or total > s.printshop_zip_max_uncompressed_bytes
                or (total > 1024 * 1024 and total / packed > s.printshop_zip_max_ratio)
            ):
                raise PrintshopInputError(
                    "zip_bomb",
                    "Berkas ini berisi data terkompresi yang tidak wajar (kemungkinan zip bomb) dan tidak diproses.",
                    uncompressed_bytes=total,
                )
            names = {i.filename for i in infos}
            if "mimetype" in names:
                mt = zf.read("mimetype")[:100].decode("ascii", "replace")
                for k in ("text", "spreadsheet", "presentation"):
                    if k in mt:
                        return {"text": "odt", "spreadsheet": "ods", "presentation": "odp"}[k]
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "EncryptedPackage" in names:
                return "encrypted_office"
            return "zip"
    except zipfile.BadZipFile as exc:
        raise PrintshopInputError("corrupt", "Berkas rusak: arsip dokumen tidak dapat dibaca.") from exc


_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n")


def _check_pdf_streams(path: Path) -> None:
    """A PDF is refused when its compressed streams inflate beyond the zip limits (pdfium inflates a content
    stream whole: a 300 KB file whose page content inflates to 300 MB took 660 MB of memory). Every Flate
    stream is inflated here in bounded chunks and counted, never kept; nothing is inflated past the limit."""
    s = get_settings()
    data = path.read_bytes()
    limit = s.printshop_zip_max_uncompressed_bytes
    total = 0
    for m in _STREAM.finditer(data):
        d = zlib.decompressobj()
        pos = m.end()
        end = data.find(b"endstream", pos)
        chunk = data[pos : end if end > 0 else len(data)]
        buf = chunk
        try:
            while buf:
                out = d.decompress(buf, 1 << 20)
                total += len(out)
                buf = d.unconsumed_tail
                if total > limit:
                    break
        except zlib.error:
            continue  # a damaged stream: pdfium reports it (or skips it) itself
        if total > limit or (
            total > 16 * 1024 * 1024 and total / max(len(data), 1) > s.printshop_zip_max_ratio
        ):
            raise PrintshopInputError(
                "pdf_bomb",
                f"PDF {path.name} berisi data terkompresi yang tidak wajar (lebih dari "
                f"{min(total, limit) // (1024 * 1024)} MB setelah dibuka) dan tidak diproses.",
                uncompressed_bytes=total,
            )


def sniff(path: Path) -> Sniffed:
    """Classify a file by its first bytes. Raises PrintshopInputError for empty, missing or dangerous files."""
    if not path.is_file():
        raise PrintshopInputError("not_found", f"Berkas tidak ditemukan: {path.name}")
    size = path.stat().st_size
    if size == 0:
        raise PrintshopInputError(
            "empty", f"Berkas {path.name} kosong (0 byte). Mohon kirim ulang berkasnya."
        )
    if size > get_settings().max_upload_bytes * 4:
        raise PrintshopInputError("too_large", f"Berkas {path.name} terlalu besar untuk diproses.")
    with path.open("rb") as fh:
        head = fh.read(16)
    kind = "unknown"
    if b"%PDF-" in head[:8] or _pdf_header_near_start(path):
        kind = "pdf"
        _check_pdf_streams(path)
    elif head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        kind = _zip_kind(path)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # OLE2: an old .doc/.xls/.ppt, or an encrypted (password-protected) OOXML file
        kind = _ole_kind(path)
    elif (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or head[:4]
        in (
            b"GIF8",
            b"II*\x00",
            b"MM\x00*",
        )
        or head.startswith(b"BM")
        or (
            head[4:8] == b"ftyp"
            and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif")
        )
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
    ):
        kind = "image"
    elif head.startswith(b"{\\rtf"):
        kind = "rtf"
    if kind == "encrypted_office":
        raise PrintshopInputError(
            "encrypted", f"Dokumen {path.name} dilindungi kata sandi. Mohon kirim versi tanpa kata sandi."
        )
    if kind in ("unknown", "zip"):
        raise PrintshopInputError(
            "unsupported",
            f"Jenis berkas {path.name} tidak dikenali. Kirim PDF, DOCX, DOC, ODT, XLSX, PPTX atau foto (JPG/PNG/HEIC).",
        )
    ek = _ext_kind(path)
    matches = (
        ek == kind or (kind == "image" and ek == "image") or (kind == "doc" and ek in {"doc", "xls", "ppt"})
    )
    note = (
        ""
        if matches
        else f"Ekstensi .{path.suffix.lstrip('.')} tidak sesuai isi berkas ({kind}); diproses sebagai {kind}."
    )
    return Sniffed(kind=kind, ext_matches=matches, note=note)


def _pdf_header_near_start(path: Path) -> bool:
    # The PDF spec lets the header sit within the first 1024 bytes.
    with path.open("rb") as fh:
        return b"%PDF-" in fh.read(1024)


def _ole_kind(path: Path) -> str:
    with path.open("rb") as fh:
        blob = fh.read(1 << 20)
    if "EncryptedPackage".encode("utf-16-le") in blob:
        return "encrypted_office"
    if "WordDocument".encode("utf-16-le") in blob:
        return "doc"
    if "Workbook".encode("utf-16-le") in blob:
        return "xls"
    if "PowerPoint".encode("utf-16-le") in blob:
        return "ppt"
    return "doc"
