"""The services recorded with the demo's visits: deterministic, following their rules, written."""

from __future__ import annotations

import numpy as np
import pytest

from tumbuh.demo import children as C
from tumbuh.demo.services import FIELDS, MBG_FROM, RECORDED_FROM, SIX_MONTHS_DAYS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        area = C.demo_area(["73.24.04"])
    return C.generate(area, 400, seed=11)


def test_the_same_seed_gives_the_same_services(data):
    again = C.generate(data.area, 400, seed=11)
    for f in FIELDS:
        assert np.array_equal(again.visits[f], data.visits[f], equal_nan=f == "vitamin_a"), f
    other = C.generate(data.area, 400, seed=12)
    assert not np.array_equal(other.visits["kia_book"][:200], data.visits["kia_book"][:200])


def test_weight_gain_follows_the_visits_as_a_growth_chart_would(data):
    vis = data.visits
    codes = vis["weight_gain"].tolist()
    for i, code in enumerate(codes):
        month = vis["date"][i].astype("datetime64[M]")
        if i == 0 or vis["child"][i - 1] != vis["child"][i]:
            assert code == "B"
        elif month - vis["date"][i - 1].astype("datetime64[M]") != np.timedelta64(1, "M"):
            assert code == "O"
        else:
            assert code == ("N" if vis["weight"][i] > vis["weight"][i - 1] else "T")
    assert {"B", "O", "N", "T"} == set(codes)


def test_vitamin_a_kia_kelas_and_mbg_are_recorded_only_when_the_demo_says(data):
    vis = data.visits
    rounds = vis["is_round"]
    recorded = ~np.isnan(vis["vitamin_a"])
    assert (
        recorded.any() and not (recorded & ~rounds).any() and not (recorded & (vis["age_days"] < SIX_MONTHS_DAYS)).any()
    )
    assert 0.7 < np.nanmean(vis["vitamin_a"]) < 1.0  # most children given a capsule
    kia = vis["kia_book"]
    assert all(k is None for k in kia[~rounds]) and {True, False} == set(kia[rounds].tolist())
    dates = vis["date"].astype("datetime64[D]")
    for f in ("kelas_ibu_balita", "mbg"):
        assert all(v is None for v in vis[f][dates < RECORDED_FROM]) and None not in set(
            vis[f][dates >= RECORDED_FROM].tolist()
        )
    assert not any(vis["mbg"][(dates >= RECORDED_FROM) & (dates < MBG_FROM)]) and any(vis["mbg"][dates >= MBG_FROM])


def test_the_test_databases_demo_visits_carry_them():
    from tumbuh.measurements.models import Measurement, Source

    demo = Measurement.objects.filter(source=Source.DEMO)
    assert not demo.filter(weight_gain="").exists()
    given = demo.filter(vitamin_a__isnull=False)
    assert given.exists() and set(given.values_list("date__month", flat=True).distinct()) <= {2, 8}
    assert demo.filter(date__year=2025, kelas_ibu_balita=True).exists()
    assert not demo.filter(date__year__lt=2025, mbg__isnull=False).exists()
