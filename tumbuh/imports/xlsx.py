"""The workbooks an import hands out: the blank template, a template filled in advance (one row
per desa, say, with what is stored), and the rejected rows.

The rejected-rows workbook has the file's own columns (so it imports again once fixed),
then ``Alasan`` (the reason) and ``Baris Asal`` (the row in the original file); the
importer ignores those two columns. Written in openpyxl's write-only mode, so a million
rejected rows stream to disk instead of filling memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tumbuh.core.spreadsheet import SheetNames, append_row, new_cell, put, sheet_name

from .framework import Importer, iter_rejected
from .models import ImportBatch

REASON_HEADER = "Alasan"
ROW_HEADER = "Baris Asal"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TEMPLATE_TEXT_ROWS = 2000  # rows pre-formatted as text under code columns


def _text_cell(sheet, value: str, **style):
    cell = new_cell(sheet, value)
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def rejected_workbook(batch: ImportBatch):
    """The rejected rows as an XLSX in a temporary file (rewound, ready to send)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(_("Rejected rows")))
    headers = list(batch.headers)
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, h, font=bold, fill=_HEADER_FILL) for h in [*headers, REASON_HEADER, ROW_HEADER]])
    for row in iter_rejected(batch):
        cells = list(row.cells) + [""] * (len(headers) - len(row.cells))
        sheet.append([*(_text_cell(sheet, c) for c in cells), _text_cell(sheet, row.message), row.row_number])
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out


def template_workbook(importer_cls: type[Importer], references: list[tuple[str, list[str], list[list[str]]]] = ()):
    """The blank template: a note row, the header row (with a note on each header), one
    example row; then one sheet per reference list (e.g. the desa codes in the user's area)."""
    workbook = Workbook()
    sheet = workbook.active
    names = SheetNames()
    sheet.title = names.add("Data")
    columns = [c for c in importer_cls.columns if c.in_template]
    note = _(
        "Fill one row per %(what)s below the header row. Keep the column headers; the example row "
        "is skipped on import, you may overwrite or delete it. Codes are looked up in the sheets that follow."
    ) % {"what": importer_cls.title}
    put(sheet, 1, 1, note).font = Font(italic=True, color="555555")
    sheet.cell(row=1, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.row_dimensions[1].height = 45
    for index, column in enumerate(columns, start=1):
        header = put(sheet, 2, index, column.header)
        header.font = Font(bold=True)
        header.fill = _HEADER_FILL
        if column.note:
            header.comment = Comment(str(column.note), "Tumbuh", width=300, height=120)
        example = put(sheet, 3, index, column.example)
        example.font = Font(italic=True, color="808080")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, min(48, len(column.header) + 6, len(column.example) + 4))
        if column.text_format:
            for r in range(3, _TEMPLATE_TEXT_ROWS):
                sheet.cell(row=r, column=index).number_format = "@"
    sheet.freeze_panes = "A3"
    for title, headers, rows in references:
        ref = workbook.create_sheet(names.add(title))
        for cell in append_row(ref, headers):
            cell.font = Font(bold=True)
        for r in rows:
            append_row(ref, r)
        for index in range(1, len(headers) + 1):
            ref.column_dimensions[get_column_letter(index)].width = 24
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out


def prefilled_workbook(
    note: str,
    headers: list[str],
    rows: Iterable[list],
    *,
    text_columns: Iterable[int] = (),
    number_formats: dict[int, str] | None = None,
    widths: Iterable[int] = (),
):
    """A template filled in advance: a note row, the header row, then one row per record (e.g.
    every desa of the district, with what is stored), so people fill the gaps and send it back.
    ``text_columns`` (1-based) keep codes as text; ``number_formats`` maps a column to its format."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    put(sheet, 1, 1, note).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(row=1, column=1).font = Font(italic=True, color="555555")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.row_dimensions[1].height = 60
    for index, header in enumerate(headers, start=1):
        cell = put(sheet, 2, index, header)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    text_columns, number_formats = set(text_columns), number_formats or {}
    for r, values in enumerate(rows, start=3):
        for index, v in enumerate(values, start=1):
            cell = put(sheet, r, index, v)
            if index in text_columns:
                cell.number_format = "@"
            elif index in number_formats:
                cell.number_format = number_formats[index]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out
