"""Issue 11, item 3: spreadsheet bombs are refused with a clear error, inside a memory ceiling, and import
nothing. Before the fix the far-cell file took the server from 212 MB to over 4 GB."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.catalog.models import Product
from niaga.kit.tabular import TooLarge, read_table


def far_cell_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "sku", "name"
    ws["A2"], ws["B2"] = "X-1", "Barang"
    ws["XFD1048576"] = "far"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bomb_xlsx() -> bytes:
    """A valid XLSX whose sheet XML inflates ~1000:1 (rows of empty cells)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "sku"
    src = io.BytesIO()
    wb.save(src)
    out = io.BytesIO()
    row = "<row>" + "<c/>" * 50 + "</row>"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.decode().partition("</sheetData>")
                data = (head + row * 120_000 + "</sheetData>" + tail).encode()
            zout.writestr(item, data)
    return out.getvalue()


def test_far_cell_and_bomb_are_refused_within_a_memory_ceiling(tmp_path: Path):
    files = {"far.xlsx": far_cell_xlsx(), "bomb.xlsx": bomb_xlsx()}
    assert len(files["far.xlsx"]) < 10_000
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    # A separate process with 1.5 GB of address space: a parser that expands the file dies here.
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))
        from pathlib import Path
        from niaga.kit.tabular import TooLarge, read_table
        for name in ("far.xlsx", "bomb.xlsx"):
            try:
                read_table(Path({str(tmp_path)!r}, name).read_bytes(), name)
            except TooLarge as exc:
                print(name, exc.code, exc.message)
            else:
                print(name, "ACCEPTED")
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    lines = p.stdout.splitlines()
    assert lines[0].startswith("far.xlsx file_too_large"), lines
    assert lines[1].startswith("bomb.xlsx compression_bomb"), lines


def test_too_many_columns_or_rows_in_csv_are_refused():
    with pytest.raises(TooLarge, match="kolom"):
        read_table((",".join(f"c{i}" for i in range(500)) + "\n").encode(), "wide.csv")
    from niaga.kit.tabular import Limits

    with pytest.raises(TooLarge, match="baris"):
        read_table(b"sku,name\n" + b"a,b\n" * 11, "long.csv", Limits(max_rows=10))


def test_bomb_upload_through_the_api_imports_nothing(client, world, db):
    r = client.post(
        "/api/v1/products/import",
        headers=world.headers("admin"),
        files={
            "file": (
                "produk.xlsx",
                far_cell_xlsx(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    assert r.status_code == 413, r.text
    assert "terlalu" in r.json()["error"]["message"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_an_ordinary_spreadsheet_still_reads():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["sku", "name", "price"])
    for i in range(300):
        ws.append([f"S-{i}", f"Barang {i}", 1000 + i])
    buf = io.BytesIO()
    wb.save(buf)
    t = read_table(buf.getvalue(), "produk.xlsx")
    assert t.headers == ["sku", "name", "price"] and len(t.rows) == 300 and t.rows[-1][1]["price"] == 1299
