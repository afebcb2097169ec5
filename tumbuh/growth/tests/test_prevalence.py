"""Prevalence estimates: agreement with R's survey package, closed forms, edges."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from tumbuh.growth.prevalence import (
    PrevalenceAccumulator,
    logit_ci,
    output_columns,
    prevalence,
    prevalence_file,
    prevalence_simple,
    t_quantile,
)

REF = os.path.join(os.path.dirname(__file__), "reference", "prevalence")
SCENARIOS = {
    "simple": {},
    "weights": {"weight": "sw"},
    "strata_weights": {"strata": "strata", "weight": "sw"},
    "cluster": {"cluster": "cluster"},
    "full": {"cluster": "cluster", "strata": "strata", "weight": "sw"},
}
PREV_NAMES = [c[:-2] for c in output_columns() if c.endswith("_r") and c[:-2] not in ("HA", "WA", "BMI", "WH")]
RTOL = 1e-9
ATOL = 1e-12


def read_input() -> pa.Table:
    types = {c: pa.string() for c in ("sex", "desa", "cluster", "strata", "oedema")}
    return pacsv.read_csv(os.path.join(REF, "input.csv"), convert_options=pacsv.ConvertOptions(column_types=types))


def read_expected(name: str):
    return pacsv.read_csv(os.path.join(REF, f"expected_{name}.csv")).to_pandas()


def col(df, name):
    return df[name].to_numpy(dtype=float)


def assert_close(got, exp, *, rtol=RTOL, atol=ATOL, what=""):
    got = np.asarray(got, dtype=float)
    exp = np.asarray(exp, dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(exp)), f"{what}: missing values differ"
    ok = ~np.isnan(exp)
    np.testing.assert_allclose(got[ok], exp[ok], rtol=rtol, atol=atol, err_msg=what)


def z_table(zlen, *, zwfl=None, zwei=None, zbmi=None, sex=1, age_days=800, oedema="n", **extra):
    n = len(zlen)
    nan = np.full(n, np.nan)
    cols = {
        "zlen": np.asarray(zlen, dtype=float),
        "zwei": nan if zwei is None else np.asarray(zwei, dtype=float),
        "zwfl": nan if zwfl is None else np.asarray(zwfl, dtype=float),
        "zbmi": nan if zbmi is None else np.asarray(zbmi, dtype=float),
        "sex": np.broadcast_to(np.asarray(sex), (n,)).copy(),
        "age_days": np.broadcast_to(np.asarray(age_days, dtype=float), (n,)).copy(),
        "oedema": np.broadcast_to(np.asarray(oedema, dtype=object), (n,)).copy(),
    }
    cols.update(extra)
    return cols


def row(table: pa.Table, group: str) -> dict:
    groups = table.column("Group").to_pylist()
    i = groups.index(group)
    return {c: table.column(c)[i].as_py() for c in table.column_names}


# --------------------------------------------------------------------------- agreement with R
@pytest.fixture(scope="module")
def ref_input():
    return read_input()


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_it_matches_r_survey(scenario, ref_input):
    exp = read_expected(scenario)
    got = prevalence(ref_input, by=["desa"], **SCENARIOS[scenario]).to_pandas()
    assert list(got["Group"]) == list(exp["Group"])
    for name in output_columns()[1:]:
        if name.endswith(("_ll", "_ul")) and name[:-3] in PREV_NAMES:
            continue  # intervals of proportions: below
        assert_close(col(got, name), col(exp, name), what=f"{scenario} {name}")
    for name in PREV_NAMES:
        r = col(exp, f"{name}_r")
        inner = (r > 0) & (r < 100)
        for side in ("ll", "ul"):
            g = col(got, f"{name}_{side}")
            # closed-form logit interval (svyciprop method "xlogit"): to rounding
            assert_close(g[inner], col(exp, f"{name}_{side}x")[inner], what=f"{scenario} {name}_{side}")
            # WHO's call (svyciprop "logit", a glm): to its IRLS convergence
            assert_close(g[inner], col(exp, f"{name}_{side}")[inner], rtol=1e-5, what=name)
        # boundaries: degenerate interval, where R's glm returns a numerically odd one
        for value in (0.0, 100.0):
            at = r == value
            np.testing.assert_array_equal(col(got, f"{name}_ll")[at], value)
            np.testing.assert_array_equal(col(got, f"{name}_ul")[at], value)


def test_reference_data_cover_the_hard_cases(ref_input):
    full = read_expected("full")
    # a stratum with one PSU (lonely), a desa inside one cluster, zero-weight cluster
    assert int(full["df"][0]) == 45 - 1 - 6  # cluster 7 has no weights: not counted
    assert (col(full, "HA_2_r") == 0).sum() >= 0
    assert (col(read_expected("simple"), "HA3_r") == 0).any()  # 0 % boundaries present
    info = PrevalenceAccumulator(cluster="cluster", strata="strata", weight="sw")
    info.update(ref_input)
    d = info.design_info()
    assert d["mode"] == "clusters" and d["df"] == 38
    assert sorted(d["n_h"].tolist()) == [1, 7, 8, 9, 10, 10]


@pytest.mark.parametrize("batch_size", [97, 1000])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_streaming_over_batches_gives_the_same_answer(tmp_path, ref_input, batch_size, fmt):
    kw = SCENARIOS["full"]
    one_shot = prevalence(ref_input, by=["desa"], **kw).to_pandas()
    path = tmp_path / f"z.{fmt}"
    if fmt == "csv":
        pacsv.write_csv(ref_input, path)
    else:
        import pyarrow.parquet as pq

        pq.write_table(ref_input, path)
    streamed = prevalence_file(path, batch_size=batch_size, by=["desa"], **kw).to_pandas()
    assert list(streamed["Group"]) == list(one_shot["Group"])
    for name in output_columns()[1:]:
        assert_close(col(streamed, name), col(one_shot, name), rtol=1e-11, what=name)


# --------------------------------------------------------------------------- closed forms
def test_simple_prevalence_matches_a_hand_computation():
    z = [-2.5, -1.0, 0.0, -3.5, np.nan]
    # N = 5 rows, n = 4 valid, 2 below -2 -> r = 0.5
    N, n, r = 5, 4, 0.5
    se = math.sqrt(N / (N - 1)) / n * math.sqrt(4 * 0.25)
    t = 2.7764451051977934  # qt(0.975, 4)
    half = t * se / (r * (1 - r))
    ll, ul = 1 / (1 + math.exp(half)), 1 / (1 + math.exp(-half))
    got = prevalence_simple(z, cutoff=-2)
    assert got["n"] == 4 and got["cases"] == 2
    assert got["r"] == pytest.approx(50.0, rel=1e-15)
    assert got["se"] == pytest.approx(se * 100, rel=1e-14)
    assert got["ll"] == pytest.approx(ll * 100, rel=1e-12)
    assert got["ul"] == pytest.approx(ul * 100, rel=1e-12)
    # the full engine agrees on the "All" row
    full = row(prevalence(z_table(z)), "All")
    assert full["HA_2_r"] == pytest.approx(50.0, rel=1e-15)
    assert full["HA_2_se"] == pytest.approx(se * 100, rel=1e-12)
    assert full["HA_2_ll"] == pytest.approx(ll * 100, rel=1e-12)
    assert full["HAZ_pop"] == 4 and full["HAZ_unwpop"] == 4
    # mean z: closed form SE = sqrt(N/(N-1))/n * sqrt(sum (x - mean)^2), t on N-1 df
    x = np.array([-2.5, -1.0, 0.0, -3.5])
    m = x.mean()
    se_m = math.sqrt(N / (N - 1)) / n * math.sqrt(((x - m) ** 2).sum())
    assert full["HA_r"] == pytest.approx(m, rel=1e-15)
    assert full["HA_se"] == pytest.approx(se_m, rel=1e-13)
    assert full["HA_ll"] == pytest.approx(m - t * se_m, rel=1e-12)
    assert full["HA_stdev"] == pytest.approx(x.std(ddof=1), rel=1e-13)


def test_t_quantile_matches_r():
    # qt(0.975, c(1, 4, 38, 2945)) from R 4.2.2
    assert t_quantile(1) == pytest.approx(12.7062047361746941, rel=1e-13)
    assert t_quantile(4) == pytest.approx(2.7764451051977934, rel=1e-13)
    assert t_quantile(38) == pytest.approx(2.0243941639119694, rel=1e-13)
    assert t_quantile(2945) == pytest.approx(1.9607698351100551, rel=1e-13)
    assert math.isnan(t_quantile(0))


def test_weighted_closed_form_without_design():
    # weights only: r = sum(w y)/sum(w); SE = sqrt(N/(N-1))/W * sqrt(sum (w (y - r))^2)
    z = np.array([-2.5, -1.0, 0.3, -2.2, -0.4, np.nan])
    w = np.array([1.0, 2.0, 0.5, 3.0, 1.5, 2.0])
    y = (z < -2).astype(float)
    ok = ~np.isnan(z)
    W = w[ok].sum()
    r = (w[ok] * y[ok]).sum() / W
    N = len(z)
    se = math.sqrt(N / (N - 1)) / W * math.sqrt(((w[ok] * (y[ok] - r)) ** 2).sum())
    got = row(prevalence(z_table(z, sw=w), weight="sw"), "All")
    assert got["HA_2_r"] == pytest.approx(100 * r, rel=1e-14)
    assert got["HA_2_se"] == pytest.approx(100 * se, rel=1e-13)
    assert got["HAZ_pop"] == pytest.approx(W)
    assert got["HAZ_unwpop"] == 5
    m = (w[ok] * z[ok]).sum() / W
    sd = math.sqrt((w[ok] / W * (z[ok] - m) ** 2).sum() * 5 / 4)
    assert got["HA_r"] == pytest.approx(m, rel=1e-14)
    assert got["HA_stdev"] == pytest.approx(sd, rel=1e-13)


def test_lonely_psu_is_centred_at_zero_as_survey_adjust():
    # stratum 1: clusters a, b; stratum 2: one cluster c (lonely). Unweighted, one group.
    z = np.array([-2.5, -1.0, -2.1, 0.5, -3.0, -0.2, 0.1])
    clus = np.array(["a", "a", "b", "b", "c", "c", "c"], dtype=object)
    strat = np.array([1, 1, 1, 1, 2, 2, 2])
    y = (z < -2).astype(float)
    n = len(z)
    r = y.mean()
    u = (y - r) / n
    tot = {c: u[clus == c].sum() for c in "abc"}
    mean1 = (tot["a"] + tot["b"]) / 2
    var = 2 / 1 * ((tot["a"] - mean1) ** 2 + (tot["b"] - mean1) ** 2) + tot["c"] ** 2
    got = row(prevalence(z_table(z, cl=clus, st=strat), cluster="cl", strata="st"), "All")
    assert got["HA_2_se"] == pytest.approx(100 * math.sqrt(var), rel=1e-13)
    # df = clusters - strata = 3 - 2 = 1
    ll, ul = logit_ci(r, math.sqrt(var), t_quantile(1))
    assert got["HA_2_ll"] == pytest.approx(100 * float(ll), rel=1e-12)


# --------------------------------------------------------------------------- edges
def test_zero_and_hundred_percent_have_degenerate_intervals():
    none = prevalence_simple([0.1, -1.0, 0.5], cutoff=-2)
    assert (none["r"], none["ll"], none["ul"]) == (0.0, 0.0, 0.0)
    every = prevalence_simple([-2.1, -3.0, -2.5], cutoff=-2)
    assert (every["r"], every["ll"], every["ul"]) == (100.0, 100.0, 100.0)
    z = np.array([-2.1, -3.0, -2.5, -2.2])
    got = row(prevalence(z_table(z, cl=np.array(["a", "a", "b", "b"], dtype=object)), cluster="cl"), "All")
    assert (got["HA_2_r"], got["HA_2_ll"], got["HA_2_ul"]) == (100.0, 100.0, 100.0)
    assert (got["HA3_r"], got["HA3_ll"], got["HA3_ul"]) == (0.0, 0.0, 0.0)


def test_one_percent_gets_a_real_interval_unlike_who():
    # WHO's survey path compares the percentage with 1 and would print [1, 1] here.
    z = np.zeros(100)
    z[0] = -2.5
    clusters = np.repeat(np.arange(10), 10).astype(str)
    got = row(prevalence(z_table(z, cl=clusters), cluster="cl"), "All")
    assert got["HA_2_r"] == pytest.approx(1.0)
    assert got["HA_2_ll"] < 1.0 < got["HA_2_ul"]
    se = got["HA_2_se"] / 100
    ll, ul = logit_ci(0.01, se, t_quantile(9))
    assert got["HA_2_ll"] == pytest.approx(100 * float(ll), rel=1e-12)
    assert got["HA_2_ul"] == pytest.approx(100 * float(ul), rel=1e-12)
    simple = prevalence_simple(z, cutoff=-2)
    assert simple["ll"] < 1.0 < simple["ul"]


def test_empty_groups_have_zero_counts_and_missing_estimates():
    table = prevalence(z_table([-2.5, -1.0, 0.3, -2.2, -1.1], age_days=[1001, 1000, 1010, 1000, 1000]))
    assert table.num_rows == 21  # All + 6 age groups + 2 sexes + 12 age x sex
    female = row(table, "Sex: Female")
    for name, value in female.items():
        if name == "Group":
            continue
        if name.endswith("pop"):
            assert value == 0, name
        else:
            assert value is None or math.isnan(value), name


def test_a_single_observation_has_no_standard_deviation():
    table = prevalence(z_table([-2.5, -1.0, 0.3], sex=[1, 1, 2]))
    assert math.isnan(row(table, "Sex: Female")["HA_stdev"])
    assert not math.isnan(row(table, "Sex: Male")["HA_stdev"])


def test_groups_and_columns_are_in_who_order():
    table = prevalence(z_table([-2.5, -1.0, 0.3, -2.2], sex=[1, 2, 2, 1], age_days=[100, 400, 800, 1500]))
    cols = table.column_names
    assert cols[:3] == ["Group", "HAZ_pop", "HAZ_unwpop"]
    assert cols[3] == "HA_3_r" and cols[7] == "HA_2_r" and cols[27] == "HA_r"
    assert cols[32] == "WAZ_pop"
    assert cols[-10:] == [
        "HA_2_WH_2_pop",
        "HA_2_WH_2_unwpop",
        "HA_2_WH_2_r",
        "HA_2_WH_2_se",
        "HA_2_WH_2_ll",
        "HA_2_WH_2_ul",
        "HA_2_WH2_r",
        "HA_2_WH2_se",
        "HA_2_WH2_ll",
        "HA_2_WH2_ul",
    ]
    groups = table.column("Group").to_pylist()
    assert groups[:9] == [
        "All",
        "Age group: 00-05 mo",
        "Age group: 06-11 mo",
        "Age group: 12-23 mo",
        "Age group: 24-35 mo",
        "Age group: 36-47 mo",
        "Age group: 48-59 mo",
        "Sex: Female",
        "Sex: Male",
    ]
    assert groups[9] == "Age + sex: 00-05 mo.Female" and groups[15] == "Age + sex: 00-05 mo.Male"


def test_rows_are_excluded_like_who():
    acc = PrevalenceAccumulator(cluster="cl", weight="w")
    acc.update(
        z_table(
            [-2.5, -1.0, 0.3, -2.2, -3.0],
            age_days=[1826.4, 1826.5, 100, 200, 300],  # 1826.5 rounds to 1827: dropped
            cl=np.array(["a", "a", None, "b", "b"], dtype=object),  # missing cluster: dropped
            w=np.array([1.0, 1.0, 1.0, np.nan, 2.0]),  # missing weight: 0
        )
    )
    assert acc.rows_excluded_age == 1
    assert acc.rows_excluded_design == 1
    assert acc.rows_missing_weight == 1
    got = row(acc.result(), "All")
    assert got["HAZ_unwpop"] == 3 and got["HAZ_pop"] == 3.0
    assert any("1826" in m for m in acc.warnings())


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="Negative"):
        prevalence(z_table([-1.0, 0.0], w=[1.0, -1.0]), weight="w")


def test_oedema_counts_as_severe_in_prevalence_but_not_in_the_mean():
    z = z_table(
        [-1.0, -1.0, -1.0, -1.0],
        zwei=[-1.0, 0.0, np.nan, 1.0],
        zwfl=[-1.0, 0.0, np.nan, 1.0],
        oedema=["n", "n", "y", "n"],
    )
    got = row(prevalence(z), "All")
    assert got["WAZ_pop"] == 4 and got["WHZ_pop"] == 4
    assert got["WA_3_r"] == pytest.approx(25.0)  # the oedema child, at -3.1
    assert got["WH_2_r"] == pytest.approx(25.0)
    assert got["WA_r"] == pytest.approx(0.0)  # mean of -1, 0, 1: oedema excluded
    # combined: stunted & wasted needs zlen < -2
    assert got["HA_2_WH_2_pop"] == 4 and got["HA_2_WH_2_r"] == 0.0


def test_flagged_z_scores_are_missing():
    z = z_table([-7.0, -2.5, -1.0, 0.5], flen=[1, 0, 0, 0])
    got = row(prevalence(z), "All")
    assert got["HAZ_unwpop"] == 3
    assert got["HA_3_r"] == 0.0
    assert got["HA_2_r"] == pytest.approx(100 / 3)


def test_age_groups_use_unrounded_months():
    # 182.6 days = 5.999 months -> 00-05; 182.7 days = 6.0025 months -> 06-11
    table = prevalence(z_table([-1.0, -3.5], age_days=[182.6, 182.7]))
    assert row(table, "Age group: 00-05 mo")["HAZ_unwpop"] == 1
    assert row(table, "Age group: 06-11 mo")["HA_3_r"] == 100.0


def test_age_in_months_and_indonesian_sex_codes():
    table = prevalence({"zlen": [-2.5, -1.0], "age_months": [3.0, 30.0], "sex": ["L", "P"], "oedema": ["n", "n"]})
    assert row(table, "Sex: Male")["HA_2_r"] == 100.0
    assert row(table, "Age + sex: 24-35 mo.Female")["HAZ_unwpop"] == 1


def test_grouping_columns_add_sorted_levels():
    z = z_table([-2.5, -1.0, 0.3, -2.2], desa=np.array(["Tomoni", "Malili", None, "Malili"], dtype=object))
    groups = prevalence(z, by=["desa"]).column("Group").to_pylist()
    assert groups[-2:] == ["desa: Malili", "desa: Tomoni"]
    labelled = prevalence(z, by=["desa"], labels={"desa": "Desa"}).column("Group").to_pylist()
    assert labelled[-1] == "Desa: Tomoni"


def test_simple_by_group_matches_the_full_engine():
    rng = np.random.default_rng(3)
    z = np.round(rng.normal(-1.2, 1.1, 400), 2)
    z[rng.random(400) < 0.05] = np.nan
    desa = rng.choice(["A", "B", "C"], 400)
    simple = prevalence_simple(z, cutoff=-2, groups=desa)
    full = prevalence(z_table(z, desa=desa.astype(object)), by=["desa"])
    for i, g in enumerate(simple["group"]):
        r = row(full, f"desa: {g}")
        assert simple["r"][i] == pytest.approx(r["HA_2_r"], rel=1e-13)
        assert simple["se"][i] == pytest.approx(r["HA_2_se"], rel=1e-12)
        assert simple["ll"][i] == pytest.approx(r["HA_2_ll"], rel=1e-12)


def test_dict_output_and_all_missing_input_raise_cleanly():
    d = prevalence(z_table([-2.5, -1.0]), as_dict=True)
    assert d["Group"][0] == "All" and d["HA_2_r"][0] == 50.0
    with pytest.raises(ValueError, match="removed"):
        prevalence(z_table([-2.5], age_days=[3000]))


def test_the_engine_never_imports_django():
    code = (
        "import sys, tumbuh.growth.prevalence, tumbuh.growth.quality; "
        "sys.exit(int(any(m == 'django' or m.startswith('django.') for m in sys.modules)))"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
