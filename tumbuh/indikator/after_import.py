"""Coverage recomputed after an import, so that nobody has to remember the "Hitung ulang" button:
once an e-PPGBM batch (visits and their services) or a KRS batch (the year's list and its
accompaniment) commits, the computed indicators it feeds are recomputed for the batch's district
and the years it wrote (``batch.findings["years"]``), audited as the user who imported
(``imports.signals.batch_imported``, connected in ``apps.IndikatorConfig.ready``).

Only the desa that user sees are computed, as the coverage page's button does. The recompute runs
after the import's commit, reading first, then writing an indicator at a time, each in a short
transaction of its own: if it fails, the import stands, the indicators stored before the failure
are recomputed and the others stay as they were; the failure is logged and the batch page says the coverage was not
recomputed, with a button (``views.coverage_refresh``) that runs it again. About 17 queries
per year whatever the size of the file.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_noop

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, Wilayah

from .computations import FROM_KRS, FROM_VISITS, store, work_out

log = logging.getLogger(__name__)

#: Import kind → the computations its rows feed.
FEEDS: dict[str, frozenset[str]] = {"eppgbm": FROM_VISITS, "krs": FROM_KRS}
NOTICE = "coverage"  # the batch's notice (``ImportBatch.set_notice``)
REFRESHED = gettext_noop("Coverage indicators recomputed from this import for %(years)s (%(n)s desa rows).")
NOT_REFRESHED = gettext_noop(
    "The coverage indicators were not recomputed after this import (%(error)s). The import "
    "itself is saved. Recompute them now, or later with Hitung ulang on the coverage page."
)
BUTTON = gettext_noop("Recompute coverage")


def years_of(batch) -> list[int]:
    return sorted({int(y) for y in (batch.findings or {}).get("years", [])})


def on_batch_imported(sender, batch, user, **kwargs) -> None:
    """Receiver of ``batch_imported``: recompute what the batch feeds, if anything."""
    if batch.kind in FEEDS and years_of(batch):
        refresh(batch, user)


def refresh(batch, user) -> int | None:
    """Recompute the indicators ``batch`` feeds for its years as ``user`` (who ran the import,
    or pressed its button: ``permissions.may_recompute_import``), in the desa they see, and
    say so on the batch; None if it failed (logged, said on the batch)."""
    years = years_of(batch)
    desa = policy.visible(user, Wilayah.objects.filter(level=Level.DESA, kabupaten_code=batch.kabupaten_id))
    codes = list(desa.values_list("code", flat=True))
    shown = ", ".join(str(y) for y in years)
    try:
        # Worked out first, reading only; then stored an indicator at a time (``store``), so the
        # write lock (on SQLite, every writer's: a login too) is only ever held for a moment.
        worked = {year: work_out(batch.kabupaten_id, year, codes, computations=FEEDS[batch.kind]) for year in years}
        n = sum(store(batch.kabupaten_id, year, codes, worked[year], actor=user, batch=batch) for year in years)
    except Exception as exc:  # the import is committed: never let this undo or hide it
        log.exception("coverage not recomputed after import batch %s (%s)", batch.pk, shown)
        batch.set_notice(
            NOTICE,
            NOT_REFRESHED,
            {"error": f"{type(exc).__name__}: {exc}"[:200]},
            level="error",
            action="indikator:refresh_import",
            button=BUTTON,
        )
        return None
    batch.set_notice(NOTICE, REFRESHED, {"years": shown, "n": n})
    return n
