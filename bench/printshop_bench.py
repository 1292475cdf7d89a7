"""Print-shop benchmarks (issue 12). Figures are ratios against a baseline measured in the same run.

1. A generated thesis of about --pages pages: our format + render + check end to end, with the worker's
   LibreOffice already warm, beside a cold `soffice --headless --convert-to pdf` of the same (unformatted)
   file alone. Goal: ratio <= 1.0 (a warm converter beats a cold start even while doing more work).
2. `check` on a generated --scan-pages page, 150 dpi image-only scan: pages per second (goal >= 20 on
   2 cores), run in a child process so its memory peak is its own.
3. Memory peaks: this process, the warm office (VmHWM of its process group), the cold soffice (children).

Usage: python bench/printshop_bench.py [--pages 50] [--scan-pages 100] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def _group_hwm_kb(pgid: int) -> int:
    """Peak resident memory (VmHWM) summed over a process group's live members, in KiB."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


def _self_hwm_kb() -> int:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries that over exec from the parent, so a
    child started by a big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def thesis(path: Path, pages: int) -> None:
    from tests.printshop import gen

    # ~10 body paragraphs fill an A4 page at 12 pt / 1.5 lines; 5 chapters x 3 sub-headings
    gen.thesis_docx(path, chapters=5, paras_per_sub=max(2, round(pages * 10 / 15)), messy=True)


def cold_soffice(src: Path, outdir: Path, profile: Path) -> float:
    argv = [
        "soffice",
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(src),
    ]
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return time.perf_counter() - t0


def check_child(scan: Path) -> dict:
    """Runs in a child process: pages/s of check_pdf and this process's memory peak."""
    from niaga.printshop.pdfcheck import check_pdf

    t0, c0 = time.perf_counter(), time.process_time()
    r = check_pdf(scan)
    dt = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + ru.ru_utime + ru.ru_stime  # this process + its page workers
    return {
        "pages": r["pages"],
        "seconds": round(dt, 2),
        "pages_per_s": round(r["pages"] / dt, 1),
        "cpu_ms_per_page": round(cpu * 1000 / r["pages"], 1),
        "pages_per_s_on_2_free_cores": round(2 * r["pages"] / cpu, 1),
        "peak_rss_mb": round(_self_hwm_kb() / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--scan-pages", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3, help="thesis runs (medians are reported)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check-child", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.check_child:
        print(json.dumps(check_child(a.check_child)))
        return

    from tests.printshop import gen

    from niaga.printshop.formatter import format_docx
    from niaga.printshop.pdfcheck import check_pdf
    from niaga.printshop.render import Converter, render_to_pdf
    from niaga.printshop.templates import get_template

    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="niaga-bench-ps-") as tmp:
        t = Path(tmp)
        src = t / "thesis.docx"
        thesis(src, a.pages)
        # baseline: cold soffice (its profile exists from a first, unmeasured run, as on a server)
        profile = t / "cold-profile"
        cold_soffice(src, t / "warmup", profile)
        conv = Converter(timeout=300)
        conv.warm()  # a worker's office is started once, before its first job
        render_to_pdf(src, t / "warm-up.pdf", converter=conv)  # first load of the writer filters
        colds, runs = [], []
        for n in range(a.repeat):  # alternate baseline and ours so both see the same machine load
            colds.append(cold_soffice(src, t / f"cold{n}", profile))
            t0 = time.perf_counter()
            format_docx(src, t / "fmt.docx", get_template("skripsi"))
            t1 = time.perf_counter()
            pages = render_to_pdf(t / "fmt.docx", t / "fmt.pdf", converter=conv)
            t2 = time.perf_counter()
            check_pdf(t / "fmt.pdf")
            t3 = time.perf_counter()
            runs.append((t3 - t0, t1 - t0, t2 - t1, t3 - t2))
        cold_s = statistics.median(colds)
        ours, fmt_s, render_s, check_s = (statistics.median(x) for x in zip(*runs, strict=True))
        cold_pages = gen_pages(t / "cold0" / "thesis.pdf")
        cold_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        office_hwm = _group_hwm_kb(conv._office.pid) / 1024 if conv._office else 0.0
        conv.close()
        out["thesis"] = {
            "pages_cold": cold_pages,
            "pages_formatted": pages,
            "cold_soffice_s": round(cold_s, 2),
            "ours_total_s": round(ours, 2),
            "format_s": round(fmt_s, 2),
            "render_s": round(render_s, 2),
            "check_s": round(check_s, 2),
            "repeats": a.repeat,
            "ratio_ours_vs_cold": round(ours / cold_s, 2),
            "peak_rss_mb": {
                "format_render_check_process": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
                "warm_office": round(office_hwm, 1),
                "cold_soffice": round(cold_rss, 1),
            },
        }
        scan = t / "scan.pdf"
        kinds = ["text"] * a.scan_pages
        for i in range(0, a.scan_pages, 10):
            kinds[i] = ["blank", "blur", "rot90", "colour", "speckle"][(i // 10) % 5]
        gen.scan_pdf(scan, kinds)
        r = subprocess.run(
            [sys.executable, __file__, "--check-child", str(scan)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        out["check_scan"] = json.loads(r.stdout.strip().splitlines()[-1])
        out["check_scan"]["cpus"] = os.cpu_count()
    if a.json:
        print(json.dumps(out))
        return
    th, sc = out["thesis"], out["check_scan"]
    print(f"thesis ~{a.pages} pages ({th['pages_formatted']} formatted, {th['pages_cold']} unformatted)")
    print(f"  cold soffice --convert-to pdf : {th['cold_soffice_s']:.2f} s   (baseline 1.00x)")
    print(
        f"  ours format+render+check (warm): {th['ours_total_s']:.2f} s   ({th['ratio_ours_vs_cold']:.2f}x; "
        f"format {th['format_s']:.2f} + render {th['render_s']:.2f} + check {th['check_s']:.2f})"
    )
    print(
        f"  peak RSS MB: our process {th['peak_rss_mb']['format_render_check_process']}, warm office "
        f"{th['peak_rss_mb']['warm_office']}, cold soffice {th['peak_rss_mb']['cold_soffice']}"
    )
    print(
        f"check on {sc['pages']}-page 150 dpi scan: {sc['pages_per_s']} pages/s wall ({sc['seconds']} s, "
        f"{sc['cpus']} CPUs, load {os.getloadavg()[0]:.1f}); {sc['cpu_ms_per_page']} CPU-ms/page = "
        f"{sc['pages_per_s_on_2_free_cores']} pages/s on 2 free cores; peak RSS {sc['peak_rss_mb']} MB"
    )


def gen_pages(pdf: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(str(pdf)).pages) if pdf.exists() else 0


if __name__ == "__main__":
    if shutil.which("soffice") is None:
        sys.exit("soffice not installed: run scripts/system-deps.sh")
    main()
