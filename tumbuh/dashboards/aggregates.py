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
  child counts **once per period**: for each indicator, their latest measurement dated inside
  it that carries that z-score (a weighing-only visit after the round does not hide the
  round's length).
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
recomputed on the next request. Until then pages show :func:`freshness`. Tumbuh stores them
itself (``policy.SYSTEM``) in bulk (``audit.bulk``), with one audit row per recomputed period.
A round and its month cover the same dates: :func:`refresh_periods` computes them once and
stores the rows for both. A recompute reads a period's visits a block at a time, keeping only
each child's latest rows, and ``refresh_aggregates`` reads the registered children once for
all periods (issue 18: a province's year is 6.7 million visits).

Every computation pulls arrays with ``values_list`` and works on whole columns with numpy
and the growth engine; there is no Python loop over measurements.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tumbuh.core import arrow_io
from tumbuh.growth.prevalence import prevalence_simple

from .periods import Period, periods_between

log = logging.getLogger(__name__)

__all__ = [
    "INDICATORS",
    "LEVELS",
    "AreaRow",
    "Freshness",
    "compute_rows",
    "freshness",
    "indicator_table",
    "period_choices",
    "refresh_period",
    "refresh_periods",
    "same_dates",
    "sharing_reads",
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


#: A stale period is recomputed on request once it is older than this (seconds).
def _max_age() -> float:
    return float(getattr(settings, "TUMBUH_AGGREGATE_MAX_AGE", 300))


#: How long a count of measurements not yet included is reused (per process, user and period).
PENDING_CACHE_SECONDS = 30

#: Cap on the prior strength a + b when the areas vary no more than chance.
MAX_PRIOR_STRENGTH = 1000.0
_FIELDS = (
    "code",
    "name",
    "parent_code",
    "level",
    "indicator",
    "n_measured",
    "cases",
    "r",
    "ll",
    "ul",
    "se",
    "n_children",
    "n_target",
    "target_source",
    "coverage",
    "eb_parent_code",
    "eb_r",
    "eb_ll",
    "eb_ul",
    "wilayah_code",
)


def _check(level: str, indicator: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; one of {', '.join(INDICATORS)}")


# ============================================================================ pulling arrays
_COLUMNS = ("child_id", "date", "desa_id", "posyandu_id", "zlen", "flen", "zwei", "fwei", "zwfl", "fwfl")


@dataclass
class _Frame:
    """The period's measurements as columns, sorted by child then date (latest first). What
    :func:`_pull` gives keeps only the rows the figures read (see :func:`_latest_rows`) and
    says how many visits there were and which desa and posyandu they were at."""

    child: np.ndarray
    desa: np.ndarray  # str
    posyandu: np.ndarray  # int, -1 = none
    z: dict  # column -> float array (NaN = missing)
    f: dict  # column -> bool array (True = flagged)
    visits: int | None = None  # the period's visits (None: the rows here, all of them)
    desa_seen: np.ndarray | None = None  # the desa of all the visits (None: those of the rows here)
    posyandu_seen: np.ndarray | None = None

    def __len__(self):
        return len(self.child)

    @property
    def n_visits(self) -> int:
        return len(self) if self.visits is None else self.visits

    def desa_codes(self) -> list[str]:
        """The desa of the period's visits, sorted."""
        return np.unique(self.desa if self.desa_seen is None else self.desa_seen).tolist()

    def posyandu_ids(self) -> list[int]:
        """The posyandu of the period's visits (-1: none), sorted."""
        return np.unique(self.posyandu if self.posyandu_seen is None else self.posyandu_seen).tolist()

    def take(self, idx) -> _Frame:
        return _Frame(
            self.child[idx],
            self.desa[idx],
            self.posyandu[idx],
            {k: v[idx] for k, v in self.z.items()},
            {k: v[idx] for k, v in self.f.items()},
        )


def _empty_frame() -> _Frame:
    empty = np.array([], dtype=float)
    return _Frame(
        np.array([], dtype=np.int64),
        np.array([], dtype=str),
        np.array([], dtype=np.int64),
        {c: empty for c in ("zlen", "zwei", "zwfl")},
        {c: empty.astype(bool) for c in ("flen", "fwei", "fwfl")},
    )


def _latest_rows(frame: _Frame) -> np.ndarray:
    """The rows the figures read, in order: each child's latest visit, and their latest carrying
    each z-score (most often the same). From them :func:`_latest_any` and :func:`_latest_with`
    pick exactly the rows they pick among all (a child's rows before their latest with a
    z-score lack it), so a year of 20 visits a child is kept as about one row a child."""
    keep = [_latest_any(frame)] + [_latest_with(frame, c) for c in ("zlen", "zwei", "zwfl")]
    return np.unique(np.concatenate(keep))


def _concat(pieces: list[_Frame]) -> _Frame:
    return _Frame(
        child=np.concatenate([p.child for p in pieces]),
        desa=np.concatenate([p.desa for p in pieces]),
        posyandu=np.concatenate([p.posyandu for p in pieces]),
        z={k: np.concatenate([p.z[k] for p in pieces]) for k in pieces[0].z},
        f={k: np.concatenate([p.f[k] for p in pieces]) for k in pieces[0].f},
    )


def _reduced(pieces: list[_Frame], visits: int, desa_seen: list, posyandu_seen: list) -> _Frame:
    if not visits:
        return _empty_frame()
    frame = _concat(pieces)
    frame.visits = visits
    frame.desa_seen = np.unique(np.concatenate(desa_seen))
    frame.posyandu_seen = np.unique(np.concatenate(posyandu_seen))
    return frame


def _pull(measurements, period: Period) -> _Frame:
    """The period's rows that the figures read (:func:`_latest_rows`), with the count of its
    visits and the desa and posyandu they were at. On PostgreSQL read a block at a time (a
    province's year is 6.7 million visits): each block's children but the last are reduced to
    their rows at once, the last child's rows wait for the next block (it may go on there)."""
    import pyarrow as pa

    qs = measurements.filter(date__gte=period.start, date__lte=period.end).order_by("child_id", "-date")
    types = {"child_id": pa.int64(), "desa_id": pa.string(), "posyandu_id": pa.int64()}
    types |= {c: pa.float64() for c in ("zlen", "zwei", "zwfl")} | {c: pa.bool_() for c in ("flen", "fwei", "fwfl")}
    tables = arrow_io.rows_as_arrow(qs, types, batches=True)
    if tables is None:
        whole = _pull_rows(qs)
        return _reduced([whole.take(_latest_rows(whole))], len(whole), [whole.desa], [whole.posyandu])
    pieces: list[_Frame] = []
    desa_seen, posyandu_seen = [], []
    visits = 0
    carry: _Frame | None = None
    for table in tables:  # PostgreSQL: the same columns, without a Python object per value
        block = _Frame(
            child=arrow_io.arrow_numbers(table, "child_id", dtype=np.int64),
            desa=table.column("desa_id").to_numpy().astype(str),
            posyandu=arrow_io.arrow_numbers(table, "posyandu_id", null=-1, dtype=np.int64),
            z={k: arrow_io.arrow_numbers(table, k) for k in ("zlen", "zwei", "zwfl")},
            f={k: arrow_io.arrow_numbers(table, k, null=False, dtype=bool) for k in ("flen", "fwei", "fwfl")},
        )
        del table
        visits += len(block)
        desa_seen.append(np.unique(block.desa))
        posyandu_seen.append(np.unique(block.posyandu))
        if carry is not None:
            block = _concat([carry, block])
        last = np.searchsorted(block.child, block.child[-1])  # the last child's first row
        carry = block.take(slice(last, None))
        done = block.take(slice(0, last))
        if len(done):
            pieces.append(done.take(_latest_rows(done)))
    if carry is not None:
        pieces.append(carry.take(_latest_rows(carry)))
    return _reduced(pieces, visits, desa_seen, posyandu_seen)


def _pull_rows(qs) -> _Frame:
    """:func:`_pull` row by row (SQLite)."""
    rows = list(qs.values_list(*_COLUMNS))
    if not rows:
        return _empty_frame()
    cols = list(zip(*rows))
    c = dict(zip(_COLUMNS, cols))
    posy = (
        np.array([-1 if v is None else v for v in c["posyandu_id"]], dtype=np.int64)
        if None in c["posyandu_id"]
        else np.array(c["posyandu_id"], dtype=np.int64)
    )
    return _Frame(
        child=np.array(c["child_id"], dtype=np.int64),
        desa=np.array(c["desa_id"], dtype=str),
        posyandu=posy,
        z={k: np.array(c[k], dtype=float) for k in ("zlen", "zwei", "zwfl")},
        f={k: np.array(c[k], dtype=float) == 1 for k in ("flen", "fwei", "fwfl")},
    )


def _latest_with(frame: _Frame, zcol: str) -> np.ndarray:
    """Row indices: each child's latest measurement carrying ``zcol`` (flagged or not)."""
    has = np.flatnonzero(~np.isnan(frame.z[zcol]))
    _, first = np.unique(frame.child[has], return_index=True)
    return has[first]


def _latest_any(frame: _Frame) -> np.ndarray:
    _, first = np.unique(frame.child, return_index=True)
    return first


# ============================================================================ areas
@dataclass
class _Areas:
    """Names and parents of the areas met in the data (small dictionaries, not per row)."""

    wilayah: dict  # code -> (name, parent_code)
    posyandu: dict  # id -> (name, desa_code, puskesmas_id)
    puskesmas: dict  # id -> (name, kecamatan_code)
    desa_puskesmas: dict  # desa code -> puskesmas id (the first that serves it)


def _areas(desa_codes, posyandu_ids) -> _Areas:
    from tumbuh.organisation.models import Posyandu, Puskesmas
    from tumbuh.wilayah.models import Wilayah

    desa_codes = set(desa_codes)
    posy = {
        p: (n, d, k)
        for p, n, d, k in Posyandu.objects.filter(pk__in=[int(i) for i in posyandu_ids if i >= 0]).values_list(
            "pk", "name", "desa_id", "puskesmas_id"
        )
    }
    desa_codes |= {d for _, d, _ in posy.values()}
    kec = {d.rsplit(".", 1)[0] for d in desa_codes}
    kab = {k.rsplit(".", 1)[0] for k in kec}
    wil = {
        c: (n, p or "")
        for c, n, p in Wilayah.objects.filter(code__in=desa_codes | kec | kab).values_list("code", "name", "parent_id")
    }
    dp = {}
    for desa, pk in (
        Puskesmas.desa.through.objects.filter(wilayah_id__in=desa_codes)
        .order_by("puskesmas_id")
        .values_list("wilayah_id", "puskesmas_id")
    ):
        dp.setdefault(desa, pk)
    pk_ids = {k for _, _, k in posy.values()} | set(dp.values())
    pkm = {p: (n, k) for p, n, k in Puskesmas.objects.filter(pk__in=pk_ids).values_list("pk", "name", "kecamatan_id")}
    return _Areas(wil, posy, pkm, dp)


def _parent(code: str) -> str:
    return code.rsplit(".", 1)[0] if "." in code else ""


def _area_keys(frame: _Frame, level: str, areas: _Areas) -> np.ndarray:
    """Per row, the area code at ``level`` ('' when the row has none, e.g. no posyandu)."""
    if len(frame) == 0:
        return np.array([], dtype=str)
    cache = frame.__dict__.setdefault("_keys", {})
    if level in cache:
        return cache[level]
    udesa, inv = np.unique(frame.desa, return_inverse=True)
    inv = inv.ravel()
    if level == "desa":
        out = frame.desa
    elif level == "kecamatan":
        out = np.array([_parent(d) for d in udesa], dtype=str)[inv]
    elif level == "kabupaten":
        out = np.array([_parent(_parent(d)) for d in udesa], dtype=str)[inv]
    else:
        uposy, pinv = np.unique(frame.posyandu, return_inverse=True)
        pinv = pinv.ravel()
        if level == "posyandu":
            out = np.array(["" if p < 0 else str(p) for p in uposy], dtype=str)[pinv]
        else:  # puskesmas: through the posyandu, else the puskesmas serving the desa
            by_posy = np.array([str(areas.posyandu[p][2]) if p in areas.posyandu else "" for p in uposy], dtype="U12")[
                pinv
            ]
            by_desa = np.array(
                [str(areas.desa_puskesmas[d]) if d in areas.desa_puskesmas else "" for d in udesa], dtype="U12"
            )[inv]
            out = np.where(by_posy != "", by_posy, by_desa)
    cache[level] = out
    return out


def _describe(level: str, code: str, areas: _Areas) -> tuple[str, str, str, str]:
    """(name, parent_code, eb_parent_code, wilayah_code) of an area."""
    if level in ("kabupaten", "kecamatan", "desa"):
        name, parent = areas.wilayah.get(code, (code, _parent(code)))
        eb_parent = {"kabupaten": "", "kecamatan": parent, "desa": parent}[level]
        return name, parent, eb_parent, code
    if level == "posyandu":
        name, desa, _ = areas.posyandu.get(int(code), (code, "", None))
        return name, desa, _parent(desa), desa
    name, kec = areas.puskesmas.get(int(code), (code, ""))
    return name, kec, kec, kec


# ============================================================================ denominators
@dataclass
class _Registered:
    """The registered children: per child the index of the (desa, posyandu) pair they are
    registered at and their birth date; per pair its district. Read once for a whole recompute
    (:func:`sharing_reads`): each period counts its own children among them, by pair."""

    pair: np.ndarray  # per child: index into the pairs
    born: np.ndarray  # per child: birth date, days since 1970-01-01
    kab: np.ndarray  # per pair: the desa's kabupaten_code
    pairs: _Frame  # the pairs as a frame of their desa and posyandu (-1: none)


_EPOCH = dt.date(1970, 1, 1)
#: The registered children shared by the periods of one recompute (None: read per period).
_SHARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("tumbuh_dash_shared", default=None)


@contextlib.contextmanager
def sharing_reads():
    """Read what every period needs alike (the registered children) once while the block runs:
    ``refresh_aggregates`` over all periods."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _registered(**only) -> _Registered:
    """The registered children (:class:`_Registered`): all of them, once, while
    :func:`sharing_reads`; else those ``Child.objects.filter(**only)`` gives."""
    from tumbuh.measurements.models import Child

    shared = _SHARED.get()
    if shared is not None and "registered" in shared:
        return shared["registered"]
    import pyarrow as pa

    q = Child.objects.all() if shared is not None else Child.objects.filter(**only)
    types = {
        "desa_id": pa.string(),
        "posyandu_id": pa.int64(),
        "birth_date": pa.date32(),
        "desa__kabupaten_code": pa.string(),
    }
    table = arrow_io.rows_as_arrow(q, types)
    if table is not None:  # PostgreSQL: a province's million children without a Python object each
        desa = table.column("desa_id").to_numpy().astype(str) if table.num_rows else np.array([], dtype=str)
        posy = arrow_io.arrow_numbers(table, "posyandu_id", null=-1, dtype=np.int64)
        born = table.column("birth_date").cast(pa.int32()).to_numpy().astype(np.int64)
        kab = table.column("desa__kabupaten_code").to_numpy().astype(str) if table.num_rows else np.array([], dtype=str)
    else:
        rows = list(q.values_list(*types))
        desa, posy, born, kab = zip(*rows) if rows else ((), (), (), ())
        desa, kab = np.array(desa, dtype=str), np.array(kab, dtype=str)
        posy = np.array([-1 if p is None else p for p in posy], dtype=np.int64)
        born = np.array([(b - _EPOCH).days for b in born], dtype=np.int64)
    udesa, dinv = np.unique(desa, return_inverse=True)
    upair, pinv = np.unique(dinv.ravel() * (int(posy.max(initial=-1)) + 2) + posy + 1, return_inverse=True)
    width = int(posy.max(initial=-1)) + 2
    first = np.unique(pinv.ravel(), return_index=True)[1]
    pairs = _Frame(np.zeros(len(upair), dtype=np.int64), udesa[upair // width], upair % width - 1, {}, {})
    out = _Registered(pinv.ravel(), born, kab[first], pairs)
    if shared is not None:
        shared["registered"] = out
    return out


def _targets(measurement_desa: set, period: Period, level: str, areas: _Areas) -> tuple[dict, dict]:
    """({area: n_target}, {area: source}) — Dukcapil counts where entered, else registered
    children aged 0–59 months on the period's last day (in the districts with visits)."""
    from .models import UnderFivePopulation

    end = period.end
    born_after = dt.date(end.year - 5, end.month, min(end.day, 28))
    kabs = {_parent(_parent(d)) for d in measurement_desa}
    got = areas.__dict__.get(("children", period.key))
    if got is None:
        reg = _registered(birth_date__gt=born_after, birth_date__lte=end, desa__kabupaten_code__in=kabs)
        pairs = reg.pairs.take(slice(None))  # its own frame: the area keys depend on the period's areas
        counted = (reg.born > (born_after - _EPOCH).days) & (reg.born <= (end - _EPOCH).days)
        counted &= np.isin(reg.kab, sorted(kabs))[reg.pair]
        got = (pairs, np.bincount(reg.pair[counted], minlength=len(pairs)))
        areas.__dict__[("children", period.key)] = got
    pairs, per_pair = got
    counts: dict[str, int] = {}
    if per_pair.sum():
        keys = _area_keys(pairs, level, areas)
        uk, kinv = np.unique(keys, return_inverse=True)
        cnt = np.bincount(kinv.ravel(), weights=per_pair, minlength=len(uk))
        counts = {k: int(c) for k, c in zip(uk.tolist(), cnt.tolist()) if k and c}
    sources = {k: "registered" for k in counts}
    if level in ("kabupaten", "kecamatan", "desa"):
        for code, n in UnderFivePopulation.objects.filter(
            year=period.year,
            wilayah__level={"kabupaten": 2, "kecamatan": 3, "desa": 4}[level],
            wilayah__kabupaten_code__in=kabs,
        ).values_list("wilayah_id", "count"):
            counts[code] = n
            sources[code] = "dukcapil"
        for code, n in UnderFivePopulation.objects.filter(year=period.year, wilayah_id__in=kabs).values_list(
            "wilayah_id", "count"
        ):
            if level == "kabupaten":
                counts[code] = n
                sources[code] = "dukcapil"
    return counts, sources


# ============================================================================ small-area estimate
def eb_shrink(cases, n, parents, level: float = 0.95):
    """Empirical-Bayes beta-binomial estimate per area (see the module docstring).

    ``cases``, ``n``: arrays per area; ``parents``: the parent label of each area. Returns
    (eb_r, eb_ll, eb_ul) in percent (NaN where n = 0) and the prior (a, b) per area.
    """
    from scipy.special import betaincinv  # the beta quantile, as scipy.stats.beta.ppf (without importing scipy.stats)

    cases = np.asarray(cases, dtype=float)
    n = np.asarray(n, dtype=float)
    out = np.full((3, len(n)), np.nan)
    if len(n) == 0:
        return out[0], out[1], out[2], np.array([]), np.array([])
    _, pidx = np.unique(np.asarray(parents).astype(str), return_inverse=True)
    pidx = pidx.ravel()
    G = pidx.max() + 1
    has = n > 0
    k = np.bincount(pidx, weights=has, minlength=G)
    sn = np.bincount(pidx, weights=n, minlength=G)
    sx = np.bincount(pidx, weights=cases, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(sn > 0, sx / sn, np.nan)
        p = np.where(has, cases / np.where(has, n, 1), 0.0)
        s2 = np.bincount(pidx, weights=np.where(has, n * (p - mu[pidx]) ** 2, 0.0), minlength=G) / sn
        tau2 = s2 - mu * (1 - mu) * k / sn
        strength = np.where(tau2 > 0, mu * (1 - mu) / tau2 - 1, np.minimum(sn, MAX_PRIOR_STRENGTH))
    strength = np.clip(np.nan_to_num(strength, nan=0.0), 0.0, MAX_PRIOR_STRENGTH)
    a = np.maximum(mu * strength, 1e-3)
    b = np.maximum((1 - mu) * strength, 1e-3)
    # A parent with a single area gives no between-area information: Jeffreys prior instead.
    lonely = k < 2
    a = np.where(lonely, 0.5, a)
    b = np.where(lonely, 0.5, b)
    a, b = np.nan_to_num(a[pidx], nan=0.5), np.nan_to_num(b[pidx], nan=0.5)
    pa_, pb = a + cases, b + n - cases
    tail = (1 - level) / 2
    out[0] = pa_ / (pa_ + pb)
    out[1] = betaincinv(pa_, pb, tail)
    out[2] = betaincinv(pa_, pb, 1 - tail)
    out[:, ~has] = np.nan
    return out[0] * 100, out[1] * 100, out[2] * 100, a, b


# ============================================================================ computing
def _none(v):
    return None if v is None or v != v else float(v)  # v != v: NaN (a Python or numpy float)


def _compute(frame: _Frame, areas: _Areas, period: Period, level: str, indicators=None) -> list[AreaRow]:
    """Rows for one level and the given indicators, domain estimates within each district."""
    indicators = list(indicators or INDICATORS)
    if len(frame) == 0:
        return []
    keys = _area_keys(frame, level, areas)
    kab = _area_keys(frame, "kabupaten", areas)
    # children measured per area (any measurement)
    first = _latest_any(frame)
    ak = keys[first]
    uk, cnt = np.unique(ak[ak != ""], return_counts=True)
    n_children = dict(zip(uk.tolist(), cnt.tolist()))
    targets, sources = _targets(set(frame.desa_codes()), period, level, areas)
    out: list[AreaRow] = []
    for indicator in indicators:
        zcol, fcol, cutoff = INDICATORS[indicator]
        idx = _latest_with(frame, zcol)
        idx = idx[keys[idx] != ""]
        rows: list[AreaRow] = []
        for district in np.unique(kab[idx]).tolist():  # a few districts, not rows
            sel = idx[kab[idx] == district]
            res = prevalence_simple(frame.z[zcol][sel], frame.f[fcol][sel], cutoff=cutoff, groups=keys[sel])
            for i, code in enumerate(res["group"]):
                name, parent, eb_parent, wcode = _describe(level, code, areas)
                rows.append(
                    AreaRow(
                        code=code,
                        name=name,
                        parent_code=parent,
                        level=level,
                        indicator=indicator,
                        n_measured=int(res["n"][i]),
                        cases=int(res["cases"][i]),
                        r=_none(res["r"][i]),
                        se=_none(res["se"][i]),
                        ll=_none(res["ll"][i]),
                        ul=_none(res["ul"][i]),
                        n_children=int(n_children.get(code, 0)),
                        n_target=targets.get(code),
                        target_source=sources.get(code, ""),
                        eb_parent_code=eb_parent,
                        wilayah_code=wcode,
                    )
                )
        if rows:
            if level == "kabupaten":
                for r in rows:
                    r.eb_r, r.eb_ll, r.eb_ul = r.r, r.ll, r.ul
            else:
                er, el, eu, _, _ = eb_shrink(
                    [r.cases for r in rows], [r.n_measured for r in rows], [r.eb_parent_code for r in rows]
                )
                for r, a, b, c in zip(rows, er, el, eu):
                    r.eb_r, r.eb_ll, r.eb_ul = _none(a), _none(b), _none(c)
            for r in rows:
                if r.n_target:
                    r.coverage = 100.0 * r.n_children / r.n_target
        out.extend(rows)
    out.sort(key=lambda r: (r.indicator, r.code))
    return out


def compute_rows(measurements, *, period: Period, level: str, indicator: str) -> list[AreaRow]:
    """The live computation behind :func:`indicator_table` over any ``Measurement`` queryset
    (not filtered further; pass ``policy.visible(user, ...)`` to scope it)."""
    _check(level, indicator)
    frame = _pull(measurements, period)
    areas = _areas(frame.desa_codes(), frame.posyandu_ids())
    return _compute(frame, areas, period, level, [indicator])


def refresh_period(period: Period, *, now: dt.datetime | None = None) -> int:
    """Recompute and store every level and indicator of ``period``, and the data-quality
    metrics of every puskesmas and posyandu (``quality.compute_quality``), computed at ``now``
    (default: the time of the call); returns the prevalence rows written. Tumbuh writes them
    itself (``policy.SYSTEM``), in bulk, with one audit row for the period. One process at a
    time: another that computes the same period is waited for (two writing it at once collided
    on the unique rows)."""
    return refresh_periods([period], now=now)


def same_dates(periods) -> list[list[Period]]:
    """``periods`` (duplicates dropped) grouped by their dates, in the order they first come: a
    round and its month fall in one group, which :func:`refresh_periods` computes once."""
    groups: dict[tuple, list[Period]] = {}
    for p in dict.fromkeys(periods):
        groups.setdefault((p.start, p.end), []).append(p)
    return list(groups.values())


def refresh_periods(periods, *, now: dt.datetime | None = None) -> int:
    """:func:`refresh_period` of each of ``periods`` (in their order), a round and its month
    (the same dates) computed once and stored for both, as each alone would have been; returns
    the prevalence rows written."""
    rows = 0
    for group in same_dates(periods):
        with contextlib.ExitStack() as locks:
            for p in sorted(group, key=lambda p: p.key):  # always in one order: no deadlock
                locks.enter_context(_refreshing(p.key, wait=True))
            rows += _refresh_period(group, now=now)
    return rows


#: The lock of "a page is recomputing stale figures" (the others are a period's key each).
PAGES_REFRESHING = "pages"


def recomputing_for_the_pages():
    """Hold the pages' lock (waiting for it): while held, pages show stored stale figures rather
    than recompute them (``refresh_aggregates --background``, started after an import)."""
    return _refreshing(PAGES_REFRESHING, wait=True)


def _lock_key(name: str) -> int:
    """A PostgreSQL advisory lock's number (signed 64 bits) for a period's key or
    :data:`PAGES_REFRESHING`."""
    digest = hashlib.blake2b(f"tumbuh.dashboards.aggregates:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.contextmanager
def _refreshing(name: str, *, wait: bool):
    """One process at a time holds the lock ``name``: a session advisory lock on PostgreSQL
    (taken again by the same process, it nests). Yields False when another process holds it
    and ``wait`` is off. SQLite lets one writer in at a time by itself."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield True
        return
    key = _lock_key(name)
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
            got = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _refresh_period(periods: list[Period], *, now: dt.datetime | None) -> int:
    """Compute the figures of ``periods`` (periods of the same dates: a round and its month)
    once, and store them for each."""
    from tumbuh.accounts import policy
    from tumbuh.audit.bulk import BulkWrite
    from tumbuh.measurements.models import Measurement

    from .models import AggregateRun, AreaAggregate, QualityAggregate
    from .quality import compute_quality, stored_rows

    t0 = time.perf_counter()
    now = now or timezone.now()
    period = periods[0]
    frame = _pull(Measurement.objects.all(), period)
    areas = _areas(frame.desa_codes(), frame.posyandu_ids())
    rows = []
    coverage = {}  # the data-quality rows' coverage: children measured ÷ targeted, per puskesmas and posyandu
    for level in LEVELS:
        for row in _compute(frame, areas, period, level):
            rows.append(row)
            if row.indicator == "stunting" and level in ("puskesmas", "posyandu"):
                coverage[(level, row.code)] = row.coverage
    n_visits = frame.n_visits
    del frame, areas
    quality = compute_quality(Measurement.objects.all(), period=period, coverage=coverage)
    columns = {f: [getattr(row, f) for row in rows] for f in _FIELDS if f != "name"}
    columns["name"] = [row.name[:150] for row in rows]
    seconds = time.perf_counter() - t0  # the computation, counted for the first period
    try:
        with transaction.atomic():
            for p in periods:
                t = time.perf_counter()
                quality_rows = stored_rows(p, quality, now)
                bulk = BulkWrite(policy.SYSTEM)
                replaced = AreaAggregate.objects.filter(period=p.key).delete()[0]
                bulk.insert(AreaAggregate, columns, same={"period": p.key, "computed_at": now})
                replaced += QualityAggregate.objects.filter(period=p.key).delete()[0]
                bulk.insert_objects(QualityAggregate, quality_rows)
                run, _created = AggregateRun.objects.update_or_create(
                    period=p.key,
                    defaults={
                        "computed_at": now,
                        "stale": False,
                        "n_measurements": n_visits,
                        "seconds": seconds + time.perf_counter() - t,
                    },
                )
                details = {"period": p.key, "measurements": n_visits, "replaced": replaced}
                if p != period:
                    details["computed_with"] = period.key
                bulk.record(
                    f"angka dashboard periode {p.key} dihitung ulang dari {n_visits} pengukuran: {len(rows)} angka "
                    f"prevalensi dan {len(quality_rows)} angka mutu data menggantikan {replaced} angka lama",
                    about=run,
                    details=details,
                )
                seconds = 0.0
    except IntegrityError:  # another process refreshed the same period at the same time
        log.info("aggregates for %s refreshed concurrently", ", ".join(p.key for p in periods))
    return len(rows) * len(periods)


#: The periods whose stored figures the current page build reads (see :func:`reading_periods`).
_READING: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("tumbuh_dash_reading", default=None)


@contextlib.contextmanager
def reading_periods():
    """Collect the keys of the periods read while the block runs (every read of stored figures
    asks :func:`ensure_fresh` first): what a rendered dashboard depends on (``views._cached``)."""
    keys: set[str] = set()
    token = _READING.set(keys)
    try:
        yield keys
    finally:
        _READING.reset(token)


def computed_stamps(keys) -> dict[str, float | None]:
    """When each period of ``keys`` was last computed (a timestamp; None when never): one query.
    A rendered page stays valid while these stay the same; a period marked stale keeps its
    figures (the page's freshness line, rendered per request, says so)."""
    from .models import AggregateRun

    done = dict(AggregateRun.objects.filter(period__in=list(keys)).values_list("period", "computed_at"))
    return {k: done[k].timestamp() if done.get(k) else None for k in sorted(keys)}


def ensure_fresh(period: Period, *, force: bool = False, now: dt.datetime | None = None) -> bool:
    """Compute ``period`` when it never was, or when stale for longer than the maximum age at
    ``now`` (default: the time of the call), unless another page is recomputing stale figures
    (PostgreSQL); True when it did."""
    from .models import AggregateRun

    reading = _READING.get()
    if reading is not None:
        reading.add(period.key)
    now = now or timezone.now()

    def due():
        run = AggregateRun.objects.filter(period=period.key).first()
        return force or run is None or (run.stale and (now - run.computed_at).total_seconds() > _max_age()), run

    is_due, run = due()
    if not is_due:
        return False
    if force or run is None:  # forced, or nothing to show yet: wait for whoever is computing it
        with _refreshing(period.key, wait=True):
            if not due()[0]:
                return False
            refresh_period(period, now=now)
            return True
    # Stale figures (after an import every period is): one page at a time recomputes those it
    # shows, while the other pages show the stored figures, rather than every worker's next
    # page computing them at once.
    with _refreshing(PAGES_REFRESHING, wait=False) as mine:
        if not mine or not due()[0]:  # another page is at it, or did this one meanwhile
            return False
        refresh_period(period, now=now)
        return True


def _from_model(a) -> AreaRow:
    return AreaRow(**{k: getattr(a, k) for k in _FIELDS})


def _scoped(user, within_code: str | None):
    from tumbuh.accounts import policy

    from .models import AreaAggregate

    qs = policy.visible(user, AreaAggregate.objects.all())
    if within_code:
        from django.db.models import Q

        qs = qs.filter(Q(wilayah_code=within_code) | Q(wilayah_code__startswith=within_code + "."))
    return qs


def _live() -> bool:
    """``TUMBUH_DASHBOARD_LIVE=1``: compute every table from the measurements on each request
    instead of reading :class:`AreaAggregate` (the peer in ``bench/bench_dashboard.py``)."""
    import os

    return bool(getattr(settings, "TUMBUH_DASHBOARD_LIVE", os.environ.get("TUMBUH_DASHBOARD_LIVE") == "1"))


def _live_rows(user, within_code: str | None, level: str, period: Period, indicator: str) -> list[AreaRow]:
    """:func:`indicator_table` computed live: :func:`compute_rows` over the measurements the
    user may see in the district of ``within_code`` (a district is one domain), then the rows
    inside ``within_code``."""
    from tumbuh.accounts import policy
    from tumbuh.measurements.models import Measurement

    ms = policy.visible(user, Measurement.objects.all())
    if within_code:
        ms = ms.filter(desa__code__startswith=".".join(within_code.split(".")[:2]) + ".")
    rows = compute_rows(ms, period=period, level=level, indicator=indicator)
    if within_code:
        rows = [r for r in rows if r.wilayah_code == within_code or r.wilayah_code.startswith(within_code + ".")]
    return sorted(rows, key=lambda r: r.code)


def _labelled(rows: list[AreaRow]) -> list[AreaRow]:
    """Posyandu rows named with their desa (and puskesmas, when the rows span several), as
    every list of posyandu is (``organisation.models.posyandu_labels``): the figures keep a
    posyandu's own name, which repeats from one desa to the next."""
    from tumbuh.organisation.models import posyandu_labels

    posyandu = [r for r in rows if r.level == "posyandu" and r.code.isdigit()]
    if posyandu:
        labels = posyandu_labels({int(r.code) for r in posyandu})
        for r in posyandu:
            r.name = labels.get(int(r.code), r.name)
    return rows


def indicator_table(*, user, within_code: str | None, level: str, period: Period, indicator: str) -> list[AreaRow]:
    """Rows of ``level`` lying inside region ``within_code`` (None: the user's whole scope),
    for ``period`` and ``indicator``, limited to what ``user`` may see, sorted by code.

    ``level="kabupaten"`` gives one row per district (the district total).
    Raises ValueError for an unknown level or indicator.
    """
    _check(level, indicator)
    if _live():
        return _labelled(_live_rows(user, within_code, level, period, indicator))
    ensure_fresh(period)
    qs = _scoped(user, within_code).filter(period=period.key, level=level, indicator=indicator).order_by("code")
    return _labelled([_from_model(a) for a in qs])


def _span():
    """First and last measurement dates in Tumbuh (two index look-ups; not sensitive, so not scoped)."""
    from tumbuh.measurements.models import Measurement

    first = Measurement.objects.order_by("date").values_list("date", flat=True).first()
    last = Measurement.objects.order_by("-date").values_list("date", flat=True).first()
    return first, last


def latest_period(*, user=None, kind: str = "round") -> Period | None:
    """The latest period of ``kind`` up to the last measurement date (for a round: the latest
    February or August round that started on or before it)."""
    _first, last = _span()
    if last is None:
        return None
    return {
        "round": Period.round_containing,
        "month": lambda d: Period.month_of(d.year, d.month),
        "year": lambda d: Period.year_of(d.year),
    }[kind](last)


def available_periods(*, user=None, kind: str = "round") -> list[Period]:
    """Periods of ``kind`` from the first to the last measurement date, newest first."""
    first, last = _span()
    if first is None:
        return []
    return list(reversed(periods_between(first, last, kind)))


def period_choices(*, user=None) -> list[tuple[str, list[Period]]]:
    """The periods a page offers, grouped for a ``<select>``: rounds, years, months (newest
    first within each), as (group label, periods)."""
    from django.utils.translation import gettext as _

    return [
        (label, available_periods(user=user, kind=kind))
        for kind, label in (("round", _("Rounds")), ("year", _("Years")), ("month", _("Months")))
    ]


def trend(
    *, user, code: str, level: str, indicator: str, kind: str = "round", last: int = 6, until: Period | None = None
) -> list[tuple[Period, AreaRow | None]]:
    """The area ``code`` of ``level`` over the ``last`` periods of ``kind`` ending at ``until``
    (default: the latest period with data), oldest first; None where the area had no data."""
    _check(level, indicator)
    until = until or latest_period(user=user, kind=kind)
    if until is None:
        return []
    periods = [until]
    while len(periods) < last:
        periods.append(periods[-1].previous())
    periods.reverse()
    if _live():
        found = {
            p.key: _labelled([r for r in _live_rows(user, code, level, p, indicator) if r.code == code])
            for p in periods
        }
        return [(p, found[p.key][0] if found[p.key] else None) for p in periods]
    for p in periods:
        ensure_fresh(p)
    found = {
        a.period: _from_model(a)
        for a in _scoped(user, None).filter(
            period__in=[p.key for p in periods], level=level, indicator=indicator, code=code
        )
    }
    _labelled(list(found.values()))
    return [(p, found.get(p.key)) for p in periods]


def freshness(*, user, period: Period) -> Freshness:
    """When ``period`` was computed, whether it is stale, and how many measurements the user
    can see were saved since."""
    from tumbuh.accounts import policy
    from tumbuh.measurements.models import Measurement

    from .models import AggregateRun

    run = AggregateRun.objects.filter(period=period.key).first()
    if run is None:
        return Freshness(None, True, 0)
    if not run.stale:
        # Saving or deleting a measurement marks its periods stale (signal), an e-PPGBM batch
        # marks all: a run that is not stale has nothing pending, and the count below (a scan
        # of the period's measurements, 0.25 s at 2 million visits) is not needed.
        return Freshness(run.computed_at, False, 0)
    from django.core.cache import cache

    key = f"tumbuh:dash:pending:{user.pk}:{period.key}:{run.computed_at.timestamp()}"
    pending = cache.get(key)
    if pending is None:
        pending = policy.visible(
            user,
            Measurement.objects.filter(date__gte=period.start, date__lte=period.end, updated_at__gt=run.computed_at),
        ).count()
        cache.set(key, pending, PENDING_CACHE_SECONDS)
    return Freshness(run.computed_at, True, pending)
