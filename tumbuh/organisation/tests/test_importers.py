"""Importing puskesmas, posyandu and OPD lists from real, messy files, losing nothing.

Demo facts used here (Luwu Timur, 73.24): Malili (73.24.04) has Puskesmas Malili
(P7324040101, serving Harapan 2001, Laskap 2002, Manurung 2004, Wewangriu 2005 ...) and
Puskesmas Lakawali (P7324040201, serving Balantang 2010, Atue 2011 ...). Luwu (73.17) is
another district; "Baruga" names two desa in Luwu Timur.
"""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.imports import framework
from tumbuh.imports.framework import iter_rejected, run_import
from tumbuh.imports.models import BatchStatus, ImportBatch, ImportRow
from tumbuh.imports.testing import crash_on_save, csv_bytes, read_xlsx, xlsx_bytes
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.organisation.importers import PosyanduImporter
from tumbuh.organisation.models import Opd, Posyandu, Puskesmas

pytestmark = pytest.mark.django_db

MALILI, LAKAWALI = "P7324040101", "P7324040201"

#: A posyandu list as a puskesmas sends it: BOM, ';', mixed-case and padded headers, trailing
#: spaces, a blank line, decimal commas in a column Tumbuh does not know, and five bad rows.
MESSY_POSYANDU = [
    ["  nama_POSYANDU ", "KODE DESA", "Nama Puskesmas", "alamat ", "Luas (ha)"],
    ["Posyandu Anyelir ", "73.24.04.2001", "puskesmas malili", "Dusun 2 ", "12,5"],  # 2: new
    [],  # 3: blank
    ["Posyandu Kemuning", "7324042002", "Malili", "", "3,75"],  # 4: new (code without dots, bare name)
    ["Posyandu Anyelir ", "73.24.04.2001", "puskesmas malili", "Dusun 2 ", "12,5"],  # 5: duplicate of 2
    ["Posyandu Sakura Baru", "73.24.04.2999", "Puskesmas Malili", "", "1,0"],  # 6: unknown desa
    ["Posyandu Luwu", "73.17.01.2005", "", "", ""],  # 7: another district
    ["", "73.24.04.2004", "Puskesmas Malili", "", ""],  # 8: no name
    ["Posyandu Tepi", "73.24.04.2010", "Puskesmas Malili", "", ""],  # 9: Balantang is Lakawali's
    ["Posyandu Atue Baru", "73.24.04.2011", "", "RT 03", "0,5"],  # 10: new, puskesmas inferred
]

EXPECTED_REASONS = {
    5: "Duplicate of row 2 in this file",
    6: "Unknown desa code 73.24.04.2999",
    7: "Desa 73.17.01.2005 is outside your area",
    8: "Name is empty",
    9: "Puskesmas does not serve this desa",
}


def _import(kind, user, data, name="daftar.xlsx", **kwargs):
    return run_import(kind, user=user, kabupaten=user.wilayah, source=data, file_name=name, **kwargs)


def _reasons(batch):
    with translation.override("en"):
        return {r.row_number: r.message for r in iter_rejected(batch)}  # a dry run's too


def _posyandu_state():
    return sorted(Posyandu.objects.values_list("pk", "name", "code", "desa_id", "puskesmas_id", "address"))


# ---------------------------------------------------------------- counting and reasons


def test_messy_csv_is_counted_row_by_row_with_one_reason_each(alice):
    before = Posyandu.objects.count()
    batch = _import("posyandu", alice, csv_bytes(MESSY_POSYANDU), "posyandu.csv")
    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.total_rows, batch.created, batch.updated, batch.unchanged, batch.rejected) == (8, 3, 0, 0, 5)
    assert batch.total_rows == batch.accepted + batch.rejected  # nothing lost
    assert _reasons(batch) == EXPECTED_REASONS
    assert Posyandu.objects.count() == before + 3
    anyelir = Posyandu.objects.get(desa_id="73.24.04.2001", name="Posyandu Anyelir")  # trailing space trimmed
    assert anyelir.puskesmas.code == MALILI and anyelir.address == "Dusun 2"
    assert Posyandu.objects.get(name="Posyandu Kemuning").desa_id == "73.24.04.2002"
    assert Posyandu.objects.get(name="Posyandu Atue Baru").puskesmas.code == LAKAWALI


