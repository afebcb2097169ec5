"""The demo seeds survive a flushed database (browser tests flush after each test, which also
removes the catalogue and the action set their migrations seeded) and are idempotent."""

import pytest

from tumbuh.aksi import demo_data as aksi_demo
from tumbuh.aksi.models import ActionSet, CycleYear
from tumbuh.analisis import demo_data as analisis_demo
from tumbuh.analisis.models import Lokus
from tumbuh.audit.models import AuditLog
from tumbuh.indikator import demo_data as indikator_demo
from tumbuh.indikator.models import Coverage, Indicator

pytestmark = pytest.mark.django_db


def test_seeds_are_idempotent():
    before = (CycleYear.objects.count(), Coverage.objects.count(), Lokus.objects.count(), AuditLog.objects.count())
    for module in (indikator_demo, aksi_demo, analisis_demo):
        module.seed(1)
    assert (
        CycleYear.objects.count(),
        Coverage.objects.count(),
        Lokus.objects.count(),
        AuditLog.objects.count(),
    ) == before


def _delete_what_protects(model):
    """Other apps' rows that hold ``model`` with PROTECT (a flush removes them too)."""
    from django.db import models

    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and getattr(rel, "on_delete", None) is models.PROTECT:
            _delete_what_protects(rel.related_model)
            rel.related_model.objects.all().delete()


def test_seeds_rebuild_what_a_flush_removed():
    Lokus.objects.all().delete()
    CycleYear.objects.all().delete()
    ActionSet.objects.all().delete()
    Coverage.objects.all().delete()
    _delete_what_protects(Indicator)
    Indicator.objects.all().delete()
    for module in (indikator_demo, aksi_demo, analisis_demo):
        module.seed(1)
    assert ActionSet.default().actions.count() == 8
    assert CycleYear.objects.get(kabupaten_id="73.24", year=2026).actions.count() == 8
    assert Coverage.objects.filter(year=2025, source="computed").exists()
    assert Lokus.objects.filter(year=2026, selected=True).count() == 10
