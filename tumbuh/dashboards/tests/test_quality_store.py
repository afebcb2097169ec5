"""Data quality is precomputed with the prevalence aggregates: the page reads stored rows,
which go stale with the aggregates when a measurement changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.models import AggregateRun, QualityAggregate
from tumbuh.dashboards.periods import Period
from tumbuh.dashboards.quality import compute_quality, quality_tables
from tumbuh.measurements.models import Measurement

from .conftest import HARAPAN, make_child, measure

PERIOD = Period.parse("R2025-08")


@pytest.mark.django_db
def test_stored_rows_equal_the_live_computation(alice):
    aggregates.refresh_period(PERIOD)
    stored = {(q.level, q.code): q for q in QualityAggregate.objects.filter(period=PERIOD.key)}
    assert len({lv for lv, _c in stored}) == 2 and len(stored) > 20
    cover = {
        (lv, r.code): r.coverage
        for lv in ("puskesmas", "posyandu")
        for r in aggregates.indicator_table(user=alice, within_code=None, level=lv, period=PERIOD, indicator="stunting")
    }
    live = compute_quality(policy.visible(alice, Measurement.objects.all()), period=PERIOD, coverage=cover)
    assert {(r.level, r.code) for r in live} == set(stored)
    for r in live:
        s = stored[(r.level, r.code)]
        assert (s.n, s.n_eppgbm, s.name, s.wilayah_code) == (r.n, r.n_eppgbm, r.name, r.wilayah_code)
        for attr in ("pct_flagged", "sd_haz", "dps_weight", "dps_height", "heaping", "coverage", "pct_disagree"):
            assert getattr(s, attr) == pytest.approx(getattr(r, attr), nan_ok=True), (r.name, attr)


@pytest.mark.django_db
def test_quality_page_reads_the_stored_rows_and_shows_staleness(client, alice, settings):
    settings.TUMBUH_AGGREGATE_MAX_AGE = 10**9  # stale stays stale (not recomputed) however old the test database
    client.force_login(alice)
    url = reverse("dashboards:quality") + f"?within=73.24.04&period={PERIOD.key}"
    assert client.get(url).status_code == 200  # the first request computes the period
    assert AggregateRun.objects.filter(period=PERIOD.key, stale=False).exists()
    row = (
        QualityAggregate.objects.filter(period=PERIOD.key, level="posyandu", wilayah_code__startswith="73.24.04.")
        .order_by("code")
        .first()
    )
    # the page shows what is stored: an implausibly tight SD written into the stored row shows up
    QualityAggregate.objects.filter(pk=row.pk).update(sd_haz=0.42, n=500)
    from django.core.cache import cache

    cache.clear()
    tables = quality_tables(user=alice, within_code="73.24.04", period=PERIOD)
    mine = next(r for r in tables["posyandu"] if r.code == row.code)
    assert mine.sd_haz == 0.42 and mine.light == "red"
    r = client.get(url)
    assert "0,42" in r.content.decode() or "0.42" in r.content.decode()
    assert not r.context["fresh"].stale
    # a new measurement in the period marks it stale; the page says so
    measure(make_child(HARAPAN, "Baru", birth=dt.date(2024, 1, 1)), dt.date(2025, 8, 20), zlen=-2.5)
    r = client.get(url)
    assert r.context["fresh"].stale and r.context["fresh"].pending == 1
    assert 'data-testid="freshness"' in r.content.decode()
    aggregates.refresh_period(PERIOD)
    assert QualityAggregate.objects.get(period=PERIOD.key, level=row.level, code=row.code).sd_haz != 0.42


@pytest.mark.django_db
def test_one_level_of_the_quality_tables_is_that_level_of_both(alice, settings):
    """``levels=("puskesmas",)`` (the province's page, issue 18) reads no posyandu row and gives
    the puskesmas rows of the whole call, stored or live."""
    aggregates.refresh_period(PERIOD)
    for live in (False, True):
        settings.TUMBUH_DASHBOARD_LIVE = live
        both = quality_tables(user=alice, within_code="73.24", period=PERIOD)
        one = quality_tables(user=alice, within_code="73.24", period=PERIOD, levels=("puskesmas",))
        assert set(one) == {"puskesmas"} and both["posyandu"]
        key = [(r.code, r.light, r.score, r.n) for r in both["puskesmas"]]
        assert [(r.code, r.light, r.score, r.n) for r in one["puskesmas"]] == key and key
