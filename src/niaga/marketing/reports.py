"""The weekly owner report of a business's customer segments: a PDF (reportlab, Indonesian: summary,
charts of segment sizes and their trend, the R/F heatmap, top movements, segment table with suggested
actions) and an Excel workbook (openpyxl: a summary sheet plus one sheet per segment, rupiah number formats,
frozen header, autofilter).

Both are built from one `ReportData` that only ever reads the given business's snapshot rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from niaga.kit.errors import NotFound
from niaga.kit.money import format_rupiah
from niaga.kit.timeutil import MONTHS_ID
from niaga.marketing import rfm, service
from niaga.marketing.models import RfmSnapshot
from niaga.tenancy.models import Business

RUPIAH_FORMAT = '"Rp"#,##0'
SEGMENT_COLORS = {
    "champions": "#1b7f5b",
    "loyal_customers": "#2f9e6e",
    "potential_loyalists": "#64b98a",
    "new_customers": "#3b82c4",
    "promising": "#74a9d8",
    "need_attention": "#e0a526",
    "about_to_sleep": "#c9b458",
    "at_risk": "#e07b39",
    "cant_lose_them": "#c8442f",
    "lost": "#8a8f98",
}


def long_date(d: date) -> str:
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


@dataclass
class ReportData:
    business_id: int
    business_name: str
    business_slug: str
    as_of: date
    method: str
    customers_scored: int
    customers_without_purchases: int
    segments: list[dict[str, Any]]
    grid: list[dict[str, Any]]
    movements: list[dict[str, Any]]
    previous_as_of: date | None
    trend: list[dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def summary_text(self) -> str:
        top = [s for s in self.segments if s["count"]][:3]
        moves = "; ".join(f"{m['count']} {m['from_label']} → {m['to_label']}" for m in self.movements[:3])
        lines = [
            f"Laporan pelanggan mingguan {self.business_name} per {long_date(self.as_of)}:",
            f"{self.customers_scored} pelanggan dinilai, {self.customers_without_purchases} belum pernah belanja.",
        ]
        if top:
            lines.append("Segmen: " + ", ".join(f"{s['label']} {s['count']}" for s in top) + ".")
        if moves:
            lines.append(
                f"Perpindahan sejak {long_date(self.previous_as_of) if self.previous_as_of else '-'}: "
                f"{moves}."
            )
        return "\n".join(lines)


def report_data(db: Session, *, business: Business, snapshot: RfmSnapshot | None = None) -> ReportData:
    """The data of the report for the business's latest snapshot (or the one given)."""
    snap = snapshot or service.latest_snapshot(db, business_id=business.id)
    if snap is None or snap.business_id != business.id:
        raise NotFound("Belum ada analisis RFM untuk dilaporkan.", code="rfm_not_calculated")
    out = service.snapshot_out(snap)
    prev = service.previous_for_comparison(db, snapshot=snap)
    moves = service.movements(db, business_id=business.id, before=prev, after=snap) if prev else []
    trend = [
        {
            "as_of": s.as_of,
            "counts": {k: int((s.segments.get(k) or {}).get("count", 0)) for k in rfm.SEGMENT_ORDER},
        }
        for s in service.list_snapshots(db, business_id=business.id, limit=12)
    ]
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in rfm.SEGMENT_ORDER}
    found, _ = service.segment_rows(db, snapshot=snap, segment=None, sort="-monetary", limit=None)
    for r, c in found:
        rows[r.segment].append(service.row_out(r, c))
    return ReportData(
        business.id,
        business.name,
        business.slug,
        snap.as_of,
        snap.method,
        snap.customers_scored,
        snap.customers_without_purchases,
        out["segments"],
        out["grid"],
        moves,
        prev.as_of if prev else None,
        trend,
        rows,
    )


# --- PDF ---------------------------------------------------------------------------------------------


