"""BKKBN's Verval KRS list, written from its published description (not copied from a download):
title rows above one header row, the headers as BKKBN writes them, a "No" column, kecamatan and
desa by name, yes/no as 1/0 or Ya/Tidak, no year column.

A family is a dict with the keys of ``FIELDS`` (the stored field each header fills): the flags
True/False, ``jenis_pendampingan`` as written in the list, the rest text. ``verval_rows``
writes them as the list's rows; ``verval_file`` as a file (``fmt``: "csv" or "xlsx"; the
HTML-.xls and BIFF .xls variants come with the readers that take them).
"""

from __future__ import annotations

import io

from tumbuh.imports.testing import COVER_ROWS, csv_bytes, html_xls_bytes, xls_bytes, xlsx_bytes

#: The list's headers, in BKKBN's order, and the family key each holds ("" : the row number).
COLUMNS = (
    ("No", ""),
    ("No. Kartu Keluarga", "kk_number"),
    ("NIK Kepala Keluarga", "nik"),
    ("Nama Kepala Keluarga", "head_name"),
    ("NIK Istri", "wife_nik"),
    ("Nama Istri", "wife_name"),
    ("Kecamatan", "kecamatan"),
    ("Desa", "desa"),
    ("Punya Anak 0-23 Bulan", "ada_baduta"),
    ("Punya Anak 24-59 Bulan", "ada_anak_24_59"),
    ("PUS", "ada_pus"),
    ("PUS Hamil", "ada_ibu_hamil"),
    ("Keluarga Tidak Mempunyai Sumber Air Minum Utama yang Layak", "air_tidak_layak"),
    ("Keluarga Tidak Mempunyai Jamban yang Layak", "jamban_tidak_layak"),
    ("PUS 4 Terlalu Muda (Umur Istri < 20 Tahun)", "terlalu_muda"),
    ("PUS 4 Terlalu Tua (Umur Istri 35 sd 40 Tahun)", "terlalu_tua"),
    ("PUS 4 Terlalu Dekat (< 2 Tahun)", "terlalu_dekat"),
    ("PUS 4 Terlalu Banyak (≥ 3 Anak)", "terlalu_banyak"),
    ("PUS 4 Terlalu", "empat_terlalu"),
    ("Bukan Peserta KB Modern", "bukan_peserta_kb_modern"),
    ("Jenis Pendampingan yang Diterima", "jenis_pendampingan"),
)
HEADERS = [header for header, _key in COLUMNS]
FLAGS = (
    "ada_baduta",
    "ada_anak_24_59",
    "ada_pus",
    "ada_ibu_hamil",
    "air_tidak_layak",
    "jamban_tidak_layak",
    "terlalu_muda",
    "terlalu_tua",
    "terlalu_dekat",
    "terlalu_banyak",
    "empat_terlalu",
    "bukan_peserta_kb_modern",
)
FIELDS = tuple(key for _header, key in COLUMNS if key)
#: What the Verval list does not carry: stored as unknown.
NOT_IN_LIST = ("rumah_tidak_layak", "pendidikan_ibu_rendah", "miskin")

TITLES = (
    ["DATA VERIFIKASI DAN VALIDASI KELUARGA BERISIKO STUNTING"],
    ["Provinsi: SULAWESI SELATAN"],
    ["Kabupaten: LUWU TIMUR"],
    ["Periode: 2025"],
)
STYLES = {"10": ("1", "0"), "ya-tidak": ("Ya", "Tidak")}


#: Columns of digits that a spreadsheet may hold as numbers.
NUMBERS = ("kk_number", "nik", "wife_nik")


def verval_rows(
    families: list[dict],
    *,
    style: str = "10",
    titles: int = 4,
    order: list[int] | None = None,
    lead: int = 0,
    blank_rows: int = 0,
    spaces: bool = False,
    extra: bool = False,
    numbers: bool = False,
) -> list[list]:
    """The list's rows: ``titles`` title rows (0–4), ``blank_rows`` empty rows, the header and a
    row per family. ``order``: the columns' order (a permutation of ``COLUMNS``); ``lead``
    empty columns on the left; ``spaces`` around every value; ``extra``: a "Keterangan"
    column BKKBN's list may add (not read); ``numbers``: NIK and KK numbers as number cells."""
    yes, no = STYLES[style]
    order = list(range(len(COLUMNS))) if order is None else order
    pad = [""] * lead

    def cell(text: str) -> str:
        return f"  {text} " if spaces and text else text

    rows: list[list] = [pad + list(title) for title in TITLES[:titles]]
    rows += [[] for _i in range(blank_rows)]
    rows.append(pad + [COLUMNS[i][0] for i in order] + (["Keterangan"] if extra else []))
    for number, family in enumerate(families, start=1):
        values = []
        for i in order:
            key = COLUMNS[i][1]
            if not key:
                values.append(str(number))
            elif key in FLAGS:
                values.append(cell(yes if family[key] else no))
            elif numbers and key in NUMBERS and family[key]:
                values.append(int(family[key]))
            else:
                values.append(cell(family[key]))
        rows.append(pad + values + (["diverifikasi"] if extra else []))
    return rows


def verval_file(families: list[dict], fmt: str = "csv", *, delimiter: str = ";", **options) -> io.BytesIO:
    rows = verval_rows(families, **options)
    if fmt == "csv":
        return csv_bytes(rows, delimiter=delimiter)
    if fmt == "xlsx":
        return xlsx_bytes(rows, title="Verval KRS")
    if fmt == "xls":  # a genuine Excel 97–2003 workbook, the list behind a cover sheet
        return xls_bytes(sheets=[("Petunjuk", COVER_ROWS), ("Verval KRS", rows)])
    if fmt == "html":  # an HTML table saved with an .xls name, as web apps "export to Excel"
        return html_xls_bytes(rows, title_rows=())
    raise ValueError(fmt)


def family(nik: str, desa: str, kecamatan: str = "MALILI", **given) -> dict:
    """A family with no flag set, no accompaniment, and ``given`` on top."""
    out = {
        "kk_number": nik[:-4] + "9000",
        "nik": nik,
        "head_name": f"Kepala {nik[-4:]}",
        "wife_nik": "",
        "wife_name": "",
        "kecamatan": kecamatan,
        "desa": desa,
        "jenis_pendampingan": "",
        **dict.fromkeys(FLAGS, False),
    }
    out.update(given)
    return out
