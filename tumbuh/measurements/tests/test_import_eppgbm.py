"""The e-PPGBM importer: every row accepted or rejected with its reason, nothing lost."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.imports.testing import csv_bytes, read_xlsx, xlsx_bytes
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.measurements.models import Child, Measurement
from tumbuh.wilayah.models import Wilayah

from .import_files import export, row

pytestmark = pytest.mark.django_db

NIK = "7324045001230003"  # Malili, a girl born 10/01/23


def run(user, rows, fmt="csv", name="eppgbm.csv", **kw):
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    return run_import(
        "eppgbm", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=data, file_name=name, **kw
    )


def reasons(batch):
    with translation.override("en"):
        return {r.row_number: r.message for r in batch.rejected_rows.all()}


def test_an_eppgbm_csv_with_decimal_commas_becomes_children_and_scored_visits(alice):
    batch = run(
        alice,
        export(
            row(name="Ahmad Fauzan", zs=("-1,10", "-0,5", "0,2")),
            row(name="Ahmad Fauzan", date="10/08/2024", weight="10,1", height="80,0"),
            row(nik=NIK, name="Nur Aisyah", jk="P", birth="10/01/2023", cara="Terlentang", height="83,9"),
        ),
    )
    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.total_rows, batch.created, batch.rejected) == (3, 3, 0), reasons(batch)
    ahmad = Child.objects.get(name="Ahmad Fauzan", desa_id="73.24.04.2001")
    assert (
        ahmad.measurements.count() == 2
        and ahmad.posyandu.name.endswith("Melati")
        and ahmad.parent_name == "Siti Aminah"
    )
    visit = ahmad.measurements.get(date=dt.date(2025, 2, 10))
    assert visit.weight == Decimal("11.20") and visit.lenhei == Decimal("84.5") and visit.position == "h"
    assert (
        visit.zlen is not None
        and visit.status_tbu
        and visit.import_batch == batch
        and visit.posyandu.name.endswith("Melati")
    )
    assert visit.eppgbm_zlen == -1.10 and visit.eppgbm_zwei == -0.5
    aisyah = Child.objects.get(nik=NIK)
    assert aisyah.sex == 2 and aisyah.measurements.get().position == "l"
    # One audit record for the batch as a whole, naming it.
    log = AuditLog.objects.get(object_type="imports.importbatch", object_id=str(batch.pk))
    assert log.after["measurements_created"] == 3 and "eppgbm.csv" in log.reason


def test_an_xlsx_with_excel_serial_dates_and_real_date_cells_is_read(alice):
    rows = export(row(name="Serial Date", birth=44936, date=dt.datetime(2025, 2, 10), weight=11.2, height=84.5))
    batch = run(alice, rows, fmt="xlsx", name="eppgbm.xlsx")
    assert batch.created == 1, reasons(batch)
    child = Child.objects.get(name="Serial Date")
    assert child.birth_date == dt.date(2023, 1, 10) and child.measurements.get().date == dt.date(2025, 2, 10)


EACH_REASON = [
    (dict(date="10/02/2099"), "in the future"),
    (dict(birth="11/02/2025"), "after the measurement date"),
    (dict(birth="01/01/2020"), "only children aged 0–59 months"),
    (dict(weight="0,2"), "outside the plausible range"),
    (dict(height="845"), "did you mean 84.5 cm"),
    (dict(height="0,845"), "looks like metres"),
    (dict(weight="11200"), "did you mean 11.2 kg"),
    (dict(weight="84,5", height="11,2"), "look swapped"),
    (dict(lila="135"), "LiLA 135"),
    (dict(jk="X"), "must be L or P"),
    (dict(cara="Duduk"), "Terlentang or Berdiri"),
    (dict(birth="31/02/2023"), "is not a date"),
    (dict(weight="sebelas"), "is not a number"),
    (dict(name=""), "Name is empty"),
    (dict(posyandu="Posyandu Tidak Ada Sama Sekali"), "Unknown posyandu"),
    (dict(desa="Antah Berantah"), "Unknown desa"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_problem_rejects_its_row_with_one_clear_reason(alice, fmt):
    rows = [row(**{"name": f"Anak {i}", **overrides}) for i, (overrides, _) in enumerate(EACH_REASON)]
    rows.append(row(name="Anak Baik"))
    rows.append(row(name="Anak Baik"))  # duplicate within the file
    rows.append(row(name="Anak Baik", weight="11,4"))  # same child and date, other values
    rows.append(row(name="Anak Baik", date="10/03/2025", height="81,0"))  # height fell 3.5 cm
    rows.append(row(name="Anak Baik", date="17/02/2025", weight="15,0"))  # +3.8 kg in a week
    batch = run(alice, export(*rows), fmt=fmt, name=f"alasan.{fmt}")
    got = reasons(batch)
    assert batch.total_rows == len(rows) and batch.created == 1 and batch.rejected == len(rows) - 1
    for i, (_overrides, expected) in enumerate(EACH_REASON):
        assert expected in got[i + 3], (i, got[i + 3])
    n = len(EACH_REASON) + 3
    assert "Duplicate of row" in got[n + 1]
    assert "but with different values" in got[n + 2]
    assert "Height fell" in got[n + 3]
    assert "Weight changed" in got[n + 4]


def test_an_invalid_nik_is_a_warning_stored_blank_and_kept_in_the_batch(alice):
    batch = run(alice, export(row(nik="73240450012300", name="Nik Pendek")))
    assert batch.created == 1
    child = Child.objects.get(name="Nik Pendek")
    assert child.nik == "" and "nik_invalid:nik_length" in child.measurements.get().warnings
    assert batch.findings["invalid_nik"] == 1 and batch.findings["invalid_nik_rows"][0][1] == "73240450012300"


def test_a_valid_nik_claimed_by_a_different_child_is_rejected(alice):
    run(alice, export(row(nik=NIK, name="Nur Aisyah", jk="P")))
    batch = run(alice, export(row(nik=NIK, name="Budi Santoso", birth="02/03/2023")), name="lain.csv")
    assert batch.rejected == 1 and "already belongs to another child" in reasons(batch)[3]


def test_reimporting_the_same_file_creates_nothing_and_changes_nothing(alice):
    rows = export(row(name="Ulang Sama"), row(name="Ulang Sama", date="10/08/2024", weight="10,1", height="80,0"))
    first = run(alice, rows)
    logs = AuditLog.objects.count()
    again = run(alice, rows)
    assert first.created == 2
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
    assert Child.objects.filter(name="Ulang Sama").count() == 1
    assert Measurement.objects.filter(child__name="Ulang Sama").count() == 2
    assert AuditLog.objects.count() == logs


def test_an_overlapping_file_adds_new_visits_and_updates_changed_ones_with_an_audit_record(alice):
    run(
        alice,
        export(row(name="Tumpang Tindih", date="10/08/2024", weight="10,1", height="80,0"), row(name="Tumpang Tindih")),
    )
    batch = run(
        alice,
        export(
            row(name="Tumpang Tindih", date="10/08/2024", weight="10,1", height="80,0"),  # same
            row(name="Tumpang Tindih", weight="11,5"),  # corrected
            row(name="Tumpang Tindih", date="10/03/2025", weight="11,6", height="85,0"),  # new
        ),
        name="overlap.csv",
    )
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (1, 1, 1, 0), reasons(batch)
    visit = Measurement.objects.get(child__name="Tumpang Tindih", date=dt.date(2025, 2, 10))
    assert visit.weight == Decimal("11.50")
    log = AuditLog.objects.get(object_type="measurements.measurement", object_id=str(visit.pk), action="update")
    assert log.before["weight"] == "11.20" and log.after["weight"] == "11.50" and "overlap.csv" in log.reason
    assert Measurement.objects.filter(child__name="Tumpang Tindih").count() == 3


def test_new_rows_need_the_right_to_add_them_even_without_the_upload_page(demo_users):
    """The bulk write asks the policy once: a viewer's file (run directly, past the upload
    page's check) adds nothing, and the batch says why."""
    viewer = demo_users["pantau.lutim"]
    before = (Child.objects.count(), Measurement.objects.count(), AuditLog.objects.count())
    batch = run(viewer, export(row(name="Tanpa Hak")))
    assert batch.status == BatchStatus.FAILED and "PermissionDenied" in batch.error
    assert (Child.objects.count(), Measurement.objects.count(), AuditLog.objects.count()) == before


