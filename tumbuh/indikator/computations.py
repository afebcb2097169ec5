"""Indicators Tumbuh computes from its own data, per desa and year (``Indicator.computed_from``).

Each computation returns {desa code: (numerator, denominator, note)}; ``compute`` writes them
as computed coverage (source "computed"), which nobody edits or imports over by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db.models import Count

from .actions import set_coverage
from .models import Computation, CoverageSource, Indicator

REASON = "dihitung Tumbuh dari data pengukuran"
UNDER_FIVE_DAYS = 1826


def growth_monitored(desa_codes: list[str], year: int) -> dict[str, tuple[int, int, str]]:
    """Children under five whose length/height was measured at least once in ``year``, over
    the desa's under-fives: Dukcapil's count when recorded and not below the measured
    children, else the children registered in Tumbuh who were under five during the year."""
    from tumbuh.dashboards.models import UnderFivePopulation
    from tumbuh.measurements.models import Child, Measurement

    measured = dict(
        Measurement.objects.filter(child__desa_id__in=desa_codes, date__year=year, lenhei__isnull=False,
                                   age_days__lt=UNDER_FIVE_DAYS)
        .values_list("child__desa_id").annotate(n=Count("child", distinct=True)).values_list("child__desa_id", "n")
    )
    born_after = datetime.date(year - 5, 1, 1)
    registered = dict(
        Child.objects.filter(desa_id__in=desa_codes, birth_date__gt=born_after, birth_date__lte=datetime.date(year, 12, 31))
        .values_list("desa_id").annotate(n=Count("pk")).values_list("desa_id", "n")
    )
    dukcapil = dict(UnderFivePopulation.objects.filter(wilayah_id__in=desa_codes, year=year).values_list("wilayah_id", "count"))
    out = {}
    for code in desa_codes:
        n = measured.get(code, 0)
        if dukcapil.get(code) and dukcapil[code] >= n:
            out[code] = (n, dukcapil[code], "penyebut: balita Dukcapil")
        elif registered.get(code):
            out[code] = (n, registered[code], "penyebut: balita terdaftar di Tumbuh")
    return out


COMPUTATIONS: dict[str, Callable[[list[str], int], dict[str, tuple[int, int, str]]]] = {
    Computation.GROWTH_MONITORED: growth_monitored,
}


def compute(kabupaten_code: str, year: int, desa_codes: Iterable[str], progress=None) -> int:
    """Compute every computable indicator for the desa and write it (system, audited).
    Returns the number of coverage rows written or checked."""
    desa_codes = list(desa_codes)
    written = 0
    for indicator in Indicator.objects.for_kabupaten(kabupaten_code).exclude(computed_from=""):
        results = COMPUTATIONS[indicator.computed_from](desa_codes, year)
        for code, (numerator, denominator, note) in results.items():
            # Tumbuh's own number replaces an earlier entered or imported one, and says so.
            set_coverage(None, indicator, code, year, numerator=numerator, denominator=denominator, note=note,
                         source=CoverageSource.COMPUTED, reason=REASON)
            written += 1
            if progress:
                progress()
    return written
