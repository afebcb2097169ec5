"""The integrated plan as an Excel workbook for Renja/RKPD: a summary sheet, then one sheet
per OPD with the nomenclature codes, the indicator, the desa, volume, budget and funding
source, in the column order the Renja tables use. Headers are Indonesian, as the planning
documents they feed."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from tumbuh.core.spreadsheet import SheetNames, append_row
from tumbuh.wilayah.models import Wilayah

from .plan import activities, activity_row, totals

COLUMNS = [
    ("No", 5, None),
    ("Kode Program", 11, None),
    ("Program", 34, None),
    ("Kode Kegiatan", 14, None),
    ("Kegiatan", 34, None),
    ("Kode Sub Kegiatan", 18, None),
    ("Sub Kegiatan", 34, None),
    ("Indikator yang Diintervensi", 28, None),
    ("Desa Sasaran", 30, None),
    ("Kode Desa", 18, None),
    ("Volume", 10, "#,##0.##"),
    ("Satuan", 10, None),
    ("Pagu (Rp)", 16, "#,##0"),
    ("Sumber Dana", 14, None),
    ("Waktu Pelaksanaan", 18, None),
    ("Keterangan", 24, None),
]
_FILL = PatternFill("solid", fgColor="E6F2EC")
_BOLD = Font(bold=True)


def _head(ws, title: str, lines: list[str]) -> None:
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    for line in lines:
        append_row(ws, [line])
    append_row(ws, [])


def integrated_plan(kabupaten_code: str, year: int, *, now: dt.datetime) -> bytes:
    """The district's integrated plan of ``year`` as a workbook, made at ``now``."""
    kab = Wilayah.objects.get(pk=kabupaten_code)
    with translation.override("id"):
        qs = list(activities(kabupaten_code, year))
        rows = [activity_row(a) for a in qs]
        generated = date_format(timezone.localtime(now), "j F Y H:i")
    title = "RENCANA KEGIATAN TERINTEGRASI PERCEPATAN PENURUNAN STUNTING"
    where = f"{kab.label} Tahun {year}"
    wb = Workbook()
    summary = wb.active
    sheet_names = SheetNames()
    summary.title = sheet_names.add("Ringkasan")
    _head(summary, title, [where, f"Dibuat oleh Tumbuh, {generated}"])
    append_row(summary, ["OPD", "Nama OPD", "Jumlah Kegiatan", "Pagu (Rp)"])
    for cell in summary[summary.max_row]:
        cell.font, cell.fill = _BOLD, _FILL
    sums = totals(rows)
    names = {r["opd"]: r["opd_name"] for r in rows}
    for entry in sums["by_opd"]:
        append_row(summary, [entry["opd"], names[entry["opd"]], entry["activities"], entry["budget"]])
        summary.cell(summary.max_row, 4).number_format = "#,##0"
    append_row(summary, ["Jumlah", "", len(rows), sums["total_budget"]])
    for cell in summary[summary.max_row]:
        cell.font = _BOLD
    summary.cell(summary.max_row, 4).number_format = "#,##0"
    append_row(summary, [])
    append_row(summary, ["Sumber Dana", "", "", "Pagu (Rp)"])
    for cell in summary[summary.max_row]:
        cell.font, cell.fill = _BOLD, _FILL
    for s in sums["by_source"]:
        append_row(summary, [s["label"], "", "", s["budget"]])
        summary.cell(summary.max_row, 4).number_format = "#,##0"
    for letter, width in zip("ABCD", (14, 50, 16, 18)):
        summary.column_dimensions[letter].width = width

    by_opd: dict[str, list[dict]] = {}
    for r in rows:
        by_opd.setdefault(r["opd"], []).append(r)
    for opd, opd_rows in sorted(by_opd.items()):
        ws = wb.create_sheet(sheet_names.add(opd, fallback="OPD"))
        _head(ws, title, [where, f"OPD: {opd_rows[0]['opd_name']} ({opd})"])
        header = ws.max_row + 1
        append_row(ws, [c[0] for c in COLUMNS])
        for cell in ws[header]:
            cell.font, cell.fill = _BOLD, _FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, r in enumerate(opd_rows, 1):
            append_row(
                ws,
                [
                    i,
                    r["program_code"],
                    r["program"],
                    r["kegiatan_code"],
                    r["kegiatan"],
                    r["sub_kegiatan_code"],
                    r["sub_kegiatan"],
                    r["indicator_name"],
                    ", ".join(d["name"] for d in r["desa"]) or "Seluruh kabupaten",
                    ", ".join(d["code"] for d in r["desa"]),
                    float(r["volume"]),
                    r["unit"],
                    r["budget"],
                    r["funding"],
                    r["timing"],
                    r.get("note", ""),
                ],
            )
            for col, (_h, _w, fmt) in enumerate(COLUMNS, 1):
                cell = ws.cell(ws.max_row, col)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if fmt:
                    cell.number_format = fmt
        append_row(ws, ["", "Jumlah"] + [""] * 10 + [sum(r["budget"] for r in opd_rows)])
        for cell in ws[ws.max_row]:
            cell.font = _BOLD
        ws.cell(ws.max_row, 13).number_format = "#,##0"
        for col, (_h, width, _f) in enumerate(COLUMNS, 1):
            ws.column_dimensions[ws.cell(header, col).column_letter].width = width
        ws.freeze_panes = ws.cell(header + 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
