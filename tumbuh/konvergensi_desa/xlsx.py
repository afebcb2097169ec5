"""The quarterly scorecard as the tables village cadres report: one sheet per target group
(one row per person, Y/T/TS per item, their Y and applicable counts) and the desa's
convergence level per group and in total."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tumbuh.core.numbers import PERCENT_PLACES, round_figure
from tumbuh.core.spreadsheet import SheetNames, append_row, put

from . import scorecard

_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor="DDEBF7")
_SHEETS = {
    scorecard.IBU_HAMIL: "Tabel 1 Ibu Hamil",
    scorecard.ANAK_0_23: "Tabel 2 Anak 0-23 Bulan",
    scorecard.ANAK_2_6: "Tabel 3 Anak 2-6 Tahun",
}


#: A convergence level as a percentage with one decimal, as the page shows it.
PERCENT_FORMAT = "0." + "0" * PERCENT_PLACES + "%"


def _level(y: int, applicable: int) -> float | None:
    """The cell's value: the level the page shows (``Level.percent``, rounded by the one rule)
    as a fraction, so the percentage format shows the page's digits."""
    if not applicable:
        return None
    return float(round_figure(100.0 * y / applicable, PERCENT_PLACES) / 100)


def _header(sheet, row: int, values: list) -> None:
    for col, value in enumerate(values, start=1):
        cell = put(sheet, row, col, value)
        cell.font, cell.fill = _BOLD, _HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def scorecard_workbook(desa, year: int, quarter: int, grouped: dict, per: dict, total) -> io.BytesIO:
    workbook = Workbook()
    workbook.remove(workbook.active)
    title = f"Desa {desa.name}, Triwulan {quarter} Tahun {year}"
    names = SheetNames()
    for group, sheet_name in _SHEETS.items():
        sheet = workbook.create_sheet(names.add(sheet_name))
        items = scorecard.items(group)
        append_row(sheet, [f"Kartu Skor Konvergensi Desa: {scorecard.group_label(group)}"])
        append_row(sheet, [title])
        _header(
            sheet,
            3,
            ["No", "Nama", *[str(i.label) for i in items], "Jumlah Y", "Jumlah item - TS", "Tingkat konvergensi"],
        )
        for n, person in enumerate(grouped.get(group, []), start=1):
            y, applicable = person.counts()
            append_row(
                sheet,
                [
                    n,
                    person.name,
                    *[person.answers.get(i.code, "") for i in items],
                    y,
                    applicable,
                    _level(y, applicable),
                ],
            )
            sheet.cell(row=sheet.max_row, column=len(items) + 5).number_format = PERCENT_FORMAT
        sheet.column_dimensions["B"].width = 28
        for col in range(3, len(items) + 3):
            sheet.column_dimensions[get_column_letter(col)].width = 14
        sheet.row_dimensions[3].height = 60
        sheet.freeze_panes = "C4"
    summary = workbook.create_sheet(names.add("Tabel 4 Tingkat Konvergensi"), 0)
    append_row(summary, ["Tingkat Konvergensi Desa"])
    append_row(summary, [title])
    _header(summary, 3, ["Sasaran", "Jumlah orang", "Jumlah Y", "Jumlah item - TS", "Tingkat konvergensi"])
    for group in scorecard.GROUPS:
        level = per[group]
        append_row(
            summary,
            [
                str(scorecard.group_label(group)),
                level.people,
                level.y,
                level.applicable,
                _level(level.y, level.applicable),
            ],
        )
    append_row(summary, ["Total", total.people, total.y, total.applicable, _level(total.y, total.applicable)])
    for row in summary.iter_rows(min_row=4, min_col=5, max_col=5):
        row[0].number_format = PERCENT_FORMAT
    summary.cell(row=summary.max_row, column=1).font = _BOLD
    summary.column_dimensions["A"].width = 26
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out
