"""Hostile uploads to the import pages (issue 15): a zip-bomb workbook, a lying header, cells and
rows past the caps, an .xls claiming huge dimensions. Each batch fails with the reason in
Indonesian and nothing from it is saved; the request never parses the file."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tumbuh.core.testing import lying_zip, zip_bomb
from tumbuh.imports import background, readers
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.readers import estimate_rows, inspect_source
from tumbuh.imports.testing import csv_bytes, html_xls_bytes, xls_bytes, xlsx_bytes
from tumbuh.organisation.models import Opd

pytestmark = pytest.mark.django_db

OPD_ROWS = [["Singkatan", "Nama OPD", "Jenis"], ["DISHUB", "Dinas Perhubungan", "dinas"]]
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
)


def _post(client, data: bytes, name: str):
    return client.post(reverse("imports:upload", args=["opd"]), {"file": SimpleUploadedFile(name, data)})


def _batch(response) -> ImportBatch:
    assert response.status_code == 302
    batch = ImportBatch.objects.get(kind="opd")
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    return batch


def _workbook_bomb(size: int = 400 << 20) -> bytes:
    """A workbook (content types, workbook, relations) whose sheet unpacks to ``size`` bytes."""
    real = xlsx_bytes(OPD_ROWS).getvalue()
    import zipfile

    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist() if n != "xl/worksheets/sheet1.xml"}
    return zip_bomb(parts, "xl/worksheets/sheet1.xml", size, prefix=SHEET_HEAD)


@pytest.fixture
def spy_openpyxl(monkeypatch):
    """Every workbook openpyxl is asked to open (none, for a refused file)."""
    import openpyxl

    opened = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    return opened


def test_a_zip_bomb_workbook_is_refused_in_the_request_before_anything_is_read(client, alice, spy_openpyxl):
    """The issue's fault: a workbook of a few hundred KB that unpacks to 400 MB."""
    bomb = _workbook_bomb()
    assert len(bomb) < 1 << 20
    client.force_login(alice)
    tracemalloc.start()
    try:
        response = _post(client, bomb, "daftar-opd.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    batch = _batch(response)
    assert batch.status == BatchStatus.FAILED and spy_openpyxl == []
    assert peak < 32 << 20  # the web process did not unpack it
    assert 'tampak seperti "zip bomb": terurai menjadi 400 MB' in batch.error
    assert "Simpan ulang berkas dari program pembuatnya" in batch.error
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-error"' in page and "zip bomb" in page
    assert not Opd.objects.filter(short_name="DISHUB").exists()


def test_a_lying_header_fails_the_batch_before_openpyxl_parses_it(client, alice, spy_openpyxl):
    """The central directory declares a small sheet (so the request lets it through); unpacked,
    it is larger: the worker refuses it before openpyxl reads a row."""
    real = _workbook_bomb(20 << 20)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        compressed = archive.getinfo("xl/worksheets/sheet1.xml").compress_size
    lie = lying_zip(real, "xl/worksheets/sheet1.xml", compressed * 10)  # a plain 10 : 1
    client.force_login(alice)
    batch = _batch(_post(client, lie, "opd.xlsx"))
    assert batch.status == BatchStatus.FAILED and spy_openpyxl == []
    assert "terurai menjadi lebih dari" in batch.error and "yang dinyatakan di kepala berkasnya" in batch.error
    assert batch.source  # the file is kept, with the reason: nothing is lost


def test_a_workbook_in_the_background_is_not_parsed_in_the_request(client, alice, settings, monkeypatch, spy_openpyxl):
    """A file over the inline limit is stored and queued; its page polls; the worker reads it."""
    settings.TUMBUH_IMPORT_INLINE_BYTES = 10
    started = []
    monkeypatch.setattr(background, "spawn_worker", lambda: started.append(True))
    client.force_login(alice)
    response = _post(client, xlsx_bytes(OPD_ROWS).getvalue(), "opd.xlsx")
    batch = _batch(response)
    assert batch.status == BatchStatus.QUEUED and started and spy_openpyxl == []  # stored, queued, not read
    page = client.get(response["Location"]).content.decode()
    assert "Berkas sedang diproses" in page
    assert f'hx-get="{reverse("imports:progress", args=[batch.pk])}"' in page and 'hx-trigger="every 2s"' in page
    assert client.get(reverse("imports:progress", args=[batch.pk])).status_code == 200
    call_command("run_import", str(batch.pk), stdout=io.StringIO())  # the worker, here in-process
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.created == 1 and spy_openpyxl
    assert client.get(reverse("imports:progress", args=[batch.pk]))["HX-Refresh"] == "true"
    assert 'data-testid="import-summary"' in client.get(response["Location"]).content.decode()


def test_a_small_file_run_at_once_shows_its_summary(client, alice):
    client.force_login(alice)
    response = _post(client, xlsx_bytes(OPD_ROWS).getvalue(), "opd.xlsx")
    assert _batch(response).status == BatchStatus.DONE
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-summary"' in page
    assert "Berkas sedang diproses" not in page


def test_a_cell_longer_than_the_cap_fails_the_batch_naming_row_and_column(client, alice):
    rows = OPD_ROWS + [["DISKAN", "Dinas Perikanan " + "x" * 10_000, "dinas"]]
    client.force_login(alice)
    batch = _batch(_post(client, csv_bytes(rows).getvalue(), "opd.csv"))
    assert batch.status == BatchStatus.FAILED
    assert "Baris 3 memuat sel (B) berisi lebih dari 10000 karakter (10016)" in batch.error
    assert not Opd.objects.filter(short_name__in=["DISHUB", "DISKAN"]).exists()  # nothing from the file


@pytest.mark.parametrize("build", [xlsx_bytes, xls_bytes, html_xls_bytes], ids=["xlsx", "xls", "html"])
def test_every_format_caps_the_cell_length(build, settings):
    settings.TUMBUH_IMPORT_MAX_CELL_CHARS = 50
    data = build(OPD_ROWS + [["DISKAN", "y" * 51, "dinas"]])
    with pytest.raises(readers.ImportFileError) as caught:
        info = inspect_source(data)
        list(readers.open_table(data, info, _spec()).rows)
    assert caught.value.params["max"] == 50 and caught.value.params["column"] == " (B)"


def _spec():
    from tumbuh.imports.framework import importer_for

    return importer_for("opd").header_spec()


def test_a_csv_cell_past_the_csv_module_s_own_limit_gets_the_same_reason(client, alice):
    rows = OPD_ROWS + [["DISKAN", "z" * 200_000, "dinas"]]
    client.force_login(alice)
    batch = _batch(_post(client, csv_bytes(rows).getvalue(), "opd.csv"))
    assert batch.status == BatchStatus.FAILED and "lebih dari 10000 karakter (> 131072)" in batch.error


def test_a_csv_line_without_line_breaks_is_refused_with_memory_bounded(monkeypatch):
    monkeypatch.setattr(readers, "MAX_LINE_CHARS", 200_000)
    data = io.BytesIO(b"Singkatan;Nama OPD;Jenis\n" + b"a" * 2_000_000)
    info = inspect_source(data)
    with pytest.raises(readers.ImportFileError) as caught:
        list(readers.open_table(data, info, _spec()).rows)
    assert "tanpa pindah baris" in caught.value.text()


def test_more_rows_than_the_cap_fail_the_batch(client, alice, settings):
    settings.TUMBUH_IMPORT_MAX_ROWS = 5
    rows = OPD_ROWS + [[f"OPD{i}", f"Dinas {i}", "dinas"] for i in range(10)]
    client.force_login(alice)
    batch = _batch(_post(client, csv_bytes(rows).getvalue(), "opd.csv"))
    assert batch.status == BatchStatus.FAILED and "lebih dari 5 baris" in batch.error
    assert not Opd.objects.filter(short_name__startswith="OPD").exists()


def test_an_xls_claiming_huge_dimensions_is_read_in_little_memory(alice):
    """One cell at IV65536 makes a sheet of 65,536 x 256: xlrd used to fill every row to 256
    cells (16 million, 150 MB for a 6 KB file). Read ragged, it costs what it holds."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    for r, row in enumerate(OPD_ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.write(65535, 255, "jauh")
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < 20_000
    from tumbuh.imports.framework import run_import
    from tumbuh.wilayah.models import Wilayah

    tracemalloc.start()
    try:
        batch = run_import(
            "opd", user=alice, kabupaten=Wilayah.objects.get(pk="73.24"), source=out, file_name="opd.xls"
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert batch.status == BatchStatus.DONE and batch.created == 1
    assert peak < 40 << 20


def test_an_xls_larger_than_the_cap_is_refused_in_the_request(client, alice, settings):
    settings.TUMBUH_IMPORT_MAX_XLS_BYTES = 1000
    client.force_login(alice)
    batch = _batch(_post(client, xls_bytes(OPD_ROWS).getvalue(), "opd.xls"))
    assert (
        batch.status == BatchStatus.FAILED
        and "lebih dari 1 MB yang dibaca Tumbuh dari berkas Excel lama" in batch.error
    )


def test_the_row_estimate_in_the_request_parses_nothing(spy_openpyxl):
    """A workbook written in openpyxl's write-only mode declares no dimension: the estimate
    scales the rows of the sheet's head instead of reading the sheet."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    for i in range(30_000):
        sheet.append([f"OPD{i}", f"Dinas {i}", "dinas"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    estimate = estimate_rows(out, inspect_source(out))
    assert spy_openpyxl == [] and 25_000 < estimate < 35_000
    assert estimate_rows(xls_bytes(OPD_ROWS * 50), inspect_source(xls_bytes(OPD_ROWS * 50))) == 99
