"""A thin adapter over the dashboards' aggregates (``tumbuh.dashboards.aggregates``): the
figures a map or a tile grid colours, for one level, indicator and period."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from tumbuh.dashboards.aggregates import indicator_table
from tumbuh.dashboards.periods import ROUND_MONTHS, Period

from . import classes as colour

LEVELS = {3: "kecamatan", 4: "desa"}
#: The indicators a map can show (the dashboards' set), with their labels.
INDICATOR_CHOICES = [
    ("stunting", _("Stunting (HAZ < −2)")),
    ("severe_stunting", _("Severe stunting (HAZ < −3)")),
    ("wasting", _("Wasting (WHZ < −2)")),
    ("severe_wasting", _("Severe wasting (WHZ < −3)")),
    ("underweight", _("Underweight (WAZ < −2)")),
    ("overweight", _("Overweight (WHZ > +2)")),
]
ESTIMATES = ("raw", "eb")


@dataclass
class Area:
    code: str
    name: str
    parent_code: str
    n: int
    cases: int
    value: float | None  # percent, the raw rate or the small-area estimate
    ll: float | None
    ul: float | None
    colour_class: colour.ColourClass | None

    @property
    def colour(self) -> str:
        return self.colour_class.colour if self.colour_class else colour.NO_DATA

    @property
    def dark(self) -> bool:
        return bool(self.colour_class and self.colour_class.dark)

    def as_json(self) -> dict:
        """The area for the page's map: figures rounded by the one rule, and as text in the
        active language (``value_text``…), as the table and the exports write them."""
        return {
            "name": self.name,
            "parent": self.parent_code,
            "n": self.n,
            "cases": self.cases,
            **colour.figure_json(self.value, self.ll, self.ul),
            "color": self.colour,
            "class": self.colour_class.index if self.colour_class else None,
        }


def areas(*, user, within_code: str, level: int, period: Period, indicator: str, estimate: str = "raw") -> list[Area]:
    """The areas of ``level`` inside ``within_code`` that ``user`` may see, with their value."""
    rows = indicator_table(user=user, within_code=within_code, level=LEVELS[level], period=period, indicator=indicator)
    out = []
    for row in rows:
        if estimate == "eb":
            value, ll, ul = row.eb_r, row.eb_ll, row.eb_ul
        else:
            value, ll, ul = row.r, row.ll, row.ul
        if not row.n_measured:
            value = ll = ul = None
        out.append(
            Area(
                row.code,
                row.name,
                row.parent_code,
                row.n_measured,
                row.cases,
                value,
                ll,
                ul,
                colour.class_of(indicator, value),
            )
        )
    return out


def rounds_with_data(kabupaten_code: str) -> list[Period]:
    """The February/August rounds with at least one measurement in the district, newest first."""
    from tumbuh.measurements.models import Measurement

    months = (
        Measurement.objects.filter(desa__kabupaten_code=kabupaten_code, date__month__in=ROUND_MONTHS)
        .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values_list("y", "m")
        .distinct()
    )
    return sorted({Period.round(y, m) for y, m in months}, reverse=True)
