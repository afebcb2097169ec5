"""The KRS import on messy files: nothing lost, no duplicates, fixable rejected rows."""

import pytest
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.imports.testing import csv_bytes, read_xlsx, xlsx_bytes
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.krs.counts import krs_count
from tumbuh.krs.demo_export import PROBLEM_KINDS, krs_export
from tumbuh.krs.models import Family
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"
HEADER = [
    "Tahun Pendataan",
    "NIK Kepala Keluarga",
    "Nama Kepala Keluarga",
    "Kecamatan",
    "Kode Desa",
    "Desa/Kelurahan",
    "RT",
    "RW",
    "Balita",
    "PUS Hamil",
    "Sumber Air Minum Tidak Layak",
    "Jamban Tidak Layak",
    "Keluarga Miskin",
    "Terlalu Muda",
]


@pytest.fixture
def kabupaten():
    return Wilayah.objects.get(code="73.24")


@pytest.fixture
def other_desa():
    return Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").exclude(code=BALANTANG).order_by("code").first()


def _messy_rows(other_desa):
    luwu = Wilayah.objects.filter(level=4, kabupaten_code="73.17").order_by("code").first().code
    return [
        ["Daftar KRS Kecamatan Malili"],  # a title above the header
        HEADER,
        ["2026", "7324041501800001", "Baharuddin", "Malili", BALANTANG, "", "1", "2", "2", "Tidak", "Ya", "v", "", ""],
        [
            "2026",
            " 7324 0415 0180 0002 ",
            "Sudirman",
            "MALILI",
            "",
            f"DESA {other_desa.name.upper()}",
            "",
            "",
            "0",
            "Ya",
            "",
            "",
            "1",
            "Tidak",
        ],
        ["2026", "7324041501800003.0", "Amiruddin", "Malili", "7324042010", "", "", "", "1", "", "YA", "", "", ""],
        ["2026", "", "Tanpa NIK", "Malili", BALANTANG, "", "", "", "1", "", "Ya", "", "", ""],
        ["2026", "73240415018", "NIK Pendek", "Malili", BALANTANG, "", "", "", "1", "", "Ya", "", "", ""],
        [
            "2026",
            "7324041501800006",
            "Desa Antah",
            "Malili",
            "",
            "Desa Antah Berantah",
            "",
            "",
            "1",
            "",
            "Ya",
            "",
            "",
            "",
        ],
        ["2026", "7317041501800007", "Orang Luwu", "", luwu, "", "", "", "1", "", "Ya", "", "", ""],
        ["2026", "7324041501800008", "Tanpa Risiko", "Malili", BALANTANG, "", "", "", "1", "", "Tidak", "", "", ""],
        ["2026", "7324041501800009", "Isian Aneh", "Malili", BALANTANG, "", "", "", "1", "", "mungkin", "", "", ""],
        ["2026", "7324041501800001", "Baharuddin", "Malili", BALANTANG, "", "1", "2", "2", "Tidak", "Ya", "v", "", ""],
        ["", "7324041501800010", "Tanpa Tahun", "Malili", BALANTANG, "", "", "", "1", "", "Ya", "", "", ""],
    ]


def _reasons(batch):
    return {r.row_number: r.reason % r.params if r.params else r.reason for r in batch.rejected_rows.all()}


