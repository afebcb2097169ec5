"""Coverage recomputed after a visit is taken back: once a visit was removed or restored, given
another date, or moved by a merge of two children or its undoing
(``measurements.signals.visits_changed``, connected in ``apps.IndikatorConfig.ready``), the
indicators computed from visits are recomputed for the desa and years it names, so that a removed
visit stops counting (and a restored one counts again) as it does on every other page.

Only where Tumbuh already computes them: a district and year with coverage computed from visits
(the import, Hitung ulang or the command computed it), so that taking a visit back never starts
computing a year the district enters by hand. A desa whose last record went is recomputed all the
same (its computed row is deleted, audited) and comes back when the visit does.

As ``policy.SYSTEM`` (the rows are the system's, ``permissions.responsible_for_coverage``; the
officer who removed the visit need not be one who may compute), after the commit, in a
transaction of its own: if it fails, the removal stands and the failure is logged; Hitung ulang
computes the year again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import partial

from django.db import transaction

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, Wilayah

from .computations import FROM_VISITS, compute
from .models import Coverage, CoverageSource

log = logging.getLogger(__name__)


def on_visits_changed(sender, dates, desa=(), **kwargs) -> None:
    """Receiver of ``visits_changed``: recompute after the commit."""
    years = sorted({d.year for d in dates})
    if years and desa:
        transaction.on_commit(partial(refresh, sorted(set(desa)), years))


def refresh(desa_codes: list[str], years: list[int]) -> int | None:
    """Recompute the coverage computed from visits in ``desa_codes`` for ``years``, in each
    district and year where Tumbuh computes it; the rows written or checked, None if it failed."""
    by_kabupaten: dict[str, list[str]] = defaultdict(list)
    for code, kabupaten in Wilayah.objects.filter(code__in=desa_codes, level=Level.DESA).values_list(
        "code", "kabupaten_code"
    ):
        by_kabupaten[kabupaten].append(code)
    computed = set(
        Coverage.objects.filter(
            source=CoverageSource.COMPUTED,
            year__in=years,
            indicator__computed_from__in=FROM_VISITS,
            desa__kabupaten_code__in=list(by_kabupaten),
        )
        .values_list("desa__kabupaten_code", "year")
        .distinct()
    )
    try:
        with transaction.atomic():
            return sum(
                compute(kabupaten, year, codes, actor=policy.SYSTEM, computations=FROM_VISITS)
                for kabupaten, codes in sorted(by_kabupaten.items())
                for year in years
                if (kabupaten, year) in computed
            )
    except Exception:  # the visit's change is committed: never let this undo or hide it
        log.exception("coverage not recomputed after visits changed in %s (%s)", desa_codes, years)
        return None
