"""Coverage gaps per desa, for other apps (the Aksi 2 plan-gap check, reviews): no user, no
scope, the district's own targets."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .models import Coverage, Indicator


def desa_gaps(kabupaten_code: str, year: int, desa_codes: Iterable[str] | None = None) -> dict[str, dict[str, Decimal]]:
    """{desa code: {indicator code: gap in percentage points}} for every reported coverage of
    ``year`` in the district that falls short of its target (gaps of zero are left out)."""
    indicators = {i.pk: i for i in Indicator.objects.for_kabupaten(kabupaten_code)}
    targets = {pk: i.target_for(kabupaten_code) for pk, i in indicators.items()}
    qs = Coverage.objects.filter(year=year, indicator_id__in=list(indicators), desa__kabupaten_code=kabupaten_code,
                                 value__isnull=False)
    if desa_codes is not None:
        qs = qs.filter(desa_id__in=list(desa_codes))
    out: dict[str, dict[str, Decimal]] = {}
    for c in qs.only("desa_id", "indicator_id", "value"):
        ind = indicators[c.indicator_id]
        gap = ind.gap(c.value, targets[ind.pk])
        if gap:
            out.setdefault(c.desa_id, {})[ind.code] = gap
    return out
