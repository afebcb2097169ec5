"""Prevalence per area: the public API the dashboards, maps, public page and PDFs call.

Everything here is computed from the growth engine's z-scores and flags stored on each
``Measurement`` and from the engine's own estimator (:func:`tumbuh.growth.prevalence.prevalence_simple`);
no view re-implements a rate or an interval.

Main entry points
-----------------
:func:`indicator_table` — one row per area (:class:`AreaRow`) of one level, for one period and
one indicator, limited to what ``user`` may see::

    from tumbuh.dashboards.aggregates import indicator_table
    from tumbuh.dashboards.periods import Period

    rows = indicator_table(user=request.user, within_code="73.24", level="kecamatan",
                           period=Period.parse("R2025-08"), indicator="stunting")
    for row in rows:
        row.code, row.name, row.n_measured, row.cases, row.r, row.ll, row.ul, row.eb_r

:func:`trend` — the same figures for one area over consecutive periods (rounds by default).

:func:`freshness` — when the precomputed figures were computed and how many measurements
changed since (for the "diperbarui 5 menit lalu; 12 pengukuran baru belum masuk" line).

Definitions
-----------
- **Period** (:mod:`tumbuh.dashboards.periods`): a February/August round, a month or a year. A
  child counts **once per period**: their latest measurement dated inside it.
- **Indicators** (:data:`INDICATORS`): ``stunting`` HAZ < −2 (pendek + sangat pendek),
  ``severe_stunting`` HAZ < −3, ``wasting`` WHZ < −2, ``severe_wasting`` WHZ < −3,
  ``underweight`` WAZ < −2, ``overweight`` WHZ > +2. A z-score the engine flagged as
  implausible is excluded (treated as missing), as WHO does.
- **Levels**: ``kabupaten`` (one row per district), ``kecamatan``, ``puskesmas``, ``desa``,
  ``posyandu``. Region rows are keyed by Kemendagri code (``73.24.04``,
  ``73.24.04.2010``); puskesmas and posyandu rows by their database id as text (``"12"``).
  A measurement belongs to the desa and posyandu recorded on the measurement; to a puskesmas
  through its posyandu (or, without posyandu, the puskesmas serving its desa).
- ``n_measured`` = children with a valid (non-missing, non-flagged) z-score for the
  indicator; ``cases`` = those beyond the cut-off; ``r``, ``ll``, ``ul`` = prevalence and its
  95 % logit confidence interval in percent, exactly as ``prevalence_simple`` returns them
  for that area's children.
- ``n_children`` = children measured in the period (any measurement); ``n_target`` = the
  denominator for coverage: the Dukcapil figure for the area and year when the admin entered
  one (``target_source == "dukcapil"``), else the registered children aged 0–59 months at the
  end of the period (``target_source == "registered"``); ``coverage`` = n_children ÷ n_target
  × 100 (None without a denominator).
- **Small-area estimate** (``eb_r``, ``eb_ll``, ``eb_ul``, "perkiraan area kecil"):
  empirical-Bayes beta-binomial shrinkage of each area towards its parent — the kecamatan for
  desa, posyandu and puskesmas, the district for kecamatan. For each parent, a Beta(a, b)
  prior is fitted by the method of moments to the raw rates of the parent's areas (weighted
  by n, Kleinman 1973): mean μ = Σcases ÷ Σn, between-area variance
  s² = Σ n_i (p_i − μ)² ÷ Σ n_i − μ(1 − μ) · k ÷ Σ n_i (k areas); if s² ≤ 0 the areas do not
  vary more than chance and the prior is as strong as the parent's total
  (a + b = Σ n, capped at 1,000); otherwise a + b = μ(1 − μ) ÷ s² − 1. Each area's posterior
  is Beta(a + cases, b + n − cases): ``eb_r`` is its mean, ``eb_ll``/``eb_ul`` its 2.5 % and
  97.5 % quantiles (``scipy.stats.beta.ppf``). A village with 3 children and 2 stunted thus
  reads close to its kecamatan, with a wide interval, instead of "67 %". The ``kabupaten``
  level is not shrunk (eb = raw).

Scope
-----
Areas are computed over **all** measurements in them (so a row is the same for everyone who
sees it), then filtered through ``policy.visible`` on :class:`~tumbuh.dashboards.models.AreaAggregate`,
whose ``wilayah_code`` is the region that holds the area (the desa of a posyandu, the
kecamatan of a puskesmas). A desa operator therefore gets only their village and its posyandu;
a puskesmas officer only the desa their puskesmas serves and their posyandu. The live path
(:func:`compute_rows`) takes any measurement queryset, e.g.
``policy.visible(user, Measurement.objects.all())``.

Precomputation
--------------
Rows are stored in :class:`~tumbuh.dashboards.models.AreaAggregate` per period, level,
indicator and area, refreshed by ``tumbuh refresh_aggregates`` and lazily: the first request
for a period computes it; saving or deleting a measurement (signal) or finishing an import
batch marks the period stale, and a stale period older than ``AGGREGATE_MAX_AGE`` seconds is
recomputed on the next request. Until then pages show :func:`freshness`.

Every computation pulls arrays with ``values_list`` and works on whole columns with numpy
and the growth engine; there is no Python loop over measurements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from .periods import Period

__all__ = [
    "INDICATORS",
    "LEVELS",
    "AreaRow",
    "Freshness",
    "compute_rows",
    "freshness",
    "indicator_table",
    "refresh_period",
    "trend",
]

#: indicator → (z column, flag column, cut-off for prevalence_simple)
INDICATORS: dict[str, tuple[str, str, float]] = {
    "stunting": ("zlen", "flen", -2.0),
    "severe_stunting": ("zlen", "flen", -3.0),
    "wasting": ("zwfl", "fwfl", -2.0),
    "severe_wasting": ("zwfl", "fwfl", -3.0),
    "underweight": ("zwei", "fwei", -2.0),
    "overweight": ("zwfl", "fwfl", 2.0),
}
LEVELS = ("kabupaten", "kecamatan", "puskesmas", "desa", "posyandu")


@dataclass
class AreaRow:
    """One area's figures for one indicator and period (percentages 0–100; None when the
    area has no valid measurement)."""

    code: str
    name: str
    parent_code: str  # the next level up: kabupaten of a kecamatan, kecamatan of a desa/puskesmas, desa of a posyandu
    level: str
    indicator: str
    n_measured: int
    cases: int
    r: float | None
    ll: float | None
    ul: float | None
    se: float | None = None
    n_children: int = 0
    n_target: int | None = None
    target_source: str = ""  # "registered" | "dukcapil" | ""
    coverage: float | None = None
    eb_parent_code: str = ""  # what the estimate shrinks towards (kecamatan or kabupaten)
    eb_r: float | None = None
    eb_ll: float | None = None
    eb_ul: float | None = None
    wilayah_code: str = ""  # the region holding the area (for the policy)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Freshness:
    computed_at: dt.datetime | None
    stale: bool
    pending: int  # measurements in the period saved after computed_at (in the user's scope)


def indicator_table(*, user, within_code: str | None, level: str, period: Period, indicator: str) -> list[AreaRow]:
    """Rows of ``level`` lying inside region ``within_code`` (None: the user's whole scope),
    for ``period`` and ``indicator``, limited to what ``user`` may see, sorted by code.

    ``level="kabupaten"`` gives one row per district (the district total).
    Raises ValueError for an unknown level or indicator.
    """
    raise NotImplementedError


def trend(*, user, code: str, level: str, indicator: str, kind: str = "round", last: int = 6,
          until: Period | None = None) -> list[tuple[Period, AreaRow | None]]:
    """The area ``code`` of ``level`` over the ``last`` periods of ``kind`` ending at ``until``
    (default: the latest period with data), oldest first; None where the area had no data."""
    raise NotImplementedError


def compute_rows(measurements, *, period: Period, level: str, indicator: str) -> list[AreaRow]:
    """The live computation behind :func:`indicator_table` over any ``Measurement`` queryset
    (not filtered further; pass ``policy.visible(user, ...)`` to scope it)."""
    raise NotImplementedError


def refresh_period(period: Period) -> int:
    """Recompute and store every level and indicator of ``period``; returns rows written."""
    raise NotImplementedError


def freshness(*, user, period: Period) -> Freshness:
    """When ``period`` was computed, whether it is stale, and how many measurements the user
    can see were saved since."""
    raise NotImplementedError
