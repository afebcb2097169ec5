"""The zip guard every upload shares (issue 15: a 616 KB workbook unpacked to 800 MB in the web
process). Real hostile files, built here; real files made by the programs districts use pass."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from tumbuh.core import safezip
from tumbuh.core.testing import lying_zip, zip_bomb

LIMITS = safezip.Limits(max_unpacked=200 << 20)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _refusal(data: bytes, limits: safezip.Limits = LIMITS, *, verify: bool = False) -> str:
    with pytest.raises(safezip.UnsafeArchive) as caught:
        archive = safezip.open_archive(io.BytesIO(data), limits)
        if verify:
            safezip.verify(archive)
    return str(caught.value)


def _accepted(data: bytes, limits: safezip.Limits = LIMITS) -> None:
    with safezip.open_archive(io.BytesIO(data), limits) as archive:
        safezip.verify(archive)


def test_a_real_zip_bomb_is_refused_from_its_central_directory_alone(monkeypatch):
    bomb = zip_bomb({"[Content_Types].xml": b"<Types/>"}, "xl/worksheets/sheet1.xml", 400 << 20)
    assert len(bomb) < 1 << 20  # 400 MB of zeros in less than 1 MB
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: opened.append(a))
    message = _refusal(bomb)
    assert opened == []  # not one member opened
    assert '"zip bomb"' in message and "400 MB" in message and "sheet1.xml" in message


def test_a_swarm_of_small_members_is_judged_as_a_whole():
    """Each member under the grace size, the file as a whole a bomb."""
    members = {f"xl/media/part{i}.xml": b"0" * 90_000 for i in range(200)}
    assert "zip bomb" in _refusal(_zip(members))


def test_a_file_larger_than_the_limit_is_refused_with_its_size():
    import random

    noise = random.Random(15).randbytes(2 << 20)  # does not compress: no bomb, only large
    message = _refusal(_zip({"a.xml": noise}), safezip.Limits(max_unpacked=1 << 20))
    assert "2 MB, more than the 1 MB allowed" in message


def test_a_lying_header_is_caught_while_unpacking_with_memory_bounded():
    """The central directory says 1 MB (and a harmless ratio); the member unpacks to 300 MB.
    Unpacking stops one byte past the declared size."""
    bomb = zip_bomb({}, "sheet.xml", 300 << 20)
    lie = lying_zip(bomb, "sheet.xml", 1 << 20)
    tracemalloc.start()
    try:
        message = _refusal(lie, verify=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "more than the 1048576 bytes its header declares" in message
    assert peak < 8 << 20


def test_a_header_declaring_more_than_the_data_holds_is_damaged():
    data = lying_zip(_zip({"a.xml": b"<a/>" * 1000}), "a.xml", 5000)
    assert "damaged" in _refusal(data, verify=True)


def test_overlapping_members_are_a_forged_archive():
    """Fifield's non-recursive bomb: many entries pointing at one compressed block."""
    data = bytearray(_zip({"a.xml": b"<a/>" * 20_000}))
    at = data.find(b"PK\x01\x02")
    entry = bytes(data[at : data.find(b"PK\x05\x06")])
    end = data.find(b"PK\x05\x06")
    copies = 50
    record = bytearray(data[end:])
    record[8:10] = record[10:12] = (copies + 1).to_bytes(2, "little")
    record[12:16] = (len(entry) * (copies + 1)).to_bytes(4, "little")
    forged = bytes(data[:end]) + entry * copies + bytes(record)
    assert "forged archive" in _refusal(forged)


@pytest.mark.parametrize("name", ["../../etc/cron.d/tumbuh", "/etc/passwd", "C:\\Windows\\win.ini", "xl/../../x.xml"])
def test_names_climbing_out_of_the_archive_are_refused(name):
    assert "outside the archive" in _refusal(_zip({"[Content_Types].xml": b"<Types/>", name: b"x"}))


def test_a_symbolic_link_and_an_encrypted_member_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("xl/link")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    assert "symbolic link" in _refusal(out.getvalue())
    data = bytearray(_zip({"a.xml": b"<a/>"}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.find(signature) + offset] |= 0x1
    assert "password" in _refusal(bytes(data))


def test_an_archive_inside_is_refused_unless_the_caller_opens_one_or_it_is_an_office_embedding():
    inner = _zip({"a.xml": b"<a/>"})
    assert "another archive inside" in _refusal(_zip({"[Content_Types].xml": b"<Types/>", "xl/data.bin": inner}))
    assert "another archive inside" in _refusal(
        _zip({"[Content_Types].xml": b"<Types/>", "notes.zip": b"not even a zip"})
    )
    _accepted(_zip({"a.shp": b"x", "inner.zip": inner}), safezip.Limits(max_unpacked=1 << 20, nested=True))
    _accepted(_zip({"word/document.xml": b"<w/>", "word/embeddings/Microsoft_Excel_Worksheet.xlsx": inner}))


def test_too_many_members_are_refused():
    assert "more than the 100" in _refusal(
        _zip({f"f{i}.xml": b"" for i in range(101)}), safezip.Limits(max_unpacked=1 << 20, max_members=100)
    )


def test_real_files_pass_and_are_read_whole():
    """No false positives: workbooks by openpyxl (normal and write-only), a Word document by
    python-docx, a shapefile by pyshp (a .dbf compresses 80 : 1)."""
    from docx import Document
    from openpyxl import Workbook

    from tumbuh.imports.testing import xlsx_bytes

    rows = [["NIK", "Nama", "Tgl Lahir", "Berat"]] + [["7324010101010001", "Siti", "2024-05-06", 11.5]] * 20_000
    _accepted(xlsx_bytes(rows).getvalue())
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    _accepted(out.getvalue())
    document = Document()
    for k in range(500):
        document.add_paragraph(f"Paragraf {k}: Rembuk Stunting menyepakati rencana kegiatan.")
    out = io.BytesIO()
    document.save(out)
    _accepted(out.getvalue())
    with safezip.open_archive(io.BytesIO(out.getvalue()), LIMITS) as archive:
        assert safezip.read(archive, archive.getinfo("word/document.xml")).startswith(b"<?xml")
