"""Coverage from the Excel template: a messy file loses nothing, re-import adds nothing, an OPD
imports only its own indicators, and computed coverage is never overwritten."""

import io

import openpyxl
import pytest

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.indikator.importers import KIND, coverage_template
from tumbuh.indikator.models import Coverage, CoverageSource, Indicator
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

YEAR = 2034
HEADERS = ["Kode Desa", "Nama Desa", "Kode Indikator", "Tahun", "Pembilang", "Penyebut", "Cakupan (%)", "Catatan"]


def _xlsx(rows, headers=HEADERS) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Catatan pengisian"])  # a note above the header, as in the template
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _import(user, rows, name="cakupan.xlsx"):
    return run_import(KIND, user=user, kabupaten=Wilayah.objects.get(pk="73.24"), source=_xlsx(rows), file_name=name)


MESSY = [
    ["73.24.04.2010", "Balantang", "bumil-ttd-90", 2034, 17, 24, None, "laporan PKM"],
    ["73.24.04.2001", "", " BUMIL-TTD-90 ", "2034", "9", "12", "", ""],  # code in capitals, numbers as text
    ["73.24.04.2002", "", "asi-eksklusif", 2034, None, None, "66,5", "tanpa rincian"],  # decimal comma
    ["73.24.04.9999", "", "bumil-ttd-90", 2034, 1, 2, None, ""],  # unknown desa
    ["73.17.01.2001", "", "bumil-ttd-90", 2034, 1, 2, None, ""],  # another district
    ["73.24.04.2010", "Balantang", "bumil-ttd-90", 2034, 17, 24, None, "laporan PKM"],  # duplicate
    ["73.24.04.2005", "", "tidak-ada", 2034, 1, 2, None, ""],  # unknown indicator
    ["73.24.04.2005", "", "bumil-ttd-90", 2034, 30, 24, None, ""],  # numerator > denominator
    ["73.24.04.2005", "", "bumil-ttd-90", 2034, "1,5", 24, None, ""],  # not a whole number
    ["73.24.04.2005", "", "bumil-ttd-90", "dua ribu", 1, 2, None, ""],  # bad year
    ["73.24.04.2006", "", "bumil-ttd-90", 2034, None, None, None, ""],  # nothing
    ["73.24.04.2007", "", "bumil-ttd-90", 2034, "1.150", "1.234", None, ""],  # thousands, Indonesian style
]


def test_a_messy_file_keeps_every_rejected_row_with_its_reason(alice):
    batch = _import(alice, MESSY)
    assert batch.status == BatchStatus.DONE
    assert (batch.created, batch.rejected) == (4, 8)
    rejected = list(batch.rejected_rows.order_by("row_number"))
    reasons = [r.reason % r.params if r.params else r.reason for r in rejected]  # the English msgid, filled in
    assert [r.row_number for r in rejected] == [6, 7, 8, 9, 10, 11, 12, 13]
    assert "Unknown desa code 73.24.04.9999" in reasons[0]
    assert "outside your area" in reasons[1] or "Unknown desa" in reasons[1]
    assert "Duplicate of row" in reasons[2]
    assert "Unknown indicator code" in reasons[3]
    assert "cannot exceed Penyebut" in reasons[4]
    assert "whole number" in reasons[5]
    assert "Year" in reasons[6]
    assert "No coverage" in reasons[7]
    assert Coverage.objects.get(desa_id="73.24.04.2002", year=YEAR).value == 66.5
    thousands = Coverage.objects.get(desa_id="73.24.04.2007", year=YEAR)
    assert (thousands.numerator, thousands.denominator) == (1150, 1234)
    c = Coverage.objects.get(desa_id="73.24.04.2001", year=YEAR)
    assert (c.numerator, c.denominator, str(c.value), c.source, c.import_batch) == (9, 12, "75.00", "imported", batch)


def test_re_import_adds_nothing_and_a_corrected_file_updates(alice):
    _import(alice, MESSY[:3])
    again = _import(alice, MESSY[:3])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Coverage.objects.filter(year=YEAR).count() == 3
    fixed = _import(alice, [["73.24.04.2010", "", "bumil-ttd-90", 2034, 20, 24, None, "laporan PKM"]])
    assert (fixed.created, fixed.updated) == (0, 1)
    assert str(Coverage.objects.get(desa_id="73.24.04.2010", year=YEAR).value) == "83.33"


def test_an_opd_imports_only_its_own_indicators(demo_users):
    dinkes = demo_users["dinkes.lutim"]
    batch = _import(
        dinkes,
        [
            ["73.24.04.2010", "", "bumil-ttd-90", 2034, 5, 10, None, ""],
            ["73.24.04.2010", "", "air-minum-layak", 2034, 5, 10, None, ""],
        ],
    )
    assert (batch.created, batch.rejected) == (1, 1)
    assert "may not change" in batch.rejected_rows.get().reason


