"""The review's tables, computed from the plan, the coverage data and the dashboards'
aggregates; the page and the report show the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tumbuh.core.numbers import PERCENT_PLACES, round_figure, to_decimal
from tumbuh.indikator.models import Coverage, Indicator
from tumbuh.rencana.plan import activities

from .models import Realisation


def _points(a, b) -> Decimal | None:
    """The change from ``a`` to ``b`` in percentage points, to the decimal it is shown with (so
    a change shown as 0,0 is neither an improvement nor a decline)."""
    if a is None or b is None:
        return None
    return round_figure(to_decimal(b) - to_decimal(a), PERCENT_PLACES)


@dataclass
class ActivityRow:
    activity: object
    realisation: Realisation | None

    @property
    def physical_percent(self):
        return self.realisation.physical_percent if self.realisation else None

    @property
    def budget_percent(self):
        return self.realisation.budget_percent if self.realisation else None


def activity_rows(kabupaten_code: str, year: int, qs=None) -> list[ActivityRow]:
    """Every activity of the year's plan with its realisation (None while not entered)."""
    qs = qs if qs is not None else activities(kabupaten_code, year)
    found = {r.activity_id: r for r in Realisation.objects.filter(activity__in=qs).select_related("activity")}
    return [ActivityRow(a, found.get(a.pk)) for a in qs]


@dataclass
class BudgetTotals:
    budget: Decimal
    realised: Decimal
    entered: int
    total: int

    @property
    def percent(self) -> Decimal | None:
        """Unrounded: rounded once, where it is shown."""
        if not self.budget:
            return None
        return self.realised * 100 / self.budget


def budget_totals(rows: list[ActivityRow]) -> BudgetTotals:
    return BudgetTotals(
        budget=sum((r.activity.budget for r in rows), Decimal(0)),
        realised=sum((r.realisation.budget for r in rows if r.realisation), Decimal(0)),
        entered=sum(1 for r in rows if r.realisation),
        total=len(rows),
    )


@dataclass
class IndicatorRow:
    indicator: object
    target: Decimal | None
    start: float | None  # coverage at the start of the year (the previous year's figure)
    end: float | None  # coverage at the end of the year
    desa_start: int
    desa_end: int

    @property
    def change(self) -> Decimal | None:
        return _points(self.start, self.end)

    @property
    def improved(self) -> bool | None:
        if self.change is None:
            return None
        return self.change < 0 if self.indicator.lower_is_better else self.change > 0


def indicator_rows(kabupaten_code: str, year: int) -> list[IndicatorRow]:
    """Per indicator with coverage data: the district coverage at the start of ``year`` (the
    figure of ``year - 1``) against the end (the figure of ``year``)."""
    indicators = list(Indicator.objects.for_kabupaten(kabupaten_code))
    cov = Coverage.objects.district_by_year([i.pk for i in indicators], kabupaten_code, [year - 1, year])
    rows = []
    for i in indicators:
        start, end = cov.get((i.pk, year - 1)), cov.get((i.pk, year))
        if start is None and end is None:
            continue
        rows.append(
            IndicatorRow(
                i,
                i.target_for(kabupaten_code),
                start[0] if start else None,
                end[0] if end else None,
                start[1] if start else 0,
                end[1] if end else 0,
            )
        )
    return rows


@dataclass
class KecamatanRow:
    code: str
    name: str
    start: float | None  # stunting prevalence (%) in the February round
    end: float | None  # in the August round
    n_start: int
    n_end: int

    @property
    def change(self) -> Decimal | None:
        return _points(self.start, self.end)


def kecamatan_prevalence(user, kabupaten_code: str, year: int) -> list[KecamatanRow]:
    """Stunting prevalence per kecamatan, February round against August round of ``year``
    (the dashboards' aggregates, limited to what ``user`` may see)."""
    from tumbuh.dashboards.aggregates import indicator_table
    from tumbuh.dashboards.periods import Period

    tables = [
        {
            r.code: r
            for r in indicator_table(
                user=user,
                within_code=kabupaten_code,
                level="kecamatan",
                period=Period.round(year, month),
                indicator="stunting",
            )
        }
        for month in (2, 8)
    ]
    codes = sorted(set(tables[0]) | set(tables[1]))
    out = []
    for code in codes:
        a, b = tables[0].get(code), tables[1].get(code)
        out.append(
            KecamatanRow(
                code,
                (a or b).name,
                a.r if a else None,
                b.r if b else None,
                a.n_measured if a else 0,
                b.n_measured if b else 0,
            )
        )
    return out
