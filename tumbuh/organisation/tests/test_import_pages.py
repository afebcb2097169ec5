"""The import pages and command: who may import, who sees which batch, what the files hold."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.testing import csv_bytes, read_xlsx, xlsx_bytes
from tumbuh.organisation.models import Opd, Posyandu

pytestmark = pytest.mark.django_db

OPD_ROWS = [["Singkatan", "Nama OPD", "Jenis"], ["DISHUB", "Dinas Perhubungan", "dinas"], ["", "Tanpa singkatan", ""]]


def _batches():
    """This module's imports (apps' demo data may hold batches of other kinds, e.g. the KRS list)."""
    return ImportBatch.objects.filter(kind__in=("opd", "puskesmas", "posyandu"))


def _upload(client, kind, data, name, **extra):
    data.name = name
    return client.post(reverse("imports:upload", args=[kind]), {"file": data, **extra})


def _download(response) -> io.BytesIO:
    return io.BytesIO(b"".join(response.streaming_content))


def test_district_admin_uploads_and_reads_the_summary(client, alice):
    client.force_login(alice)
    response = _upload(client, "opd", xlsx_bytes(OPD_ROWS), "opd.xlsx")
    batch = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("imports:batch", args=[batch.pk])
    assert (batch.created, batch.rejected, batch.kabupaten_id, batch.created_by) == (1, 1, "73.24", alice)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Tanpa singkatan" in page.content and b'data-testid="rejected-link"' in page.content
    rejected = client.get(reverse("imports:rejected", args=[batch.pk]))
    assert rejected.status_code == 200 and rejected["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(_download(rejected))
    assert rows[0] == ["Singkatan", "Nama OPD", "Jenis", "Alasan", "Baris Asal"] and rows[1][:2] == [
        None,
        "Tanpa singkatan",
    ]
    assert _download(client.get(reverse("imports:source", args=[batch.pk]))).getvalue()[:2] == b"PK"
    assert batch.file_name.encode() in client.get(reverse("imports:list")).content


def test_desa_operator_may_not_import(client, bob):
    client.force_login(bob)
    assert client.get(reverse("imports:upload", args=["posyandu"])).status_code == 403
    assert _upload(client, "posyandu", xlsx_bytes(OPD_ROWS), "x.xlsx").status_code == 403
    assert client.get(reverse("imports:template", args=["posyandu"])).status_code == 403
    assert client.get(reverse("imports:list")).status_code == 403
    assert not _batches().exists()


def test_other_roles_may_not_import_either(client, demo_users):
    for username in ["dinkes.lutim", "camat.malili", "pkm.malili", "pantau.lutim"]:
        client.force_login(demo_users[username])
        assert client.get(reverse("imports:upload", args=["opd"])).status_code == 403, username


def test_another_districts_admin_gets_404_on_a_batch(client, alice, charlie):
    client.force_login(alice)
    _upload(client, "opd", xlsx_bytes(OPD_ROWS), "opd.xlsx")
    batch = ImportBatch.objects.latest("pk")
    client.force_login(charlie)
    for name in ["imports:batch", "imports:rejected", "imports:source"]:
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404, name
    assert b"opd.xlsx" not in client.get(reverse("imports:list")).content
    assert not policy.visible(charlie, ImportBatch.objects.all()).exists()
    client.force_login(User.objects.get(username="desa.balantang"))
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404


def test_batch_scope_in_python_agrees_with_sql(alice, charlie, demo_users):
    from tumbuh.imports.framework import run_import

    run_import("opd", user=alice, kabupaten=alice.wilayah, source=xlsx_bytes(OPD_ROWS), file_name="a.xlsx")
    run_import("opd", user=charlie, kabupaten=charlie.wilayah, source=xlsx_bytes(OPD_ROWS), file_name="b.xlsx")
    batches = list(ImportBatch.objects.all())
    for user in demo_users.values():
        assert set(policy.visible(user, ImportBatch.objects.all())) == {
            b for b in batches if policy.is_visible(user, b)
        }


def test_superuser_picks_the_district(client, alice):
    root = User.objects.create_superuser("root.import", password="x-very-long-password")
    client.force_login(root)
    response = _upload(client, "opd", xlsx_bytes(OPD_ROWS), "opd.xlsx")
    assert response.status_code == 200 and not _batches().exists()  # the form asks for the district
    response = _upload(client, "opd", xlsx_bytes(OPD_ROWS), "opd.xlsx", kabupaten="73.17")
    assert response.status_code == 302
    assert Opd.objects.filter(kabupaten_id="73.17", short_name="DISHUB").exists()


def test_upload_refuses_other_file_types(client, alice):
    client.force_login(alice)
    response = _upload(client, "opd", io.BytesIO(b"hello"), "opd.pdf")
    assert response.status_code == 200 and response.context["form"].errors
    assert not _batches().exists()


def test_a_file_without_the_columns_is_a_failed_batch_with_a_reason(client, alice):
    client.force_login(alice)
    response = _upload(client, "posyandu", csv_bytes([["Nomor", "Keterangan"], ["1", "x"]]), "salah.csv")
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == BatchStatus.FAILED and "Nama Posyandu" in batch.error
    assert b'data-testid="import-error"' in client.get(response["Location"]).content


def test_template_has_the_indonesian_headers_a_note_an_example_and_the_users_codes(client, alice):
    client.force_login(alice)
    expected = {
        "puskesmas": ["Kode Puskesmas", "Nama Puskesmas", "Kode Kecamatan", "Kode Desa Wilayah Kerja", "Alamat"],
        "posyandu": [
            "Nama Posyandu",
            "Kode Posyandu",
            "Kode Desa",
            "Nama Desa",
            "Kode Puskesmas",
            "Nama Puskesmas",
            "Alamat",
            "Lintang",
            "Bujur",
        ],
        "opd": ["Singkatan", "Nama OPD", "Jenis"],
    }
    for kind, headers in expected.items():
        response = client.get(reverse("imports:template", args=[kind]))
        assert response.status_code == 200
        from openpyxl import load_workbook

        workbook = load_workbook(_download(response))
        sheet = workbook["Data"]
        assert sheet["A1"].value  # the note
        assert [c.value for c in sheet[2]] == headers
        assert any(c.value for c in sheet[3])  # the example row
        assert sheet.cell(row=2, column=1).comment is not None
    desa = [
        r[0]
        for r in load_workbook(_download(client.get(reverse("imports:template", args=["posyandu"]))))["Desa"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert "73.24.04.2010" in desa and not any(c.startswith("73.17") for c in desa)


def test_organisation_list_offers_import_to_admins_only(client, alice, demo_users):
    for username, expected in [
        ("admin.lutim", True),
        ("dinkes.lutim", False),
        ("pkm.malili", False),
        ("pantau.lutim", False),
    ]:
        client.force_login(demo_users[username])
        for kind in ["puskesmas", "posyandu", "opd"]:
            content = client.get(reverse("organisation:list", args=[kind])).content
            assert (b'data-testid="import-button"' in content) is expected, (username, kind)
    client.force_login(alice)
    assert b'data-testid="import-button"' not in client.get(reverse("organisation:list", args=["tpps"])).content


def test_command_prints_the_summary_and_writes_rejected_rows_next_to_the_file(tmp_path, alice):
    path = tmp_path / "posyandu.csv"
    path.write_bytes(
        csv_bytes(
            [["Nama Posyandu", "Kode Desa"], ["Posyandu Cmd", "73.24.04.2011"], ["Posyandu Y", "73.24.04.2999"]]
        ).getvalue()
    )
    out = io.StringIO()
    call_command("import_organisation", "posyandu", str(path), user="admin.lutim", dry_run=True, stdout=out)
    assert "1 baru" in out.getvalue() and "1 ditolak" in out.getvalue()
    assert not Posyandu.objects.filter(name="Posyandu Cmd").exists() and not _batches().exists()
    rejected = tmp_path / "posyandu-ditolak.xlsx"
    assert read_xlsx(rejected.read_bytes())[1][:2] == ["Posyandu Y", "73.24.04.2999"]
    rejected.unlink()
    out = io.StringIO()
    call_command("import_organisation", "posyandu", str(path), user="admin.lutim", stdout=out)
    assert Posyandu.objects.filter(name="Posyandu Cmd", puskesmas__code="P7324040201").exists()
    assert rejected.exists() and _batches().get().created_by == alice
    with pytest.raises(CommandError):
        call_command("import_organisation", "posyandu", str(path), user="desa.balantang")


def test_large_uploads_streamed_to_a_temporary_file_import_too(client, alice, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file on disk
    client.force_login(alice)
    rows = [["Nama Posyandu", "Kode Desa"]] + [[f"Posyandu Besar {i}", "73.24.04.2011"] for i in range(40)]
    response = _upload(client, "posyandu", csv_bytes(rows), "besar.csv")
    batch = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and (batch.status, batch.created) == (BatchStatus.DONE, 40), batch.error
