"""The files districts actually download: e-PPGBM's HTML "xls", legacy BIFF workbooks, data on a
second sheet, and files that only pretend to be spreadsheets."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.utils import translation

from tumbuh.imports import readers
from tumbuh.imports.errors import ImportFileError
from tumbuh.imports.readers import HeaderSpec, estimate_rows, inspect_source, open_table
from tumbuh.imports.testing import COVER_ROWS, EPPGBM_HEADERS, RawHTML, csv_bytes, html_xls_bytes, xls_bytes, xlsx_bytes

SPEC = HeaderSpec(
    {
        "nik": ("NIK",),
        "name": ("Nama", "Nama Anak"),
        "sex": ("JK",),
        "birth": ("Tgl Lahir",),
        "age": ("Usia Saat Ukur",),
        "date": ("Tanggal Pengukuran",),
        "weight": ("Berat",),
        "height": ("Tinggi",),
        "total": ("Total Pengukuran",),
    },
    required=(("nik", "name"), ("date",)),
)


def _row(i: int) -> list:
    """A data row of e-PPGBM's download, as the site writes it."""
    return [
        i,
        f"73240{i:011d}",
        RawHTML(f"SITI&nbsp;AMINAH {i}"),
        "P",
        "2022-03-04",
        "3.1",
        "49",
        RawHTML("AMINAH &amp; ANDI"),
        "SULAWESI SELATAN",
        "LUWU TIMUR",
        "MALILI",
        "MALILI",
        "BALANTANG",
        "MAWAR",
        "001",
        "002",
        "Jl. Poros",
        "3",
        RawHTML("2 Tahun<br>3 Bulan"),
        "2024-05-06",
        "11.2",
        "85.1",
        "Berdiri",
        "14.5",
        "Normal",
        "-0.5",
        "Pendek",
        "-2.3",
        "Gizi Baik",
        "0.3",
        "Ya",
        "1",
        "Sesuai",
        "Ya",
        "Tidak",
        "Ya",
        RawHTML('<a href="#">Detail</a>'),
    ]


def _read(data, spec=SPEC):
    info = inspect_source(data)
    table = open_table(data, info, spec)
    return info, table, list(table.rows)


def _refusal(data) -> str:
    with pytest.raises(ImportFileError) as caught:
        info = inspect_source(data)
        list(open_table(data, info, SPEC).rows)
    with translation.override("en"):
        return caught.value.text()


# ---------------------------------------------------------------- HTML "xls"


def test_eppgbm_html_download_with_one_title_row_is_read_as_html():
    data = html_xls_bytes([EPPGBM_HEADERS, _row(1), _row(2)])
    info, table, rows = _read(data)
    assert info.format == "html"
    assert table.header_row == 2 and table.headers == EPPGBM_HEADERS and table.sheet == ""
    assert table.columns["date"] == 19 and table.columns["total"] == 17
    assert [n for n, _ in rows] == [3, 4]
    cells = rows[0][1]
    assert len(cells) == 37
    assert cells[2] == "SITI AMINAH 1"  # &nbsp; is a space
    assert cells[7] == "AMINAH & ANDI"
    assert cells[18] == "2 Tahun 3 Bulan"  # <br> is a space, not nothing
    assert cells[36] == "Detail"  # the link's text
    assert estimate_rows(data, info) == 3  # the <tr> tags less one: good enough for a progress bar


@pytest.mark.parametrize("header_cells", ["th", "td"])
@pytest.mark.parametrize("with_thead", [True, False])
@pytest.mark.parametrize("title_as", ["row", "heading"])
def test_several_title_rows_th_or_td_headers_with_or_without_thead(header_cells, with_thead, title_as):
    titles = ("Daftar Anak Berdasarkan Status Gizi", "Kabupaten Luwu Timur", "Periode: Mei 2024")
    data = html_xls_bytes(
        [EPPGBM_HEADERS, _row(1)], titles, header_cells=header_cells, with_thead=with_thead, title_as=title_as
    )
    _, table, rows = _read(data)
    assert table.headers == EPPGBM_HEADERS
    assert table.header_row == (4 if title_as == "row" else 1)
    assert [len(c) for _, c in rows] == [37]