def test_rejected_rows_keep_their_original_cells(alice):
    batch = _import("posyandu", alice, csv_bytes(MESSY_POSYANDU), "posyandu.csv")
    stored = ImportRow.objects.get(batch=batch, row_number=5)
    assert batch.headers == ["nama_POSYANDU", "KODE DESA", "Nama Puskesmas", "alamat", "Luas (ha)"]
    assert stored.cells == ["Posyandu Anyelir ", "73.24.04.2001", "puskesmas malili", "Dusun 2 ", "12,5"]
    assert stored.reason == "Duplicate of row %(row)s in this file" and stored.params == {"row": 2}


def test_batch_records_who_what_and_the_file_hash(alice):
    data = csv_bytes(MESSY_POSYANDU)
    import hashlib

    batch = ImportBatch.objects.get(pk=_import("posyandu", alice, data, "posyandu.csv").pk)
    assert batch.created_by == alice and batch.kabupaten_id == "73.24" and batch.kind == "posyandu"
    assert batch.file_sha256 == hashlib.sha256(data.getvalue()).hexdigest()
    assert batch.file_name == "posyandu.csv" and batch.source.name.endswith(".csv")
    assert batch.source.open("rb").read() == data.getvalue()


def test_desa_names_resolve_within_the_users_area_only(alice):
    rows = [
        ["Nama Posyandu", "Nama Desa", "Kode Puskesmas"],
        ["Posyandu Harapan Baru", "Desa Harapan", MALILI],  # "Harapan" is also a desa in Luwu: not in alice's area
        ["Posyandu Baruga Baru", "BARUGA", ""],  # two desa Baruga in Luwu Timur
        ["Posyandu Entah", "Kampung Entah", ""],
        ["Posyandu Luar", "73.24.04.2001", "P7317010101"],  # in the Nama Desa column: not a name
    ]
    batch = _import("posyandu", alice, xlsx_bytes(rows))
    assert Posyandu.objects.get(name="Posyandu Harapan Baru").desa_id == "73.24.04.2001"
    assert _reasons(batch) == {
        3: "Desa name BARUGA matches several desa in your area; give the desa code",
        4: "No desa named Kampung Entah in your area",
        5: "No desa named 73.24.04.2001 in your area",
    }


def test_puskesmas_outside_the_area_is_refused_by_name(alice):
    rows = [
        ["Nama Posyandu", "Kode Desa", "Kode Puskesmas"],
        ["Posyandu Luar", "73.24.04.2001", "P7317010101"],
        ["Posyandu X", "73.24.04.2001", "PXXXX"],
    ]
    batch = _import("posyandu", alice, xlsx_bytes(rows))
    assert _reasons(batch) == {2: "Puskesmas P7317010101 is outside your area", 3: "Unknown puskesmas code PXXXX"}


# ---------------------------------------------------------------- idempotence and updates


def test_reimporting_the_same_file_adds_nothing(alice):
    first = _import("posyandu", alice, csv_bytes(MESSY_POSYANDU), "posyandu.csv")
    state, audit = _posyandu_state(), AuditLog.objects.count()
    again = _import("posyandu", alice, csv_bytes(MESSY_POSYANDU), "posyandu.csv")
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 5)
    assert _posyandu_state() == state
    assert AuditLog.objects.count() == audit
    assert framework.previous_batches(again).get() == first


def test_an_overlapping_file_matches_existing_records_case_insensitively(alice):
    existing = Posyandu.objects.filter(desa_id="73.24.04.2001").first()
    original_name = existing.name
    rows = [
        ["NAMA POSYANDU", "Kode Desa", "Kode Posyandu"],
        [existing.name.upper() + "  ", existing.desa_id, ""],
        ["Posyandu Anggrek Dua", "73.24.04.2001", ""],
    ]
    batch = _import("posyandu", alice, xlsx_bytes(rows))
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (1, 0, 1, 0)
    existing.refresh_from_db()
    assert existing.name == original_name  # a key's stored spelling is kept


