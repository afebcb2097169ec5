"""The per-desa "Master Ansit" table as Excel, in the columns the Aksi Bangda app imports, so a
district uploads rather than re-types. The column headers live in one list (``FIXED``) to match
the province's template when it changes."""

from __future__ import annotations

import tempfile

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from .situation import Situation, reported_indicators

#: (header, how to read it from a ``DesaRow``); families and KRS stay empty for a desa whose
#: number of families (BKKBN) or KRS list of the data year is not in Tumbuh.
FIXED = [
    ("Kode Desa", lambda r: r.desa.code),
    ("Kecamatan", lambda r: r.kecamatan),
    ("Desa/Kelurahan", lambda r: r.desa.name),
    ("Jumlah Keluarga", lambda r: r.families),
    ("Jumlah Keluarga Berisiko Stunting (KRS)", lambda r: r.krs),
    ("Jumlah Balita (sasaran)", lambda r: r.under_five),
    ("Jumlah Balita Diukur", lambda r: r.measured_length),
    ("Jumlah Balita Sangat Pendek", lambda r: r.sangat_pendek),
    ("Jumlah Balita Pendek", lambda r: r.pendek),
    ("Prevalensi Stunting (%)", lambda r: round(r.prevalence, 2) if r.prevalence is not None else None),
]


def master_ansit(situation: Situation):
    indicators = reported_indicators(situation)
    wb = Workbook()
    ws = wb.active
    ws.title = "Master Ansit"
    headers = ["No", *(h for h, _ in FIXED), *(f"{i.short_name} (%)" for i in indicators)]
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for n, r in enumerate(situation.rows, start=1):
        coverage = [float(r.coverage[i.code].value) if r.coverage[i.code].value is not None else None for i in indicators]
        ws.append([n, *(read(r) for _, read in FIXED), *coverage])
    for col, width in zip("ABCDEFGHIJK", (5, 16, 18, 22, 12, 14, 12, 12, 12, 12, 12)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "D2"
    meta = wb.create_sheet("Keterangan")
    period = situation.period.label if situation.period else "-"
    for line in [
        ["Kabupaten/Kota", situation.kabupaten.name], ["Tahun rencana", situation.plan_year],
        ["Tahun data", situation.data_year], ["Periode pengukuran", period],
        ["Sumber pengukuran", "Tumbuh: pengukuran posyandu (e-PPGBM), z-skor WHO 2006"],
        ["Jumlah Keluarga", _families_note(situation)],
        ["KRS", "daftar keluarga berisiko stunting tahun data yang diimpor ke Tumbuh; kosong bila belum ada"],
        *[[f"{i.short_name} (%)", i.name] for i in indicators],
    ]:
        meta.append(line)
    meta.column_dimensions["A"].width, meta.column_dimensions["B"].width = 28, 90
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    return out


def _families_note(situation: Situation) -> str:
    """Where the "Jumlah Keluarga" column comes from, and how many desa have it."""
    sources = sorted({r.families_source for r in situation.rows if r.families is not None})
    entered = sum(1 for r in situation.rows if r.families is not None)
    if not entered:
        return f"belum ada jumlah keluarga tahun {situation.data_year} di Tumbuh (data keluarga BKKBN); kolom kosong"
    return (f"{'; '.join(sources)} tahun {situation.data_year}, dimasukkan atau diimpor per desa ke Tumbuh oleh sekretariat TPPS; "
            f"terisi untuk {entered} dari {len(situation.rows)} desa, kosong bila belum dimasukkan")