def test_a_bare_table_without_html_head_or_body_is_read():
    data = html_xls_bytes([EPPGBM_HEADERS, _row(1)], extra_markup=False, with_thead=False)
    assert data.getvalue().startswith(b"<table")
    info, _, rows = _read(data)
    assert info.format == "html" and rows[0][1][2] == "SITI AMINAH 1"


def test_cells_decode_entities_line_breaks_nested_tags_and_whitespace():
    page = """<html><head><meta charset="utf-8"><style>td {color: red}</style></head><body>
    <h3>Daftar Anak</h3>
    <table>
      <tr><th>NIK</th><th>Nama</th><th>Tanggal Pengukuran</th><th>Usia Saat Ukur</th></tr>
      <tr>
        <td>
            7324010101010001
        </td>
        <td><b>Siti</b>&nbsp;<span class="x">O&#39;Neil</span> &amp; <a href="/anak/1">Adi&#x27;s</a><!-- catatan --></td>
        <td>2024-05-06</td>
        <td>2 Tahun<br>3 Bulan<br/>5 Hari</td>
      </tr>
      <tr><td>&nbsp;</td><td> </td><td></td><td>&nbsp;&nbsp;</td></tr>
    </table></body></html>"""
    _, table, rows = _read(io.BytesIO(page.encode()))
    assert table.columns == {"nik": 0, "name": 1, "date": 2, "age": 3}
    assert rows[0] == (2, ["7324010101010001", "Siti O'Neil & Adi's", "2024-05-06", "2 Tahun 3 Bulan 5 Hari"])
    assert rows[1] == (3, ["", "", "", ""])  # a row of &nbsp; is blank: the framework skips it


def test_colspan_keeps_later_cells_in_their_columns():
    page = """<table>
      <tr><td colspan="4">Daftar Anak Berdasarkan Status Gizi</td></tr>
      <tr><td>NIK</td><td>Nama</td><td>Tanggal Pengukuran</td><td>Berat</td></tr>
      <tr><td colspan="2">tidak ada NIK</td><td>2024-05-06</td><td>9,5</td></tr>
      <tr><td colspan=" 2x">1</td><td>Adi</td><td>2024-05-07</td></tr>
    </table>"""
    _, table, rows = _read(io.BytesIO(page.encode()))
    assert table.header_row == 2
    assert rows[0] == (3, ["tidak ada NIK", "", "2024-05-06", "9,5"])
    assert rows[1] == (4, ["1", "Adi", "2024-05-07"])  # a colspan that is no number spans one column


def test_short_data_rows_keep_their_true_width():
    short = _row(2)
    del short[17]  # the download that leaves out "Total Pengukuran": 36 cells under 37 headers
    trailing = _row(3)[:30] + [""] * 7  # empty cells at the end are still cells
    data = html_xls_bytes([EPPGBM_HEADERS, _row(1), short, trailing])
    _, table, rows = _read(data)
    assert len(table.headers) == 37
    assert [len(c) for _, c in rows] == [37, 36, 37]
    assert rows[1][1][17] == "2 Tahun 3 Bulan"  # not realigned here: that is the importer's job
    csv_rows = list(
        _read(
            csv_bytes(
                [
                    ["NIK", "Nama", "Tanggal Pengukuran", "Berat"],
                    ["1", "A", "2024-05-06"],
                    ["2", "B", "2024-05-06", "", ""],
                ]
            )
        )[2]
    )
    assert [len(c) for _, c in csv_rows] == [3, 5]


def test_implicit_end_tags_and_a_repeated_header_per_page():
    page = (
        "<table><tr><th>NIK<th>Nama<th>Tanggal Pengukuran"
        "<tr><td>1<td>A<td>2024-05-06"
        "</table><p>Halaman 2</p><table>"
        "<tr><th>NIK<th>Nama<th>Tanggal Pengukuran"
        "<tr><td>2<td>B<td>2024-05-07</table>"
    )
    _, _, rows = _read(io.BytesIO(page.encode()))
    assert rows == [(2, ["1", "A", "2024-05-06"]), (4, ["2", "B", "2024-05-07"])]