def test_a_crash_mid_import_leaves_no_half_batch(alice, monkeypatch):
    from tumbuh.measurements import importers
    from tumbuh.measurements.importers import writer

    monkeypatch.setattr(importers.EppgbmImporter, "chunk_size", 2)
    calls = {"n": 0}
    real = writer.score_columns

    def failing(**columns):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(**columns)

    monkeypatch.setattr(writer, "score_columns", failing)
    before = (Child.objects.count(), Measurement.objects.count(), AuditLog.objects.count())
    batch = run(alice, export(*[row(name=f"Crash {i}") for i in range(5)]))
    assert batch.status == BatchStatus.FAILED and "disk full" in batch.error
    assert (Child.objects.count(), Measurement.objects.count(), AuditLog.objects.count()) == before
    assert batch.created == 0 and not batch.rejected_rows.exists()


def test_rows_where_eppgbm_z_scores_disagree_with_tumbuh_are_a_finding_not_an_error(alice):
    first = run(alice, export(row(name="Z Cek")))
    z = Measurement.objects.get(child__name="Z Cek")
    close = (f"{z.zlen:.2f}".replace(".", ","), f"{z.zwei:.2f}".replace(".", ","), f"{z.zwfl:.2f}".replace(".", ","))
    batch = run(
        alice,
        export(
            row(name="Z Cek Sama", zs=close),
            row(name="Z Cek Beda", zs=(f"{z.zlen + 0.5:.2f}", close[1], close[2])),
        ),
        name="z.csv",
    )
    assert first.findings["zscore_disagreements"] == 0
    assert batch.created == 2 and batch.rejected == 0
    assert batch.findings["zscore_disagreements"] == 1


