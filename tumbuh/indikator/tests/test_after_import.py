"""Coverage recomputed once an import commits: the e-PPGBM visits' vitamin A and the KRS list's
accompaniment are coverage right after ``run_import``, audited as the importing user; a dry run
recomputes nothing; a recompute that fails leaves the import saved and says so on the batch,
with a button that runs it again. And whoever recomputes by hand is the audit rows' actor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.indikator import after_import
from tumbuh.indikator import computations as C
from tumbuh.indikator.models import Coverage, CoverageSource, Indicator
from tumbuh.krs.tests.verval_fixtures import family, verval_file
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.tests.eppgbm_fixtures import visit, write
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

HARAPAN, BALANTANG = "73.24.04.2001", "73.24.04.2010"  # the e-PPGBM fixtures' desa "Harapan"
VISIT_YEAR = 2024  # the demo computes its coverage for 2025 only
KRS_YEAR = 2027  # no KRS list of this year in the demo


def _vitamin_a(desa: str = HARAPAN, year: int = VISIT_YEAR) -> Coverage | None:
    return Coverage.objects.filter(
        indicator__kabupaten=None, indicator__code="balita-vitamin-a", desa_id=desa, year=year
    ).first()


def _eppgbm(user, *, dry_run=False, name="vita.csv"):
    visits = [
        visit(name="Vit A Sudah", date=dt.date(VISIT_YEAR, 8, 12), vitamin_a=1),
        visit(name="Vit A Belum", birth=dt.date(2022, 5, 3), date=dt.date(VISIT_YEAR, 8, 12), vitamin_a=0),
    ]
    return run_import(
        "eppgbm",
        user=user,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=write(visits),
        file_name=name,
        dry_run=dry_run,
    )


def _audited_as(coverage: Coverage):
    log = AuditLog.objects.filter(object_type="indikator.coverage", object_id=str(coverage.pk)).latest("at")
    return log.actor, log.reason


def test_an_eppgbm_import_recomputes_the_coverage_of_the_years_it_wrote_as_the_importing_user(
    alice, django_capture_on_commit_callbacks
):
    assert _vitamin_a() is None
    with django_capture_on_commit_callbacks(execute=True):
        batch = _eppgbm(alice)
    assert batch.status == BatchStatus.DONE and batch.created == 2, batch.error
    assert batch.findings["years"] == [VISIT_YEAR]
    vit = _vitamin_a()
    assert vit is not None and vit.source == CoverageSource.COMPUTED
    seen = Measurement.objects.filter(
        child__desa_id=HARAPAN,
        date__year=VISIT_YEAR,
        vitamin_a__isnull=False,
        age_days__gte=C.SIX_MONTHS_DAYS,
        age_days__lt=C.UNDER_FIVE_DAYS,
    )
    assert vit.denominator == seen.values("child").distinct().count() >= 2
    assert vit.numerator == seen.filter(vitamin_a__gte=1).values("child").distinct().count() >= 1
    assert _audited_as(vit) == (alice, C.REASON)
    assert vit.entered_by is None  # computed: nobody typed it
    assert not Coverage.objects.filter(
        indicator__code="krs-pendampingan", year=VISIT_YEAR
    ).exists()  # not fed by visits
    with translation.override("en"):
        [notice] = ImportBatch.objects.get(pk=batch.pk).notices()
    assert notice["level"] == "info" and notice["text"].startswith(
        f"Coverage indicators recomputed from this import for {VISIT_YEAR}"
    )


def test_a_dry_run_recomputes_nothing(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = _eppgbm(alice, dry_run=True)
    assert batch.created == 2 and not callbacks
    assert _vitamin_a() is None


def test_the_recompute_waits_for_the_commit(alice, django_capture_on_commit_callbacks):
    """Inside the test's transaction nothing is committed: the coverage comes only on commit."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _eppgbm(alice)
    assert len(callbacks) == 1 and _vitamin_a() is None
    callbacks[0]()
    assert _vitamin_a() is not None


