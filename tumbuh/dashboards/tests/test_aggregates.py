"""The dashboards' figures are the growth engine's figures on the same children."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tumbuh.dashboards import aggregates
from tumbuh.dashboards.aggregates import eb_shrink, indicator_table
from tumbuh.dashboards.periods import Period
from tumbuh.growth.prevalence import prevalence_simple
from tumbuh.measurements.models import Measurement

from .conftest import BALANTANG, HARAPAN, ROUND, make_child, measure


def _by_code(rows):
    return {r.code: r for r in rows}


@pytest.mark.django_db
def test_prevalence_by_desa_equals_the_growth_engine(alice):
    """Demo children, August 2025 round: the same children, one latest measurement each,
    through prevalence_simple grouped by desa."""
    period = Period.round(2025, 8)
    rows = _by_code(indicator_table(user=alice, within_code="73.24", level="desa", period=period, indicator="stunting"))
    assert rows, "the demo has measurements in August 2025"
    ms = (
        Measurement.objects.filter(
            date__gte=period.start, date__lte=period.end, desa__kabupaten_code="73.24", zlen__isnull=False
        )
        .order_by("child_id", "-date")
        .values_list("child_id", "desa_id", "zlen", "flen")
    )
    latest = {}
    for child, desa, z, f in ms:
        latest.setdefault(child, (desa, z, f))
    desa, z, f = (np.array(c) for c in zip(*latest.values()))
    engine = prevalence_simple(z.astype(float), f == True, cutoff=-2, groups=desa)  # noqa: E712
    assert list(engine["group"]) == sorted(rows)
    for i, code in enumerate(engine["group"]):
        row = rows[code]
        assert row.n_measured == engine["n"][i]
        assert row.cases == engine["cases"][i]
        for k in ("r", "ll", "ul", "se"):
            assert getattr(row, k) == pytest.approx(engine[k][i], abs=1e-9, nan_ok=True), (code, k)


@pytest.mark.django_db
def test_known_children_once_per_round_and_flags_excluded(alice, known):
    rows = _by_code(
        indicator_table(user=alice, within_code="73.24.04", level="desa", period=ROUND, indicator="stunting")
    )
    b = rows[BALANTANG]
    # 10 + the child measured twice (latest: −1.2, normal); the flagged child does not count.
    assert b.n_measured == 11
    assert b.cases == 3
    assert b.n_children == 12  # measured at all, the flagged child included
    # the engine on the same children: the flagged one passed with its flag
    all_z = np.array(known["balantang"] + [-7.0] + known["harapan"])
    flags = np.array([False] * 11 + [True] + [False] * 4)
    groups = np.array([BALANTANG] * 12 + [HARAPAN] * 4)
    engine = prevalence_simple(all_z, flags, cutoff=-2, groups=groups)
    assert (
        b.r == pytest.approx(engine["r"][1])
        and b.ll == pytest.approx(engine["ll"][1])
        and b.ul == pytest.approx(engine["ul"][1])
    )
    severe = _by_code(
        indicator_table(user=alice, within_code="73.24.04", level="desa", period=ROUND, indicator="severe_stunting")
    )
    assert severe[BALANTANG].cases == 1
    kec = _by_code(
        indicator_table(user=alice, within_code="73.24", level="kecamatan", period=ROUND, indicator="stunting")
    )
    assert kec["73.24.04"].n_measured == 15 and kec["73.24.04"].cases == 5
    kab = indicator_table(user=alice, within_code=None, level="kabupaten", period=ROUND, indicator="stunting")
    assert [(r.code, r.n_measured, r.cases) for r in kab] == [("73.24", 15, 5)]
    posy = indicator_table(user=alice, within_code=BALANTANG, level="posyandu", period=ROUND, indicator="stunting")
    assert sum(r.n_measured for r in posy) == 11


@pytest.mark.django_db
def test_a_weighing_only_visit_after_the_round_does_not_hide_the_length(alice, known):
    child = make_child(HARAPAN, "Timbang saja")
    measure(child, dt.date(2030, 8, 5), zlen=-2.4)
    measure(child, dt.date(2030, 8, 25), zlen=None)  # weighed only
    aggregates.refresh_period(ROUND)
    rows = _by_code(
        indicator_table(user=alice, within_code="73.24.04", level="desa", period=ROUND, indicator="stunting")
    )
    assert rows[HARAPAN].n_measured == 5 and rows[HARAPAN].cases == 3


def test_eb_lies_between_raw_and_parent_and_is_narrower_for_tiny_villages():
    cases = np.array([2, 20, 30, 25, 18])
    n = np.array([3, 100, 120, 110, 90])
    parents = ["k"] * 5
    eb_r, eb_ll, eb_ul, a, b = eb_shrink(cases, n, parents)
    raw = cases / n * 100
    parent = cases.sum() / n.sum() * 100
    for i in range(5):
        lo, hi = sorted([raw[i], parent])
        assert lo - 1e-9 <= eb_r[i] <= hi + 1e-9
    # the tiny village (3 children, 2 stunted) is not "67 %"
    assert eb_r[0] < 40
    engine = prevalence_simple(np.array([-3, -3, 0.0]), None, cutoff=-2)
    assert eb_ul[0] - eb_ll[0] < engine["ul"] - engine["ll"]
    assert eb_ll[0] <= eb_r[0] <= eb_ul[0]


def test_eb_with_villages_that_differ_shrinks_less():
    n = np.array([100, 100, 100, 100])
    same = eb_shrink(np.array([20, 21, 19, 20]), n, ["k"] * 4)[0]
    differ = eb_shrink(np.array([5, 40, 10, 35]), n, ["k"] * 4)[0]
    assert abs(differ[1] - 40) < abs(same[1] - 21) + 19  # stays near its own rate
    assert differ[1] > 35


@pytest.mark.django_db
def test_eb_on_the_page_rows(alice, known):
    rows = _by_code(
        indicator_table(user=alice, within_code="73.24.04", level="desa", period=ROUND, indicator="stunting")
    )
    h = rows[HARAPAN]  # 4 children, 2 stunted (50 %); kecamatan 5/15
    assert h.eb_parent_code == "73.24.04"
    assert 100 * 5 / 15 <= h.eb_r <= 50


@pytest.mark.django_db
def test_a_desa_operator_covers_only_their_village(bob, known):
    assert bob.wilayah_id == BALANTANG
    for level in ("kabupaten", "kecamatan", "puskesmas"):
        assert indicator_table(user=bob, within_code=None, level=level, period=ROUND, indicator="stunting") == []
    rows = indicator_table(user=bob, within_code=None, level="desa", period=ROUND, indicator="stunting")
    assert [r.code for r in rows] == [BALANTANG]
    posy = indicator_table(user=bob, within_code="73.24.04", level="posyandu", period=ROUND, indicator="stunting")
    assert posy and all(r.wilayah_code == BALANTANG for r in posy)
    # asking for the neighbour gives nothing
    assert indicator_table(user=bob, within_code=HARAPAN, level="desa", period=ROUND, indicator="stunting") == []


@pytest.mark.django_db
def test_live_path_scoped_by_policy_agrees(bob, known):
    from tumbuh.accounts import policy

    live = aggregates.compute_rows(
        policy.visible(bob, Measurement.objects.all()), period=ROUND, level="desa", indicator="stunting"
    )
    assert [(r.code, r.n_measured, r.cases) for r in live] == [(BALANTANG, 11, 3)]


@pytest.mark.django_db
def test_saving_a_measurement_marks_the_period_stale(alice, known):
    from tumbuh.dashboards.models import AggregateRun

    indicator_table(user=alice, within_code=None, level="desa", period=ROUND, indicator="stunting")
    assert AggregateRun.objects.get(period=ROUND.key).stale is False
    measure(make_child(HARAPAN, "Baru"), dt.date(2030, 8, 30), zlen=-2.5)
    assert AggregateRun.objects.get(period=ROUND.key).stale is True
    fr = aggregates.freshness(user=alice, period=ROUND)
    assert fr.stale and fr.pending == 1


@pytest.mark.django_db
def test_trend_over_rounds(alice):
    t = aggregates.trend(
        user=alice, code="73.24.04", level="kecamatan", indicator="stunting", last=4, until=Period.round(2025, 8)
    )
    assert [p.key for p, _ in t] == ["R2024-02", "R2024-08", "R2025-02", "R2025-08"]
    assert all(row is not None and row.n_measured > 0 for _, row in t)


@pytest.mark.django_db
def test_unknown_level_or_indicator(alice):
    with pytest.raises(ValueError):
        indicator_table(user=alice, within_code=None, level="rt", period=ROUND, indicator="stunting")
    with pytest.raises(ValueError):
        indicator_table(user=alice, within_code=None, level="desa", period=ROUND, indicator="obesity")


@pytest.mark.django_db
def test_a_refresh_is_written_by_tumbuh_at_the_given_time_with_one_audit_row(alice, known):
    from tumbuh.audit.models import AuditLog
    from tumbuh.dashboards.models import AggregateRun, AreaAggregate, QualityAggregate

    at = dt.datetime(2030, 9, 1, 8, 0, tzinfo=dt.UTC)
    written = aggregates.refresh_period(ROUND, now=at)
    run = AggregateRun.objects.get(period=ROUND.key)
    assert run.computed_at == at and AreaAggregate.objects.filter(period=ROUND.key, computed_at=at).count() == written
    quality = QualityAggregate.objects.filter(period=ROUND.key, computed_at=at).count()
    assert quality > 0
    log = AuditLog.objects.get(object_type="dashboards.aggregaterun", object_id=str(run.pk))
    assert (log.actor, log.actor_name, log.action) == (None, "sistem", "create")
    assert log.after["written"] == {"dashboards.areaaggregate": written, "dashboards.qualityaggregate": quality}
    assert ROUND.key in log.reason and f"{written} angka prevalensi" in log.reason
    # Recomputed: the period's rows are replaced, not added to; one more audit row says so.
    aggregates.refresh_period(ROUND, now=at + dt.timedelta(hours=1))
    assert AreaAggregate.objects.filter(period=ROUND.key).count() == written
    again = AuditLog.objects.filter(object_type="dashboards.aggregaterun", object_id=str(run.pk)).order_by("pk").last()
    assert again.pk != log.pk and again.after["replaced"] == written + quality


@pytest.mark.django_db
def test_a_stale_period_is_recomputed_once_older_than_the_maximum_age_at_the_given_time(alice, known, settings):
    from tumbuh.dashboards.models import AggregateRun

    settings.TUMBUH_AGGREGATE_MAX_AGE = 300
    at = dt.datetime(2030, 9, 1, 8, 0, tzinfo=dt.UTC)
    assert aggregates.ensure_fresh(ROUND, now=at)  # never computed
    AggregateRun.objects.filter(period=ROUND.key).update(stale=True)
    assert not aggregates.ensure_fresh(ROUND, now=at + dt.timedelta(seconds=299))
    assert aggregates.ensure_fresh(ROUND, now=at + dt.timedelta(seconds=301))
    assert AggregateRun.objects.get(period=ROUND.key).computed_at == at + dt.timedelta(seconds=301)


@pytest.mark.django_db
def test_while_one_page_recomputes_stale_figures_the_others_show_the_stored_ones(alice, known, settings):
    """After an import every period is stale, and every worker's next dashboard computed the
    periods it shows (the round and six for the trend, seconds each) at once; two writing the
    same period collided on the unique rows (a 500). On PostgreSQL one page at a time
    recomputes stale figures while the others show the stored ones; a period never computed
    is computed at once, and a forced refresh (``refresh_aggregates``) waits for whoever is
    computing that period."""
    import threading

    import psycopg
    from django.db import connection

    from tumbuh.dashboards.models import AggregateRun

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's advisory locks; SQLite lets one writer in at a time by itself")
    settings.TUMBUH_AGGREGATE_MAX_AGE = 300
    at = dt.datetime(2030, 9, 1, 8, 0, tzinfo=dt.UTC)
    later = at + dt.timedelta(seconds=301)
    february, earlier = Period.round(2025, 2), Period.round(2024, 8)
    assert aggregates.ensure_fresh(ROUND, now=at) and aggregates.ensure_fresh(february, force=True, now=at)
    AggregateRun.objects.filter(period__in=[ROUND.key, february.key]).update(stale=True)
    AggregateRun.objects.filter(period=earlier.key).delete()
    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)  # another worker
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [aggregates._lock_key(aggregates.PAGES_REFRESHING)])
        assert not aggregates.ensure_fresh(ROUND, now=later) and not aggregates.ensure_fresh(february, now=later)
        run = AggregateRun.objects.get(period=ROUND.key)
        assert (run.stale, run.computed_at) == (True, at)
        assert indicator_table(user=alice, within_code="73.24.04", level="desa", period=ROUND, indicator="stunting")
        assert aggregates.ensure_fresh(earlier, now=later)  # never computed: nothing to show, so computed
        other.execute("SELECT pg_advisory_unlock_all()")
        other.execute("SELECT pg_advisory_lock(%s)", [aggregates._lock_key(ROUND.key)])  # computing the round
        released = threading.Timer(0.5, other.close)
        released.start()
        assert aggregates.ensure_fresh(ROUND, force=True, now=later)  # waits for the other, then computes
        released.join()
    finally:
        other.close()
    run = AggregateRun.objects.get(period=ROUND.key)
    assert (run.stale, run.computed_at) == (False, later)
    assert aggregates.ensure_fresh(february, now=later)  # no other page at it: this one recomputes
    assert not aggregates.ensure_fresh(february, now=later)


@pytest.mark.django_db
def test_a_round_and_its_month_computed_together_store_what_each_alone_stores(alice, known):
    """Issue 18: a round and its month cover the same dates; a recompute computes them once and
    stores the figures for both, the very rows each computed alone stores."""
    from tumbuh.audit.models import AuditLog
    from tumbuh.dashboards.models import AggregateRun, AreaAggregate, QualityAggregate

    month = Period.month_of(ROUND.year, ROUND.month)
    skip = {"id", "period", "computed_at"}

    def stored(period):
        area = sorted(
            tuple((k, v) for k, v in a.items() if k not in skip)
            for a in AreaAggregate.objects.filter(period=period.key).values()
        )
        quality = sorted(
            tuple((k, v) for k, v in q.items() if k not in skip)
            for q in QualityAggregate.objects.filter(period=period.key).values()
        )
        return area, quality

    at = dt.datetime(2030, 9, 1, 8, 0, tzinfo=dt.UTC)
    alone_rows = aggregates.refresh_period(ROUND, now=at) + aggregates.refresh_period(month, now=at)
    alone = {p.key: stored(p) for p in (ROUND, month)}
    assert alone[ROUND.key][0] and alone[ROUND.key][1]  # figures and quality rows to compare
    computed = []
    real_pull = aggregates._pull
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(aggregates, "_pull", lambda qs, period: computed.append(period.key) or real_pull(qs, period))
        together_rows = aggregates.refresh_periods([ROUND, month, Period.year_of(ROUND.year)], now=at)
    assert computed == [ROUND.key, f"Y{ROUND.year}"]  # the month was not computed again
    assert together_rows == alone_rows + AreaAggregate.objects.filter(period=f"Y{ROUND.year}").count()
    for p in (ROUND, month):
        assert stored(p) == alone[p.key], p.key
        run = AggregateRun.objects.get(period=p.key)
        assert run.computed_at == at and not run.stale
        last = (
            AuditLog.objects.filter(object_type="dashboards.aggregaterun", object_id=str(run.pk)).order_by("pk").last()
        )
        assert last.reason.startswith(f"angka dashboard periode {p.key} ")