def test_rejected_rows_download_fixed_and_imported_again_cleanly(alice):
    batch = run(
        alice,
        export(
            row(name="Pulang Pergi", height="845"),
            row(name="Pulang Pergi Dua", weight="11200"),
            row(name="Pulang Pergi Tiga"),
        ),
        fmt="xlsx",
        name="pp.xlsx",
    )
    assert (batch.created, batch.rejected) == (1, 2)
    sheet = read_xlsx(rejected_workbook(batch))
    header = sheet[0]
    assert header[-2:] == ["Alasan", "Baris Asal"]
    fixed = [header]
    for cells in sheet[1:]:
        cells = list(cells)
        cells[header.index("Tinggi")] = "84,5"
        cells[header.index("Berat")] = "11,2"
        fixed.append(cells)
    again = run(alice, fixed, fmt="xlsx", name="pp-ditolak.xlsx")
    assert (again.total_rows, again.created, again.rejected) == (2, 2, 0), reasons(again)


def test_a_row_without_cara_ukur_is_kept_with_a_warning(alice):
    batch = run(alice, export(row(name="Tanpa Cara Ukur", cara="")))
    visit = Measurement.objects.get(child__name="Tanpa Cara Ukur")
    assert batch.created == 1 and visit.position == "" and "position_missing" in visit.warnings
    assert batch.findings["warned_rows"] == 1


def test_a_name_from_the_file_that_starts_like_a_formula_is_neutralised_in_the_disagreements_csv(client, alice):
    import csv
    import io

    from django.urls import reverse

    first = run(alice, export(row(name="Z Rumus")))
    z = Measurement.objects.get(child__name="Z Rumus", import_batch=first)
    name = '=HYPERLINK("http://x.invalid","klik")'
    theirs = f"{z.zlen - 3:.2f}"
    assert theirs.startswith("-")
    batch = run(alice, export(row(name=name, zs=(theirs, f"{z.zwei:.2f}", f"{z.zwfl:.2f}"))), name="z.csv")
    assert batch.findings["zscore_disagreements"] == 1, reasons(batch)
    client.force_login(alice)
    response = client.get(reverse("measurement_imports:disagreements", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    [line] = rows[1:]
    assert line[1] == "'" + name  # OWASP's quote: a spreadsheet shows it as text
    assert line[7] == theirs.replace(".", ",")  # a negative z-score stays a number (Indonesian decimal comma)
    assert not any(cell.startswith(("=", "+", "@")) for cell in line)


def test_a_row_outside_the_area_says_the_same_whether_or_not_its_nik_is_registered_elsewhere(alice, demo_users):
    """A NIK registered outside the importer's area is not confirmed: the row is refused with
    the words a row of a desa outside the area gets, whatever its NIK."""
    run(alice, export(row(nik=NIK, name="Nur Aisyah", jk="P", desa="Balantang", posyandu="")))
    fresh = "7324045001230007"  # valid, registered nowhere
    assert not Child.all_objects.filter(nik=fresh).exists()
    batch = run(demo_users["pkm.malili"], export(
        row(nik=NIK, name="Nur Aisyah", jk="P"),  # Harapan (theirs); the NIK belongs to a Balantang child
        row(nik=fresh, name="Nur Aisyah", jk="P", desa="Balantang", posyandu=""),
        row(nik=NIK, name="Nur Aisyah", jk="P", desa="Balantang", posyandu=""),
        row(nik="", name="Tanpa Nik", desa="Balantang", posyandu=""),
    ), name="puskesmas.csv")  # fmt: skip
    assert batch.rejected == 4
    english = set(reasons(batch).values())
    with translation.override("id"):
        indonesian = {r.message for r in batch.rejected_rows.all()}
    assert english == {"This row cannot be imported into your area"}
    assert indonesian == {"Baris ini tidak dapat diimpor ke wilayah Anda"}
    assert not any(NIK in r.reason or "Balantang" in r.reason for r in batch.rejected_rows.all())
