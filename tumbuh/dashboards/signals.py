"""Mark precomputed aggregates stale when measurements change (cheap: one UPDATE)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tumbuh.core import processes
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.signals import visits_changed

from .periods import periods_covering


def mark_stale(dates=None) -> int:
    """Mark the periods holding ``dates`` stale (all periods when None)."""
    from .models import AggregateRun

    qs = AggregateRun.objects.filter(stale=False)
    if dates is not None:
        keys = {p.key for d in dates if d for p in periods_covering(d)}
        if not keys:
            return 0
        qs = qs.filter(period__in=keys)
    return qs.update(stale=True)


@receiver(post_save, sender=Measurement, dispatch_uid="dashboards_measurement_saved")
@receiver(post_delete, sender=Measurement, dispatch_uid="dashboards_measurement_deleted")
def _measurement_changed(sender, instance, **kwargs):
    mark_stale([instance.date])


@receiver(visits_changed, dispatch_uid="dashboards_visits_changed")
def _visits_changed(sender, dates, **kwargs):
    """A visit removed, restored, moved by a merge or given another date: every period holding
    one of ``dates`` (the date a corrected visit left too) is computed again."""
    mark_stale(dates)


@receiver(post_save, sender=ImportBatch, dispatch_uid="dashboards_batch_done")
def _batch_done(sender, instance, **kwargs):
    if instance.status == BatchStatus.DONE and instance.kind == "eppgbm":
        if mark_stale() and getattr(settings, "TUMBUH_REFRESH_AFTER_IMPORT", False):
            # New children change every period's denominators: recompute them in the background,
            # once the batch is committed, rather than in the next dashboard page.
            transaction.on_commit(start_refresh)


def start_refresh() -> None:
    """Recompute the stale periods in a background process (``refresh_aggregates --stale
    --background``): the pages meanwhile show the stored figures, marked stale."""
    processes.spawn(["refresh_aggregates", "--stale", "--background", "-v", "0"], "refresh.log")