def _bar_chart(data: ReportData) -> Any:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    d = Drawing(480, 190)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 120, 10, 340, 170
    segs = list(reversed(data.segments))
    chart.data = [[s["count"] for s in segs]]
    chart.categoryAxis.categoryNames = [s["label"] for s in segs]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 8
    chart.bars[0].fillColor = colors.HexColor("#2f6f9f")
    for i, s in enumerate(segs):
        chart.bars[(0, i)].fillColor = colors.HexColor(SEGMENT_COLORS[s["segment"]])
    d.add(chart)
    return d


def _trend_chart(data: ReportData) -> Any:
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    d = Drawing(480, 200)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 50, 420, 140
    chart.data = [[t["counts"][s] for t in data.trend] for s in rfm.SEGMENT_ORDER]
    chart.categoryAxis.categoryNames = [t["as_of"].strftime("%d/%m") for t in data.trend]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    for i, s in enumerate(rfm.SEGMENT_ORDER):
        chart.lines[i].strokeColor = colors.HexColor(SEGMENT_COLORS[s])
        chart.lines[i].strokeWidth = 1.5
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, 28
    legend.columnMaximum = 2
    legend.fontSize = 7
    legend.dx = legend.dy = 6
    legend.deltax = 92
    legend.alignment = "right"
    legend.colorNamePairs = [(colors.HexColor(SEGMENT_COLORS[s]), rfm.label_of(s)) for s in rfm.SEGMENT_ORDER]
    d.add(legend)
    return d


def render_pdf(data: ReportData) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    h1 = ParagraphStyle("h1", parent=styles["Title"], fontSize=17, alignment=0, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontSize=12, spaceBefore=8, spaceAfter=4)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Laporan Pelanggan {data.business_name}",
        author=data.business_name,
        subject="Segmentasi pelanggan (RFM) mingguan",
    )
    story: list[Any] = [
        Paragraph(f"Laporan Pelanggan Mingguan — {escape(data.business_name)}", h1),
        Paragraph(
            f"Per {long_date(data.as_of)} · metode {'kuantil' if data.method == 'quantile' else 'batas tetap'}"
            f" · {data.customers_scored} pelanggan dinilai, {data.customers_without_purchases} belum pernah "
            "belanja.",
            body,
        ),
        Paragraph("Ringkasan segmen", h2),
        _bar_chart(data),
    ]
    head = ["Segmen", "Pelanggan", "Pendapatan", "Saran tindakan"]
    rows: list[list[Any]] = [head]
    for s in data.segments:
        rows.append(
            [
                Paragraph(f"<b>{escape(s['label'])}</b>", small),
                str(s["count"]),
                format_rupiah(s["revenue"]),
                Paragraph(escape(s["action"]), small),
            ]
        )
    t = Table(rows, colWidths=[36 * mm, 20 * mm, 32 * mm, 90 * mm], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3b57")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f5f8")]),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0d8")),
            ]
        )
    )
    story += [Paragraph("Tabel segmen dan saran tindakan", h2), t]
    # R/F heatmap: rows R 5..1, columns F 1..5, count and revenue per cell
    cells = {(c["r"], c["f"]): c for c in data.grid}
    top = max((c["count"] for c in data.grid), default=0) or 1
    hm: list[list[Any]] = [["R \\ F", "1", "2", "3", "4", "5"]]
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf2")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e8edf2")),
    ]
    for i, r in enumerate(range(5, 0, -1), start=1):
        line: list[Any] = [str(r)]
        for f in range(1, 6):
            c = cells[(r, f)]
            line.append(
                Paragraph(
                    f"<b>{c['count']}</b><br/>{format_rupiah(c['revenue'])}<br/>"
                    f"<font size=6>{escape(rfm.label_of(c['segment']))}</font>",
                    ParagraphStyle(
                        "cell",
                        parent=small,
                        alignment=1,
                        fontSize=7,
                        leading=8,
                        textColor=colors.white if c["count"] / top > 0.6 else colors.black,
                    ),
                )
            )
            shade = 0.92 - 0.6 * (c["count"] / top)
            style.append(
                ("BACKGROUND", (f, i), (f, i), colors.Color(shade, shade + 0.04, min(shade + 0.1, 1)))
            )
        hm.append(line)
    heat = Table(hm, colWidths=[14 * mm] + [32 * mm] * 5, rowHeights=[6 * mm] + [13 * mm] * 5)
    heat.setStyle(TableStyle(style))
    story.append(KeepTogether([Paragraph("Peta R/F (jumlah pelanggan dan pendapatan)", h2), heat]))
    story.append(
        Paragraph(
            "Perpindahan segmen"
            + (f" sejak {long_date(data.previous_as_of)}" if data.previous_as_of else ""),
            h2,
        )
    )
    if data.movements:
        mrows: list[list[Any]] = [["Dari", "Ke", "Pelanggan", "Contoh"]]
        for m in data.movements[:12]:
            names = ", ".join(escape(c["name"] or c["customer_ref"] or "") for c in m["customers"][:4])
            mrows.append([m["from_label"], m["to_label"], str(m["count"]), Paragraph(names, small)])
        mt = Table(mrows, colWidths=[36 * mm, 36 * mm, 20 * mm, 86 * mm], repeatRows=1)
        mt.setStyle(
            TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf2")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0d8")),
                    ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ]
            )
        )
        story.append(mt)
    else:
        story.append(Paragraph("Belum ada analisis sebelumnya untuk dibandingkan.", body))
    if len(data.trend) >= 2:
        story.append(KeepTogether([Paragraph("Tren ukuran segmen", h2), _trend_chart(data)]))
    story += [Spacer(1, 6), Paragraph("Saran tindakan minggu ini", h2)]
    for s in data.segments:
        if s["count"]:
            story.append(
                Paragraph(f"• <b>{escape(s['label'])}</b> ({s['count']}): {escape(s['action'])}", body)
            )
    story.append(Spacer(1, 8))
    story.append(
        Paragraph(
            "Dibuat otomatis oleh niaga. Nama segmen hanya untuk internal, jangan disebut ke pelanggan.",
            small,
        )
    )
    doc.build(story)
    return buf.getvalue()


