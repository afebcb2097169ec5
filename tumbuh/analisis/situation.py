"""Aksi 1: the per-desa situation table, from the measurements and the coverage data.

For a plan year Y the analysis reads the data of year Y − 1 (the analysis is done early in the
year, before the plan): the latest weighing round of that year (August, else February) for
children measured, pendek/sangat pendek and prevalence (``dashboards.aggregates``, i.e. the
growth engine; August only once it is reported, see ``data_period``), the coverage of year Y − 1, the at-risk families (KRS) on that year's list and
the number of families in the desa that year (app ``krs``; empty for a desa whose list or
number for that year is not in Tumbuh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tumbuh.accounts import policy
from tumbuh.dashboards.aggregates import indicator_table
from tumbuh.dashboards.default_period import REPORTED_SHARE
from tumbuh.dashboards.periods import Period
from tumbuh.indikator.models import Coverage, Indicator
from tumbuh.wilayah.models import Level, Wilayah

from .ranking import DesaFigures


@dataclass
class Cell:
    value: Decimal | None
    target: Decimal | None
    gap: Decimal | None
    source: str = ""


@dataclass
class DesaRow:
    desa: Wilayah
    kecamatan: str
    under_five: int | None  # the target group: children 0–59 months (Dukcapil or registered)
    under_five_source: str
    children_measured: int
    measured_length: int  # with a valid length/height-for-age z-score
    pendek: int
    sangat_pendek: int
    prevalence: float | None
    prevalence_ll: float | None
    prevalence_ul: float | None
    prevalence_eb: float | None
    coverage: dict[str, Cell] = field(default_factory=dict)
    krs: int | None = None  # families on the data year's KRS list; None: no list for that year
    families: int | None = None  # all families (BKKBN Pendataan Keluarga); None: not entered for that year
    families_source: str = ""

    @property
    def krs_share(self) -> float | None:
        """At-risk families as a share (%) of all families, when both are known."""
        return self.krs / self.families * 100 if self.krs is not None and self.families else None

    @property
    def stunted(self) -> int:
        return self.pendek + self.sangat_pendek

    @property
    def measured_share(self) -> float | None:
        return self.children_measured / self.under_five if self.under_five else None

    @property
    def mean_gap(self) -> float | None:
        gaps = [float(c.gap) for c in self.coverage.values() if c.gap is not None]
        return sum(gaps) / len(gaps) if gaps else None

    def figures(self) -> DesaFigures:
        return DesaFigures(
            self.desa.code, self.desa.name, self.prevalence_eb, self.stunted, self.mean_gap, self.measured_share
        )


@dataclass
class Situation:
    kabupaten: Wilayah
    plan_year: int
    data_year: int
    period: Period | None
    indicators: list[Indicator]
    rows: list[DesaRow]
    targets: dict[str, Decimal | None] = field(default_factory=dict)  # indicator code → the district's target

    @property
    def totals(self) -> dict:
        measured = sum(r.measured_length for r in self.rows)
        stunted = sum(r.stunted for r in self.rows)
        return {
            "children_measured": sum(r.children_measured for r in self.rows),
            "measured_length": measured,
            "pendek": sum(r.pendek for r in self.rows),
            "sangat_pendek": sum(r.sangat_pendek for r in self.rows),
            "prevalence": stunted / measured * 100 if measured else None,
        }


def data_period(user, kabupaten_code: str, data_year: int) -> Period | None:
    """The latest round of ``data_year`` reported in the district: August once it holds at least
    ``REPORTED_SHARE`` of February's children measured (the rule of the pages' default round,
    ``dashboards.default_period``), else February; None when neither has a child measured. So
    a few August visits entered early do not make the analysis read an all but empty round."""
    measured = {}
    for month in (2, 8):
        period = Period.round(data_year, month)
        rows = indicator_table(
            user=user, within_code=kabupaten_code, level="kabupaten", period=period, indicator="stunting"
        )
        measured[month] = sum(r.n_measured for r in rows)
    if measured[8] and measured[8] >= REPORTED_SHARE * measured[2]:
        return Period.round(data_year, 8)
    return Period.round(data_year, 2) if measured[2] else None


def build(user, kabupaten: Wilayah, plan_year: int) -> Situation:
    data_year = plan_year - 1
    desa = list(policy.district_desa(user, kabupaten.code).order_by("kecamatan_code", "name"))
    kecamatan = dict(
        Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code=kabupaten.code).values_list("code", "name")
    )
    period = data_period(user, kabupaten.code, data_year)
    stunting, severe = {}, {}
    if period is not None:
        stunting = {
            r.code: r
            for r in indicator_table(
                user=user, within_code=kabupaten.code, level="desa", period=period, indicator="stunting"
            )
        }
        severe = {
            r.code: r
            for r in indicator_table(
                user=user, within_code=kabupaten.code, level="desa", period=period, indicator="severe_stunting"
            )
        }
    indicators = list(Indicator.objects.for_kabupaten(kabupaten.code))
    targets = {i.pk: i.target_for(kabupaten.code) for i in indicators}
    by_pk = {i.pk: i for i in indicators}
    coverage: dict[str, dict[str, Cell]] = {}
    for c in policy.visible(
        user, Coverage.objects.filter(year=data_year, indicator__in=indicators, desa__kabupaten_code=kabupaten.code)
    ):
        ind = by_pk[c.indicator_id]
        coverage.setdefault(c.desa_id, {})[ind.code] = Cell(
            c.value, targets[ind.pk], ind.gap(c.value, targets[ind.pk]), c.source
        )
    krs, families = _krs_counts([w.code for w in desa], data_year)
    rows = []
    for w in desa:
        s, sv = stunting.get(w.code), severe.get(w.code)
        severe_cases = sv.cases if sv else 0
        rows.append(
            DesaRow(
                desa=w,
                kecamatan=kecamatan.get(w.kecamatan_code, w.kecamatan_code),
                under_five=s.n_target if s else None,
                under_five_source=s.target_source if s else "",
                children_measured=s.n_children if s else 0,
                measured_length=s.n_measured if s else 0,
                pendek=(s.cases - severe_cases) if s else 0,
                sangat_pendek=severe_cases,
                prevalence=s.r if s else None,
                prevalence_ll=s.ll if s else None,
                prevalence_ul=s.ul if s else None,
                prevalence_eb=s.eb_r if s else None,
                krs=krs.get(w.code),
                families=families[w.code][0] if w.code in families else None,
                families_source=families[w.code][1] if w.code in families else "",
                coverage={
                    i.code: coverage.get(w.code, {}).get(i.code) or Cell(None, targets[i.pk], None) for i in indicators
                },
            )
        )
    return Situation(
        kabupaten, plan_year, data_year, period, indicators, rows, {i.code: targets[i.pk] for i in indicators}
    )


def _krs_counts(desa_codes: list[str], year: int) -> tuple[dict[str, int], dict[str, tuple[int, str]]]:
    """At-risk families per desa on ``year``'s KRS list, and all families per desa in ``year``
    with their source (desa without a list or a number are absent)."""
    from django.apps import apps
    from django.db.models import Count

    if not apps.is_installed("tumbuh.krs"):
        return {}, {}
    Family, FamilyCount = apps.get_model("krs", "Family"), apps.get_model("krs", "FamilyCount")
    rows = Family.objects.filter(desa_id__in=desa_codes, year=year).values("desa_id").annotate(n=Count("pk"))
    families = FamilyCount.objects.filter(desa_id__in=desa_codes, year=year).values_list(
        "desa_id", "families", "source"
    )
    return {r["desa_id"]: r["n"] for r in rows}, {code: (n, source) for code, n, source in families}


def reported_indicators(situation: Situation) -> list[Indicator]:
    """The indicators with at least one desa reporting (the table's coverage columns)."""
    return [i for i in situation.indicators if any(r.coverage[i.code].value is not None for r in situation.rows)]