def test_a_layout_table_around_the_data_is_not_read_as_a_row():
    page = (
        "<table><tr><td><h3>Daftar Anak</h3><table>"
        "<tr><th>NIK</th><th>Nama</th><th>Tanggal Pengukuran</th></tr>"
        "<tr><td>1</td><td>A</td><td>2024-05-06</td></tr></table></td></tr></table>"
    )
    _, _, rows = _read(io.BytesIO(page.encode()))
    assert rows == [(2, ["1", "A", "2024-05-06"])]


@pytest.mark.parametrize(
    ("encoding", "bom", "declared"),
    [
        ("utf-8", True, "utf-8"),
        ("utf-8", False, False),
        ("utf-8", False, "windows-1252"),  # a wrong declaration
        ("cp1252", False, "windows-1252"),
        ("cp1252", False, False),
        ("utf-16", True, "utf-16"),
    ],
)
def test_html_encodings_declared_wrong_or_not_at_all(encoding, bom, declared):
    rows = [["NIK", "Nama", "Tanggal Pengukuran"], ["1", "Séno – Putri", "2024-05-06"]]
    data = html_xls_bytes(rows, encoding=encoding, bom=bom, declare_charset=declared)
    info, _, read = _read(data)
    assert info.format == "html"
    assert read[0][1][1] == "Séno – Putri"


def test_a_page_the_parser_gives_up_on_is_refused_not_cut_short():
    page = b"<table><tr><th>NIK</th><th>Tanggal Pengukuran</th></tr><tr><td>1</td><td>2024-05-06</td></tr></table>"
    page += b"<div>" * 5000 + b"<table><tr><td>2</td><td>2024-05-07</td></tr></table>"
    assert "cannot be read after row 2" in _refusal(io.BytesIO(page))


@pytest.mark.parametrize("name", ["daftar.csv", "daftar.xlsx", "daftar.xls", "daftar.htm"])
@pytest.mark.django_db
def test_content_wins_over_the_file_name(alice, name):
    from tumbuh.imports.framework import run_import
    from tumbuh.organisation.models import Opd

    data = html_xls_bytes(
        [["Singkatan", "Nama OPD", "Jenis"], ["DINKESX", RawHTML("Dinas&nbsp;Kesehatan"), "dinas"]],
        title_rows=("Daftar OPD",),
    )
    batch = run_import("opd", user=alice, kabupaten=alice.wilayah, source=data, file_name=name)
    assert batch.status == "done" and batch.created == 1, batch.error
    assert batch.source.name.endswith(".html") and batch.header_row == 2
    assert Opd.objects.get(kabupaten=alice.wilayah, short_name="DINKESX").name == "Dinas Kesehatan"


# ---------------------------------------------------------------- legacy .xls


def test_legacy_xls_dates_numbers_and_text():
    rows = [
        ["Daftar pengukuran Posyandu Mawar"],
        ["NIK", "Nama", "Tgl Lahir", "Tanggal Pengukuran", "Berat", "Tinggi", "Total Pengukuran", "Usia Saat Ukur"],
        [
            "7324010101010001",
            "Siti",
            datetime.date(2022, 3, 4),
            datetime.datetime(2024, 5, 6, 9, 30),
            11.0,
            85.25,
            3,
            True,
        ],
        [None, "Adi", None, datetime.date(2024, 5, 7), 9.5, None, None, None],
    ]
    data = xls_bytes(rows, sheet_title="Pengukuran")
    info, table, read = _read(data)
    assert info.format == "xls" and info.encoding == ""
    assert table.sheet == "Pengukuran" and table.header_row == 2
    assert read == [
        (3, ["7324010101010001", "Siti", "2022-03-04", "2024-05-06 09:30:00", "11", "85.25", "3", "TRUE"]),
        (4, ["", "Adi", "", "2024-05-07", "9.5"]),  # workbook rows are trimmed
    ]
    assert estimate_rows(data, info) == 3


