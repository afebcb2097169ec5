"""Whatever the format, titles, header spelling, padding and encoding, every row reads back as written.

A random table of text and number cells is written as CSV (any delimiter and encoding), XLSX,
legacy XLS and e-PPGBM-style HTML, with 0–5 title rows above the header, the headers in any of
their accepted spellings (case, spaces, underscores, a trailing ``*``), empty padding columns on
the left and unknown extra columns. Reading it back must find the same columns, every data row
in order with its number, and the same value in every cell."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumbuh.imports import readers
from tumbuh.imports.cells import cell_text, header_key
from tumbuh.imports.readers import HeaderSpec, inspect_source, open_table
from tumbuh.imports.testing import csv_bytes, html_xls_bytes, xls_bytes, xlsx_bytes

SPEC = HeaderSpec(
    {
        "nik": ("NIK", "No NIK"),
        "nama": ("Nama Anak", "Nama"),
        "tanggal": ("Tanggal Pengukuran", "Tgl Ukur"),
        "berat": ("Berat", "BB (kg)"),
        "catatan": ("Keterangan", "Catatan"),
    },
    required=(("nik", "nama"), ("tanggal",)),
)
KNOWN = set(SPEC.lookup())

# Cells as people type them: letters (some accented), digits, punctuation that CSV and HTML must
# escape; single inner spaces (HTML shows runs of spaces as one, as a browser does).
_ALPHABET = string.ascii_letters + string.digits + "éñ .,;:-/&<>'\"|()#"
_text = (
    st.text(_ALPHABET, min_size=1, max_size=12)
    .map(lambda t: " ".join(t.split()))
    .filter(lambda t: t and not t.startswith(("=", "+", "-", "@")) and header_key(t) not in KNOWN)
)
_number = st.one_of(st.integers(-(10**9), 10**12), st.decimals(-(10**5), 10**5, places=2).map(float))
_cell = st.one_of(_text, _number, st.just(""))


def _variant(name: str, draw) -> str:
    """One way a person or a program writes a header."""
    name = draw(st.sampled_from((name, name.upper(), name.lower(), name.title())))
    if draw(st.booleans()):
        name = name.replace(" ", "_")
    return draw(st.sampled_from(("", " ", "  "))) + name + draw(st.sampled_from(("", "*", " ", " *")))


@st.composite
def tables(draw):
    keys = draw(st.permutations(list(SPEC.names)))
    keys = [k for k in keys if k in ("nik", "tanggal") or draw(st.booleans())]
    extra = draw(st.lists(st.sampled_from(["Kolom Lain", "Foto", "Status Validasi"]), max_size=2, unique=True))
    columns = keys + extra
    columns = draw(st.permutations(columns))
    header = [_variant(draw(st.sampled_from(SPEC.names[c])), draw) if c in SPEC.names else c for c in columns]
    pad = draw(st.integers(0, 2))
    body = draw(st.lists(st.lists(_cell, min_size=len(columns), max_size=len(columns)), max_size=25))
    titles = draw(st.lists(_text.map(lambda t: "Daftar " + t), max_size=5))
    return {
        "titles": titles,
        "header": [""] * pad + header,
        "body": [[""] * pad + row for row in body],
        "columns": {c: pad + i for i, c in enumerate(columns) if c in SPEC.names},
    }


def _write(fmt: str, table: dict, draw) -> tuple[object, int]:
    """The file, and the row number of the header row in it."""
    titles, header, body = table["titles"], table["header"], table["body"]
    rows = [[t] for t in titles] + [header] + body
    if fmt == "csv":
        delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
        encoding = draw(st.sampled_from(["utf-8-sig", "utf-8", "cp1252", "utf-16"]))
        text_rows = [[cell_text(v) for v in row] for row in rows]
        return csv_bytes(
            text_rows, delimiter=delimiter, encoding=encoding, newline=draw(st.sampled_from(["\r\n", "\n"]))
        ), len(titles) + 1
    if fmt == "xlsx":
        return xlsx_bytes(rows), len(titles) + 1
    if fmt == "xls":
        return xls_bytes(rows), len(titles) + 1
    title_as = draw(st.sampled_from(["row", "heading"]))
    encoding = draw(st.sampled_from(["utf-8", "cp1252"]))
    data = html_xls_bytes(
        [header, *body],
        titles,
        title_as=title_as,
        header_cells=draw(st.sampled_from(["th", "td"])),
        with_thead=draw(st.booleans()),
        extra_markup=draw(st.booleans()),
        encoding=encoding,
        bom=encoding == "utf-8" and draw(st.booleans()),
        declare_charset=draw(st.sampled_from([True, False])),
        nbsp_empty=draw(st.booleans()),
    )
    return data, (len(titles) + 1 if title_as == "row" else 1)


def _check(fmt: str, data):
    table, draw = data.draw(tables()), data.draw
    source, header_row = _write(fmt, table, draw)
    info = inspect_source(source)
    assert info.format == fmt
    # HTML also with the parser renewed every few rows
    chunk, segment = draw(st.sampled_from([(readers._CHUNK, readers.HTML_SEGMENT), (61, 100), (500, 1)]))
    saved = readers._CHUNK, readers.HTML_SEGMENT
    readers._CHUNK, readers.HTML_SEGMENT = chunk, segment
    try:
        read = open_table(source, info, SPEC)
        got = list(read.rows)
    finally:
        readers._CHUNK, readers.HTML_SEGMENT = saved
    assert read.header_row == header_row
    assert read.columns == table["columns"]
    # A blank row is no row (the framework skips it; a workbook may not even store it at the end).
    written = [(header_row + 1 + j, row) for j, row in enumerate(table["body"]) if any(cell_text(v) for v in row)]
    got = [(number, cells) for number, cells in got if any(cells)]
    assert [n for n, _ in got] == [n for n, _ in written]  # no row lost, none added, none out of order
    for (number, cells), (_, row) in zip(got, written, strict=True):
        want = {k: cell_text(row[i]) for k, i in table["columns"].items()}
        assert {k: cells[i] if i < len(cells) else "" for k, i in read.columns.items()} == want, number
        if fmt in ("csv", "html"):
            assert len(cells) == len(row)  # the true width, trailing empty cells included


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xls", "html"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_row_reads_back_as_written(fmt, data):
    _check(fmt, data)
