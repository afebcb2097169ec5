"""Edge cases of WHO's algorithm, and bad input that must never crash a batch."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from tumbuh.growth import tables
from tumbuh.growth.zscores import (
    REASONS,
    anthro_zscores,
    anthroplus_zscores,
    decode_reasons,
    r_round,
    round_half_up,
)

from ._reference import REF


def z2(res, col):
    return r_round(res[col], 2)


# --- rounding -------------------------------------------------------------------------


def test_r_round_matches_r_on_ties_and_near_ties():
    # reference/r_round.csv: 12,013 values (exact .xx5 ties, their float neighbours, random)
    # with R 4.2.2's round(x, 2) and round(x, 3).
    d = np.loadtxt(REF / "r_round.csv", delimiter=",", skiprows=1)
    assert (r_round(d[:, 0], 2) == d[:, 1]).all()
    assert (r_round(d[:, 0], 3) == d[:, 2]).all()
    assert (np.round(d[:, 0], 2) != d[:, 1]).sum() > 100  # numpy's rounding is not R's


def test_r_round_documented_examples():
    assert r_round(-5.985, 2) == -5.98  # Python's round gives -5.99
    assert r_round(-5.7250000000000005, 2) == -5.73  # np.round gives -5.72
    assert np.isnan(r_round(np.nan, 2))


def test_age_rounds_half_up_not_to_even():
    assert round_half_up(np.array([730.5, 730.49, 0.5, 1.5, 2.5])).tolist() == [731, 730, 1, 2, 3]


# --- age --------------------------------------------------------------------------------


def test_730_point_5_days_is_731_and_uses_the_height_table():
    # 730 days: length basis, standing +0.7. 730.5 → day 731: height basis, lying −0.7.
    r = anthro_zscores(
        sex=[1, 1, 1, 1], age_days=[730, 730.5, 730, 730.5], lenhei=85.0, weight=11.0, measure=["h", "h", "l", "l"]
    )
    assert r["clenhei"].tolist() == [85.7, 85.0, 85.0, 84.3]
    wfl = tables.who2006("wfl")
    wfh = tables.who2006("wfh")
    # Row 1 is on the height table at 85.0 cm exactly: z from WFH's own row.
    i = 1 * wfh.stride + 850 - wfh.start
    L, M, S = wfh.L[i], wfh.M[i], wfh.S[i]
    assert r["zwfl"][1] == pytest.approx(((11.0 / M) ** L - 1) / (S * L), abs=1e-12)
    j = 1 * wfl.stride + 850 - wfl.start
    assert r["zwfl"][2] == pytest.approx(((11.0 / wfl.M[j]) ** wfl.L[j] - 1) / (wfl.S[j] * wfl.L[j]), abs=1e-12)


def test_age_limit_is_unrounded_months_below_60():
    r = anthro_zscores(sex=1, age_days=[1826, 1826.24, 1826.25, 1826.3], weight=18.0, lenhei=110.0, measure="h")
    assert np.isfinite(r["zwei"][:2]).all()
    assert np.isnan(r["zwei"][2:]).all()  # 1826.25 days = 60 months exactly
    assert np.isnan(r["zwfl"][2:]).all()
    assert decode_reasons(r["reason"][3]) == ["age_out_of_range"]
    r = anthro_zscores(sex=1, age_months=[59.99, 60, 60.1], weight=18.0)
    assert np.isfinite(r["zwei"][0]) and np.isnan(r["zwei"][1:]).all()


def test_missing_age_still_gives_weight_for_length_chosen_by_measure_then_87cm():
    r = anthro_zscores(sex=1, weight=12.0, lenhei=[86.9, 87.0, 86.9, 87.0, 100.0], measure=[None, None, "h", "l", "l"])
    assert np.isnan(r["zwei"]).all() and np.isnan(r["zlen"]).all()
    assert np.isfinite(r["zwfl"]).all()
    assert all("age_missing" in s for s in r["reason"])
    wfl, wfh = tables.who2006("wfl"), tables.who2006("wfh")

    def z(t, mm, y=12.0):
        i = 1 * t.stride + mm - t.start
        return ((y / t.M[i]) ** t.L[i] - 1) / (t.S[i] * t.L[i])

    assert r["zwfl"][0] == pytest.approx(z(wfl, 869), abs=1e-12)  # no measure, < 87 cm: length table
    assert r["zwfl"][1] == pytest.approx(z(wfh, 870), abs=1e-12)  # no measure, >= 87 cm: height table
    assert r["zwfl"][2] == pytest.approx(z(wfh, 869), abs=1e-12)  # measured standing: height table
    assert r["zwfl"][3] == pytest.approx(z(wfl, 870), abs=1e-12)


def test_weight_for_length_table_limits_are_inclusive():
    r = anthro_zscores(sex=2, age_days=300, weight=8.0, lenhei=[44.99, 45.0, 110.0, 110.01], measure="l")
    assert np.isnan(r["zwfl"][[0, 3]]).all() and np.isfinite(r["zwfl"][[1, 2]]).all()
    assert "wfl_out_of_range" in r["reason"][0] and "wfl_out_of_range" in r["reason"][3]
    r = anthro_zscores(sex=2, age_days=1000, weight=14.0, lenhei=[64.99, 65.0, 120.0, 120.01], measure="h")
    assert np.isnan(r["zwfl"][[0, 3]]).all() and np.isfinite(r["zwfl"][[1, 2]]).all()


def test_interpolation_between_0_1_cm_rows_uses_trunc():
    t = tables.who2006("wfl")
    x = 70.04
    r = anthro_zscores(sex=1, age_days=300, weight=8.5, lenhei=x, measure="l")
    lo = 1 * t.stride + 700 - t.start
    w = (x - 70.0) / 0.1
    L = t.L[lo] + w * (t.L[lo + 1] - t.L[lo])
    M = t.M[lo] + w * (t.M[lo + 1] - t.M[lo])
    S = t.S[lo] + w * (t.S[lo + 1] - t.S[lo])
    assert r["zwfl"][0] == pytest.approx(((8.5 / M) ** L - 1) / (S * L), abs=1e-12)
    # On a row: no interpolation at all.
    r = anthro_zscores(sex=1, age_days=300, weight=8.5, lenhei=70.1, measure="l")
    i = lo + 1
    assert r["zwfl"][0] == pytest.approx(((8.5 / t.M[i]) ** t.L[i] - 1) / (t.S[i] * t.L[i]), abs=1e-12)


def test_standing_under_9_months_drops_the_position_and_the_correction():
    r = anthro_zscores(sex=1, age_months=[8.99, 9.0], lenhei=70.0, measure="h")
    assert r["c9mo_flag"].tolist() == [1, 0]
    assert r["cmeasure"].tolist() == [None, "h"]
    assert r["clenhei"].tolist() == [70.0, 70.7]
    assert decode_reasons(r["reason"][0]) == ["standing_under_9mo"]


def test_arm_circumference_and_skinfolds_start_at_91_days():
    r = anthro_zscores(sex=1, age_days=[90.49, 90.5, 91], armc=12.0, triskin=8.0, subskin=6.0, headc=40.0)
    assert np.isnan(r["zac"][0]) and np.isfinite(r["zac"][1:]).all()
    assert np.isnan(r["zts"][0]) and np.isnan(r["zss"][0])
    assert np.isfinite(r["zhc"]).all()
    assert "age_under_91_days" in r["reason"][0]


# --- restricted LMS and flags -------------------------------------------------------


def _wei_row(sex, day):
    t = tables.who2006("wei")
    i = sex * t.stride + day
    return t.L[i], t.M[i], t.S[i]


def test_restricted_lms_beyond_3_sd():
    L, M, S = _wei_row(1, 365)
    sd = lambda k: M * (1 + L * S * k) ** (1 / L)  # noqa: E731
    for k in (-3.0, 3.0):
        r = anthro_zscores(sex=1, age_days=365, weight=sd(k))
        assert r["zwei"][0] == pytest.approx(k, abs=1e-12)
    y = sd(3) + 1.5 * (sd(3) - sd(2))
    assert anthro_zscores(sex=1, age_days=365, weight=y)["zwei"][0] == pytest.approx(4.5, abs=1e-12)
    y = sd(-3) - 0.5 * (sd(-2) - sd(-3))
    assert anthro_zscores(sex=1, age_days=365, weight=y)["zwei"][0] == pytest.approx(-3.5, abs=1e-12)


def test_length_uses_the_plain_formula_beyond_3_sd():
    t = tables.who2006("len")
    i = 2 * t.stride + 500
    y = t.M[i] * (1 + 4.2 * t.S[i])
    assert anthro_zscores(sex=2, age_days=500, lenhei=y, measure="l")["zlen"][0] == pytest.approx(4.2, abs=1e-12)


def test_flags_use_the_rounded_z_with_strict_inequalities():
    # WAZ: flagged when round(z) > 5 or < -6. z = 5.004 → 5.00 not flagged; 5.006 → 5.01 flagged.
    L, M, S = _wei_row(1, 365)
    sd3, sd2 = (M * (1 + L * S * k) ** (1 / L) for k in (3, 2))
    for z, expected in [(5.004, 0.0), (5.006, 1.0), (4.99, 0.0)]:
        y = sd3 + (z - 3) * (sd3 - sd2)
        r = anthro_zscores(sex=1, age_days=365, weight=y)
        assert r["zwei"][0] == pytest.approx(z, abs=1e-9)
        assert r["fwei"][0] == expected
    sdm3, sdm2 = (M * (1 + L * S * k) ** (1 / L) for k in (-3, -2))
    for z, expected in [(-6.004, 0.0), (-6.006, 1.0), (-5.5, 0.0)]:
        y = sdm3 + (z + 3) * (sdm2 - sdm3)
        r = anthro_zscores(sex=1, age_days=365, weight=y)
        assert r["fwei"][0] == expected


# --- oedema -------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["y", "Y", "1", 1, "ya", "Ya", True])
def test_oedema_removes_weight_based_z_but_keeps_cbmi(code):
    r = anthro_zscores(sex=1, age_days=500, weight=9.5, lenhei=78.0, measure="l", oedema=[code], headc=46.0)
    assert np.isnan(r["zwei"][0]) and np.isnan(r["zwfl"][0]) and np.isnan(r["zbmi"][0])
    assert np.isfinite(r["zlen"][0]) and np.isfinite(r["zhc"][0]) and np.isfinite(r["cbmi"][0])
    assert "oedema" in decode_reasons(r["reason"][0])


@pytest.mark.parametrize("code", ["n", "N", "2", 2, "tidak", "T", None, "", 0])
def test_no_oedema_codes(code):
    r = anthro_zscores(sex=1, age_days=500, weight=9.5, lenhei=78.0, measure="l", oedema=[code])
    assert np.isfinite(r["zwei"][0]) and r["reason"][0] == ""


# --- input coding --------------------------------------------------------------------


def test_sex_codes_including_indonesian():
    r = anthro_zscores(sex=["1", "2", "m", "F", "L", "P", "laki-laki", "Perempuan", 1, 2.0], age_days=400, weight=10.0)
    assert r["csex"].tolist() == [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]
    z1 = anthro_zscores(sex="L", age_days=400, weight=10.0)["zwei"]
    assert z1[0] == anthro_zscores(sex=1, age_days=400, weight=10.0)["zwei"][0]


def test_measure_codes_including_indonesian():
    r = anthro_zscores(sex=1, age_days=400, lenhei=75.0, measure=["terlentang", "berdiri", "L", " h ", "x", None])
    assert r["cmeasure"].tolist() == ["l", "h", "l", "h", None, None]
    assert r["clenhei"].tolist() == [75.0, 75.7, 75.0, 75.7, 75.0, 75.0]
    assert "measure_invalid" in r["reason"][4]


def test_bad_input_never_crashes_and_explains_itself():
    r = anthro_zscores(
        sex=["x", None, 1, 1, 1, 1, 2, 2],
        age_days=[100, 100, "abc", -5, 2000, 300, 300, 300],
        weight=[8, 8, 8, 8, 8, 0, -1, "heavy"],
        lenhei=[70, 70, 70, 70, 70, 70, 70, 0],
        measure=["l", "l", "l", "l", "l", "q", "l", "l"],
        oedema=["n", "n", "n", "n", "n", "maybe", "n", "n"],
    )
    reasons = [decode_reasons(s) for s in r["reason"]]
    assert reasons[0] == ["sex_unknown"]
    assert reasons[1] == ["sex_missing"]
    assert reasons[2] == ["age_invalid"]
    assert reasons[3] == ["age_negative"]
    assert reasons[4] == ["age_out_of_range"]
    assert set(reasons[5]) == {"weight_nonpositive", "measure_invalid", "oedema_invalid"}
    assert reasons[6] == ["weight_nonpositive"]
    assert set(reasons[7]) == {"weight_invalid", "lenhei_nonpositive"}
    assert np.isnan(r["zwei"]).all()
    assert np.isnan(r["zlen"][[0, 1, 2, 3, 4, 7]]).all() and np.isfinite(r["zlen"][[5, 6]]).all()
    assert all(code in REASONS for rs in reasons for code in rs)


def test_decimal_comma_and_text_numbers():
    r = anthro_zscores(sex=1, age_days=["400", " 400 "], weight=["9,5", "9.5"])
    assert r["zwei"][0] == r["zwei"][1] and np.isfinite(r["zwei"][0])
    assert r["reason"].tolist() == ["", ""]


def test_missing_values_give_missing_z_and_a_reason():
    r = anthro_zscores(sex=1, age_days=[400, np.nan], weight=[np.nan, 10.0], lenhei=[None, 80.0], measure="l")
    assert np.isnan(r["zwei"]).all()
    assert set(decode_reasons(r["reason"][0])) == {"weight_missing", "lenhei_missing"}
    assert decode_reasons(r["reason"][1]) == ["age_missing"]
    assert np.isfinite(r["zwfl"][1])  # WFL does not need age


def test_accepts_numpy_pyarrow_lists_scalars_and_pandas():
    pd = pytest.importorskip("pandas")
    base = anthro_zscores(sex=np.array([1, 2]), age_days=np.array([400.0, 500.0]), weight=np.array([10.0, 9.0]))
    for conv in (list, pa.array, pd.Series, lambda v: pa.chunked_array([v[:1], v[1:]])):
        r = anthro_zscores(sex=conv([1, 2]), age_days=conv([400.0, 500.0]), weight=conv([10.0, 9.0]))
        assert (r["zwei"] == base["zwei"]).all()
    r = anthro_zscores(
        sex=pd.Series(["L", "P"], dtype="category"), age_days=pd.Series([400, None], dtype="Int64"), weight=[10.0, 9.0]
    )
    assert r["zwei"][0] == base["zwei"][0] and np.isnan(r["zwei"][1])
    with pytest.raises(ValueError, match="different lengths"):
        anthro_zscores(sex=[1, 2], age_days=[1, 2, 3])


def test_empty_input():
    r = anthro_zscores(sex=[], age_days=[], weight=[])
    assert len(r["zwei"]) == 0 and len(r["reason"]) == 0


def test_round_digits_option():
    r = anthro_zscores(sex=1, age_days=400, weight=10.0, round_digits=2)
    full = anthro_zscores(sex=1, age_days=400, weight=10.0)
    assert r["zwei"][0] == r_round(full["zwei"], 2)[0]
    assert r["zwei"][0] != full["zwei"][0]


def test_block_boundaries_do_not_change_results():
    from tumbuh.growth import zscores

    rng = np.random.default_rng(3)
    n = 70_001
    args = dict(
        sex=rng.integers(1, 3, n),
        age_days=rng.uniform(0, 1800, n),
        weight=rng.uniform(3, 20, n),
        lenhei=rng.uniform(50, 110, n),
        measure=rng.choice(["l", "h"], n),
    )
    a = anthro_zscores(**args)
    old = zscores.BLOCK
    try:
        zscores.BLOCK = 977
        b = anthro_zscores(**args)
    finally:
        zscores.BLOCK = old
    for k in ("zlen", "zwei", "zwfl", "zbmi"):
        assert np.array_equal(a[k], b[k], equal_nan=True)


# --- anthroplus ------------------------------------------------------------------------


def test_anthroplus_age_limits_are_inclusive():
    ages = [59.99, 60, 120, 120.01, 228, 228.01]
    r = anthroplus_zscores(sex=1, age_months=ages, weight=30.0, height=135.0)
    fin = lambda a: np.isfinite(a).tolist()  # noqa: E731
    assert fin(r["zhfa"]) == [False, True, True, True, True, False]
    assert fin(r["zbfa"]) == [False, True, True, True, True, False]
    assert fin(r["zwfa"]) == [False, True, True, False, False, False]
    assert "age_out_of_range" in r["reason"][0] and "age_out_of_range" in r["reason"][3]


def test_anthroplus_interpolates_between_months():
    t = tables.who2007("hfa")
    r = anthroplus_zscores(sex=2, age_months=100.25, height=130.0)
    lo = 2 * t.stride + 100 - 60
    d = 0.25
    M = t.M[lo] + d * (t.M[lo + 1] - t.M[lo])
    S = t.S[lo] + d * (t.S[lo + 1] - t.S[lo])
    assert r["zhfa"][0] == pytest.approx((130.0 / M - 1) / S, abs=1e-13)


def test_anthroplus_oedema_and_documented_example():
    r = anthroplus_zscores(sex=[2, 2], age_months=[60.32, 60.911701], height=[113.8, 113.6], weight=[18.7, 20.5])
    assert z2(r, "zwfa").tolist() == [0.21, 0.79]
    assert z2(r, "zbfa").tolist() == [-0.58, 0.42]
    assert z2(r, "zhfa").tolist() == [0.96, 0.85]
    r = anthroplus_zscores(sex=1, age_months=100, height=130.0, weight=25.0, oedema="y")
    assert np.isnan(r["zwfa"][0]) and np.isnan(r["zbfa"][0]) and np.isfinite(r["zhfa"][0])
    assert np.isnan(r["fwfa"][0])


def test_one_character_codes_fast_path_matches_the_general_path():
    from tumbuh.growth._inputs import to_codes
    from tumbuh.growth.zscores import MEASURE_TEXT

    values = ["l", "H", " ", "x", "-", "h", "L"]
    fast = to_codes(pa.array(values), len(values), MEASURE_TEXT)
    general = to_codes(pa.array(values + [None]), len(values) + 1, MEASURE_TEXT)  # nulls: general path
    for f, g in zip(fast, general):
        assert f.tolist() == g[:-1].tolist()
    assert fast[0].tolist() == [1, 2, 0, 0, 0, 2, 1]
    assert fast[2].tolist() == [False, False, False, True, False, False, False]
    sliced = pa.array(["terlentang"] + values)[1:]  # non-zero offset into the buffers
    assert to_codes(sliced, len(values), MEASURE_TEXT)[0].tolist() == fast[0].tolist()


def test_text_numbers_fast_and_tolerant_paths():
    from tumbuh.growth._inputs import to_float

    v, bad = to_float(pa.array(["9.5", "12", None, "nan"]), 4)
    assert v[:2].tolist() == [9.5, 12.0] and np.isnan(v[2:]).all() and not bad.any()
    v, bad = to_float(pa.array(["9,5", " 3 ", "abc", None, "NA", "inf"]), 6)
    assert v[:2].tolist() == [9.5, 3.0] and np.isnan(v[2:]).all()
    assert bad.tolist() == [False, False, True, False, False, True]


def test_arrow_numbers_with_nulls_of_every_width():
    from decimal import Decimal

    from tumbuh.growth._inputs import to_float

    for typ in (pa.int8(), pa.int64(), pa.uint16(), pa.float16(), pa.float32(), pa.float64()):
        v, bad = to_float(pa.array([7, None, 12], typ), 3)
        assert v.dtype == np.float64, typ
        assert v[[0, 2]].tolist() == [7.0, 12.0] and np.isnan(v[1]) and not bad.any(), typ
    v, _ = to_float(pa.array([0.1], pa.float32()), 1)
    assert v[0] == float(np.float32(0.1))  # widened, not re-read
    v, _ = to_float(pa.array([Decimal("9.25"), None]), 2)
    assert v[0] == 9.25 and np.isnan(v[1])
    v, _ = to_float(pa.array([True, None]), 2)
    assert v[0] == 1.0 and np.isnan(v[1])