def test_an_office_file_without_a_workbook_is_refused_clearly():
    data = xls_bytes([["NIK"]]).getvalue().replace("Workbook".encode("utf-16-le"), "Document".encode("utf-16-le"))
    assert "Office document without a readable workbook" in _refusal(io.BytesIO(data))


def test_a_damaged_xls_is_refused_clearly():
    data = xls_bytes([["NIK", "Tanggal Pengukuran"]] * 50).getvalue()
    assert "not a readable Excel (.xls) workbook" in _refusal(io.BytesIO(data[:1536]))


# ---------------------------------------------------------------- the sheet that holds the data


DATA = [["NIK", "Nama", "Tanggal Pengukuran", "Berat"], ["7324010101010001", "Siti", "2024-05-06", 11.5]]


@pytest.mark.parametrize("build", [xlsx_bytes, xls_bytes], ids=["xlsx", "xls"])
def test_data_behind_a_cover_sheet(build):
    data = build(sheets=[("Petunjuk", COVER_ROWS), ("Data", DATA)])
    _, table, rows = _read(data)
    assert table.sheet == "Data" and table.header_row == 1
    assert rows == [(2, ["7324010101010001", "Siti", "2024-05-06", "11.5"])]


@pytest.mark.parametrize("build", [xlsx_bytes, xls_bytes], ids=["xlsx", "xls"])
def test_the_sheet_naming_most_columns_wins(build):
    summary = [["Rekap"], ["Nama", "Tanggal Pengukuran"], ["Total", "2024-05"]]
    data = build(sheets=[("Rekap", summary), ("Anak", DATA), ("Catatan", [["Nama"]])])
    _, table, rows = _read(data)
    assert table.sheet == "Anak" and rows[0][1][0] == "7324010101010001"


@pytest.mark.parametrize("build", [xlsx_bytes, xls_bytes], ids=["xlsx", "xls"])
def test_no_sheet_with_the_columns_is_refused(build):
    assert "No header row found" in _refusal(build(sheets=[("A", COVER_ROWS), ("B", [["x", "y"]])]))


def test_xlsx_estimate_is_the_largest_sheet():
    data = xlsx_bytes(sheets=[("Petunjuk", COVER_ROWS), ("Data", DATA + [DATA[1]] * 9)])
    assert estimate_rows(data, inspect_source(data)) == 10


# ---------------------------------------------------------------- disguised and hostile files


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    out.seek(0)
    return out


def test_a_word_document_renamed_xlsx_is_refused():
    docx = _zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", "_rels/.rels": b"<Relationships/>"}
    )
    assert "zip archive but not an Excel workbook" in _refusal(docx)


def test_a_plain_zip_renamed_xlsx_is_refused():
    assert "zip archive but not an Excel workbook" in _refusal(_zip({"daftar.csv": b"NIK;Nama\n1;A\n"}))


def test_an_opendocument_spreadsheet_gets_its_own_reason():
    ods = _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}, zipfile.ZIP_STORED
    )
    assert ".ods" in _refusal(ods)


def test_a_zip_bomb_is_refused_before_it_is_opened(monkeypatch):
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\0" * (20 << 20),
        }
    )
    assert len(bomb.getvalue()) < 100_000  # 20 MB of zeros, a thousand times smaller
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(1))
    assert '"zip bomb"' in _refusal(bomb)
    assert opened == []


def test_a_workbook_larger_than_the_limit_is_refused(settings):
    settings.TUMBUH_UPLOAD_MAX_UNPACKED_BYTES = 1000
    assert "more than the 1 MB allowed" in _refusal(xlsx_bytes(DATA))


