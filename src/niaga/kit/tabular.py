"""Reading the spreadsheets shop owners have: CSV (UTF-8 with or without BOM, comma/semicolon/tab
separated — Indonesian Excel exports with `;`) and Excel XLSX (first sheet, first non-empty row = header).

Rows come back as dicts keyed by normalised header names (lower case, spaces → `_`) together with their
1-based position among the data rows (header excluded). Fully empty rows are skipped but keep their number,
so that "row 12" in a report is line 13 of the file as the owner sees it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from niaga.kit.errors import AppError, ValidationFailed

TABLE_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Limits:
    """What one import may hold. An XLSX is a zip of XML: its declared size, its compression ratio and the
    rows and columns actually present are all checked while streaming, before anything grows in memory (a
    1.6 kB file declaring A1:XFD1048576, or a 2 MB compression bomb, must not take the server down)."""

    max_rows: int = 500_000
    max_columns: int = 200
    max_cells: int = 10_000_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 100.0  # uncompressed / compressed, per zip member over 1 MB
    max_members: int = 2_000


LIMITS = Limits()


class TooLarge(AppError):
    code = "file_too_large"
    status = 413
    message = "File terlalu besar untuk diimpor."


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc


class UnsupportedFormat(AppError):
    code = "unsupported_format"
    status = 415
    message = "Format file tidak didukung."

    def __init__(self, accepted: tuple[str, ...] = TABLE_FORMATS, *, got: str | None = None) -> None:
        names = ", ".join(f".{a}" for a in accepted)
        got_text = f" (file: {got})" if got else ""
        super().__init__(
            f"Format file tidak didukung{got_text}. Format yang diterima: {names}.",
            details={"accepted": list(accepted), "got": got},
        )


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def normalize_header(name: object) -> str:
    s = str(name or "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-/]+", "_", s)


def detect_format(data: bytes, filename: str | None, *, accepted: tuple[str, ...] = TABLE_FORMATS) -> str:
    """`csv`, `xlsx` or `md` (when accepted) from the file name, falling back to the content.

    Raises UnsupportedFormat naming the accepted formats for anything else (legacy .xls, PDF, images…).
    """
    ext = PurePath(filename or "").suffix.lower().lstrip(".")
    aliases = {"txt": "csv", "tsv": "csv", "markdown": "md"}
    ext = aliases.get(ext, ext)
    if ext:
        if ext not in accepted:
            raise UnsupportedFormat(accepted, got=f".{ext}")
        if ext == "xlsx" and not data.startswith(_ZIP_MAGIC):
            raise UnsupportedFormat(accepted, got="file .xlsx yang rusak atau bukan Excel")
        if ext in ("csv", "md") and (data.startswith((_ZIP_MAGIC, _OLE_MAGIC)) or b"\x00" in data[:4096]):
            raise UnsupportedFormat(accepted, got=f"file biner bernama .{ext}")
        return ext
    if data.startswith(_ZIP_MAGIC) and "xlsx" in accepted:
        return "xlsx"
    if data.startswith(_OLE_MAGIC) or b"\x00" in data[:4096]:
        raise UnsupportedFormat(accepted, got="file biner")
    for fmt in ("csv", "md"):
        if fmt in accepted:
            return fmt
    raise UnsupportedFormat(accepted)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM stripped); Windows-1252 as a fallback for Excel's "CSV (comma delimited)" exports."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationFailed(
                "File teks harus berenkode UTF-8.",
                code="unsupported_encoding",
                details={"file": "Simpan ulang file sebagai CSV UTF-8."},
            )


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    # Count separators outside quotes in the header line: that is where the choice is unambiguous.
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > 0 else ","


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _build(header_row: list[Any], body: list[tuple[int, list[Any]]]) -> Table:
    headers = [normalize_header(h) for h in header_row]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ValidationFailed(
            "Baris judul kolom (header) tidak ditemukan.",
            code="missing_header",
            details={"file": "Baris pertama harus berisi nama kolom."},
        )
    table = Table(headers=headers)
    for number, cells in body:
        if all(_blank(c) for c in cells):
            continue
        row: dict[str, Any] = {}
        for i, h in enumerate(headers):
            if not h:
                continue
            v = cells[i] if i < len(cells) else None
            row[h] = v.strip() if isinstance(v, str) else v
        table.rows.append((number, row))
    return table


def _check_shape(rows: int, columns: int, cells: int, limits: Limits) -> None:
    if rows > limits.max_rows:
        raise TooLarge(
            f"File terlalu besar: lebih dari {limits.max_rows:,} baris. Pecah menjadi beberapa file.".replace(
                ",", "."
            ),
            details={"rows": f"maksimal {limits.max_rows}"},
        )
    if columns > limits.max_columns:
        raise TooLarge(
            f"File punya terlalu banyak kolom (maksimal {limits.max_columns}).",
            details={"columns": f"maksimal {limits.max_columns}"},
        )
    if cells > limits.max_cells:
        raise TooLarge(
            "File punya terlalu banyak sel untuk diimpor sekaligus. Pecah menjadi beberapa file.",
            details={"cells": f"maksimal {limits.max_cells}"},
        )


def read_csv(data: bytes, limits: Limits = LIMITS) -> Table:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ValidationFailed("File kosong.", code="empty_file", details={"file": "File tidak berisi data."})
    csv.field_size_limit(1024 * 1024)
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text))
    all_rows = []
    cells = 0
    try:
        for r in reader:
            all_rows.append(r)
            cells += len(r)
            _check_shape(len(all_rows) - 1, len(r), cells, limits)
    except csv.Error as exc:
        raise ValidationFailed(
            f"CSV tidak terbaca di baris {len(all_rows) + 1}: {exc}.",
            code="bad_csv",
            details={"row": len(all_rows) + 1},
        )
    header_idx = next((i for i, r in enumerate(all_rows) if any(c.strip() for c in r)), None)
    if header_idx is None:
        raise ValidationFailed("File kosong.", code="empty_file", details={"file": "File tidak berisi data."})
    body = [(n, list(r)) for n, r in enumerate(all_rows[header_idx + 1 :], start=1)]
    return _build(all_rows[header_idx], body)


def check_zip(data: bytes, limits: Limits = LIMITS) -> None:
    """Refuse a zip (XLSX, DOCX) whose members would unpack too large or too compressed, before reading it."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsupportedFormat(got=f"file zip rusak: {type(exc).__name__}")
    if len(infos) > limits.max_members:
        raise TooLarge("File berisi terlalu banyak bagian.", details={"members": len(infos)})
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise TooLarge(
            f"Isi file terlalu besar setelah dibuka ({total // (1024 * 1024)} MB; maksimal "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MB).",
            details={"uncompressed": total},
        )
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise TooLarge(
                "File mencurigakan: isinya dipadatkan secara tidak wajar (zip bomb).",
                code="compression_bomb",
                details={"member": i.filename},
            )


