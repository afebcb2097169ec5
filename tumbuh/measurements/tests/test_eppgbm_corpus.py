"""The corpus of e-PPGBM downloads (``eppgbm_fixtures``) through the importer, in every format:
each fixture's counts, and every accepted visit stored as the file says it."""

import pytest
from django.utils import translation

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.nik import nik_problem
from tumbuh.wilayah.models import Wilayah

from .eppgbm_fixtures import FORMATS, corpus, stored_fields, write

pytestmark = pytest.mark.django_db

FIXTURES = corpus()


def run_file(user, source, name):
    return run_import("eppgbm", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=source, file_name=name)


def counts(batch) -> dict:
    f = batch.findings
    return {
        "rows": batch.total_rows,
        "accepted": batch.accepted,
        "created": batch.created,
        "rejected": batch.rejected,
        "children": f["children_created"],
        "warned": f["warned_rows"],
        "anonymised": f["anonymised_names"],
        "service_unreadable": f["service_unreadable"],
    }


def reasons(batch) -> dict[int, str]:
    with translation.override("en"):
        return {r.row_number: r.message for r in batch.rejected_rows.all()}


def stored(v: dict) -> Measurement:
    """The stored visit of ``v``: its child found by NIK when it has a valid one, else by name."""
    child = {"child__nik": v["nik"]} if v["nik"] and nik_problem(v["nik"]) is None else {"child__name": v["name"]}
    return Measurement.objects.get(child__birth_date=v["birth"], date=v["date"], **child)


def assert_stored(visits, style, skip=()):
    for i, v in enumerate(visits):
        if i in skip:
            continue
        m = stored(v)
        got = {k: getattr(m, k) for k in stored_fields(v, style)}
        assert got == stored_fields(v, style), (i, v["name"])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_each_fixture_imports_with_its_expected_counts_and_values(alice, fixture, fmt):
    batch = run_file(alice, write(fixture.visits, fixture.style, fmt), f"korpus.{fmt}")
    assert batch.status == BatchStatus.DONE, batch.error
    assert counts(batch) == fixture.expected, reasons(batch)
    got = reasons(batch)
    first_row = len(fixture.style.titles) + 2  # title lines, then the header
    for i, reason in fixture.rejected.items():
        assert reason in got[first_row + i], got
    assert_stored(fixture.visits, fixture.style, skip=fixture.rejected)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_same_download_again_changes_nothing(alice, fmt):
    fixture = FIXTURES[0]
    first = run_file(alice, write(fixture.visits, fixture.style, fmt), f"sekali.{fmt}")
    again = run_file(alice, write(fixture.visits, fixture.style, fmt), f"lagi.{fmt}")
    assert first.created == len(fixture.visits)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, len(fixture.visits), 0)
