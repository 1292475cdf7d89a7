"""Bad input never crashes or hangs: every case is a clear Indonesian finding (CLI: JSON on stdout, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from niaga.printshop.cli import printshop_app
from niaga.settings import reset_settings_cache

from . import gen

runner = CliRunner()


def _run(*args: str) -> tuple[int, dict]:
    r = runner.invoke(printshop_app, [*args, "--json"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, json.loads(r.stdout)


def _indonesian(msg: str) -> bool:
    return any(
        w in msg.lower() for w in ("berkas", "dokumen", "pdf", "foto", "halaman", "kata sandi", "judul")
    )


def test_zero_byte_file(tmp_path):
    p = tmp_path / "kosong.pdf"
    p.write_bytes(b"")
    code, d = _run("check", str(p))
    assert code == 2 and d["error"] == "empty" and "0 byte" in d["message"]


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "rusak.pdf"
    p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf body\n")
    code, d = _run("check", str(p))
    assert code == 2 and d["error"] == "corrupt" and "rusak" in d["message"]


def test_encrypted_pdf(tmp_path):
    p = tmp_path / "terkunci.pdf"
    gen.encrypted_pdf(p)
    code, d = _run("check", str(p))
    assert code == 2 and d["error"] == "encrypted" and "kata sandi" in d["message"]


def test_encrypted_docx(tmp_path):
    p = tmp_path / "terkunci.docx"
    gen.encrypted_docx(p)
    for cmd in (
        ("check", str(p)),
        ("format", str(p), str(tmp_path / "o.docx")),
        ("render", str(p), str(tmp_path / "o.pdf")),
    ):
        code, d = _run(*cmd)
        assert code == 2 and d["error"] == "encrypted" and "kata sandi" in d["message"], cmd


def test_corrupt_docx(tmp_path):
    p = tmp_path / "rusak.docx"
    gen.corrupt_docx(p)
    code, d = _run("check", str(p))
    assert code == 2 and d["error"] == "corrupt" and _indonesian(d["message"])
    code, d = _run("render", str(p), str(tmp_path / "o.pdf"))
    assert code == 2 and d["error"] == "corrupt"


def test_zip_bomb_disguised_as_docx_is_refused_without_inflating(tmp_path):
    p = tmp_path / "skripsi.docx"
    gen.zip_bomb_docx(p, inflated_mb=20)
    assert p.stat().st_size < 200_000
    t0 = time.monotonic()
    for cmd in (
        ("check", str(p)),
        ("format", str(p), str(tmp_path / "o.docx")),
        ("render", str(p), str(tmp_path / "o.pdf")),
    ):
        code, d = _run(*cmd)
        assert code == 2 and d["error"] == "zip_bomb" and "zip bomb" in d["message"], cmd
    assert time.monotonic() - t0 < 5


def test_wrong_extension_is_sniffed_by_content(tmp_path):
    p = tmp_path / "scan.docx"  # really a PDF
    gen.scan_pdf(p, ["text", "blank"])
    code, d = _run("check", str(p))
    assert code == 0 and d["kind"] == "pdf" and d["pages"] == 2 and d["blank_pages"] == [2]
    assert any("tidak sesuai" in f for f in d["findings"])


def test_unknown_content(tmp_path):
    p = tmp_path / "data.pdf"
    p.write_bytes(b"just some text, not a document at all\n" * 10)
    code, d = _run("check", str(p))
    assert code == 2 and d["error"] == "unsupported" and "tidak dikenali" in d["message"]


def test_docx_with_no_chapters(tmp_path):
    p = tmp_path / "surat.docx"
    gen.plain_docx(p)
    code, d = _run("check", str(p))
    assert code == 0 and d["chapters"] == [] and any("judul bab" in f.lower() for f in d["findings"])
    code, d = _run("format", str(p), str(tmp_path / "o.docx"))
    assert code == 2 and d["error"] == "no_chapters" and "judul bab" in d["message"]


def test_500_page_scan_is_bounded(tmp_path, monkeypatch):
    """A 500-page PDF is counted in full; the image checks stop at the configured page budget with a
    finding, so one huge upload cannot tie up a worker."""
    p = tmp_path / "tebal.pdf"
    gen.many_page_pdf(p, 500)
    monkeypatch.setenv("NIAGA_PRINTSHOP_CHECK_MAX_PAGES", "40")
    reset_settings_cache()
    try:
        t0 = time.monotonic()
        code, d = _run("check", str(p))
        assert time.monotonic() - t0 < 30
    finally:
        monkeypatch.delenv("NIAGA_PRINTSHOP_CHECK_MAX_PAGES")
        reset_settings_cache()
    assert code == 0 and d["pages"] == 500 and len(d["blank_pages"]) == 40
    assert any("500 halaman" in f and "40 halaman pertama" in f for f in d["findings"])


def test_corrupt_photo(tmp_path):
    p = tmp_path / "foto.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    code, d = _run("check", str(p))
    assert code == 2 and d["error"] == "corrupt" and "Foto" in d["message"]


def test_missing_file_and_bad_order_in_a_real_process(tmp_path):
    """The installed command prints JSON and exits 2 (no traceback) in a real process."""
    r = subprocess.run(
        [sys.executable, "-m", "niaga.printshop.cli", "check", str(tmp_path / "tidak-ada.pdf"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["error"] == "not_found"


@pytest.mark.parametrize("bad", ["empty", "bomb"])
def test_intake_reports_bad_files_and_continues(tmp_path, bad):
    folder = tmp_path / "order"
    folder.mkdir()
    gen.text_pdf(folder / "lampiran.pdf", pages=2)
    if bad == "empty":
        (folder / "kosong.docx").write_bytes(b"")
    else:
        gen.zip_bomb_docx(folder / "bom.docx", inflated_mb=5)
    code, d = _run("intake", str(folder), "--out", str(tmp_path / "o.pdf"))
    assert code == 0 and d["pages"] == 2
    rejected = [x for x in d["files"] if x["kind"] == "rejected"]
    assert len(rejected) == 1 and _indonesian(rejected[0]["finding"])


def test_unexpected_parser_failure_is_still_a_finding(tmp_path, monkeypatch):
    """Whatever a damaged file trips deep in a library, the command answers JSON (exit 3), not a traceback
    on stdout."""
    import niaga.printshop.service as service

    def boom(*_a, **_k):  # type: ignore[no-untyped-def]
        raise KeyError("/Root")

    monkeypatch.setattr(service, "check_file", boom)
    p = tmp_path / "a.pdf"
    gen.text_pdf(p, pages=1)
    code, d = _run("check", str(p))
    assert code == 3 and d["error"] == "unexpected" and "KeyError" in d["message"]
