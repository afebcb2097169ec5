"""BPS codes beside the Kemendagri codes: the field, ``tumbuh load_bps_codes`` (good and bad rows,
re-runs, dry runs, audit), the web upload for the district admin, the Regions page, the demo's."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from tumbuh.audit.models import AuditLog
from tumbuh.imports.models import ImportBatch
from tumbuh.imports.testing import csv_bytes, read_xlsx, xlsx_bytes
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"


def _luwu_desa(n: int) -> list[Wilayah]:
    """Desa of Kabupaten Luwu, which the demo leaves without BPS codes."""
    return list(Wilayah.objects.filter(level=Level.DESA, kabupaten_code="73.17").order_by("code")[:n])


def _bps(code: str) -> str:
    return Wilayah.objects.get(code=code).bps_code


def _audits() -> int:
    return AuditLog.objects.filter(object_type="wilayah.bpscode").count()


def _run(path, **options) -> str:
    out = io.StringIO()
    call_command("load_bps_codes", str(path), no_progress=True, stdout=out, **options)
    return out.getvalue()


def test_good_rows_load_bad_rows_are_kept_with_their_reasons(tmp_path, charlie):
    d = _luwu_desa(6)
    balantang_bps = _bps(BALANTANG)
    path = tmp_path / "kode-bps.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ["Daftar kode desa dari BPS Kabupaten Luwu"],  # a title above the header
                ["Kode Kemendagri", "Nama Desa", "Kode Desa BPS"],
                [d[0].code, d[0].name, "7317010001"],
                [d[1].code.replace(".", ""), d[1].name, "73.17.010.002"],  # both codes in other common forms
                ["73.17.99.2999", "Tidak ada", "7317990001"],
                [d[2].code, d[2].name, "731701"],
                [d[3].code, d[3].name, "7317010099"],
                [d[4].code, d[4].name, "7317010099"],  # one BPS code for two desa: both refused
                ["73.17.01", "Kecamatan", "7317010"],
                [BALANTANG, "Balantang", "7324040999"],
                [d[5].code, d[5].name, balantang_bps],  # already Balantang's (in Luwu Timur)
                [d[2].code, d[2].name, ""],
            ]
        ).getvalue()
    )
    before = _audits()
    out = _run(path, user="admin.luwu")
    assert "10 baris: 2 diterima (0 baru, 2 diperbarui, 0 tidak berubah), 8 ditolak." in out
    assert (_bps(d[0].code), _bps(d[1].code)) == ("7317010001", "7317010002")
    assert all(_bps(w.code) == "" for w in d[2:]) and _bps(BALANTANG) == balantang_bps
    rejected = read_xlsx((tmp_path / "kode-bps-ditolak.xlsx").read_bytes())
    assert rejected[0] == ["Kode Kemendagri", "Nama Desa", "Kode Desa BPS", "Alasan", "Baris Asal"]
    reasons = {row[4]: row[3] for row in rejected[1:]}
    assert reasons == {
        5: "Kode desa 73.17.99.2999 tidak dikenal",
        6: "Kode BPS desa terdiri atas 10 angka: 731701",
        7: "Satu kode BPS 7317010099 untuk dua desa (baris 7, 8)",
        8: "Satu kode BPS 7317010099 untuk dua desa (baris 7, 8)",
        9: "73.17.01 bukan kode desa",
        10: f"Desa {BALANTANG} di luar wilayah Anda",
        11: f"Kode BPS {balantang_bps} sudah menjadi kode Balantang ({BALANTANG})",
        12: "Kode BPS kosong",
    }
    logs = AuditLog.objects.filter(object_type="wilayah.bpscode").order_by("pk")
    assert _audits() == before + 2
    last = logs.last()
    assert last.actor == charlie and last.wilayah_code == d[1].code
    assert (last.before["bps_code"], last.after["bps_code"]) == ("", "7317010002")
    assert "kode-bps.xlsx baris 4" in last.reason

    (tmp_path / "kode-bps-ditolak.xlsx").unlink()
    again = _run(path, user="admin.luwu")
    assert "2 diterima (0 baru, 0 diperbarui, 2 tidak berubah), 8 ditolak" in again
    assert _audits() == before + 2  # a re-run changes nothing


def test_a_dry_run_writes_nothing(tmp_path):
    [desa] = _luwu_desa(1)
    path = tmp_path / "bps.csv"
    path.write_bytes(
        csv_bytes(
            [["kode_kemendagri", "kode_bps"], [desa.code, "7317019999"], ["73.17.99.2999", "7317019998"]]
        ).getvalue()
    )
    batches, audits = ImportBatch.objects.count(), _audits()
    out = _run(path, user="admin.luwu", dry_run=True)
    assert out.startswith("Uji coba, tidak ada yang disimpan. 2 baris: 1 diterima")
    assert _bps(desa.code) == "" and ImportBatch.objects.count() == batches and _audits() == audits
    assert (tmp_path / "bps-ditolak.xlsx").exists()  # the rows to fix, all the same


def test_two_codes_for_one_desa_and_a_swap(tmp_path):
    a, b, c = _luwu_desa(3)
    path = tmp_path / "bps.csv"
    path.write_bytes(
        csv_bytes([["Kode Kemendagri", "IDBPS"], [a.code, "7317020001"], [b.code, "7317020002"]]).getvalue()
    )
    _run(path, user="admin.luwu")
    path.write_bytes(
        csv_bytes(
            [
                ["Kode Kemendagri", "IDBPS"],
                [a.code, "7317020002"],
                [b.code, "7317020001"],
                [c.code, "7317020003"],
                [c.code, "7317020004"],
            ]
        ).getvalue()
    )
    out = _run(path, user="admin.luwu")
    assert "4 baris: 2 diterima (0 baru, 2 diperbarui, 0 tidak berubah), 2 ditolak" in out  # the swap loads
    assert (_bps(a.code), _bps(b.code), _bps(c.code)) == ("7317020002", "7317020001", "")
    reasons = [row[2] for row in read_xlsx((tmp_path / "bps-ditolak.xlsx").read_bytes())[1:]]
    assert reasons == ["Dua kode BPS untuk satu desa (baris 4, 5)"] * 2
    # A code held by a desa that the file does not move stays with it.
    path.write_bytes(csv_bytes([["Kode Kemendagri", "IDBPS"], [c.code, "7317020001"]]).getvalue())
    assert "1 ditolak" in _run(path, user="admin.luwu") and _bps(c.code) == ""


def test_who_may_load_them(tmp_path, charlie):
    [desa] = _luwu_desa(1)
    path = tmp_path / "bps.csv"
    path.write_bytes(csv_bytes([["Kode Kemendagri", "Kode BPS"], [desa.code, "7317030001"]]).getvalue())
    with pytest.raises(CommandError):
        _run(path, user="desa.balantang")
    with pytest.raises(CommandError):
        _run(path, user="dinkes.lutim")
    assert "0 diterima" in _run(path, user="admin.lutim")  # into Luwu Timur: Luwu's desa are outside
    assert "1 diterima" in _run(path, user="admin.luwu")
    assert AuditLog.objects.filter(object_type="wilayah.bpscode", object_id=desa.code).get().actor == charlie
    out = io.StringIO()  # the same import under the name every importer has
    call_command("import", "kode-bps", str(path), user="admin.luwu", no_progress=True, stdout=out)
    assert "1 diterima (0 baru, 0 diperbarui, 1 tidak berubah)" in out.getvalue()


def test_a_bps_code_has_the_digits_of_its_level():
    desa = Wilayah.objects.get(code=BALANTANG)
    desa.bps_code = "732404001"
    with pytest.raises(ValidationError):
        desa.full_clean()
    kecamatan = Wilayah.objects.get(code="73.24.04")
    kecamatan.bps_code = "7324040"
    kecamatan.full_clean()


def test_the_district_admin_uploads_them_from_the_regions_page(client, alice, bob):
    [desa] = Wilayah.objects.filter(code="73.24.04.2001")
    client.force_login(alice)
    html = client.get(reverse("wilayah:detail", args=["73.24.04"])).content.decode()
    assert 'data-testid="bps-import"' in html and f'data-bps="{BALANTANG}">{_bps(BALANTANG)}<' in html
    assert client.get(reverse("imports:upload", args=["kode-bps"])).status_code == 200
    template = client.get(reverse("imports:template", args=["kode-bps"]))
    sheets = openpyxl.load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert [c.value for c in sheets["Data"][2]] == ["Kode Kemendagri", "Kode BPS", "Nama Desa"]
    assert [BALANTANG, "Balantang", _bps(BALANTANG)] in [list(r) for r in sheets["Desa"].iter_rows(values_only=True)]
    taken = _bps("73.24.04.2002")  # a desa that the file leaves as it is
    response = client.post(
        reverse("imports:upload", args=["kode-bps"]),
        {
            "file": _named(
                xlsx_bytes([["Kode Kemendagri", "Kode BPS"], [desa.code, "7324049998"], [BALANTANG, taken]]), "bps.xlsx"
            )
        },
    )
    batch = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and (batch.updated, batch.rejected) == (1, 1), batch.error
    assert _bps(desa.code) == "7324049998"
    assert AuditLog.objects.filter(object_type="wilayah.bpscode", object_id=desa.code).latest("pk").actor == alice
    client.force_login(bob)
    assert 'data-testid="bps-import"' not in client.get(reverse("wilayah:detail", args=[BALANTANG])).content.decode()
    assert client.get(reverse("imports:upload", args=["kode-bps"])).status_code == 403


def test_the_region_page_shows_a_desa_s_bps_code(client, bob):
    client.force_login(bob)
    html = client.get(reverse("wilayah:detail", args=[BALANTANG])).content.decode()
    assert f'data-testid="bps-code">Kode BPS: {_bps(BALANTANG)}<' in html


def test_the_demo_gives_luwu_timur_s_desa_distinct_ten_digit_codes():
    codes = list(Wilayah.objects.filter(level=Level.DESA, kabupaten_code="73.24").values_list("bps_code", flat=True))
    assert len(codes) == 128 and len(set(codes)) == 128
    assert all(c.isdigit() and len(c) == 10 and c.startswith("7324") for c in codes)
    assert not Wilayah.objects.filter(kabupaten_code="73.17").exclude(bps_code="").exists()
    from tumbuh.demo.bps_codes import load_demo_bps_codes

    assert load_demo_bps_codes() == 0  # once only


def _named(data: io.BytesIO, name: str) -> io.BytesIO:
    data.name = name
    return data
