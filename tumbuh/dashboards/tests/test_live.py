"""The live path (``TUMBUH_DASHBOARD_LIVE``, the benchmark's peer) gives the stored figures."""

from __future__ import annotations

import pytest

from tumbuh.dashboards.aggregates import indicator_table, trend

from .conftest import ROUND


@pytest.mark.django_db
@pytest.mark.parametrize(
    "within,level",
    [("73.24", "kecamatan"), ("73.24.04", "desa"), ("73.24.04.2010", "posyandu"), ("73.24", "kabupaten")],
)
def test_live_rows_equal_the_precomputed_ones(settings, alice, known, within, level):
    stored = indicator_table(user=alice, within_code=within, level=level, period=ROUND, indicator="stunting")
    settings.TUMBUH_DASHBOARD_LIVE = True
    live = indicator_table(user=alice, within_code=within, level=level, period=ROUND, indicator="stunting")
    assert stored
    assert [
        (r.code, r.n_measured, r.cases, round(r.r, 9), round(r.ll, 9), round(r.eb_r, 9), r.n_target) for r in live
    ] == [(r.code, r.n_measured, r.cases, round(r.r, 9), round(r.ll, 9), round(r.eb_r, 9), r.n_target) for r in stored]


@pytest.mark.django_db
def test_live_trend_equals_the_precomputed_one(settings, alice, known):
    stored = trend(user=alice, code="73.24.04", level="kecamatan", indicator="stunting", last=3, until=ROUND)
    settings.TUMBUH_DASHBOARD_LIVE = True
    live = trend(user=alice, code="73.24.04", level="kecamatan", indicator="stunting", last=3, until=ROUND)
    assert [(p.key, r and r.cases) for p, r in live] == [(p.key, r and r.cases) for p, r in stored]