def read_xlsx(data: bytes, limits: Limits = LIMITS) -> Table:
    import zipfile

    from openpyxl import load_workbook

    check_zip(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnsupportedFormat(got=f"Excel tidak terbaca: {type(exc).__name__}")
    rows: list[list[Any]] = []
    try:
        ws = wb.worksheets[0]
        # The declared <dimension> is the author's claim, not the data: ignore it, read rows as stored, and
        # stop at the first row or column past the limits (trailing empty cells are not counted).
        ws.reset_dimensions()  # type: ignore[union-attr]
        cells = 0
        for r in ws.iter_rows(values_only=True):
            width = len(r)
            while width and _blank(r[width - 1]):
                width -= 1
            cells += width
            _check_shape(len(rows), width, cells, limits)
            rows.append(list(r[:width]))
    finally:
        wb.close()
    header_idx = next((i for i, r in enumerate(rows) if any(not _blank(c) for c in r)), None)
    if header_idx is None:
        raise ValidationFailed(
            "Sheet pertama kosong.", code="empty_file", details={"file": "Sheet pertama tidak berisi data."}
        )
    body = [(n, r) for n, r in enumerate(rows[header_idx + 1 :], start=1)]
    return _build(rows[header_idx], body)


def read_table(data: bytes, filename: str | None, limits: Limits = LIMITS) -> Table:
    """A CSV or XLSX file as a Table. Raises UnsupportedFormat for other files, TooLarge past `limits`."""
    fmt = detect_format(data, filename, accepted=TABLE_FORMATS)
    return read_xlsx(data, limits) if fmt == "xlsx" else read_csv(data, limits)


def require_columns(table: Table, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in table.headers]
    if missing:
        raise ValidationFailed(
            f"Kolom wajib tidak ada: {', '.join(missing)}.",
            code="missing_columns",
            details={"columns": missing, "found": table.headers},
        )


def cell_text(value: Any) -> str:
    """A cell as text: Excel numbers without a trailing `.0`, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
