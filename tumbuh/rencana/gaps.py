"""The plan-gap check: which lokus desa fall short of an indicator's target with no activity
of the year's plan aimed at that indicator in that desa.

A gap is coverage below target (above it, for an indicator where lower is better), read from
the latest coverage of the plan year or before. An activity addresses a gap when it moves the
same indicator and lists the desa among its targets, or names no desa (it covers the whole
kabupaten)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tumbuh.analisis.models import lokus_desa
from tumbuh.indikator.models import Coverage, Indicator
from tumbuh.wilayah.models import Wilayah

from .models import Activity


@dataclass
class Gap:
    desa_code: str
    desa_name: str
    kecamatan_name: str
    indicator_id: int
    indicator: str
    data_year: int
    coverage: Decimal
    target: Decimal
    gap: Decimal
    addressed_by: list[int] = field(default_factory=list)  # activity ids
    addressed_labels: list[tuple[int, str]] = field(default_factory=list)  # (id, "OPD: sub-kegiatan")

    @property
    def addressed(self) -> bool:
        return bool(self.addressed_by)


@dataclass
class GapCheck:
    kabupaten_code: str
    year: int
    lokus: list[str]
    gaps: list[Gap]

    @property
    def unaddressed(self) -> list[Gap]:
        return [g for g in self.gaps if not g.addressed]

    @property
    def addressed(self) -> list[Gap]:
        return [g for g in self.gaps if g.addressed]


def check(kabupaten_code: str, year: int) -> GapCheck:
    """Every indicator gap of every lokus desa of ``year``, with the activities addressing it."""
    lokus = lokus_desa(kabupaten_code, year)
    desa = {w.code: w for w in Wilayah.objects.filter(code__in=lokus).select_related("parent")}
    indicators = {i.pk: i for i in Indicator.objects.for_kabupaten(kabupaten_code)}
    coverage = Coverage.objects.latest_by_desa(lokus, year)
    reach: dict[tuple[int, str], list[int]] = {}
    plan = Activity.objects.filter(kabupaten_id=kabupaten_code, year=year)
    for activity_id, indicator_id, desa_code in plan.filter(desa__code__in=lokus).values_list(
        "pk", "indicator_id", "desa__code"
    ):
        reach.setdefault((indicator_id, desa_code), []).append(activity_id)
    everywhere: dict[int, list[int]] = {}
    for activity_id, indicator_id in plan.filter(desa__isnull=True).values_list("pk", "indicator_id"):
        everywhere.setdefault(indicator_id, []).append(activity_id)
    gaps = []
    for code in lokus:
        for indicator in indicators.values():
            found = coverage.get((indicator.pk, code))
            if found is None:
                continue
            data_year, value = found
            target = indicator.target_for(kabupaten_code)
            short = indicator.gap(value, target)
            if not short:
                continue
            w = desa.get(code)
            gaps.append(
                Gap(
                    desa_code=code,
                    desa_name=w.name if w else code,
                    kecamatan_name=w.parent.name if w and w.parent else "",
                    indicator_id=indicator.pk,
                    indicator=str(indicator),
                    data_year=data_year,
                    coverage=Decimal(str(value)),
                    target=Decimal(str(target)),
                    gap=short,
                    addressed_by=sorted(reach.get((indicator.pk, code), []) + everywhere.get(indicator.pk, [])),
                )
            )
    labels = {
        a.pk: f"{a.opd.short_name}: {a}"
        for a in plan.filter(pk__in={i for g in gaps for i in g.addressed_by}).select_related("opd")
    }
    for g in gaps:
        g.addressed_labels = [(i, labels[i]) for i in g.addressed_by]
    gaps.sort(key=lambda g: (g.desa_code, -g.gap, g.indicator))
    return GapCheck(kabupaten_code, year, lokus, gaps)