def test_a_real_workbook_is_not_a_bomb():
    rows = [DATA[0]] + [["7324010101010001", "Siti", "2024-05-06", 11.5]] * 20000  # very repetitive, yet real
    assert inspect_source(xlsx_bytes(rows)).format == "xlsx"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "an image"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03NIK;Nama", "binary data"),
        (b"", "empty"),
        (b"\xef\xbb\xbf  \r\n", "empty"),
        (
            b"<!DOCTYPE html><html><body><p>Sesi Anda telah berakhir, silakan login kembali.</p></body></html>",
            "without a table",
        ),
        (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', "XML"),
    ],
    ids=["pdf", "png", "jpeg", "gzip", "empty", "bom-only", "login-page", "spreadsheetml"],
)
def test_disguised_files_are_refused_with_their_reason(content, reason):
    assert reason in _refusal(io.BytesIO(content))


def test_refusals_are_in_indonesian():
    with pytest.raises(ImportFileError) as caught:
        inspect_source(io.BytesIO(b"%PDF-1.4\n"))
    with translation.override("id"):
        assert caught.value.text().startswith("Berkas ini dokumen PDF")


def test_a_csv_starting_with_a_less_than_sign_is_still_csv():
    info, table, rows = _read(csv_bytes([["<5 tahun", "NIK", "Tanggal Pengukuran"], ["ya", "1", "2024-05-06"]]))
    assert info.format == "csv" and rows == [(2, ["ya", "1", "2024-05-06"])]


def test_excel_unicode_text_is_read_as_utf16_tab_separated():
    data = csv_bytes(
        [["NIK", "Nama", "Tanggal Pengukuran"], ["1", "Séno", "2024-05-06"]], delimiter="\t", encoding="utf-16"
    )
    info, _, rows = _read(data)
    assert (info.format, info.encoding) == ("csv", "utf-16")
    assert rows == [(2, ["1", "Séno", "2024-05-06"])]


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("chunk", [5, 1 << 16])
def test_csv_lines_may_end_as_excel_for_mac_ends_them(monkeypatch, newline, chunk):
    # "CSV (Macintosh)" ends lines with a bare CR; a small chunk splits CR LF between two reads.
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    written = [
        ["Nama", "NIK", "Tanggal Pengukuran"],
        ["Séno", "1", "2024-05-06"],
        ["Ani\r\nAminah", "", "2024-05-07"],
        ["Budi", "3", ""],
    ]
    info, table, rows = _read(csv_bytes(written, encoding="cp1252", newline=newline))
    assert table.headers == written[0]
    assert rows == [(2, written[1]), (3, written[2]), (4, written[3])]


# ---------------------------------------------------------------- streaming


def _tricky_page(n: int = 400) -> bytes:
    """Rows mixed with what must never be cut: comments, scripts, raw text, nested tables."""
    parts = [
        "<html><head><title>Daftar </tr> anak</title><style>/* </tr> */ td {}</style>",
        '<script>var s = "</tr><tr><td>x</td></tr>";</script></head><body>',
        '<table><tr><td colspan="3">Daftar Anak</td></tr>',
        "<TR><TH>NIK<TH>Nama<TH>Tanggal Pengukuran</TR>",
    ]
    for i in range(n):
        kind = i % 7
        if kind == 0:
            parts.append(f"<tr><td>{i}</td><td>A<br>B</td><td>2024-05-06</td></tr>")
        elif kind == 1:
            parts.append(f"<!-- <tr><td>dihapus</td></tr> --><tr><td>{i}<td>C<td>2024-05-06")  # end tags implied
        elif kind == 2:
            parts.append(f"<tr><td>{i}</td><td><textarea></tr></textarea>T</td><td>2024-05-06</td></TR>")
        elif kind == 3:
            parts.append("</table><p>Halaman berikut</p><table><tr><th>NIK<th>Nama<th>Tanggal Pengukuran</tr>")
        elif kind == 4:
            parts.append(
                f"<tr><td>{i}</td><td><table><tr><td>dalam</td></tr><tr><td>{i}b</td></tr></table></td><td>x</td></tr>"
            )
        else:
            parts.append(f"<tr>\n  <td>{i}</td>\n  <td>D &amp; E</td><td>2024-05-06</td>\n</tr>\n")
    parts.append("</table></body></html>")
    return "".join(parts).encode()