# --- XLSX --------------------------------------------------------------------------------------------

XLSX_COLUMNS = (
    ("Kode", "customer_ref", 12),
    ("Nama", "name", 26),
    ("Telepon", "phone", 16),
    ("Email", "email", 24),
    ("Kota", "city", 14),
    ("Hari sejak belanja", "recency_days", 10),
    ("Jumlah transaksi", "frequency", 10),
    ("Total belanja", "monetary", 16),
    ("R", "r", 5),
    ("F", "f", 5),
    ("M", "m", 5),
)


def _header(ws: Any, titles: list[str], widths: list[int]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(titles)
    for i, w in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3B57")
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"


def render_xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    _header(ws, ["Segmen", "Kode segmen", "Pelanggan", "Pendapatan", "Saran tindakan"], [24, 20, 11, 18, 70])
    for s in data.segments:
        ws.append([s["label"], s["segment"], s["count"], s["revenue"], s["action"]])
        ws.cell(row=ws.max_row, column=4).number_format = RUPIAH_FORMAT
    last = ws.max_row
    ws.append(["Total", "", data.customers_scored, sum(s["revenue"] for s in data.segments), ""])
    ws.cell(row=ws.max_row, column=4).number_format = RUPIAH_FORMAT
    ws.auto_filter.ref = f"A1:E{last}"
    ws.append([])
    ws.append(["Per tanggal", data.as_of.isoformat()])
    ws.append(["Metode", data.method])
    ws.append(["Belum pernah belanja", data.customers_without_purchases])
    for seg in rfm.SEGMENT_ORDER:
        sheet = wb.create_sheet(rfm.label_of(seg)[:31])
        _header(sheet, [c[0] for c in XLSX_COLUMNS], [c[2] for c in XLSX_COLUMNS])
        for row in data.rows.get(seg, []):
            sheet.append([row[c[1]] for c in XLSX_COLUMNS])
            sheet.cell(row=sheet.max_row, column=8).number_format = RUPIAH_FORMAT
        sheet.auto_filter.ref = f"A1:K{max(sheet.max_row, 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