def test_a_changed_value_updates_the_record_with_an_audit_reason(alice):
    dinkes = Opd.objects.get(kabupaten_id="73.24", short_name="DINKES")
    rows = [
        ["Singkatan", "Nama OPD", "Jenis"],
        ["dinkes", "Dinas Kesehatan Daerah", "Badan"],
        ["DINSOS", "Dinas Sosial Kabupaten Luwu Timur", ""],
    ]
    batch = _import("opd", alice, xlsx_bytes(rows), "opd-2026.xlsx")
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (0, 1, 1, 0), _reasons(batch)
    dinkes.refresh_from_db()
    assert (dinkes.short_name, dinkes.name, dinkes.kind) == ("DINKES", "Dinas Kesehatan Daerah", "badan")
    entry = AuditLog.objects.get(object_type="organisation.opd", object_id=str(dinkes.pk), action="update")
    assert entry.reason == "impor opd-2026.xlsx baris 2"
    assert entry.actor == alice
    assert ("name", "Dinas Kesehatan Kabupaten Luwu Timur", "Dinas Kesehatan Daerah") in entry.changes()


def test_posyandu_code_identifies_the_record_to_rename(alice):
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2001").exclude(code="").first()
    rows = [["Kode Posyandu", "Nama Posyandu", "Kode Desa"], [posyandu.code, "Posyandu Baru Namanya", posyandu.desa_id]]
    batch = _import("posyandu", alice, xlsx_bytes(rows), "ganti.xlsx")
    assert (batch.created, batch.updated) == (0, 1)
    posyandu.refresh_from_db()
    assert posyandu.name == "Posyandu Baru Namanya"
    assert AuditLog.objects.filter(object_id=str(posyandu.pk), reason="impor ganti.xlsx baris 2").exists()


def test_puskesmas_list_with_a_note_row_codes_and_working_areas(alice):
    rows = [
        ["Daftar puskesmas Luwu Timur (isian Dinkes)"],
        ["kode puskesmas", "Nama Puskesmas", "Kode Kecamatan", "Kode Desa Wilayah Kerja", "Alamat"],
        ["P7324049901", "Puskesmas Baru", 732404, "73.24.04.2002; 73.24.04.2004", "Jl. Baru 1"],  # 3: new
        [MALILI, "Puskesmas Malili", "73.24.04", "", "Jl. Sudirman 10"],  # 4: address changes
        ["P7324049902", "Puskesmas Salah", "73.24.99", "", ""],  # 5: unknown kecamatan
        ["P7317010101", "Puskesmas Curian", "73.24.04", "", ""],  # 6: Luwu's code
        [LAKAWALI, "Puskesmas Lakawali", "73.24.04", "73.24.04.2009", ""],  # 7: would orphan posyandu
        ["P7324049903", "Puskesmas Luar", "73.24.04", "73.17.01.2005", ""],  # 8: desa outside
    ]
    batch = _import("puskesmas", alice, xlsx_bytes(rows), "pkm.xlsx")
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (1, 1, 0, 4), _reasons(batch)
    new = Puskesmas.objects.get(code="P7324049901")
    assert new.kecamatan_id == "73.24.04" and sorted(new.desa_codes()) == ["73.24.04.2002", "73.24.04.2004"]
    malili = Puskesmas.objects.get(code=MALILI)
    assert malili.address == "Jl. Sudirman 10" and len(malili.desa_codes()) == 8  # an empty working area keeps it
    reasons = _reasons(batch)
    assert reasons[5] == "Unknown kecamatan code 73.24.99"
    assert reasons[6] == "Puskesmas code P7317010101 is already used outside your area"
    assert reasons[7].startswith("Posyandu in desa 73.24.04.2010 still belong to this puskesmas")
    assert reasons[8] == "Desa 73.17.01.2005 is outside your area"


def test_opd_kinds_and_names_are_checked(alice):
    rows = [
        ["SINGKATAN", "nama opd", "jenis"],
        ["BKPSDM", "Badan Kepegawaian", "badan"],
        ["", "Tanpa Singkatan", ""],
        ["DISHUB", "", "dinas"],
        ["DISPAR", "Dinas Pariwisata", "kementerian"],
        ["bkpsdm", "Badan Kepegawaian Daerah", "badan"],
    ]
    batch = _import("opd", alice, xlsx_bytes(rows))
    assert Opd.objects.get(kabupaten_id="73.24", short_name="BKPSDM").kind == "badan"
    assert _reasons(batch) == {
        3: "Short name is empty",
        4: "Name is empty",
        5: "Unknown OPD kind kementerian; use dinas, badan, kantor, sekretariat or lain",
        6: "Same Singkatan as row 2 in this file, but with different values",
    }