@pytest.mark.parametrize(("chunk", "segment"), [(97, 150), (1000, 1), (4096, 10_000)])
def test_renewing_the_parser_changes_no_row(monkeypatch, chunk, segment):
    page = _tricky_page()
    whole = list(readers.iter_html(io.BytesIO(page), "utf-8"))
    assert len(whole) > 300
    renewals = []
    real_renew = readers._HtmlRows.renew

    def counting_renew(self):
        renewals.append(self.number)
        return real_renew(self)

    monkeypatch.setattr(readers._HtmlRows, "renew", counting_renew)
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    monkeypatch.setattr(readers, "HTML_SEGMENT", segment)
    assert list(readers.iter_html(io.BytesIO(page), "utf-8")) == whole
    assert len(renewals) >= 2  # it was cut


def _eppgbm_file(path, rows: int) -> int:
    """An e-PPGBM download of ``rows`` rows written to ``path`` piece by piece; its size."""
    head = html_xls_bytes([EPPGBM_HEADERS]).getvalue()
    top, bottom = head.split(b"</tbody>")
    one = html_xls_bytes([EPPGBM_HEADERS, _row(0)]).getvalue()
    template = one[one.index(b"<tbody>") + len(b"<tbody>\n") : one.index(b"</tbody>")]
    with open(path, "wb") as out:
        out.write(top)
        for i in range(rows):
            out.write(template.replace(b"<td>0</td>", f"<td>{i}</td>".encode(), 1))
        out.write(b"</tbody>" + bottom)
    return path.stat().st_size


def test_streaming_12000_rows_keeps_python_memory_flat(tmp_path):
    import tracemalloc

    size = _eppgbm_file(tmp_path / "daftar.xls", 12_000)
    assert size > 7_000_000
    with open(tmp_path / "daftar.xls", "rb") as source:
        info = inspect_source(source)
        tracemalloc.start()
        try:
            table = open_table(source, info, SPEC)
            count = sum(1 for _ in table.rows)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert count == 12_000
    # a list of the rows would take several times the file; the reader holds one segment of input
    assert peak < 2 * readers.HTML_SEGMENT < size / 3


_RSS_SCRIPT = """
import resource, sys
import lxml.etree
from tumbuh.imports.readers import HeaderSpec, inspect_source, open_table
spec = HeaderSpec({"nik": ("NIK",), "date": ("Tanggal Pengukuran",)}, required=(("nik",), ("date",)))
with open(sys.argv[1], "rb") as source:
    info = inspect_source(source)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = sum(1 for _ in open_table(source, info, spec).rows)
    print(count, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def test_streaming_keeps_the_parser_memory_flat_too(tmp_path):
    """libxml2's memory is invisible to tracemalloc: measure the peak RSS of a fresh process."""
    import subprocess
    import sys

    size = _eppgbm_file(tmp_path / "daftar.xls", 60_000)
    out = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(tmp_path / "daftar.xls")],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    count, growth = map(int, out.stdout.split())
    assert count == 60_000
    assert growth < size / 2, (growth, size)  # a whole-file DOM takes about 20 times the file; the input alone, once


@pytest.mark.django_db
def test_the_upload_form_offers_and_takes_xls_and_html(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tumbuh.imports.forms import UploadForm

    assert ".xls" in UploadForm(user=alice).fields["file"].widget.attrs["accept"].split(",")
    for name, ok in (("Daftar Anak Berdasarkan Status Gizi.xls", True), ("daftar.html", True), ("daftar.pdf", False)):
        form = UploadForm(data={}, files={"file": SimpleUploadedFile(name, b"<table></table>")}, user=alice)
        assert form.is_valid() is ok, form.errors
    with translation.override("id"):
        assert form.errors["file"] == ["Unggah berkas .xlsx, .xls, atau .csv."]
