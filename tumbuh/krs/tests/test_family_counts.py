"""The number of families per desa: the template import on a messy file (nothing lost, no
duplicates, fixable rejected rows, one transaction), the entry table, and who may change it."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.testing import crash_on_save, read_xlsx, xlsx_bytes
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.krs.actions import do_set_family_count
from tumbuh.krs.importers import KIND_FAMILY_COUNT, FamilyCountImporter
from tumbuh.krs.models import SOURCE_PK, FamilyCount
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"
YEAR = 2026  # the demo has numbers for 2025 only
HEADER = ["Kode Desa", "Kecamatan", "Desa", "Tahun", "Jumlah Keluarga", "Keluarga dengan Balita", "Sumber"]


@pytest.fixture
def kabupaten():
    return Wilayah.objects.get(code="73.24")


@pytest.fixture
def desa():
    """Nine desa of Luwu Timur other than Balantang, in code order."""
    return [
        w.code
        for w in Wilayah.objects.filter(level=4, kabupaten_code="73.24").exclude(code=BALANTANG).order_by("code")[:9]
    ]


def _luwu_desa() -> str:
    return Wilayah.objects.filter(level=4, kabupaten_code="73.17").order_by("code").first().code


def _messy_rows(desa):
    return [
        ["Jumlah Keluarga per Desa, Pendataan Keluarga 2026"],  # a title above the header
        HEADER,
        [BALANTANG, "Malili", "Balantang", "2026", "1.234", "310", ""],  # Indonesian thousands
        [desa[0].replace(".", ""), "", "", 2026, "1,050", None, "PK 2026 DP2KB"],  # undotted code, English thousands
        [],
        [desa[1], "", "", "2026", 987, 250.0, ""],  # number cells
        [desa[2], "", "", "2026", "-12", "", ""],
        [desa[3], "", "", "2026", "banyak", "", ""],
        [None, None, None, None, None, None, None],
        ["73.24.04.2999", "", "", "2026", "800", "", ""],
        [_luwu_desa(), "", "", "2026", "700", "", ""],
        [desa[4], "", "", "2026", "12,5", "", ""],
        [desa[5], "", "", "2026", "400", "450", ""],
        [BALANTANG, "Malili", "Balantang", "2026", "1.234", "310", ""],
        [desa[6], "", "", "2026", "", "", SOURCE_PK],
        [desa[7], "", "", "", "500", "", ""],
    ]


def _reasons(batch):
    with translation.override("en"):
        return {r.row_number: r.message for r in batch.rejected_rows.all()}


def _import(user, kabupaten, rows, name="keluarga.xlsx"):
    batch = run_import(KIND_FAMILY_COUNT, user=user, kabupaten=kabupaten, source=xlsx_bytes(rows), file_name=name)
    assert batch.status == BatchStatus.DONE, batch.error
    return batch


def test_a_messy_file_keeps_every_rejected_row_with_its_reason(alice, kabupaten, desa):
    batch = _import(alice, kabupaten, _messy_rows(desa))
    assert (batch.total_rows, batch.created, batch.rejected) == (12, 3, 9)  # the two blank rows are not rows
    assert _reasons(batch) == {
        7: "Jumlah Keluarga cannot be negative: -12",
        8: "Jumlah Keluarga is not a whole number: banyak",
        10: "Unknown desa code 73.24.04.2999",
        11: f"Desa {_luwu_desa()} is outside your area",
        12: "Jumlah Keluarga is not a whole number: 12,5",
        13: "Keluarga dengan Balita (450) cannot exceed Jumlah Keluarga (400)",
        14: "Duplicate of row 3 in this file",
        15: "Jumlah Keluarga is empty",
        16: "Year is missing or not a year: ",
    }
    stored = {
        c.desa_id: (c.families, c.families_with_under_five, c.source) for c in FamilyCount.objects.filter(year=YEAR)
    }
    assert stored == {
        BALANTANG: (1234, 310, SOURCE_PK),
        desa[0]: (1050, None, "PK 2026 DP2KB"),
        desa[1]: (987, 250, SOURCE_PK),
    }
    balantang = FamilyCount.objects.get(desa_id=BALANTANG, year=YEAR)
    assert balantang.import_batch == batch
    log = AuditLog.objects.get(object_type="krs.familycount", object_id=str(balantang.pk))
    assert log.actor == alice and log.reason == "impor keluarga.xlsx baris 3" and log.after["families"] == 1234


def test_fixed_rejected_rows_come_in_and_a_reimport_adds_no_duplicates(alice, kabupaten, desa):
    rows = _messy_rows(desa)
    first = _import(alice, kabupaten, rows)
    sheet = read_xlsx(rejected_workbook(first))
    header, data = sheet[0], sheet[1:]
    assert header[:7] == HEADER and header[7:] == ["Alasan", "Baris Asal"] and len(data) == 9
    code, count, under_five = (
        header.index("Kode Desa"),
        header.index("Jumlah Keluarga"),
        header.index("Keluarga dengan Balita"),
    )
    fixes = {desa[2]: ("812", ""), desa[3]: ("640", ""), desa[4]: ("125", ""), desa[5]: ("400", "350")}
    fixed = [list(header)]
    for row in data:  # the secretariat fixes what can be fixed, and sends the sheet back
        row = ["" if c is None else c for c in row]
        if row[code] in fixes:
            row[count], row[under_five] = fixes[row[code]]
        fixed.append(row)
    again = _import(alice, kabupaten, fixed, "keluarga-ditolak.xlsx")
    # 4 fixed rows come in; the former in-file duplicate of Balantang now matches what is stored.
    assert (again.created, again.unchanged, again.rejected) == (4, 1, 4)
    assert FamilyCount.objects.get(desa_id=desa[5], year=YEAR).families_with_under_five == 350

    once_more = _import(alice, kabupaten, rows)
    assert (once_more.created, once_more.updated, once_more.unchanged) == (0, 0, 3)
    assert FamilyCount.objects.filter(year=YEAR).count() == 7


def test_a_changed_number_updates_the_desa_with_the_old_value_in_the_audit(alice, kabupaten, desa):
    rows = _messy_rows(desa)[:3]
    _import(alice, kabupaten, rows)
    rows[2][4] = "1.240"
    batch = _import(alice, kabupaten, rows, "keluarga-v2.xlsx")
    assert (batch.created, batch.updated) == (0, 1)
    obj = FamilyCount.objects.get(desa_id=BALANTANG, year=YEAR)
    assert obj.families == 1240 and obj.import_batch == batch
    log = AuditLog.objects.filter(object_type="krs.familycount", object_id=str(obj.pk)).latest("pk")
    assert (log.before["families"], log.after["families"], log.reason) == (1234, 1240, "impor keluarga-v2.xlsx baris 3")


def test_a_crash_mid_batch_leaves_nothing_from_it(alice, kabupaten, desa, monkeypatch):
    calls = crash_on_save(monkeypatch, FamilyCountImporter, at=3)  # earlier chunks are written before the crash
    rows = [HEADER] + [[code, "", "", "2026", str(300 + i), "", ""] for i, code in enumerate(desa[:5])]
    audit = AuditLog.objects.count()
    with translation.override("en"):
        batch = run_import(
            KIND_FAMILY_COUNT, user=alice, kabupaten=kabupaten, source=xlsx_bytes(rows), file_name="crash.xlsx"
        )
    assert len(calls) == 3 and batch.status == BatchStatus.FAILED and "disk full" in batch.error
    assert not FamilyCount.objects.filter(year=YEAR).exists() and AuditLog.objects.count() == audit
    assert ImportBatch.objects.get(pk=batch.pk).accepted == 0


def test_the_template_lists_every_desa_prefilled_and_comes_back_unchanged(client, alice, kabupaten):
    client.force_login(alice)
    response = client.get("/krs/jumlah-keluarga/templat.xlsx?year=2025")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = read_xlsx(content)
    assert sheet[1] == HEADER
    data = {r[0]: r for r in sheet[2:]}
    all_desa = Wilayah.objects.filter(level=4, kabupaten_code="73.24")
    assert set(data) == set(all_desa.values_list("code", flat=True))
    stored = FamilyCount.objects.get(desa_id=BALANTANG, year=2025)
    assert data[BALANTANG][1:] == [
        "Malili",
        "Balantang",
        2025,
        stored.families,
        stored.families_with_under_five,
        stored.source,
    ]
    batch = run_import(
        KIND_FAMILY_COUNT, user=alice, kabupaten=kabupaten, source=io.BytesIO(content), file_name="templat.xlsx"
    )
    assert (batch.created, batch.updated, batch.rejected, batch.unchanged) == (0, 0, 0, all_desa.count())


# ---------------------------------------------------------------- the entry table


def _post(client, values: dict, year=YEAR, reason=""):
    data = {"year": str(year), "reason": reason}
    for code, (families, under_five) in values.items():
        data[f"families-{code}"], data[f"under_five-{code}"] = families, under_five
    return client.post("/krs/jumlah-keluarga/", data)


def test_the_district_admin_enters_numbers_in_the_table(client, alice, desa):
    client.force_login(alice)
    response = _post(client, {BALANTANG: ("1.234", "300"), desa[0]: ("", ""), desa[1]: ("980", "")})
    assert response.status_code == 302
    assert dict(FamilyCount.objects.filter(year=YEAR).values_list("desa_id", "families")) == {
        BALANTANG: 1234,
        desa[1]: 980,
    }
    obj = FamilyCount.objects.get(desa_id=BALANTANG, year=YEAR)
    assert AuditLog.objects.filter(object_type="krs.familycount", object_id=str(obj.pk), actor=alice).exists()

    # A bad row stops the whole table; a changed stored number needs a reason.
    response = _post(client, {BALANTANG: ("1250", "300"), desa[1]: ("-3", "")})
    html = response.content.decode()
    assert response.status_code == 200 and html.count('class="errorlist"') >= 2
    assert FamilyCount.objects.get(desa_id=BALANTANG, year=YEAR).families == 1234
    assert (
        _post(client, {BALANTANG: ("1250", "300"), desa[1]: ("", "")}, reason="PK 2026 diperbarui").status_code == 302
    )
    assert FamilyCount.objects.get(desa_id=BALANTANG, year=YEAR).families == 1250
    assert not FamilyCount.objects.filter(desa_id=desa[1], year=YEAR).exists()  # emptied: removed
    assert (
        AuditLog.objects.filter(object_type="krs.familycount", action="delete", reason="PK 2026 diperbarui").count()
        == 1
    )
    assert (
        AuditLog.objects.filter(object_id=str(obj.pk), reason="PK 2026 diperbarui").latest("pk").after["families"]
        == 1250
    )

    page = client.get(f"/krs/jumlah-keluarga/?year={YEAR}").content.decode()
    assert f'name="families-{BALANTANG}" value="1250"' in page and 'data-testid="template-link"' in page


# ---------------------------------------------------------------- who may change the numbers


@pytest.mark.parametrize(
    "username", ["dinkes.lutim", "camat.malili", "pkm.malili", "desa.balantang", "pantau.lutim", "admin.luwu"]
)
def test_nobody_but_the_district_admin_changes_the_numbers(client, demo_users, username, desa):
    user = demo_users[username]
    stored = FamilyCount.objects.get(desa_id=BALANTANG, year=2025)
    elsewhere = FamilyCount.objects.get(desa_id=desa[-1], year=2025)
    assert policy.can(demo_users["admin.lutim"], policy.CHANGE, stored)
    assert not policy.can(user, policy.CHANGE, stored) and not policy.can(
        user, policy.ADD, FamilyCount(desa_id=BALANTANG)
    )
    assert policy.can(user, policy.ADD, FamilyCount) == (username == "admin.luwu")  # in their own district
    for code in (BALANTANG, desa[-1]):  # the desa operator's own desa, and one outside it
        with pytest.raises(PermissionDenied):
            do_set_family_count(user, code, 2025, families=1, reason="coba")
    client.force_login(user)
    response = _post(client, {BALANTANG: ("1", "")}, year=2025, reason="coba")
    if username == "admin.luwu":  # their own district's table, where Balantang is not
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        assert client.post("/krs/jumlah-keluarga/impor/", {}).status_code == 403
        assert client.get("/krs/jumlah-keluarga/templat.xlsx?year=2025").status_code == 403
    assert FamilyCount.objects.get(pk=stored.pk).families == stored.families
    assert FamilyCount.objects.get(pk=elsewhere.pk).families == elsewhere.families


def test_everyone_reads_the_numbers_of_their_own_area_only(client, bob, desa):
    client.force_login(bob)
    html = client.get("/krs/jumlah-keluarga/?year=2025").content.decode()
    stored = FamilyCount.objects.get(desa_id=BALANTANG, year=2025)
    assert f'data-desa="{BALANTANG}"' in html and f'data-desa="{desa[0]}"' not in html
    assert 'name="families-' not in html and 'data-testid="import-form"' not in html
    assert f"{stored.families:,}".replace(",", ".") in html  # Indonesian thousands


def test_another_district_s_admin_cannot_import_into_luwu_timur(charlie):
    batch = _import(charlie, Wilayah.objects.get(code="73.17"), [HEADER, [BALANTANG, "", "", "2026", "900", "", ""]])
    assert (batch.created, _reasons(batch)) == (0, {2: f"Desa {BALANTANG} is outside your area"})


def test_the_demo_numbers_are_plausible_audited_and_seeded_once():
    from django.db.models import Count

    from tumbuh.krs.demo_data import seed
    from tumbuh.krs.models import Family

    numbers = FamilyCount.objects.filter(year=2025, desa__kabupaten_code="73.24")
    assert numbers.count() == Wilayah.objects.filter(level=4, kabupaten_code="73.24").count()
    krs = dict(Family.objects.filter(year=2025).values_list("desa_id").annotate(n=Count("pk")))
    for count in numbers:
        assert (
            200 <= count.families <= 1200
            and count.families_with_under_five < count.families
            and krs.get(count.desa_id, 0) < count.families
        )
    logs = AuditLog.objects.filter(object_type="krs.familycount", reason="data demo")
    assert logs.count() == numbers.count()
    before = list(numbers.values_list("desa_id", "families", "families_with_under_five"))
    seed(2026)
    assert list(
        numbers.values_list("desa_id", "families", "families_with_under_five")
    ) == before and logs.count() == len(before)


# ---------------------------------------------------------------- the upload page (issue 15)


def _upload_page(client, data: bytes, name: str = "keluarga.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/krs/jumlah-keluarga/impor/", {"file": SimpleUploadedFile(name, data)}, follow=True)


def test_the_upload_page_queues_the_file_and_its_batch_page_polls(client, alice, settings, monkeypatch):
    """The page stores the file and hands it to the worker: the request does not read it."""
    from django.core.management import call_command
    from django.urls import reverse

    from tumbuh.imports import background

    settings.TUMBUH_IMPORT_INLINE_BYTES = 10
    monkeypatch.setattr(background, "spawn_worker", lambda: None)  # the test runs the worker itself
    client.force_login(alice)
    rows = [HEADER, [BALANTANG, "Malili", "Balantang", YEAR, 1300, 310, "PK 2026"]]
    with translation.override("id"):
        page = _upload_page(client, xlsx_bytes(rows).getvalue()).content.decode()
    batch = ImportBatch.objects.get(kind=KIND_FAMILY_COUNT, file_name="keluarga.xlsx")
    assert batch.status == BatchStatus.QUEUED and not FamilyCount.objects.filter(year=YEAR).exists()
    assert "Berkas sedang diproses" in page and reverse("imports:progress", args=[batch.pk]) in page
    call_command("run_import", str(batch.pk), stdout=io.StringIO())
    assert FamilyCount.objects.get(desa_id=BALANTANG, year=YEAR).families == 1300


def test_the_upload_page_refuses_a_zip_bomb_with_the_reason(client, alice):
    from tumbuh.core.testing import zip_bomb

    bomb = zip_bomb(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}, "xl/worksheets/sheet1.xml", 300 << 20
    )
    client.force_login(alice)
    import html

    page = html.unescape(_upload_page(client, bomb).content.decode())
    batch = ImportBatch.objects.get(kind=KIND_FAMILY_COUNT, file_name="keluarga.xlsx")
    assert batch.status == BatchStatus.FAILED and 'tampak seperti "zip bomb"' in batch.error
    assert "zip bomb" in page and not FamilyCount.objects.filter(year=YEAR).exists()
