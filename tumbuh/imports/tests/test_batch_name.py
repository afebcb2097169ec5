"""An import batch is named by its importer's title, in the reader's language, wherever it is
named: the audit row an import writes about it, and the log's link from a visit to its batch."""

from __future__ import annotations

import pytest
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.testing import csv_bytes
from tumbuh.measurements.tests.import_files import export, row
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db


def test_the_audit_row_of_an_eppgbm_import_names_the_kind_as_people_call_it(alice):
    with translation.override("id"):
        batch = run_import(
            "eppgbm",
            user=alice,
            kabupaten=Wilayah.objects.get(code="73.24"),
            source=csv_bytes(export(row(name="Nama Batch Uji"))),
            file_name="eppgbm-agustus.csv",
        )
    assert batch.status == BatchStatus.DONE, batch.error
    log = AuditLog.objects.get(object_type="imports.importbatch", object_id=str(batch.pk))
    assert log.object_repr.startswith("Pengukuran balita (e-PPGBM) eppgbm-agustus.csv (")
    assert "eppgbm " not in log.object_repr
    with translation.override("en"):
        assert str(batch).startswith("Child measurements (e-PPGBM) eppgbm-agustus.csv (")


def test_a_kind_no_importer_registers_any_more_is_named_as_stored():
    batch = ImportBatch(kind="daftar-lama", file_name="lama.csv")
    assert str(batch) == "daftar-lama lama.csv"