def test_cp1252_comma_csv_imports_with_its_accents(alice):
    rows = [
        ["Singkatan", "Nama OPD"],
        ["DP3A", "Dinas Pemberdayaan Perempuan – Anak"],
        ["DISPORA", "Dinas Pemuda & Olahraga é"],
    ]
    batch = _import("opd", alice, csv_bytes(rows, delimiter=",", encoding="cp1252"), "opd.csv")
    assert (batch.created, batch.updated, batch.rejected) == (1, 1, 0)
    assert Opd.objects.get(kabupaten_id="73.24", short_name="DISPORA").name == "Dinas Pemuda & Olahraga é"


# ---------------------------------------------------------------- the rejected rows, fixed, come back


def test_fixed_rejected_rows_import_cleanly(alice):
    batch = _import("posyandu", alice, csv_bytes(MESSY_POSYANDU), "posyandu.csv")
    rows = read_xlsx(rejected_workbook(batch))
    assert rows[0] == ["nama_POSYANDU", "KODE DESA", "Nama Puskesmas", "alamat", "Luas (ha)", "Alasan", "Baris Asal"]
    assert [r[6] for r in rows[1:]] == [5, 6, 7, 8, 9]
    assert rows[1][4] == "12,5"  # the decimal comma survives, as text
    assert rows[2][5] == "Kode desa 73.24.04.2999 tidak dikenal"  # in the user's language, Indonesian by default
    fixes = {6: {1: "73.24.04.2004"}, 7: {1: "73.24.04.2005"}, 8: {0: "Posyandu Mekar"}, 9: {2: "Puskesmas Lakawali"}}
    for row in rows[1:]:
        for column, value in fixes.get(row[6], {}).items():
            row[column] = value
    again = _import("posyandu", alice, xlsx_bytes(rows), "posyandu-ditolak.xlsx")
    assert again.rejected == 0, _reasons(again)
    assert (again.created, again.unchanged) == (4, 1)  # the duplicate row is already in


def test_untouched_template_imports_nothing_and_says_so(client, alice):
    client.force_login(alice)
    response = client.get("/impor/posyandu/templat.xlsx")
    data = io.BytesIO(b"".join(response.streaming_content))
    batch = _import("posyandu", alice, data, "templat-posyandu.xlsx")
    assert batch.status == BatchStatus.DONE and (batch.total_rows, batch.skipped) == (0, 1)


# ---------------------------------------------------------------- one transaction per batch


def test_a_crash_mid_batch_leaves_nothing_from_it(alice, monkeypatch):
    calls = crash_on_save(monkeypatch, PosyanduImporter, at=3)  # earlier chunks are written before the crash
    rows = (
        [["Nama Posyandu", "Kode Desa"]]
        + [[f"Posyandu Uji {i}", "73.24.04.2011"] for i in range(5)]
        + [["", "73.24.04.2011"]]
    )
    state, audit = _posyandu_state(), AuditLog.objects.count()
    with translation.override("en"):
        batch = _import("posyandu", alice, xlsx_bytes(rows), "crash.xlsx")
    assert len(calls) == 3
    assert batch.status == BatchStatus.FAILED
    assert "disk full" in batch.error and "row 4" in batch.error  # the row that crashed
    assert _posyandu_state() == state and AuditLog.objects.count() == audit
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert stored.status == BatchStatus.FAILED and stored.accepted == 0 and not stored.rejected_rows.exists()
    assert stored.source  # the file itself is kept, to retry


def test_a_dry_run_saves_nothing(alice):
    state, batches = _posyandu_state(), ImportBatch.objects.count()
    seen = []
    batch = _import(
        "posyandu",
        alice,
        csv_bytes(MESSY_POSYANDU),
        "posyandu.csv",
        dry_run=True,
        on_complete=lambda b: seen.append(_reasons(b)),
    )
    assert (batch.created, batch.rejected) == (3, 5) and seen == [EXPECTED_REASONS]
    assert _posyandu_state() == state and ImportBatch.objects.count() == batches
