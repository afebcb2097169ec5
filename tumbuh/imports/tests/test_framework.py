"""The framework's own rules, on a real importer and database."""

import pytest
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.imports import framework, guards
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Plan, Row, iter_rejected, run_import
from tumbuh.imports.models import BatchStatus, ImportBatch, ImportRow
from tumbuh.imports.testing import csv_bytes
from tumbuh.organisation.importers import OpdImporter
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db


def test_a_row_that_fails_model_validation_is_rejected_with_the_reason_not_a_crash(alice):
    kabupaten = Wilayah.objects.get(pk="73.24")
    batch = ImportBatch.objects.create(kind="opd", created_by=alice, kabupaten=kabupaten)
    importer = OpdImporter(user=alice, kabupaten=kabupaten, batch=batch)
    too_long = Opd(kabupaten=kabupaten, name="Dinas Uji", short_name="X" * 60)  # short_name holds 40
    result = importer.save_audited(Plan(row=Row(number=7, cells=[], values={}), obj=too_long))
    assert isinstance(result, RowError)
    assert "40" in result.text()
    assert not Opd.objects.filter(name="Dinas Uji").exists()


# ---------------------------------------------------------------- two phases (issue 15)

OPD_ROWS = [
    ["Singkatan", "Nama OPD"],
    ["UJIA", "Dinas Uji Satu"],
    ["UJIB", ""],  # refused while reading: no name
    ["X" * 60, "Dinas Terlalu Panjang"],  # refused while writing: the model holds 40 characters
    ["UJIC", "Dinas Uji Tiga"],
]


def _opd(user, *, dry_run=False, on_complete=None, rows=OPD_ROWS, kind="opd", progress=None):
    return run_import(
        kind,
        user=user,
        kabupaten=Wilayah.objects.get(pk="73.24"),
        source=csv_bytes(rows),
        file_name="opd.csv",
        dry_run=dry_run,
        on_complete=on_complete,
        progress=progress,
    )


def _seen(batch):
    with translation.override("en"):
        return [(r.row_number, r.message) for r in iter_rejected(batch)]


def test_a_dry_run_counts_what_the_real_run_does_and_shows_every_rejected_row_but_writes_nothing(alice):
    before = (Opd.objects.count(), ImportBatch.objects.count(), ImportRow.objects.count(), AuditLog.objects.count())
    shown = []
    dry = _opd(alice, dry_run=True, on_complete=lambda b: shown.append(_seen(b)))
    assert (
        Opd.objects.count(),
        ImportBatch.objects.count(),
        ImportRow.objects.count(),
        AuditLog.objects.count(),
    ) == before
    assert dry.pk is None and dry.status == BatchStatus.DONE
    [rejected] = shown  # in row order: one refused while reading, one while writing
    assert [number for number, _ in rejected] == [3, 4]
    assert rejected[0][1] == "Name is empty" and "40" in rejected[1][1]

    real = _opd(alice, on_complete=lambda b: shown.append(_seen(b)))
    assert (
        (dry.created, dry.updated, dry.unchanged, dry.rejected)
        == (real.created, real.updated, real.unchanged, real.rejected)
        == (2, 0, 0, 2)
    )
    assert shown[1] == rejected and _seen(ImportBatch.objects.get(pk=real.pk)) == rejected


class _Writes(OpdImporter):
    kind = "test-writes-while-reading"

    def validate(self, row):
        AuditLog.objects.create(actor_name="probe", action="create", object_type="x", object_id="1")
        return super().validate(row)


def test_reading_and_checking_the_rows_cannot_write(alice, monkeypatch):
    """Phase 1 holds no write lock because it writes nothing: an importer that tries fails its
    batch, with the statement named, and leaves nothing."""
    monkeypatch.setitem(framework._REGISTRY, _Writes.kind, _Writes)
    audits = AuditLog.objects.count()
    batch = _opd(alice, kind=_Writes.kind)
    assert batch.status == BatchStatus.FAILED and "must not write" in batch.error and "INSERT" in batch.error
    assert AuditLog.objects.count() == audits and not Opd.objects.filter(short_name="UJIA").exists()


def test_a_batch_waits_for_the_one_before_it_of_the_same_kind_and_regency(alice, monkeypatch):
    monkeypatch.setattr(guards, "LOCK_WAIT_SECONDS", 0.5)
    with guards.one_import_at_a_time("opd", "73.24"):  # another process's batch, still running
        busy = _opd(alice)
        other_kind = run_import(
            "puskesmas",
            user=alice,
            kabupaten=Wilayah.objects.get(pk="73.24"),
            source=csv_bytes([["Kode Puskesmas", "Nama Puskesmas", "Kode Kecamatan"]]),
            file_name="p.csv",
        )
    assert busy.status == BatchStatus.FAILED and not Opd.objects.filter(short_name="UJIA").exists()
    assert "masih berjalan" in ImportBatch.objects.get(pk=busy.pk).error  # in the language of the run (Indonesian)
    assert other_kind.status == BatchStatus.DONE  # another kind does not wait
    assert _opd(alice).status == BatchStatus.DONE  # and once the other batch is done, this one runs


def test_progress_is_reported_through_both_phases(alice, monkeypatch):
    """The batch page's progress (and the worker's sign of life) moves while the rows are
    read and while they are written, and never goes back."""
    monkeypatch.setattr(framework, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(OpdImporter, "chunk_size", 2)
    written = []
    monkeypatch.setattr(framework, "write_progress", lambda pk, done, total: written.append((pk, done, total)))
    seen = []
    rows = [["Singkatan", "Nama OPD"], *([f"UJI{i}", f"Dinas Uji {i}"] for i in range(12))]
    batch = _opd(alice, rows=rows, progress=lambda done, total: seen.append((done, total)))
    assert batch.status == BatchStatus.DONE and batch.created == 12
    assert [(batch.pk, d, t) for d, t in seen] == written  # the file and the callback alike
    done = [d for d, _t in seen]
    assert done == sorted(done) and seen[-1] == (12, 12)
    assert any(d < framework.READ_SHARE * 12 for d in done[:-1])  # reading
    assert any(framework.READ_SHARE * 12 < d < 12 for d in done)  # writing
