"""Issue 18: on PostgreSQL a recompute reads the period's visits (and the registered children)
through Arrow (``core.arrow_io.rows_as_arrow``) instead of row by row through Django. The figures
must be exactly those of the row-by-row path, which SQLite still takes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest
from django.db import connection

from tumbuh.core import arrow_io
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.periods import Period
from tumbuh.dashboards.quality import compute_quality
from tumbuh.measurements.models import Measurement

from .conftest import BALANTANG, ROUND, make_child, measure

#: The known children's round, a demo round, a demo month and a demo year.
PERIODS = [ROUND, Period.round(2025, 8), Period.month_of(2024, 5), Period.year_of(2024)]


def _rows(period: Period) -> tuple[list[dict], list[dict]]:
    """Every level's prevalence rows and the quality rows of ``period``, as refresh computes them."""
    frame = aggregates._pull(Measurement.objects.all(), period)
    areas = aggregates._areas(frame.desa_codes(), frame.posyandu_ids())
    rows = [r.as_dict() for level in aggregates.LEVELS for r in aggregates._compute(frame, areas, period, level)]
    coverage = {(r["level"], r["code"]): r["coverage"] for r in rows if r["indicator"] == "stunting"}
    quality = [
        dataclasses.asdict(q) for q in compute_quality(Measurement.objects.all(), period=period, coverage=coverage)
    ]
    return rows, quality


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _assert_identical(got: list[dict], expected: list[dict]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.keys() == e.keys()
        different = {k: (g[k], e[k]) for k in g if not _same(g[k], e[k])}
        assert not different, (g["code"], different)


@pytest.fixture
def odd_rows(known):
    """Beside the known children, two without posyandu: one visit without WHZ, one with a
    flagged WAZ, no length and an e-PPGBM WAZ."""
    child = make_child(BALANTANG, "Tanpa posyandu")
    measure(child, dt.date(2030, 8, 12), zlen=-2.4, zwfl=None, fwfl=False)
    other = make_child(BALANTANG, "Bendera", birth=dt.date(2024, 1, 1))
    measure(other, dt.date(2030, 8, 14), zlen=None, zwei=-6.5, fwei=True, eppgbm_zwei=-6.4)
    return known


@pytest.mark.django_db
def test_arrow_reads_give_the_row_by_row_figures(alice, odd_rows, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the Arrow reads are PostgreSQL's (COPY … TO STDOUT); SQLite reads row by row")
    fast = {p.key: _rows(p) for p in PERIODS}
    assert all(fast[p.key][0] and fast[p.key][1] for p in PERIODS)  # each period has figures to compare
    monkeypatch.setattr(arrow_io, "rows_as_arrow", lambda qs, types, **kw: None)  # the row-by-row path
    for p in PERIODS:
        rows, quality = _rows(p)
        _assert_identical(fast[p.key][0], rows)
        _assert_identical(fast[p.key][1], quality)


@pytest.mark.django_db
def test_arrow_frame_equals_the_row_frame(alice, odd_rows, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    qs = Measurement.objects.filter(date__gte=ROUND.start, date__lte=ROUND.end).order_by("child_id", "-date")
    monkeypatch.setattr(arrow_io, "BLOCK_SIZE", 64)  # a block of a row or two: children cut between blocks
    fast = aggregates._pull(Measurement.objects.all(), ROUND)
    everything = aggregates._pull_rows(qs)
    monkeypatch.setattr(arrow_io, "rows_as_arrow", lambda qs, types, **kw: None)
    slow = aggregates._pull(Measurement.objects.all(), ROUND)
    assert fast.n_visits == slow.n_visits == len(everything) > 15
    assert len(fast) == len(slow) == len(np.unique(everything.child))  # here a row a child
    assert fast.desa_codes() == slow.desa_codes() == np.unique(everything.desa).tolist()
    assert fast.posyandu_ids() == slow.posyandu_ids() == np.unique(everything.posyandu).tolist()
    assert (fast.posyandu == -1).sum() == 2  # the visits without posyandu
    for name in ("child", "desa", "posyandu"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
        assert getattr(fast, name).dtype.kind == getattr(slow, name).dtype.kind
    for k in fast.z:
        assert np.array_equal(fast.z[k], slow.z[k], equal_nan=True), k
    for k in fast.f:
        assert np.array_equal(fast.f[k], slow.f[k]), k
    assert fast.f["fwei"].sum() == 1


def test_the_kept_rows_give_the_latest_of_every_child():
    """A child's latest visit lacks the length, an earlier one has it: both rows stay, and the
    figures' picks among the kept rows are the picks among all."""
    nan = np.nan
    frame = aggregates._Frame(
        child=np.array([1, 1, 1, 2, 2, 3]),
        desa=np.array(["a", "b", "b", "c", "c", "d"]),
        posyandu=np.array([1, 2, 2, 3, 3, -1]),
        z={"zlen": np.array([nan, -2.5, -1.0, 0.1, 0.2, nan]), "zwei": np.array([-1.0, -1.1, -1.2, nan, 0.3, nan]),
           "zwfl": np.array([0.5, nan, nan, 0.4, 0.5, nan])},
        f={k: np.zeros(6, dtype=bool) for k in ("flen", "fwei", "fwfl")},
    )  # fmt: skip
    kept = aggregates._latest_rows(frame)
    assert kept.tolist() == [0, 1, 3, 4, 5]
    small = frame.take(kept)
    assert kept[aggregates._latest_any(small)].tolist() == aggregates._latest_any(frame).tolist()
    for col in ("zlen", "zwei", "zwfl"):
        assert kept[aggregates._latest_with(small, col)].tolist() == aggregates._latest_with(frame, col).tolist()


@pytest.mark.django_db
def test_an_empty_period_reads_as_empty(alice):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    empty = Period.round(2040, 2)
    assert len(aggregates._pull(Measurement.objects.all(), empty)) == 0
    assert compute_quality(Measurement.objects.all(), period=empty, coverage={}) == []
