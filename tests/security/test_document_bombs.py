"""Keep the attacks (issue 11): document bombs are refused with a clear Indonesian error, within a memory
ceiling. Before the fix a 300 KB PDF whose page content inflates to 300 MB was opened whole by pdfium
(660 MB resident), and a page 3 pt wide and 14,400 pt tall asked for a multi-gigabyte bitmap. The DOCX zip
bomb and the XLSX bombs (item 3) are refused by their container checks; here they run through the same
ceiling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.printshop import gen

CEILING_MB = 450  # Python + numpy + OpenCV + pdfium imported cost ~150 MB; an inflated bomb costs 600+


def _pdf(path: Path, w: float, h: float, content: bytes, flate: bool) -> None:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Contents 4 0 R >>".encode())
    data = zlib.compress(content, 9) if flate else content
    flt = b" /Filter /FlateDecode" if flate else b""
    objs.append(b"<< /Length %d%s >>\nstream\n" % (len(data), flt) + data + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += f"{i + 1} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def _check(path: Path) -> tuple[int, dict, float]:
    """`niaga printshop check` in a child process; returns exit code, JSON and the child's peak RSS (MB)."""
    code = (
        "import resource, subprocess, sys, json;"
        f"p = subprocess.run([sys.executable, '-m', 'niaga.cli', 'printshop', 'check', {str(path)!r}, '--json'],"
        " capture_output=True, text=True);"
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout,"
        " 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), timeout=180
    )
    res = json.loads(r.stdout.strip().splitlines()[-1])
    return res["rc"], json.loads(res["out"].strip().splitlines()[-1]), res["rss"]


def test_pdf_whose_content_inflates_to_hundreds_of_mb_is_refused(tmp_path):
    p = tmp_path / "bom.pdf"
    _pdf(p, 595, 842, b"0 0 1 rg 0 0 10 10 re f\n" + b" " * (320 * 1024 * 1024), flate=True)
    assert p.stat().st_size < 1_000_000
    rc, out, rss = _check(p)
    print(f"\nPDF flate bomb ({p.stat().st_size} bytes): exit {rc}, peak {rss:.0f} MB")
    assert rc == 2 and out["error"] == "pdf_bomb" and "tidak wajar" in out["message"], out
    assert rss < CEILING_MB


def test_absurd_page_size_renders_within_the_ceiling(tmp_path):
    p = tmp_path / "tinggi.pdf"
    _pdf(p, 3, 14400, b"0 0 1 rg 0 0 3 14400 re f", flate=False)
    rc, out, rss = _check(p)
    print(f"\n3 x 14,400 pt page: exit {rc}, peak {rss:.0f} MB, findings {out.get('findings')}")
    assert rc == 0 and out["pages"] == 1
    assert "tidak dapat dirender" not in " ".join(out["findings"])  # analysed, at a bounded resolution
    assert rss < CEILING_MB


@pytest.mark.parametrize("inflated_mb", [400])
def test_docx_zip_bomb_is_refused_within_the_ceiling(tmp_path, inflated_mb):
    p = tmp_path / "skripsi.docx"
    gen.zip_bomb_docx(p, inflated_mb=inflated_mb)
    rc, out, rss = _check(p)
    print(f"\nDOCX zip bomb ({p.stat().st_size} bytes -> {inflated_mb} MB): exit {rc}, peak {rss:.0f} MB")
    assert rc == 2 and out["error"] == "zip_bomb" and "zip bomb" in out["message"]
    assert rss < CEILING_MB
