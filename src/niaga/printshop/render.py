"""Rendering office documents to PDF with LibreOffice, kept warm.

Why this design: the venv runs Python 3.11 from pyenv, while Debian's `python3-uno` only works with the
system `/usr/bin/python3`. So niaga starts its own `soffice --headless --accept=pipe,...` listener (one
private profile per converter, `-env:UserInstallation`) and drives it through a tiny bridge script
(`lo_bridge.py`) run by the system Python, talking JSON lines over pipes. A conversion that exceeds
`printshop_render_timeout_seconds` kills both process groups; the next call starts a fresh office (clean
restart) and the caller gets a clear finding. When no UNO-capable Python exists the converter falls back to a
cold `soffice --convert-to pdf` per file, with the same timeout and kill. Arguments are always argv lists;
no shell, and file names never become command strings.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from niaga.printshop.errors import PrintshopInputError
from niaga.settings import get_settings

SYSTEM_PYTHONS = ("/usr/bin/python3",)
OFFICE_KINDS = {"docx", "doc", "odt", "rtf", "xlsx", "xls", "ods", "pptx", "ppt", "odp"}


def _kill_group(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _uno_python() -> str | None:
    for py in SYSTEM_PYTHONS:
        if os.path.exists(py):
            r = subprocess.run([py, "-c", "import uno"], capture_output=True, timeout=20)
            if r.returncode == 0:
                return py
    return None


def soffice_binary() -> str:
    exe = shutil.which(get_settings().printshop_soffice)
    if exe is None:
        raise PrintshopInputError(
            "no_office", "LibreOffice (soffice) tidak terpasang di server; jalankan scripts/system-deps.sh."
        )
    return exe


class Converter:
    """One warm LibreOffice per converter (per worker). Thread-safe: conversions are serialised."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout or get_settings().printshop_render_timeout_seconds
        self._lock = threading.Lock()
        self._office: subprocess.Popen | None = None
        self._bridge: subprocess.Popen | None = None
        self._profile: Path | None = None
        self._py = _uno_python()
        self.restarts = 0

    # --- lifecycle -------------------------------------------------------------------------------
    def _start(self) -> None:
        name = f"niaga_lo_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self._profile = Path(tempfile.mkdtemp(prefix="niaga-lo-profile-"))
        conn = f"pipe,name={name}"
        argv = [
            soffice_binary(),
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={self._profile.as_uri()}",
            f"--accept={conn};urp;",
        ]
        self._office = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        bridge = Path(__file__).with_name("lo_bridge.py")
        assert self._py is not None
        self._bridge = subprocess.Popen(
            [self._py, str(bridge), conn, str(self.timeout)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
            bufsize=1,
        )
        reply = self._read(self.timeout)
        if not reply.get("ready"):
            self.close()
            raise PrintshopInputError("office_failed", "LibreOffice gagal dijalankan.")

    def _read(self, timeout: float) -> dict:
        assert self._bridge is not None and self._bridge.stdout is not None
        r, _w, _x = select.select([self._bridge.stdout], [], [], timeout)
        if not r:
            raise TimeoutError
        line = self._bridge.stdout.readline()
        if not line:
            raise ConnectionError("bridge exited")
        return json.loads(line)

    def close(self) -> None:
        for p in (self._bridge, self._office):
            _kill_group(p)
        self._bridge = self._office = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def warm(self) -> None:
        with self._lock:
            if self._py and (self._office is None or self._office.poll() is not None):
                self.close()
                self._start()

    # --- conversion ------------------------------------------------------------------------------
    def convert(self, src: Path, out: Path) -> None:
        if self._py is None:
            return self._convert_cold(src, out)
        with self._lock:
            if self._office is None or self._office.poll() is not None or self._bridge is None:
                self.close()
                try:
                    self._start()
                except (TimeoutError, ConnectionError) as exc:
                    self.close()
                    raise PrintshopInputError(
                        "office_failed", "LibreOffice tidak merespons saat dijalankan."
                    ) from exc
            assert self._bridge is not None and self._bridge.stdin is not None
            try:
                self._bridge.stdin.write(
                    json.dumps({"src": str(src.resolve()), "out": str(out.resolve())}) + "\n"
                )
                self._bridge.stdin.flush()
                reply = self._read(self.timeout)
            except TimeoutError:
                self.close()
                self.restarts += 1
                raise PrintshopInputError(
                    "render_timeout",
                    f"Konversi {src.name} melebihi batas waktu {self.timeout:.0f} detik dan dihentikan; "
                    "berkas mungkin rusak atau terlalu rumit.",
                ) from None
            except (ConnectionError, BrokenPipeError, ValueError):
                self.close()
                self.restarts += 1
                raise PrintshopInputError(
                    "render_failed", f"LibreOffice berhenti saat mengonversi {src.name}."
                ) from None
            if not reply.get("ok"):
                raise PrintshopInputError(
                    "render_failed",
                    f"LibreOffice tidak dapat mengonversi {src.name} "
                    "(berkas rusak atau dilindungi kata sandi?).",
                    detail=reply.get("error", ""),
                )
        return None

    def _convert_cold(self, src: Path, out: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="niaga-lo-cold-") as tmp:
            prof = Path(tmp) / "profile"
            outdir = Path(tmp) / "out"
            outdir.mkdir()
            argv = [
                soffice_binary(),
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"-env:UserInstallation={prof.as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(src.resolve()),
            ]
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise PrintshopInputError(
                    "render_timeout", f"Konversi {src.name} melebihi batas waktu."
                ) from None
            produced = list(outdir.glob("*.pdf"))
            if not produced:
                raise PrintshopInputError("render_failed", f"LibreOffice tidak dapat mengonversi {src.name}.")
            shutil.move(str(produced[0]), str(out))
        return None


_default: Converter | None = None


def default_converter() -> Converter:
    global _default
    if _default is None:
        _default = Converter()
        atexit.register(_default.close)
    return _default


def pdf_pages(path: Path) -> int:
    from niaga.printshop.pdfcheck import pdf_page_count

    return pdf_page_count(path)


def render_to_pdf(src: Path, out: Path, converter: Converter | None = None) -> int:
    """Any supported input to one PDF at `out`; returns its page count."""
    from niaga.printshop.sniff import sniff

    sn = sniff(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    if sn.kind == "pdf":
        n = pdf_pages(src)  # also refuses encrypted/corrupt PDFs
        if src.resolve() != out.resolve():
            shutil.copyfile(src, out)
        return n
    if sn.kind == "image":
        from niaga.printshop.photo import images_to_a4_pdf, page_image_for_print

        flat, obj = page_image_for_print(src)
        return images_to_a4_pdf([[(flat, obj.kind)]], out)
    if sn.kind not in OFFICE_KINDS:
        raise PrintshopInputError("unsupported", f"Berkas {src.name} ({sn.kind}) tidak dapat dirender.")
    if sn.kind == "docx":
        from niaga.printshop.docxmodel import open_docx

        open_docx(src)  # corrupt containers are reported before LibreOffice sees them
    tmp_out = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:6]}.pdf")
    # LibreOffice picks the import filter by extension; give it a copy named after the sniffed content
    with tempfile.TemporaryDirectory(prefix="niaga-render-") as tmp:
        staged = Path(tmp) / f"input.{sn.kind}"
        try:
            os.link(src, staged)
        except OSError:
            shutil.copyfile(src, staged)
        t0 = time.monotonic()
        (converter or default_converter()).convert(staged, tmp_out)
        _ = time.monotonic() - t0
    if not tmp_out.exists():
        raise PrintshopInputError("render_failed", f"LibreOffice tidak menghasilkan PDF untuk {src.name}.")
    tmp_out.replace(out)
    return pdf_pages(out)
