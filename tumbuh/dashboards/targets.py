"""Average annual rate of reduction (AARR), the projection and the on-track verdict.

With prevalence p₀ at time t₀ and p at time t (years, fractions allowed):

- AARR achieved  = 1 − (p / p₀)^(1 / (t − t₀))
- AARR required  = 1 − (p_T / p)^(1 / (T − t))   to reach the target p_T in year T (end of year)
- projection     = p · (1 − AARR achieved)^(T − t)
- on track       ⇔ projection ≤ p_T (equivalently AARR achieved ≥ AARR required); a
  prevalence already at or below the target is on track.

The AARR is a compound yearly rate (UNICEF/WHO method); it is undefined when a prevalence is 0
or the two times coincide.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass


def years_between(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


def aarr(p0: float, p1: float, years: float) -> float | None:
    """AARR (a fraction: 0.05 = 5 % a year) from p0 to p1 over ``years``."""
    if p0 is None or p1 is None or years <= 0 or p0 <= 0 or p1 <= 0:
        return None
    return 1.0 - (p1 / p0) ** (1.0 / years)


def project(p: float, rate: float, years: float) -> float | None:
    if p is None or rate is None:
        return None
    return p * (1.0 - rate) ** years


@dataclass
class Assessment:
    p0: float | None
    t0: dt.date | None
    p: float | None
    t: dt.date | None
    target: float | None
    target_year: int | None
    aarr: float | None = None
    aarr_required: float | None = None
    projection: float | None = None
    on_track: bool | None = None
    note: str = ""  # why a figure is left out (too few children measured: ``conclusions``)

    @property
    def aarr_display(self) -> str:
        return _pct(self.aarr)

    @property
    def aarr_required_display(self) -> str:
        return _pct(self.aarr_required)

    @property
    def verdict(self) -> str:
        return "unknown" if self.on_track is None else ("on_track" if self.on_track else "off_track")


def _pct(v) -> str:
    """A yearly rate as percent with two decimals in the active locale ("" when undefined)."""
    if v is None:
        return ""
    from tumbuh.core.numbers import format_number

    return format_number(100 * v, 2)


def assess(p0, t0, p, t, target, target_year) -> Assessment:
    a = Assessment(p0, t0, p, t, target, target_year)
    if p0 is not None and p is not None and t0 and t:
        a.aarr = aarr(p0, p, years_between(t0, t))
    if p is not None and target is not None and target_year and t:
        end = dt.date(target_year, 12, 31)
        horizon = years_between(t, end)
        if p <= target:
            a.aarr_required = 0.0
            a.on_track = True
        elif horizon > 0 and target > 0:
            a.aarr_required = 1.0 - (target / p) ** (1.0 / horizon)
        if a.aarr is not None and horizon > 0:
            a.projection = project(p, a.aarr, horizon)
            if a.on_track is None:
                a.on_track = a.projection <= target + 1e-12
        elif a.on_track is None and a.aarr is not None and horizon <= 0:
            a.on_track = p <= target
    if a.aarr is not None and math.isnan(a.aarr):
        a.aarr = None
    return a


# ---------------------------------------------------------------- an area's verdict, as the targets page gives it
def target_for(targets, year: int):
    """The target a verdict in ``year`` is measured against: the first of ``targets`` (sorted by
    year) for ``year`` or later, else the last one; None without any."""
    future = [t for t in targets if t.year >= year]
    return future[0] if future else (targets[-1] if targets else None)


def mid_period(period) -> dt.date:
    """The day a period's prevalence stands for on the AARR's time axis (a round's 15th)."""
    return dt.date(period.year, period.month or 7, 15)


def few_children(n: int, period):
    """A rate's base for a verdict, and what the page says when it is too small."""
    from django.utils.formats import number_format
    from django.utils.translation import ngettext

    from .conclusions import MIN_CHILDREN, Base

    return Base(
        n,
        ngettext(
            "only %(n)s child measured in %(period)s (a rate needs %(min)s)",
            "only %(n)s children measured in %(period)s (a rate needs %(min)s)",
            n,
        )
        % {"n": number_format(n), "period": period.label, "min": MIN_CHILDREN},
        MIN_CHILDREN,
    )


def assess_area(now_row, base_row, *, now, base, target) -> Assessment:
    """The targets page's verdict for one area: its prevalence in ``now`` (``now_row``, an
    ``aggregates.AreaRow``) against ``base`` (``base_row``, None without data), towards
    ``target`` (a ``DistrictTarget`` or None); a rate from fewer than ``MIN_CHILDREN`` children
    carries no verdict, and ``note`` says why."""
    from .conclusions import MIN_CHILDREN, conclude, enough

    p0 = base_row.r if base_row and enough(base_row.n_measured, MIN_CHILDREN) else None
    p = now_row.r if now_row and enough(now_row.n_measured, MIN_CHILDREN) else None
    a = assess(
        p0,
        mid_period(base),
        p,
        mid_period(now),
        float(target.target) if target else None,
        target.year if target else None,
    )
    a.note = conclude(
        "",
        few_children(now_row.n_measured if now_row else 0, now),
        few_children(base_row.n_measured if base_row else 0, base),
    )
    return a
