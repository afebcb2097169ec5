"""Every dashboard table as an Excel workbook: header rows with the kabupaten, the period, the
data source and the generation time, then the table, with Indonesian number formats (Excel
shows the decimal separator of the reader's locale; the format codes fix the decimals).

A figure column (``pct``, ``dec``) stores the value rounded by Tumbuh's one rule
(:func:`tumbuh.core.numbers.excel_value`) under a format showing exactly those decimals, so
the cell, the page, the PDF and the CSV show the same digits."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tumbuh.core.numbers import PERCENT_PLACES, excel_format, excel_value
from tumbuh.core.spreadsheet import SheetNames, append_row

#: figure column kind → decimals shown (and stored: the value is rounded to them)
PLACES = {"pct": PERCENT_PLACES, "dec": 2}
#: column kind → number format
FORMATS = {
    "int": "#,##0",
    "pct": excel_format(PLACES["pct"], grouping=False),
    "dec": excel_format(PLACES["dec"], grouping=False),
    "text": "@",
}
_HEADER_FILL = PatternFill("solid", fgColor="E6F2EC")


def workbook(
    title: str,
    meta: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence],
    notes: Sequence[str] = (),
    sheets: Sequence[tuple[str, Sequence, Sequence]] = (),
    *,
    now: dt.datetime,
) -> bytes:
    """``meta``: (label, value) header rows; ``columns``: (header, kind) with kind in
    :data:`FORMATS`; ``rows``: values (None for empty cells). ``sheets``: further tables of the
    same page (title, columns, rows), each on a sheet of its own under the same header, which says
    it was generated at ``now``."""
    wb = Workbook()
    names = SheetNames()  # each sheet named after its table, valid and unique (the full title is in A1)
    wb.active.title = names.add(title)
    _sheet(wb.active, title, meta, columns, rows, notes, now)
    for sheet_title, sheet_columns, sheet_rows in sheets:
        _sheet(wb.create_sheet(names.add(sheet_title)), sheet_title, meta, sheet_columns, sheet_rows, (), now)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(ws, title, meta, columns, rows, notes, now: dt.datetime) -> None:
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    for label, value in meta:
        append_row(ws, [label, value])
    append_row(ws, [_("Generated"), date_format(timezone.localtime(now), "DATETIME_FORMAT")])
    append_row(ws, [])
    header_row = ws.max_row + 1
    append_row(ws, [h for h, _k in columns])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    places = [PLACES.get(kind) for _h, kind in columns]
    for row in rows:
        append_row(
            ws,
            [
                excel_value(v, p) if p is not None and _is_number(v) else v
                for v, p in zip(row, places + [None] * (len(row) - len(places)))
            ],
        )
        r = ws.max_row
        for i, (_h, kind) in enumerate(columns, start=1):
            ws.cell(r, i).number_format = FORMATS.get(kind, "General")
    for i, (h, kind) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(h)) + 2)) if kind != "text" else 28
    if notes:
        append_row(ws, [])
        for n in notes:
            append_row(ws, [n])
    ws.freeze_panes = ws.cell(header_row + 1, 1)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def response(content: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
