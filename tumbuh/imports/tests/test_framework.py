"""The framework's own rules, on a real importer and database."""

import pytest

from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Plan, Row
from tumbuh.imports.models import ImportBatch
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