def test_computed_coverage_is_not_imported_over(alice):
    ind = Indicator.objects.get(code="balita-dipantau", kabupaten=None)
    Coverage.objects.create(
        indicator=ind,
        desa_id="73.24.04.2010",
        year=YEAR,
        numerator=4,
        denominator=5,
        value=80,
        source=CoverageSource.COMPUTED,
    )
    batch = _import(alice, [["73.24.04.2010", "", "balita-dipantau", 2034, 5, 5, None, ""]])
    assert batch.rejected == 1 and "computes" in batch.rejected_rows.get().reason
    assert Coverage.objects.get(indicator=ind, desa_id="73.24.04.2010", year=YEAR).numerator == 4


def test_the_generated_template_imports_back(alice, client):
    client.force_login(alice)
    response = client.get(f"/indikator/cakupan/templat.xlsx?indicator=asi-eksklusif&year={YEAR}")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["Data"]
    assert [c.value for c in ws[2]] == HEADERS
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == Wilayah.objects.filter(level=4, kabupaten_code="73.24").count()
    assert all(r[2] == "asi-eksklusif" and r[3] == YEAR for r in rows)
    ws.cell(row=3, column=5, value=7)
    ws.cell(row=3, column=6, value=10)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    response = client.post("/indikator/cakupan/impor/", {"file": _named(out, "isi.xlsx")})
    batch_url = response.url
    assert Coverage.objects.get(year=YEAR, desa_id=rows[0][0]).value == 70
    page = client.get(batch_url).content.decode()
    assert "1 accepted" in page or "1 diterima" in page


def _named(buffer, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, buffer.getvalue())


def test_the_opd_sees_its_own_batch_and_its_rejected_rows(demo_users, client):
    dinkes = demo_users["dinkes.lutim"]
    batch = _import(dinkes, [["73.24.04.9999", "", "bumil-ttd-90", 2034, 5, 10, None, ""]])
    client.force_login(dinkes)
    assert client.get(f"/indikator/cakupan/impor/{batch.pk}/").status_code == 200
    rejected = client.get(f"/indikator/cakupan/impor/{batch.pk}/ditolak.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(rejected.streaming_content))).active
    assert ws.cell(row=2, column=1).value == "73.24.04.9999" and "Alasan" in [c.value for c in ws[1]]
    for other in ("pantau.lutim", "desa.balantang"):
        client.force_login(demo_users[other])
        assert client.get(f"/indikator/cakupan/impor/{batch.pk}/").status_code in (403, 404)
    client.force_login(demo_users["admin.luwu"])
    assert client.get(f"/indikator/cakupan/impor/{batch.pk}/").status_code == 404


def test_template_content_for_one_indicator():
    ind = Indicator.objects.get(code="asi-eksklusif", kabupaten=None)
    desa = list(Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").order_by("code"))
    ws = openpyxl.load_workbook(coverage_template(ind, YEAR, desa, {})).active
    assert ind.name in ws.cell(row=1, column=1).value
    assert ws.cell(row=3, column=1).value == desa[0].code and ws.cell(row=3, column=2).value == desa[0].name


def test_the_upload_page_queues_the_file_and_shows_progress_then_the_summary(alice, client, settings, monkeypatch):
    """Issue 15: the request stores the file; the worker reads it; the batch page polls."""
    from django.core.management import call_command

    from tumbuh.imports import background
    from tumbuh.imports.models import ImportBatch

    settings.TUMBUH_IMPORT_INLINE_BYTES = 10
    monkeypatch.setattr(background, "spawn_worker", lambda: None)  # the test runs the worker itself
    client.force_login(alice)
    response = client.post(
        "/indikator/cakupan/impor/",
        {"file": _named(_xlsx([["73.24.04.2010", "Balantang", "asi-eksklusif", YEAR, 7, 10, None, ""]]), "isi.xlsx")},
    )
    batch = ImportBatch.objects.get(kind=KIND, file_name="isi.xlsx")
    assert batch.status == BatchStatus.QUEUED and response.url == f"/indikator/cakupan/impor/{batch.pk}/"
    page = client.get(response.url).content.decode()
    assert (
        f'hx-get="/indikator/cakupan/impor/{batch.pk}/progres/"' in page and 'data-testid="import-summary"' not in page
    )
    assert client.get(f"/indikator/cakupan/impor/{batch.pk}/progres/").status_code == 200
    call_command("run_import", str(batch.pk), stdout=io.StringIO())
    assert client.get(f"/indikator/cakupan/impor/{batch.pk}/progres/")["HX-Refresh"] == "true"
    assert 'data-testid="import-summary"' in client.get(response.url).content.decode()
    assert Coverage.objects.get(year=YEAR, desa_id="73.24.04.2010").value == 70