def test_a_messy_csv_keeps_every_rejected_row_with_its_reason(alice, kabupaten, other_desa):
    batch = run_import(
        "krs", user=alice, kabupaten=kabupaten, source=csv_bytes(_messy_rows(other_desa)), file_name="krs.csv"
    )
    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.created, batch.rejected) == (4, 7)
    reasons = _reasons(batch)
    assert (
        reasons
        == {
            6: "NIK of the family head is empty",
            7: "NIK 73240415018 does not have 16 digits",
            8: "No desa named Desa Antah Berantah in your area",
            9: "This row cannot be imported into your area",  # a desa of another district: the words of a NIK registered there
            11: "Sumber Air Minum Tidak Layak: mungkin is not yes or no",
            12: "Duplicate of row 3 in this file",
            13: "Year is empty",
        }
    )
    baharuddin = Family.objects.get(nik="7324041501800001")
    assert baharuddin.desa_id == BALANTANG and baharuddin.ada_balita and not baharuddin.ada_ibu_hamil
    assert baharuddin.air_tidak_layak and baharuddin.jamban_tidak_layak and baharuddin.risk_count == 2
    sudirman = Family.objects.get(nik="7324041501800002")
    assert (
        sudirman.desa_id == other_desa.code and sudirman.miskin and sudirman.ada_ibu_hamil and not sudirman.ada_balita
    )
    assert (sudirman.ada_baduta, sudirman.ada_anak_24_59) == (False, False)  # no child under five: none of either age
    assert Family.objects.get(nik="7324041501800003").desa_id == BALANTANG  # undotted code
    # On BKKBN's list, so at risk by BKKBN's own determination: kept although no factor is marked.
    no_risk = Family.objects.get(nik="7324041501800008")
    assert no_risk.risk_count == 0 and no_risk.air_tidak_layak is False and no_risk.miskin is False
    # The file has no housing, education, 35–40, spacing or parity column: unknown, not no.
    assert (no_risk.rumah_tidak_layak, no_risk.pendidikan_ibu_rendah, no_risk.terlalu_tua) == (None, None, None)
    assert no_risk.ada_baduta is None and no_risk.ada_balita is True
    created = Family.objects.filter(year=2026, nik__startswith="73240415018000")
    assert (
        AuditLog.objects.filter(
            object_type="krs.family", object_id__in=[str(k.pk) for k in created], actor=alice
        ).count()
        == 4
    )


def test_reimport_adds_no_duplicates_and_fixed_rejected_rows_come_in(alice, kabupaten, other_desa):
    rows = _messy_rows(other_desa)
    first = run_import("krs", user=alice, kabupaten=kabupaten, source=xlsx_bytes(rows), file_name="krs.xlsx")
    again = run_import("krs", user=alice, kabupaten=kabupaten, source=xlsx_bytes(rows), file_name="krs.xlsx")
    assert (first.created, again.created, again.unchanged, again.rejected) == (4, 0, 4, 7)
    assert Family.objects.filter(year=2026, nik__startswith="73240415018000").count() == 4

    sheet = read_xlsx(rejected_workbook(again))
    header, data = sheet[0], sheet[1:]
    assert "Tahun Pendataan" in header and len(data) == 7
    nik_col, name_col, risk_col = (
        header.index("NIK Kepala Keluarga"),
        header.index("Nama Kepala Keluarga"),
        header.index("Sumber Air Minum Tidak Layak"),
    )
    fixed = [list(header)]
    for row in data:  # the operator fixes what can be fixed, and sends the sheet back
        row = ["" if c is None else c for c in row]
        if row[name_col] == "Tanpa NIK":
            row[nik_col] = "7324041501800004"
        if row[name_col] == "Isian Aneh":
            row[risk_col] = "Ya"
        fixed.append(row)
    batch = run_import("krs", user=alice, kabupaten=kabupaten, source=xlsx_bytes(fixed), file_name="krs-ditolak.xlsx")
    # 2 fixed rows come in; the former in-file duplicate of row 3 is now simply unchanged.
    assert (batch.created, batch.unchanged, batch.rejected) == (2, 1, 4)
    assert krs_count(BALANTANG, 2026) == 5 and krs_count(BALANTANG) == 5 and krs_count(BALANTANG, 2023) == 0


def test_a_changed_row_updates_the_family(alice, kabupaten, other_desa):
    rows = _messy_rows(other_desa)[:3]
    run_import("krs", user=alice, kabupaten=kabupaten, source=csv_bytes(rows), file_name="krs.csv")
    rows[2][12] = "Ya"  # now also poor
    batch = run_import("krs", user=alice, kabupaten=kabupaten, source=csv_bytes(rows), file_name="krs.csv")
    assert (batch.created, batch.updated) == (0, 1)
    assert Family.objects.get(nik="7324041501800001").miskin


