"""Coverage computed from visits follows a visit taken back: a removed visit that counted for
growth monitoring stops counting once the removal commits, a restored one counts again, and a
merge of two children counts the survivor once; written as the system, and only where Tumbuh
computes the year's coverage."""

from __future__ import annotations

import datetime as dt

import pytest

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.indikator import computations as C
from tumbuh.indikator.models import Coverage, CoverageSource
from tumbuh.measurements.actions import do_merge_children, do_remove_visit, do_restore_visit
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.tests.posyandu_fixtures import (  # noqa: F401
    BALANTANG,
    TODAY,
    admin_lutim,
    record,
    register,
    siti,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)
YEAR = 2025  # siti's only visit of the year: 10/02/2025, measured


def _monitored(year: int = YEAR) -> tuple[int, int] | None:
    c = Coverage.objects.filter(
        indicator__kabupaten=None, indicator__code="balita-dipantau", desa_id=BALANTANG, year=year
    ).first()
    return (c.numerator, c.denominator) if c is not None else None


def _as_computed_now(year: int = YEAR) -> tuple[int, int]:
    numerator, denominator, _note = C.growth_monitored([BALANTANG], year)[BALANTANG]
    return numerator, denominator


@pytest.fixture
def computed(siti):
    """Balantang's coverage of the year computed with siti's visit in it (as Hitung ulang does)."""
    C.compute("73.24", YEAR, [BALANTANG], actor=policy.SYSTEM, computations=C.FROM_VISITS)
    assert _monitored() == _as_computed_now()
    return _monitored()


def test_a_removed_visit_stops_counting_and_a_restored_one_counts_again(
    bob, siti, computed, django_capture_on_commit_callbacks
):
    visit = Measurement.objects.get(child=siti, date=dt.date(YEAR, 2, 10))
    with django_capture_on_commit_callbacks(execute=True):
        do_remove_visit(bob, visit, "salah anak", now=NOW)
    numerator, denominator = computed
    assert _monitored() == (numerator - 1, denominator) == _as_computed_now()
    log = AuditLog.objects.filter(object_type="indikator.coverage").latest("id")
    assert log.actor is None and log.actor_name == "sistem" and log.reason == C.REASON  # the system's row

    with django_capture_on_commit_callbacks(execute=True):
        do_restore_visit(bob, visit, "memang anak ini", now=NOW, today=TODAY)
    assert _monitored() == computed


def test_nothing_is_recomputed_before_the_removal_commits(bob, siti, computed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_remove_visit(bob, Measurement.objects.get(child=siti, date=dt.date(YEAR, 2, 10)), "salah anak", now=NOW)
    assert callbacks and _monitored() == computed


def test_a_merged_child_is_counted_once(admin_lutim, siti, computed, django_capture_on_commit_callbacks):
    twice = register(admin_lutim, BALANTANG, "Siti Uji Terdaftar Dua Kali")
    record(admin_lutim, twice, dt.date(YEAR, 3, 10), "9.7", "79.5")
    C.compute("73.24", YEAR, [BALANTANG], actor=policy.SYSTEM, computations=C.FROM_VISITS)
    both = _monitored()
    assert both[0] == computed[0] + 1
    with django_capture_on_commit_callbacks(execute=True):
        do_merge_children(admin_lutim, twice, siti, "anak yang sama", now=NOW, today=TODAY)
    assert _monitored() == _as_computed_now() != both
    assert _monitored()[0] == computed[0]  # siti once, with both visits


def test_a_year_tumbuh_does_not_compute_is_left_alone(bob, siti, django_capture_on_commit_callbacks):
    """2023 (siti's first visit): no coverage computed from visits in the district that year."""
    assert not Coverage.objects.filter(year=2023, source=CoverageSource.COMPUTED, desa__kabupaten_code="73.24").exists()
    with django_capture_on_commit_callbacks(execute=True):
        do_remove_visit(bob, Measurement.objects.get(child=siti, date=dt.date(2023, 7, 20)), "salah anak", now=NOW)
    assert not Coverage.objects.filter(year=2023, desa_id=BALANTANG).exists()
