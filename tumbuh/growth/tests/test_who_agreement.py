"""Agreement with WHO's own R packages on every reference row.

reference/anthro_who.csv.gz and reference/anthroplus_who.csv.gz were produced by WHO's
``anthro`` and ``anthroplus`` code (see reference/README.md). WHO prints z rounded with R's
round(z, 2); we compare our full-precision z after the same rounding, and the flags, exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tumbuh.growth.zscores import r_round

from ._reference import anthro_pair, anthroplus_pair, num

ANTHRO_Z = ["len", "wei", "wfl", "bmi", "hc", "ac", "ts", "ss"]


@pytest.fixture(scope="module")
def anthro():
    return anthro_pair()


@pytest.fixture(scope="module")
def anthroplus():
    return anthroplus_pair()


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _report(inp, idx):
    return [{k: inp[k][i] for k in inp} for i in idx[:5]]


def test_reference_set_is_large_and_exercises_every_indicator(anthro):
    inp, who, _ = anthro
    assert len(inp["id"]) > 20_000
    for z in ANTHRO_Z:
        values = num(who["z" + z])
        assert np.isfinite(values).sum() > 2_000, z
        assert (num(who["f" + z]) == 1).sum() > 5, z  # flagged rows are present too
        assert (np.abs(values) > 3).sum() > 50, z  # and the restricted LMS region


@pytest.mark.parametrize("z", ANTHRO_Z)
def test_anthro_rounded_z_matches_who_on_every_row(anthro, z):
    inp, who, ours = anthro
    bad = np.flatnonzero(~_same(r_round(ours["z" + z], 2), num(who["z" + z])))
    assert bad.size == 0, _report(inp, bad)


@pytest.mark.parametrize("z", ANTHRO_Z)
def test_anthro_flags_match_who_on_every_row(anthro, z):
    inp, who, ours = anthro
    bad = np.flatnonzero(~_same(ours["f" + z], num(who["f" + z])))
    assert bad.size == 0, _report(inp, bad)


@pytest.mark.parametrize("z", ANTHRO_Z)
def test_anthro_full_precision_z_matches_who(anthro, z):
    # Bit-identical where numpy's power is the C library's pow (as on the reference
    # machine). Elsewhere one ulp of pow can become ~3e-11 in z, because 1/(S·L) reaches
    # 1.3e5 in the weight and arm-circumference tables (L down to 0.0001).
    inp, who, ours = anthro
    ref = num(who["z" + z + "_full"])
    assert _same(np.isnan(ours["z" + z]), np.isnan(ref)).all()
    diff = np.nanmax(np.abs(ours["z" + z] - ref))
    assert diff <= 1e-9


def test_anthro_cleaned_columns_match_who(anthro):
    inp, who, ours = anthro
    for col in ("clenhei", "csex", "c9mo_flag"):
        bad = np.flatnonzero(~_same(ours[col].astype(float), num(who[col])))
        assert bad.size == 0, (col, _report(inp, bad))
    who_measure = np.array([v if v else None for v in who["cmeasure"]], dtype=object)
    assert (who_measure == ours["cmeasure"]).all()


def test_anthro_bmi_matches_who_except_for_negative_weights(anthro):
    # WHO reports a negative BMI for a negative weight; we report none (weight_nonpositive).
    inp, who, ours = anthro
    bad = ~_same(ours["cbmi"], num(who["cbmi"]))
    assert (num(inp["weight"])[bad] < 0).all()
    assert all("weight_nonpositive" in r for r in ours["reason"][bad])


@pytest.mark.parametrize("z", ["hfa", "wfa", "bfa"])
def test_anthroplus_rounded_z_and_flags_match_who(anthroplus, z):
    inp, who, ours = anthroplus
    bad = np.flatnonzero(~_same(r_round(ours["z" + z], 2), num(who["z" + z])))
    assert bad.size == 0, _report(inp, bad)
    bad = np.flatnonzero(~_same(ours["f" + z], num(who["f" + z])))
    assert bad.size == 0, _report(inp, bad)
    assert np.isfinite(num(who["z" + z])).sum() > 1000


def test_anthroplus_bmi_matches_who(anthroplus):
    inp, who, ours = anthroplus
    assert _same(ours["cbmi"], num(who["cbmi"])).all()


def test_round_digits_2_gives_who_output_directly(anthro):
    from tumbuh.growth.zscores import anthro_zscores

    inp, who, _ = anthro
    days = inp["age_unit"] == "days"
    res = anthro_zscores(
        sex=inp["sex"][days],
        age_days=num(inp["age"])[days],
        weight=num(inp["weight"])[days],
        lenhei=num(inp["lenhei"])[days],
        measure=inp["measure"][days],
        oedema=inp["oedema"][days],
        round_digits=2,
    )
    for z in ("len", "wei", "wfl", "bmi"):
        assert _same(res["z" + z], num(who["z" + z])[days]).all(), z


def test_full_precision_z_is_bit_identical_to_who(anthro):
    inp, who, ours = anthro
    for z in ANTHRO_Z:
        bad = np.flatnonzero(~_same(ours["z" + z], num(who["z" + z + "_full"])))
        assert bad.size == 0, (z, _report(inp, bad))


class _CountingFused:
    """Stands for the loaded fused module in ``zscores._FUSED``: counts the compiled pow calls."""

    def __init__(self):
        from tumbuh.growth import _fused

        self.real, self.calls = _fused, 0

    def pow_probe(self, a, b, out):
        self.calls += 1
        self.real.pow_probe(a, b, out)


@pytest.mark.parametrize("compiled", [False, True], ids=["python-loop", "compiled-loop"])
def test_numpy_kernel_uses_c_pow_where_numpys_power_is_not_it(monkeypatch, compiled):
    # With AVX-512, numpy's power is its own (SVML) pow, an ulp off C's on some values; R uses
    # C's pow. Simulate such a build: the numpy kernel must then call C's pow itself, through
    # a Python loop, or numba's compiled loop once the fused kernel is loaded, and still give
    # WHO's full-precision bits.
    from tumbuh.growth import zscores

    calls = []
    real_c_pow = zscores._c_pow
    fused = _CountingFused()
    monkeypatch.setattr(zscores, "ENGINE", "numpy")
    monkeypatch.setattr(zscores, "_POW_IS_LIBM", False)
    monkeypatch.setattr(zscores, "_c_pow", lambda *a, **k: calls.append(1) or real_c_pow(*a, **k))
    monkeypatch.setattr(zscores, "_FUSED", fused if compiled else None)
    monkeypatch.setattr(zscores, "C_POW_COMPILED_MIN", 0)
    inp, who, ours = anthro_pair()
    assert calls
    assert (fused.calls > 0) == compiled
    for z in ANTHRO_Z:
        bad = np.flatnonzero(~_same(ours["z" + z], num(who["z" + z + "_full"])))
        assert bad.size == 0, (z, _report(inp, bad))


@pytest.mark.parametrize("loaded", [False, True], ids=["fused-not-loaded", "fused-loaded"])
def test_c_pow_is_math_pow_bit_for_bit(monkeypatch, loaded):
    from tumbuh.growth import zscores

    fused = _CountingFused()
    monkeypatch.setattr(zscores, "_FUSED", fused if loaded else None)
    rng = np.random.default_rng(7)
    a, b = rng.uniform(0.3, 3.0, 5000), rng.uniform(-2.5, 1.5, 5000)
    want = np.array([math.pow(x, y) for x, y in zip(a.tolist(), b.tolist())])
    assert np.array_equal(zscores._c_pow(a, b), want)  # 5,000 >= C_POW_COMPILED_MIN
    assert fused.calls == (1 if loaded else 0)  # never loads numba itself
    assert np.array_equal(zscores._c_pow(a[:10], b[:10]), want[:10])  # small: always the Python loop
    assert fused.calls == (1 if loaded else 0)
    out = a.copy()
    assert zscores._c_pow(out, b, out=out) is out and np.array_equal(out, want)  # in place, as lms_z calls it


def test_c_pow_python_loop_gives_cs_answers_where_python_raises(monkeypatch):
    from tumbuh.growth import _fused, zscores

    monkeypatch.setattr(zscores, "_FUSED", None)  # the Python loop
    a = np.array([-8.0, -2.0, -2.0, 1e300, -1e300, -1e300, 0.0, 2.0, np.nan, -0.0])
    b = np.array([1 / 3, 0.5, 2.0, 2.0, 3.0, 2.0, -1.0, 1e-300, 1.0, -3.0])
    want = np.empty_like(a)
    _fused.pow_probe(a, b, want)  # C's pow, from compiled code
    assert np.array_equal(zscores._c_pow(a, b), want, equal_nan=True)
