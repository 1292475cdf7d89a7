"""Paths of the test data (in the repository: see tests/fixtures/README.md) and small helpers for the data tests."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "src" / "niaga" / "demo"
RFM = ROOT / "tests" / "fixtures" / "rfm"


def run_import(
    db: Session,
    business: Any,
    kind: str,
    path: Path | None = None,
    *,
    data: bytes | None = None,
    filename: str | None = None,
    dry_run: bool = False,
):  # type: ignore[no-untyped-def]
    from niaga.catalog.importer import import_file

    if path is not None:
        data, filename = path.read_bytes(), path.name
    assert data is not None
    report = import_file(
        db, kind=kind, business_id=business.id, data=data, filename=filename, dry_run=dry_run
    )
    db.commit()
    return report


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
