"""How much real Office files and zipped shapefiles unpack, member by member: the evidence
behind the zip-bomb limits of ``tumbuh.core.safezip`` (``TUMBUH_UPLOAD_MAX_RATIO``, the
unpacked-size limits).

    .venv/bin/python bench/bench_zip_ratios.py                # 200,000 e-PPGBM rows (a whole district)
    .venv/bin/python bench/bench_zip_ratios.py --rows 20000   # quicker

The files, all made here (no download): e-PPGBM exports of ``--rows`` rows (bench_import's
generator) written by openpyxl in its write-only mode (as Tumbuh's own exports and the demo's
``EppgbmExport.xlsx_bytes`` write them) and in its normal mode with every cell styled (as a
program that formats cells writes them); a very repetitive list (one row 20,000 times); a
template with two columns formatted down to Excel's last row; a Word document by python-docx;
a shapefile by pyshp with BIG's attribute table. For each: the compressed size, the
unpacked size and the largest member ratio (unpacked / compressed). Also the time to inflate
(and drop) every member with zipfile (the floor) and with ``safezip.verify``, which a
worker spends before a workbook is parsed, and the time to refuse a real zip bomb against
zipfile's listing of its central directory. Prints Markdown for docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
os.environ.setdefault("TUMBUH_DEBUG", "1")
os.environ.setdefault("TUMBUH_VAR_DIR", tempfile.mkdtemp(prefix="tumbuh-zip-ratios-"))


def members(data: bytes) -> tuple[int, int, float, str]:
    """(unpacked bytes, members, the largest member ratio, that member's name)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        worst = max(infos, key=lambda i: i.file_size / max(i.compress_size, 1))
        return (
            sum(i.file_size for i in infos),
            len(infos),
            worst.file_size / max(worst.compress_size, 1),
            worst.filename,
        )


def inflate_seconds(data: bytes) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                while member.read(1 << 20):
                    pass
    return time.perf_counter() - start


def verify_seconds(data: bytes) -> float:
    """``safezip``'s checks: the central directory, then every member inflated and counted."""
    from tumbuh.core import safezip

    start = time.perf_counter()
    with safezip.open_archive(io.BytesIO(data), safezip.Limits(max_unpacked=1 << 40, max_ratio=1 << 20)) as archive:
        safezip.verify(archive)
    return time.perf_counter() - start


def bomb_refusal() -> tuple[int, float, float]:
    """The issue's kind of file, 400 MB of zeros as a sheet: the guard's refusal (central
    directory only) against the floor of listing the central directory with zipfile."""
    from tumbuh.core import safezip
    from tumbuh.core.testing import zip_bomb

    bomb = zip_bomb(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}, "xl/worksheets/sheet1.xml", 400 << 20
    )
    runs, floors = [], []
    for _ in range(20):
        start = time.perf_counter()
        try:
            safezip.open_archive(io.BytesIO(bomb), safezip.Limits(max_unpacked=1 << 30))
        except safezip.UnsafeArchive:
            pass
        runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        zipfile.ZipFile(io.BytesIO(bomb)).infolist()
        floors.append(time.perf_counter() - start)
    return len(bomb), sorted(runs)[10], sorted(floors)[10]


def eppgbm_rows(n: int) -> list[list[str]]:
    from bench_import import generate

    posyandu = [
        (f"Posyandu {k}", f"Desa {k % 40}", f"Kec {k % 11}", f"Puskesmas {k % 15}", f"73.24.{k % 11 + 1:02d}")
        for k in range(300)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "e.csv"
        generate(path, n, posyandu)
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.reader(f, delimiter=";"))


