"""Helpers for tests: build real XLSX, XLS (BIFF), e-PPGBM-style HTML and CSV files in memory.

Every builder takes ``rows`` as a list of lists of cell values (text, numbers, dates, None),
writes them the way the real producer of that format would, and returns a seekable binary file
(``io.BytesIO``) positioned at its start, ready for ``run_import(..., source=...)``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import html
import io
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook

from .cells import cell_text

#: What a workbook's cover sheet typically holds (put it before the data with ``sheets=``).
COVER_ROWS = [
    ["Petunjuk pengisian"],
    ["1. Isi satu baris per anak per pengukuran."],
    ["2. Jangan mengubah nama kolom pada lembar Data."],
]

Sheets = Sequence[tuple[str, Sequence[Sequence]]]


def _sheets(rows, title: str, sheets: Sheets | None) -> Sheets:
    if sheets is None:
        return [(title, rows if rows is not None else [])]
    if rows is not None:
        raise TypeError("give rows or sheets, not both")
    return sheets


def xlsx_bytes(rows: list[list] | None = None, title: str = "Data", *, sheets: Sheets | None = None) -> io.BytesIO:
    """An XLSX workbook (openpyxl). One sheet ``title`` holding ``rows``, or, with ``sheets``,
    the sheets given as ``(title, rows)`` in that order, e.g. the data behind a cover sheet:
    ``xlsx_bytes(sheets=[("Petunjuk", COVER_ROWS), ("Data", rows)])``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, sheet_rows in _sheets(rows, title, sheets):
        sheet = workbook.create_sheet(name)
        for row in sheet_rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def xls_bytes(rows: list[list] | None = None, sheet_title: str = "Data", *, sheets: Sheets | None = None) -> io.BytesIO:
    """A genuine legacy Excel workbook (BIFF8, written with xlwt, the format Excel 97–2003 saves).

    Numbers are number cells, ``datetime.date``/``datetime.datetime`` values date cells (an
    Excel date format, as Excel stores dates), booleans boolean cells, None an empty cell;
    ``sheets`` as for :func:`xlsx_bytes`. At most 65,536 rows and 256 columns per sheet."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    datetime_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    for name, sheet_rows in _sheets(rows, sheet_title, sheets):
        sheet = workbook.add_sheet(name)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime.datetime):
                    sheet.write(r, c, value, datetime_style)
                elif isinstance(value, datetime.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


class RawHTML(str):
    """A cell of :func:`html_xls_bytes` written as it is (not escaped), e.g.
    ``RawHTML("2 Tahun<br>3 Bulan")`` or ``RawHTML("<b>Siti</b>&nbsp;Aminah")``."""


def _html_cell(value, tag: str, nbsp_empty: bool, attrs: str = "") -> str:
    if isinstance(value, RawHTML):
        text = str(value)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        text = value.isoformat()  # e-PPGBM writes dates as YYYY-MM-DD
    else:
        text = html.escape(cell_text(value), quote=False)
    if not text and nbsp_empty:
        text = "&nbsp;"
    return f"<{tag}{attrs}>{text}</{tag}>"


def html_xls_bytes(
    rows: list[list],
    title_rows: Sequence[str] = ("Daftar Anak Berdasarkan Status Gizi",),
    *,
    header_cells: str = "th",
    with_thead: bool = True,
    title_as: str = "row",
    encoding: str = "utf-8",
    bom: bool = False,
    declare_charset: bool | str = True,
    extra_markup: bool = True,
    nbsp_empty: bool = False,
    newline: str = "\n",
) -> io.BytesIO:
    """An HTML table saved with an ``.xls`` name, as e-PPGBM's "Daftar Anak Berdasarkan Status
    Gizi" download is: it opens in Excel, but it is a web page, not a workbook.

    - ``rows[0]`` is the header row (``<th>`` cells, or ``<td>`` with ``header_cells="td"``),
      the other rows the data, each written with as many cells as it has (a short row stays short).
    - ``title_rows`` come above the header: each as a ``<tr>`` with one cell spanning the header's
      width (``title_as="row"``) or as an ``<h3>`` above the table (``title_as="heading"``).
    - Cell values are escaped (``&amp;``...); a :class:`RawHTML` value is written as it is, for
      ``<br>``, ``&nbsp;``, entities and nested tags. ``nbsp_empty`` writes empty cells as ``&nbsp;``.
    - ``with_thead``: title and header rows in ``<thead>``, the data in ``<tbody>``.
    - ``extra_markup``: a doctype, ``<html>`` with Excel's namespaces, ``<head>`` with a
      ``<meta>`` (declaring ``declare_charset``: True for ``encoding``, a name to declare another
      charset, False for none), a ``<style>`` and an Excel conditional comment; False: the bare
      ``<table>`` and nothing else.
    - ``encoding`` and ``bom`` (a UTF-8 or UTF-16 byte order mark) as the server wrote them.
    """
    width = max((len(r) for r in rows), default=1)
    parts = []
    if extra_markup:
        parts.append('<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">')
        parts.append(
            '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">'
        )
        parts.append("<head>")
        charset = encoding if declare_charset is True else declare_charset
        if charset:
            parts.append(f'<meta http-equiv="Content-Type" content="application/vnd.ms-excel; charset={charset}">')
        parts.append(
            '<style>td { mso-number-format: "\\@"; border: 1px solid #000; }\n.judul { font-weight: bold; }</style>'
        )
        parts.append(
            "<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet>"
            "<x:Name>Sheet1</x:Name></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->"
        )
        parts.append("</head>")
        parts.append("<body>")
    titles = [f'<tr><td colspan="{width}" class="judul"><b>{html.escape(t)}</b></td></tr>' for t in title_rows]
    if title_as == "heading":
        parts.extend(f"<h3>{html.escape(t)}</h3>" for t in title_rows)
        titles = []
    elif title_as != "row":
        raise ValueError(title_as)
    parts.append('<table border="1" cellspacing="0">')
    header = ["<tr>", *(_html_cell(v, header_cells, False) for v in rows[0]), "</tr>"] if rows else []
    body = [f"<tr>{''.join(_html_cell(v, 'td', nbsp_empty) for v in row)}</tr>" for row in rows[1:]]
    if with_thead:
        parts += ["<thead>", *titles, "".join(header), "</thead>", "<tbody>", *body, "</tbody>"]
    else:
        parts += [*titles, "".join(header), *body]
    parts.append("</table>")
    if extra_markup:
        parts += ["</body>", "</html>"]
    text = newline.join(parts) + newline
    data = text.encode(encoding)
    if bom:  # Python's "utf-16" codec writes its own
        data = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(
            codecs.lookup(encoding).name, b""
        ) + data
    return io.BytesIO(data)


def csv_bytes(rows: list[list], delimiter: str = ";", encoding: str = "utf-8-sig", newline: str = "\r\n") -> io.BytesIO:
    """A CSV file as Excel saves one: ``encoding="utf-8-sig"`` (with BOM), ``"cp1252"`` or
    ``"utf-16"`` (Excel's "Unicode text", with BOM; use ``delimiter="\\t"``)."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def read_xlsx(data) -> list[list]:
    """All rows of the first sheet, as lists of values (None for empty cells)."""
    if hasattr(data, "seek"):
        data.seek(0)
    sheet = load_workbook(data if hasattr(data, "read") else io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def crash_on_save(monkeypatch, importer_cls, at: int = 3, error: str = "disk full") -> list:
    """Make the import framework's ``do_save`` raise on its ``at``-th call, with chunks of two
    rows so that earlier chunks are written before the crash; returns the list of calls."""
    from . import framework

    monkeypatch.setattr(importer_cls, "chunk_size", 2)
    real_save, calls = framework.do_save, []

    def failing_save(*args, **kwargs):
        calls.append(1)
        if len(calls) == at:
            raise RuntimeError(error)
        return real_save(*args, **kwargs)

    monkeypatch.setattr(framework, "do_save", failing_save)
    return calls


#: The 37 headers of e-PPGBM's "Daftar Anak Berdasarkan Status Gizi" ("Pukesmas" sic).
EPPGBM_HEADERS = [
    "No",
    "NIK",
    "Nama",
    "JK",
    "Tgl Lahir",
    "BB Lahir",
    "TB Lahir",
    "Nama Ortu",
    "Prov",
    "Kab/Kota",
    "Kec",
    "Pukesmas",
    "Desa/Kel",
    "Posyandu",
    "RT",
    "RW",
    "Alamat",
    "Total Pengukuran",
    "Usia Saat Ukur",
    "Tanggal Pengukuran",
    "Berat",
    "Tinggi",
    "Cara Ukur",
    "LiLA",
    "BB/U",
    "ZS BB/U",
    "TB/U",
    "ZS TB/U",
    "BB/TB",
    "ZS BB/TB",
    "Naik Berat Badan",
    "Jml Vit A",
    "KPSP",
    "KIA",
    "Kelas Ibu Balita",
    "MBG",
    "Detail",
]