def test_a_krs_import_computes_the_families_accompanied(alice, django_capture_on_commit_callbacks):
    families = [
        family("7324041501850101", "Balantang", jenis_pendampingan="1,3"),
        family("7324041501850102", "Balantang"),  # the list says: none received
        family("7324041501850103", "Balantang", jenis_pendampingan="KIE"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        batch = run_import(
            "krs",
            user=alice,
            kabupaten=Wilayah.objects.get(code="73.24"),
            source=verval_file(families),
            file_name="verval.csv",
            options={"year": KRS_YEAR},
        )
    assert batch.created == 3 and batch.findings["years"] == [KRS_YEAR]
    krs = Coverage.objects.get(
        indicator__code="krs-pendampingan", indicator__kabupaten=None, desa_id=BALANTANG, year=KRS_YEAR
    )
    assert (krs.numerator, krs.denominator, krs.source) == (2, 3, CoverageSource.COMPUTED)
    assert _audited_as(krs) == (alice, C.REASON)
    assert (
        not Coverage.objects.filter(year=KRS_YEAR).exclude(indicator__code="krs-pendampingan").exists()
    )  # visits not touched


def test_a_failing_recompute_leaves_the_import_saved_and_offers_the_button(
    client, alice, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(after_import, "store", broken)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _eppgbm(alice)
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert stored.status == BatchStatus.DONE and stored.created == 2
    assert Measurement.objects.filter(import_batch=stored).count() == 2  # the import stands
    assert _vitamin_a() is None
    assert stored.findings["children_created"] == 2  # the importer's findings are kept beside the notice
    client.force_login(alice)
    html = client.get(reverse("measurement_imports:batch", args=[batch.pk])).content.decode()
    refresh = reverse("indikator:refresh_import", args=[batch.pk])
    assert "Indikator cakupan tidak dihitung ulang setelah impor ini" in html and "database went away" in html
    assert f'action="{refresh}"' in html
    monkeypatch.undo()
    response = client.post(refresh)
    assert response.status_code == 302 and response.url == reverse("measurement_imports:batch", args=[batch.pk])
    vit = _vitamin_a()
    assert vit is not None and _audited_as(vit) == (alice, C.REASON)
    html = client.get(response.url).content.decode()
    assert "tidak dihitung ulang" not in html and f'action="{refresh}"' not in html


def test_only_the_secretariat_or_the_importer_may_press_the_button(client, alice, bob, demo_users):
    batch = ImportBatch.objects.create(
        kind="eppgbm",
        kabupaten_id="73.24",
        created_by=alice,
        status=BatchStatus.DONE,
        file_name="x.csv",
        findings={"years": [VISIT_YEAR]},
    )
    url = reverse("indikator:refresh_import", args=[batch.pk])
    client.force_login(bob)
    assert client.post(url).status_code in (403, 404)
    client.force_login(demo_users["admin.luwu"])  # another district's admin: not even found
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302


def test_hitung_ulang_is_audited_as_the_user_who_pressed_it(client, alice):
    _eppgbm(alice)  # no commit inside the test: nothing recomputed yet
    assert _vitamin_a() is None
    client.force_login(alice)
    before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.post(reverse("indikator:compute"), {"year": VISIT_YEAR, "indicator": "balita-vitamin-a"})
    rows = AuditLog.objects.filter(object_type="indikator.coverage", pk__gt=before)
    assert rows.filter(actor=alice).count() >= 1 and not rows.filter(actor=None).exists()
    assert _audited_as(_vitamin_a()) == (alice, C.REASON)


def test_the_command_audits_as_the_user_given_else_as_the_system(alice):
    _eppgbm(alice)
    out = open("/dev/null", "w")
    call_command("compute_coverage", kabupaten="73.24", year=VISIT_YEAR, user="admin.lutim", verbosity=0, stdout=out)
    vit = _vitamin_a()
    assert _audited_as(vit)[0] == alice
    Coverage.objects.filter(pk=vit.pk).update(numerator=0)  # so that the next run writes again
    call_command("compute_coverage", kabupaten="73.24", year=VISIT_YEAR, verbosity=0, stdout=out)
    actor, reason = _audited_as(vit)
    assert actor is None and reason == C.REASON
    with pytest.raises(Exception, match="not an admin of 73.24"):
        call_command("compute_coverage", kabupaten="73.24", year=VISIT_YEAR, user="admin.luwu", verbosity=0, stdout=out)


def test_each_import_kind_feeds_its_own_computations():
    assert after_import.FEEDS["krs"] == {"krs_accompanied"}
    assert "vitamin_a" in after_import.FEEDS["eppgbm"] and "krs_accompanied" not in after_import.FEEDS["eppgbm"]
    assert Indicator.objects.get(kabupaten=None, code="krs-pendampingan").computed_from == "krs_accompanied"


def test_the_recompute_works_its_figures_out_before_it_writes(alice, monkeypatch, django_capture_on_commit_callbacks):
    """On SQLite a write transaction locks every other writer out (a login too): the recompute
    reads without one, then stores (an indicator at a time, ``computations.store``) (issue 15)."""
    from django.db import transaction

    from tumbuh.imports.guards import reads_only

    steps, real_work_out, real_atomic, real_refresh = (
        [],
        after_import.work_out,
        transaction.atomic,
        after_import.refresh,
    )
    recomputing = []

    def refresh(*args, **kwargs):
        recomputing.append(True)
        return real_refresh(*args, **kwargs)

    def work_out(*args, **kwargs):
        steps.append("read")
        with reads_only("Working the coverage out"):  # a write here would fail the recompute
            return real_work_out(*args, **kwargs)

    def atomic(*args, **kwargs):
        if recomputing:  # (the import's own transaction is not the recompute's)
            steps.append("write")
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(after_import, "refresh", refresh)
    monkeypatch.setattr(after_import, "work_out", work_out)
    monkeypatch.setattr(transaction, "atomic", atomic)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _eppgbm(alice)
    monkeypatch.setattr(transaction, "atomic", real_atomic)
    assert _vitamin_a() is not None and "notices" in ImportBatch.objects.get(pk=batch.pk).findings
    assert ImportBatch.objects.get(pk=batch.pk).findings["notices"]["coverage"]["level"] == "info"
    assert steps[0] == "read" and "read" not in steps[steps.index("write") :]  # every read before the first write
