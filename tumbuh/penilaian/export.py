"""The assessment for the provincial panel: a workbook (``core.spreadsheet``: every district ×
criterion with its score, weighted value and comment, then the totals and the rank) and an
official PDF (``documents.official``) with the province, year, rubric and date. Always in
Indonesian, like every document sent to the panel."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from tumbuh.core.numbers import excel_format, excel_value
from tumbuh.core.spreadsheet import SheetNames, append_row, put
from tumbuh.documents.official import (
    Heading,
    Kop,
    OfficialDocument,
    Paragraph,
    Table,
    indonesian_date,
    indonesian_number,
)

from .totals import PLACES

_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor="DDEBF7")
#: Places of a weight, a level's value and a weighted value (rubrics use up to two decimals).
VALUE_PLACES = 2


def _number(value) -> str:
    """A value as the rubric writes it: up to two decimals, none when whole (10; 2,5)."""
    return "" if value is None else indonesian_number(value.normalize() if hasattr(value, "normalize") else value)


def filename(assessment) -> str:
    return f"penilaian-kinerja-{assessment.province_id}-{assessment.year}"


def _header(sheet, values) -> None:
    row = sheet.max_row + 1
    for col, value in enumerate(values, start=1):
        cell = put(sheet, row, col, value)
        cell.font, cell.fill = _BOLD, _HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _numbers(sheet, columns, places) -> None:
    for col in columns:
        sheet.cell(row=sheet.max_row, column=col).number_format = excel_format(places)


def workbook(assessment, ranked, *, today: datetime.date) -> bytes:
    """The workbook: sheet "Nilai" (one row per district × criterion assessed) and sheet
    "Peringkat" (one row per district, best first)."""
    book = Workbook()
    book.remove(book.active)
    names = SheetNames()
    title = f"Penilaian Kinerja Aksi Konvergensi Provinsi {assessment.province.name} Tahun {assessment.year}"
    about = f"Rubrik: {assessment.rubric}. Status: {assessment.get_status_display()}. Diunduh {indonesian_date(today)}."

    scores = book.create_sheet(names.add("Nilai"))
    append_row(scores, [title])
    append_row(scores, [about])
    _header(
        scores,
        [
            "Kode wilayah",
            "Kabupaten/Kota",
            "Tahun aksi",
            "Aksi",
            "Kode kriteria",
            "Kriteria",
            "Bobot",
            "Skor",
            "Skor maksimum",
            "Nilai tertimbang",
            "Komentar",
        ],
    )
    for row in sorted(ranked, key=lambda r: r.kabupaten.code):
        for cell in row.cells:
            if not cell.in_scope:
                continue
            c = cell.criterion
            append_row(
                scores,
                [
                    row.kabupaten.code,
                    row.kabupaten.name,
                    cell.year,
                    c.aksi,
                    c.code,
                    c.indicator,
                    excel_value(c.weight, VALUE_PLACES),
                    excel_value(cell.value, VALUE_PLACES),
                    excel_value(c.max_value(), VALUE_PLACES),
                    excel_value(cell.weighted, VALUE_PLACES),
                    cell.score.comment if cell.score else "",
                ],
            )
            _numbers(scores, (7, 8, 9, 10), VALUE_PLACES)
    for col, width in zip("ABCDEFGHIJK", (12, 24, 10, 6, 12, 60, 8, 8, 10, 12, 50)):
        scores.column_dimensions[col].width = width
    scores.freeze_panes = "C4"

    ranking = book.create_sheet(names.add("Peringkat"))
    append_row(ranking, [title])
    append_row(ranking, [about])
    _header(
        ranking,
        [
            "Peringkat",
            "Kode wilayah",
            "Kabupaten/Kota",
            "Tahun I",
            "Kriteria dinilai",
            "Kriteria diberi skor",
            "Nilai tertimbang",
            "Nilai maksimum",
            "Capaian (%)",
        ],
    )
    for row in ranked:
        append_row(
            ranking,
            [
                row.rank,
                row.kabupaten.code,
                row.kabupaten.name,
                "Ya" if row.first_year else "Tidak",
                row.assessed,
                row.scored,
                excel_value(row.total, VALUE_PLACES),
                excel_value(row.maximum, VALUE_PLACES),
                excel_value(row.achievement, PLACES),
            ],
        )
        _numbers(ranking, (7, 8), VALUE_PLACES)
        _numbers(ranking, (9,), PLACES)
    for col, width in zip("ABCDEFGHI", (10, 12, 26, 8, 10, 10, 12, 12, 12)):
        ranking.column_dimensions[col].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def document(assessment, ranked, *, today: datetime.date) -> OfficialDocument:
    """The result as an official document of the province's TPPS."""
    province = assessment.province.name.upper()
    if not province.startswith("PROVINSI"):
        province = f"PROVINSI {province}"
    rubric = assessment.rubric
    blocks = [
        Paragraph(f"Rubrik: {rubric.name}, versi {rubric.version}. {rubric.basis}".strip()),
        Paragraph(
            f"Status penilaian: {'final' if assessment.is_final else 'draf (belum final)'}. "
            f"Tahun I menilai Aksi 1–4 tahun {assessment.year}; tahun berikutnya menilai Aksi 5–8 tahun "
            f"{assessment.year - 1} dan Aksi 1–4 tahun {assessment.year}. Capaian adalah nilai tertimbang dibagi nilai "
            "maksimum kriteria yang dinilai."
        ),
        Heading("A. Peringkat"),
        Table(
            ["Peringkat", "Kabupaten/Kota", "Tahun I", "Nilai tertimbang", "Nilai maksimum", "Capaian (%)"],
            [
                [
                    "" if r.rank is None else r.rank,
                    r.kabupaten.name,
                    "Ya" if r.first_year else "Tidak",
                    _number(r.total),
                    _number(r.maximum),
                    indonesian_number(r.achievement, PLACES) if r.achievement is not None else "",
                ]
                for r in ranked
            ],
            widths=[1, 4, 1, 2, 2, 2],
            numeric=[0, 3, 4, 5],
        ),
        Heading("B. Nilai dan Catatan per Kabupaten/Kota"),
    ]
    for r in sorted(ranked, key=lambda r: r.kabupaten.code):
        rows = [
            [
                f"{cell.criterion.code} (Aksi {cell.criterion.aksi} {cell.year})",
                cell.criterion.indicator,
                _number(cell.criterion.weight),
                _number(cell.value),
                _number(cell.weighted),
                cell.score.comment if cell.score else "",
            ]
            for cell in r.cells
            if cell.in_scope
        ]
        blocks.append(Heading(r.kabupaten.name, level=2))
        blocks.append(
            Table(
                ["Kriteria", "Pertanyaan", "Bobot", "Skor", "Nilai", "Catatan"],
                rows,
                widths=[2, 6, 1, 1, 1, 5],
                numeric=[2, 3, 4],
                footer=["Jumlah", "", "", "", _number(r.total), ""],
            )
        )
    return OfficialDocument(
        kop=Kop(government=f"PEMERINTAH {province}", office="TIM PERCEPATAN PENURUNAN STUNTING PROVINSI"),
        title="HASIL PENILAIAN KINERJA AKSI KONVERGENSI PERCEPATAN PENURUNAN STUNTING",
        subtitle=f"Kabupaten/Kota di {province.title()} Tahun {assessment.year}",
        blocks=blocks,
        date=today,
        filename=filename(assessment),
        landscape=True,
    )