def xlsx(rows, write_only: bool, styled: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=write_only)
    if write_only:
        ws = wb.create_sheet("Data")
    else:
        ws = wb.active
    bold = Font(bold=True)
    for row in rows:
        ws.append(row)
    if styled and not write_only:
        for row in ws.iter_rows():
            for cell in row:
                cell.font = bold
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def formatted_column() -> bytes:
    """A template whose first columns are formatted down to row 1,048,576 with no value: the
    most repetitive sheet a real program writes (Excel writes one <row> per formatted row)."""
    rows = "".join(
        f'<row r="{r}" spans="1:5" s="1" customFormat="1"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>'
        for r in range(2, 1_048_577)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><dimension ref="A1:E1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>NIK'
        f"</t></is></c></row>{rows}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def docx_files() -> list[tuple[str, bytes]]:
    import django

    django.setup()
    from docx import Document

    doc = Document()
    for k in range(2000):
        doc.add_paragraph(
            f"Paragraf {k}: Rembuk Stunting Kabupaten Luwu Timur menyepakati rencana kegiatan terintegrasi."
        )
    out = io.BytesIO()
    doc.save(out)
    return [("DOCX, python-docx, 2,000 paragraphs", out.getvalue())]


#: BIG's "Batas Wilayah Administrasi Desa" attribute table (KUGI names), as tumbuh/maps/tests/shp.py writes it.
BIG_FIELDS = [
    ("NAMOBJ", "C", 50),
    ("FCODE", "C", 50),
    ("REMARK", "C", 250),
    ("SRS_ID", "C", 50),
    ("KDBBPS", "C", 50),
    ("KDCBPS", "C", 50),
    ("KDCPUM", "C", 50),
    ("KDEBPS", "C", 50),
    ("KDEPUM", "C", 50),
    ("KDPBPS", "C", 50),
    ("KDPKAB", "C", 50),
    ("KDPPUM", "C", 50),
    ("LUASWH", "N", 18, 6),
    ("TIPADM", "N", 4, 0),
    ("WADMKC", "C", 50),
    ("WADMKD", "C", 50),
    ("WADMKK", "C", 50),
    ("WADMPR", "C", 50),
]


def shapefile_zip(n: int) -> bytes:
    """``n`` desa squares with BIG's attribute table (a .dbf padded with spaces to its widths)."""
    import shapefile

    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as w:
        for spec in BIG_FIELDS:
            w.field(*spec)
        for k in range(n):
            x, y = 120 + (k % 100) * 0.01, -2.5 - (k // 100) * 0.01
            w.poly([[(x, y), (x, y + 0.01), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y)]])
            w.record(
                f"Desa {k}",
                "BA03070040",
                "Batas Desa",
                "SR02",
                "",
                "",
                f"73.24.{k % 11:02d}",
                "",
                f"73.24.{k % 11:02d}.{2000 + k}",
                "73",
                "73.24",
                "73",
                12.5,
                1,
                f"Kecamatan {k % 11}",
                f"Desa {k}",
                "Luwu Timur",
                "Sulawesi Selatan",
            )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("desa.shp", shp.getvalue())
        archive.writestr("desa.shx", shx.getvalue())
        archive.writestr("desa.dbf", dbf.getvalue())
        archive.writestr(
            "desa.prj",
            'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]],'
            'PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]]',
        )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    rows = eppgbm_rows(args.rows)
    small = rows[:20_001]
    files = [
        (f"e-PPGBM export, {len(rows) - 1:,} rows, openpyxl write-only", xlsx(rows, True)),
        (f"e-PPGBM export, {len(small) - 1:,} rows, openpyxl write-only", xlsx(small, True)),
        (f"e-PPGBM export, {len(small) - 1:,} rows, openpyxl, every cell bold", xlsx(small, False, styled=True)),
        ("one row 20,000 times, openpyxl", xlsx([rows[0]] + [rows[1]] * 20_000, True)),
        ("template, 2 columns formatted to row 1,048,576 (as Excel writes it)", formatted_column()),
        *docx_files(),
        ("zipped shapefile, 5,000 desa, BIG's attribute table (pyshp)", shapefile_zip(5000)),
    ]
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores\n")
    print(
        "| file | compressed | unpacked | members | largest member ratio | zipfile reads all | safezip verifies all | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, data in files:
        unpacked, count, ratio, worst = members(data)
        floor = min(inflate_seconds(data) for _ in range(3))
        seconds = min(verify_seconds(data) for _ in range(3))
        print(
            f"| {name} | {len(data) / 1e6:.2f} MB | {unpacked / 1e6:.1f} MB | {count} | {ratio:.0f} : 1 ({worst}) "
            f"| {floor:.3f} s | {seconds:.3f} s | {seconds / floor:.2f} |"
        )
    size, refusal, listing = bomb_refusal()
    print(
        f"\nZip bomb, 400 MB of zeros as a sheet, {size / 1e3:.0f} KB: refused in {refusal * 1e3:.2f} ms (median of 20); "
        f"zipfile listing its central directory: {listing * 1e3:.2f} ms ({refusal / listing:.1f}x)"
    )


if __name__ == "__main__":
    main()
