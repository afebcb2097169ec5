"""Data-quality metrics on constructed data whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumbuh.growth.quality import (
    THRESHOLDS,
    QualityAccumulator,
    digit_preference_score,
    quality,
    quality_table,
    rate,
)


def base(n=600, seed=0, **extra):
    rng = np.random.default_rng(seed)
    d = {
        "zlen": rng.normal(-1.0, 1.0, n),
        "flen": np.zeros(n),
        "zwei": rng.normal(-0.8, 1.0, n),
        "zwfl": rng.normal(-0.2, 1.0, n),
        "zbmi": rng.normal(-0.1, 1.0, n),
        "weight": np.round(rng.uniform(3, 20, n), 1),
        "lenhei": np.round(rng.uniform(50, 110, n), 1),
        "age_days": rng.uniform(0, 1826, n),
        "sex": rng.integers(1, 3, n),
    }
    d.update(extra)
    return d


def test_all_weights_ending_in_zero_give_maximal_digit_preference():
    d = base(weight=np.round(np.random.default_rng(1).uniform(3, 20, 600)))
    w = quality(d)["All"]["digit_preference"]["weight"]
    assert w["counts"][0] == 600 and sum(w["counts"][1:]) == 0
    assert w["dps"] == pytest.approx(100.0)
    assert w["dps_rating"] == "problematic"
    assert w["p_value"] < 1e-100


def test_uniform_digits_give_zero_score():
    counts = [50] * 10
    res = digit_preference_score(counts)
    assert res["dps"] == 0.0 and res["chi2"] == 0.0 and res["p_value"] == pytest.approx(1.0)
    # one digit only: chi2 = 9 n, score 100
    assert digit_preference_score([0, 0, 0, 80, 0, 0, 0, 0, 0, 0])["chi2"] == pytest.approx(9 * 80)


def test_heights_in_whole_and_half_centimetres_are_counted():
    heights = np.where(np.arange(600) % 2 == 0, 80.0, 80.5)
    h = quality(base(lenhei=heights))["All"]["digit_preference"]["lenhei"]
    assert h["pct_whole_or_half_cm"] == 100.0
    assert h["counts"][0] == 300 and h["counts"][5] == 300
    assert h["dps"] == pytest.approx(100 * math.sqrt((2 * 240**2 / 60 + 8 * 60) / (600 * 9)))


def test_births_all_on_the_first_are_heaping():
    dob = np.array([f"2022-{m:02d}-01" for m in np.arange(600) % 12 + 1], dtype=object)
    heap = quality(base(dob=dob))["All"]["age_heaping"]
    day = heap["birth_day"]
    assert day["counts"][0] == 600
    expected_share_day1 = 12 / 365.25
    assert day["ratio_day_1"] == pytest.approx(1 / expected_share_day1)
    assert day["dps_rating"] == "problematic"
    # months are spread evenly: no month heaping
    assert heap["birth_month"]["counts"] == [50] * 12
    assert heap["birth_month"]["dps"] < 3


def test_dates_in_indonesian_format_are_read():
    dob = np.array(["15/08/2021", "01/02/2020", "31/12/2019", ""], dtype=object)
    d = base(n=4, dob=dob)
    day = quality(d)["All"]["age_heaping"]["birth_day"]
    assert day["n"] == 3 and day["counts"][14] == 1 and day["counts"][30] == 1


def test_ages_heaped_at_whole_years_are_detected():
    months = np.tile([11.5, 12.2, 12.5, 12.7, 13.5, 23.5, 24.3, 24.6, 25.5], 50)
    heap = quality(base(n=len(months), age_months=months, age_days=None) | {"age_days": None})
    am = heap["All"]["age_heaping"]["age_months"]
    # peaks: 12 -> 150, 24 -> 100; neighbours: 11, 13 (50 each), 23, 25 (50 each)
    assert am["heaping_6"] > 1.5
    assert am["heaping_6_rating"] == "check"


def test_sex_ratio_and_its_test():
    sex = np.array([1] * 300 + [2] * 200)
    sr = quality(base(n=500, sex=sex))["All"]["sex_ratio"]
    assert sr["ratio"] == pytest.approx(1.5)
    assert sr["pct_male"] == pytest.approx(60.0)
    # chi2 = (300 - 250)^2 / (500 * .25) = 20 on 1 df
    assert sr["p_value"] == pytest.approx(7.744216431044085e-06, rel=1e-9)
    assert sr["rating"] == "problematic"  # p <= 0.001
    balanced = quality(base(n=400, sex=np.array([1, 2] * 200)))["All"]["sex_ratio"]
    assert balanced["p_value"] == pytest.approx(1.0) and balanced["rating"] == "excellent"


def test_age_distribution_by_year_and_age_ratio():
    months = np.concatenate([np.full(100, 3.0), np.full(170, 10.0), np.full(200, 40.0)])
    ad = quality(base(n=len(months), age_months=months) | {"age_days": None})["All"]["age_distribution"]
    assert ad["counts_by_year"] == [270, 0, 0, 200, 0]
    assert ad["n_6_29"] == 170 and ad["n_30_59"] == 200
    assert ad["age_ratio"] == pytest.approx(0.85)
    assert ad["p_value"] == pytest.approx(1.0)
    assert ad["p_equal_years"] < 1e-10


def test_zscore_moments_and_flags():
    z = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 7.0, np.nan, np.nan])
    flags = np.array([0, 0, 0, 0, 0, 1, 0, 0])
    res = quality({"zlen": z, "flen": flags, "sex": np.ones(8)})["All"]["zscores"]["HA"]
    assert res["n_rows"] == 8 and res["n_missing"] == 2 and res["n_flagged"] == 1
    assert res["pct_missing"] == pytest.approx(25.0)
    assert res["pct_flagged"] == pytest.approx(100 / 6)
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    assert res["mean"] == pytest.approx(0.0, abs=1e-15)
    assert res["sd"] == pytest.approx(x.std(ddof=1))
    assert res["skewness"] == pytest.approx(0.0, abs=1e-12)
    m2, m4 = (x**2).mean(), (x**4).mean()
    assert res["kurtosis"] == pytest.approx(m4 / m2**2 - 3)


def test_skewed_distribution_is_rated():
    z = np.random.default_rng(5).exponential(1.0, 5000) - 1.0
    res = quality({"zwfl": z, "sex": np.ones(5000)})["All"]["zscores"]["WH"]
    assert res["skewness"] == pytest.approx(2.0, abs=0.3)  # exponential: skewness 2
    assert res["skewness_rating"] == "problematic"


def test_groups_streaming_and_tidy_table():
    d = base(n=900, desa=np.array(["Tomoni", "Malili", "Angkona"] * 300, dtype=object))
    one = quality(d, by=["desa"])
    assert list(one) == ["All", "desa: Angkona", "desa: Malili", "desa: Tomoni"]
    acc = QualityAccumulator(by=["desa"])
    for i in range(0, 900, 250):
        acc.update({k: v[i : i + 250] for k, v in d.items()})
    streamed = acc.result()
    for g in one:
        assert streamed[g]["zscores"]["HA"]["sd"] == pytest.approx(one[g]["zscores"]["HA"]["sd"], rel=1e-12)
        assert streamed[g]["digit_preference"]["weight"]["counts"] == one[g]["digit_preference"]["weight"]["counts"]
    table = quality_table(one)
    assert table.column_names == ["group", "section", "item", "statistic", "value", "rating", "note"]
    rows = table.to_pylist()
    sd = [r for r in rows if r["group"] == "All" and r["item"] == "HA" and r["statistic"] == "sd"]
    assert len(sd) == 1 and sd[0]["rating"] == "ok" and "Spread" in sd[0]["note"]


def test_ratings_follow_the_thresholds():
    assert rate("sd", 1.0) == "ok" and rate("sd", 1.4) == "check"
    assert rate("dps", 5) == "excellent" and rate("dps", 25) == "problematic"
    assert rate("sex_ratio_p", 0.2) == "excellent" and rate("sex_ratio_p", 0.0001) == "problematic"
    assert rate("skewness", -0.3) == "good"
    assert rate("sd", float("nan")) is None
    for spec in THRESHOLDS.values():
        assert spec["source"] and spec["note"]


def _same(a, b) -> bool:
    """Equal, NaN equal to NaN."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def test_fed_in_batches_the_figures_are_those_of_the_whole_table_to_the_last_bit():
    """Issue 18: a province's year is folded in a block at a time; the sums of z, z², z³, z⁴ go
    on row after row, so every group's moments are exactly those of the table fed whole."""
    rng = np.random.default_rng(7)
    n = 5000
    data = base(n, seed=3, posyandu=rng.integers(1, 40, n), puskesmas=rng.integers(1, 6, n))
    whole = quality(data, by=["puskesmas", "posyandu"])
    acc = QualityAccumulator(by=["puskesmas", "posyandu"])
    for start in range(0, n, 777):
        acc.update({k: v[start : start + 777] for k, v in data.items()})
    assert _same(acc.result(), whole)  # the same floats, not merely close
    brief = acc.result(brief=True)
    assert brief.keys() == whole.keys()
    for label, g in brief.items():
        full = whole[label]
        assert g["n"] == full["n"]
        for ind, z in g["zscores"].items():
            assert {k: z[k] for k in ("pct_flagged", "sd", "mean")} == {
                k: full["zscores"][ind][k] for k in ("pct_flagged", "sd", "mean")
            }
        for what in ("weight", "lenhei"):
            assert g["digit_preference"][what]["dps"] == full["digit_preference"][what]["dps"]
        assert g["age_heaping"]["age_months"]["heaping_6"] == full["age_heaping"]["age_months"]["heaping_6"]
