"""A real IPP printer for tests: CUPS's `ippeveprinter` (Debian `cups-ipp-utils`) on a free loopback port.

Every job that reaches the "paper" is recorded by a small print command (`-c`): the job's IPP attributes
(copies, sides, print-color-mode, media, page-ranges, job-name, …) as JSON and the document's bytes, in
`printer.out_dir`. `records()` returns them. The command can be slowed (`set_delay`) or held with
"media-empty" reported to the printer (`media_empty(True)`), and the printer can be killed mid-job
(`kill()`, the whole process group, so the job never completes) and started again on the same port.

ippeveprinter insists on DNS-SD (Avahi over D-Bus); a private `dbus-daemon` on a socket in the harness folder
satisfies it without any system service. Usage:

    with IppPrinter(tmp_path / "printer") as printer:
        uri = printer.uri            # ipp://localhost:PORT/ipp/print
        ...
        printer.records()            # [{"attrs": {"copies": "3", ...}, "pdf": Path, "pages": 3}, ...]
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_COMMAND = r'''#!{python}
"""ippeveprinter print command (tests/fakes/ipp_printer.py): record the job, honour the control file."""
import json, os, pathlib, shutil, sys, time

here = pathlib.Path(__file__).parent


def control():
    try:
        return json.loads((here / "control.json").read_text())
    except Exception:
        return {{}}


reported = False
while control().get("media_empty"):
    if not reported:
        print("STATE: +media-empty-error", file=sys.stderr, flush=True)
        reported = True
    time.sleep(0.1)
if reported:
    print("STATE: -media-empty-error", file=sys.stderr, flush=True)
time.sleep(float(control().get("delay", 0)))
attrs = {{k[4:].lower().replace("_", "-"): v for k, v in os.environ.items() if k.startswith("IPP_")}}
uid = attrs.get("job-uuid", str(time.time())).rsplit(":", 1)[-1]
out = here / "out"
out.mkdir(exist_ok=True)
shutil.copyfile(sys.argv[1], out / (uid + ".pdf"))
tmp = out / (uid + ".json.tmp")
tmp.write_text(json.dumps({{"attrs": attrs, "file": uid + ".pdf", "content_type": os.environ.get("CONTENT_TYPE")}}))
tmp.rename(out / (uid + ".json"))
'''


def free_port() -> int:
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        try:  # ippeveprinter also listens on ::1
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
                s6.bind(("::1", port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free loopback port for ippeveprinter")


def available() -> bool:
    return shutil.which("ippeveprinter") is not None


class _BusNotReady(RuntimeError):
    """ippeveprinter could not reach the D-Bus daemon (DNS-SD); starting again may succeed."""


class IppPrinter:
    def __init__(
        self, folder: Path, *, name: str = "niaga-test", duplex: bool = True, color: bool = True
    ) -> None:
        self.folder = Path(folder)
        self.name = name
        self.duplex = duplex
        self.color = color
        self.port = free_port()
        self.spool = self.folder / "spool"
        self.out_dir = self.folder / "out"
        self.log_path = self.folder / "ippeveprinter.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._dbus: subprocess.Popen[bytes] | None = None
        self._control: dict[str, Any] = {"delay": 0, "media_empty": False}

    @property
    def uri(self) -> str:
        return f"ipp://localhost:{self.port}/ipp/print"

    # --- life cycle ------------------------------------------------------------------------------

    def __enter__(self) -> IppPrinter:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_dbus(self) -> dict[str, str]:
        env = dict(os.environ)
        daemon = shutil.which("dbus-daemon")
        if daemon is None:
            return env
        sock = self.folder / "bus.sock"
        if self._dbus is None or self._dbus.poll() is not None:
            conf = self.folder / "bus.conf"
            conf.write_text(
                '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" '
                '"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">'
                f"<busconfig><type>session</type><listen>unix:path={sock}</listen>"
                '<policy context="default"><allow send_destination="*" eavesdrop="true"/>'
                '<allow eavesdrop="true"/><allow receive_sender="*"/><allow own="*"/>'
                '<allow user="*"/></policy></busconfig>'
            )
            with contextlib.suppress(FileNotFoundError):
                sock.unlink()
            self._dbus = subprocess.Popen(
                [daemon, f"--config-file={conf}", "--nofork", "--nopidfile"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = time.monotonic() + 10  # a busy machine (two suites side by side) starts it slowly
            while not sock.exists() and time.monotonic() < deadline and self._dbus.poll() is None:
                time.sleep(0.02)
        env["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={sock}"
        return env

    def _stop_dbus(self) -> None:
        if self._dbus is not None and self._dbus.poll() is None:
            self._dbus.kill()
            self._dbus.wait(5)
        self._dbus = None

    def start(self) -> IppPrinter:
        """Start (or start again after `kill()`) on the same port, spool and output folders."""
        if not available():
            raise RuntimeError("ippeveprinter is not installed: apt-get install cups-ipp-utils")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.spool.mkdir(exist_ok=True)
        self.out_dir.mkdir(exist_ok=True)
        command = self.folder / "record.py"
        command.write_text(_COMMAND.format(python=sys.executable))
        command.chmod(0o755)
        self._write_control()
        # ippeveprinter gives up at once when the bus is not answering yet ("Unable to initialize DNS-SD"), as
        # seen on a machine running two suites side by side: the bus is started afresh and it is tried again.
        for attempt in range(3):
            try:
                return self._start_once()
            except _BusNotReady:
                self._stop_dbus()
                time.sleep(0.5 * (attempt + 1))
        return self._start_once()

    def _start_once(self) -> IppPrinter:
        env = self._start_dbus()
        args = ["ippeveprinter", "-p", str(self.port), "-n", "localhost", "-d", str(self.spool), "-k"]
        args += ["-f", "application/pdf", "-c", str(self.folder / "record.py"), "-r", "off", "-v"]
        if self.duplex:
            args.append("-2")
        if self.color:
            args += ["-s", "20,10"]  # a colour speed makes it a colour printer
        args.append(self.name)
        log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=self.folder
        )
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                text = self.log_path.read_text()[-2000:]
                if "Unable to initialize DNS-SD" in text:
                    raise _BusNotReady(text)
                raise RuntimeError(f"ippeveprinter exited: {text}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"ippeveprinter did not start listening: {self.log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        """The printer disappears at once (power cut): SIGKILL to it and its print command."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=10)
        self._proc = None

    def close(self) -> None:
        self.kill()
        if self._dbus is not None and self._dbus.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._dbus.pid, signal.SIGTERM)
            self._dbus.wait(timeout=10)
        self._dbus = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # --- control ---------------------------------------------------------------------------------

    def _write_control(self) -> None:
        path = self.folder / "control.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._control))
        tmp.rename(path)

    def set_delay(self, seconds: float) -> None:
        """How long "printing" takes once the job starts."""
        self._control["delay"] = seconds
        self._write_control()

    def media_empty(self, empty: bool) -> None:
        """Hold the next jobs with media-empty reported to the printer until called with False."""
        self._control["media_empty"] = empty
        self._write_control()

    # --- what reached the paper ------------------------------------------------------------------

    def records(self) -> list[dict[str, Any]]:
        """Every printed job, oldest first: {"attrs": {ipp attribute: value}, "pdf": Path, "pages": int}."""
        from pypdf import PdfReader

        found = []
        for path in sorted(self.out_dir.glob("*.json"), key=lambda p: p.stat().st_mtime):
            data = json.loads(path.read_text())
            pdf = self.out_dir / data["file"]
            data["pdf"] = pdf
            data["pages"] = len(PdfReader(str(pdf)).pages)
            found.append(data)
        return found

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            recs = self.records()
            if len(recs) >= count:
                return recs
            time.sleep(0.05)
        return self.records()