def test_the_demo_export_has_every_problem_caught(alice, kabupaten):
    export = krs_export(11, ("73.24.04",), per_desa=4, year=2024)
    import io

    batch = run_import("krs", user=alice, kabupaten=kabupaten, source=io.BytesIO(export.content), file_name="demo.xlsx")
    assert batch.status == BatchStatus.DONE, batch.error
    assert sorted(export.problems.values()) == sorted(PROBLEM_KINDS)
    assert set(_reasons(batch)) == set(export.problems)
    assert batch.created == export.rows - export.expected_rejected


def test_only_the_district_admin_imports(bob, kabupaten, demo_users, other_desa):
    from tumbuh.imports.views import can_import

    assert can_import(demo_users["admin.lutim"], "krs")
    for name in ("desa.balantang", "camat.malili", "pkm.malili", "dinkes.lutim", "pantau.lutim"):
        assert not can_import(demo_users[name], "krs"), name


def test_a_family_already_on_another_districts_list_is_refused_not_duplicated(alice, kabupaten):
    luwu_desa = Wilayah.objects.filter(level=4, kabupaten_code="73.17").order_by("code").first()
    Family.objects.create(year=2026, desa=luwu_desa, nik="7324041501809999", head_name="Pindah Ke Luwu", miskin=True)
    rows = [
        HEADER,
        ["2026", "7324041501809999", "Pindah Ke Luwu", "Malili", BALANTANG, "", "", "", "1", "", "Ya", "", "", ""],
        ["2026", "7324041501809998", "Keluarga Baru", "Malili", BALANTANG, "", "", "", "1", "", "Ya", "", "", ""],
    ]
    batch = run_import("krs", user=alice, kabupaten=kabupaten, source=csv_bytes(rows), file_name="krs.csv")
    assert (batch.created, batch.rejected) == (1, 1)
    assert _reasons(batch)[2] == "This row cannot be imported into your area"
    assert Family.objects.filter(year=2026, nik="7324041501809999").count() == 1


def test_a_refused_row_never_confirms_a_nik_registered_in_another_district(alice, kabupaten):
    """A NIK on another district's list and one on no list are refused with the same words,
    those of a desa outside the area, naming neither the NIK nor where it is registered."""
    luwu = Wilayah.objects.filter(level=4, kabupaten_code="73.17").order_by("code").first()
    Family.objects.create(year=2026, desa=luwu, nik="7317041501809999", head_name="Terdaftar Di Luwu", miskin=True)
    nowhere = "7317041501809998"
    assert not Family.objects.filter(nik=nowhere).exists()
    cells = ["", "", "", "1", "", "Ya", "", "", ""]
    rows = [
        HEADER,
        [
            "2026",
            "7317041501809999",
            "Terdaftar Di Luwu",
            "Malili",
            BALANTANG,
            "",
            *cells,
        ],  # her desa, a NIK of Luwu's list
        ["2026", nowhere, "Tidak Terdaftar", "", luwu.code, "", *cells],  # a desa of Luwu, a NIK on no list
        ["2026", "7317041501809999", "Terdaftar Di Luwu", "", luwu.code, "", *cells],
    ]  # both
    batch = run_import("krs", user=alice, kabupaten=kabupaten, source=csv_bytes(rows), file_name="krs.csv")
    assert (batch.created, batch.rejected) == (0, 3)
    assert set(_reasons(batch).values()) == {"This row cannot be imported into your area"}
    with translation.override("id"):
        assert {r.message for r in batch.rejected_rows.all()} == {"Baris ini tidak dapat diimpor ke wilayah Anda"}
    assert not any(
        "7317041501809999" in r.message or nowhere in r.message or luwu.name in r.message
        for r in batch.rejected_rows.all()
    )
