"""A workbook whose XML declares entities (the "billion laughs" attack) is refused, never
expanded: openpyxl reads workbook XML through defusedxml, a declared dependency (ASVS 5.5)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.testing import xlsx_bytes
from tumbuh.organisation.models import Opd

pytestmark = pytest.mark.django_db

ROWS = [["Singkatan", "Nama OPD", "Jenis"], ["DISHUB", "Dinas Perhubungan", "dinas"]]
LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">\n' for i in range(1, 10))
    + ']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Singkatan</t></is></c><c r="B1" t="inlineStr"><is><t>Nama OPD</t>'
    '</is></c><c r="C1" t="inlineStr"><is><t>Jenis</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is>'
    '<t>&lol9;</t></is></c><c r="B2" t="inlineStr"><is><t>Dinas</t></is></c><c r="C2" t="inlineStr"><is>'
    "<t>dinas</t></is></c></row></sheetData></worksheet>"
)


def _laughing_workbook() -> bytes:
    real = zipfile.ZipFile(xlsx_bytes(ROWS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in real.infolist():
            data = LAUGHS.encode() if info.filename == "xl/worksheets/sheet1.xml" else real.read(info.filename)
            bomb.writestr(info.filename, data)
    return out.getvalue()


def test_openpyxl_reads_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_workbook_declaring_entities_fails_and_saves_nothing(client, alice):
    client.force_login(alice)
    before = Opd.objects.count()
    response = client.post(
        reverse("imports:upload", args=["opd"]), {"file": SimpleUploadedFile("opd.xlsx", _laughing_workbook())}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get(kind="opd")
    assert batch.status == BatchStatus.FAILED
    assert batch.error.startswith("Berkas bukan buku kerja XLSX yang bisa dibaca")  # in Indonesian, with what it is
    assert "lol" * 20 not in batch.error  # nothing was expanded
    assert Opd.objects.count() == before and not batch.rejected_rows.exists()
