"""The fused numba kernel (_fused.py) gives the numpy kernel's outputs bit for bit.

Every output column and the reason mask are compared with ``np.array_equal`` (NaN equal
to NaN) on WHO's reference rows and on random inputs: NaN, negative, zero, out of range,
every sex/measure/oedema coding including unknown ones, ages in days and in months.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numba")

from tumbuh.growth import zscores  # noqa: E402
from tumbuh.growth._inputs import to_codes  # noqa: E402
from tumbuh.growth.zscores import _anthro_zscores  # noqa: E402

from ._reference import REF, num, read_csv_text  # noqa: E402

ARGS = ("sex", "age_days", "age_months", "weight", "lenhei", "measure", "oedema", "headc", "armc", "triskin", "subskin")


def assert_same(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        x, y = a[k], b[k]
        assert x.dtype == y.dtype, k
        assert x.shape == y.shape, k
        if x.dtype == object:
            assert x.tolist() == y.tolist(), k
        elif x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), (
                k,
                np.flatnonzero(~((x == y) | (np.isnan(x) & np.isnan(y))))[:5],
            )
        else:
            assert np.array_equal(x, y), k


def both(**kw):
    return _anthro_zscores(**kw, engine="numpy"), _anthro_zscores(**kw, engine="fused")


@pytest.fixture(scope="module")
def reference_inputs():
    inp = read_csv_text(REF / "anthro_inputs.csv")
    months = inp["age_unit"] == "months"
    age = num(inp["age"])
    return dict(
        sex=inp["sex"], age_days=np.where(months, np.nan, age), age_months=np.where(months, age, np.nan),
        weight=num(inp["weight"]), lenhei=num(inp["lenhei"]), measure=inp["measure"], oedema=inp["oedema"],
        headc=num(inp["headc"]), armc=num(inp["armc"]), triskin=num(inp["triskin"]), subskin=num(inp["subskin"]),
    )  # fmt: skip


@pytest.mark.parametrize("round_digits", [None, 2, 3])
def test_fused_equals_numpy_on_who_reference_rows(reference_inputs, round_digits):
    a, b = both(**reference_inputs, round_digits=round_digits)
    assert_same(a, b)


def test_fused_equals_numpy_on_reference_rows_for_subsets_of_indicators(reference_inputs):
    r = reference_inputs
    for keep in (("weight",), ("lenhei",), ("weight", "lenhei"), ("headc", "armc"), ("triskin", "subskin", "lenhei")):
        kw = {
            k: v
            for k, v in r.items()
            if k not in ("weight", "lenhei", "headc", "armc", "triskin", "subskin") or k in keep
        }
        assert_same(*both(**kw))
    # ages in days only; Arrow string codes (the one-byte fast path and the general one)
    days = np.where(np.isnan(r["age_days"]), r["age_months"] * 30.4375, r["age_days"])
    kw = dict(
        r, age_days=days, age_months=None, measure=pa.array(list(r["measure"])), oedema=pa.array(list(r["oedema"]))
    )
    assert_same(*both(**kw))


def test_fused_full_precision_z_is_bit_identical_to_who(reference_inputs):
    from ._reference import read_csv_text as _read

    who = _read(REF / "anthro_who.csv.gz")
    res = _anthro_zscores(**reference_inputs, engine="fused")
    for z in ("len", "wei", "wfl", "bmi", "hc", "ac", "ts", "ss"):
        assert np.array_equal(res["z" + z], num(who["z" + z + "_full"]), equal_nan=True), z
        assert np.array_equal(res["f" + z], num(who["f" + z]), equal_nan=True), z


SEX = [1, 2, 0, 3, 1.5, np.nan, "1", "2", "L", "P", "m", "F", "laki-laki", "perempuan", "x", "", None, " l "]
MEASURE = ["l", "h", "L", "H", "berdiri", "terlentang", "x", "", None, " h"]
OEDEMA = ["y", "n", "Y", "1", "2", "0", "ya", "tidak", "t", "maybe", "", None]
NUM = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(-5, 200),
    st.sampled_from([0.0, -0.0, -1.0, 45.0, 44.99, 110.0, 110.05, 65.0, 120.0, 87.0, 86.95, 0.7, 1e-300, 5e300]),
)
AGE_D = st.one_of(
    st.floats(-10, 2000),
    st.sampled_from(
        [0.0, 0.5, 90.5, 91.0, 730.0, 730.5, 731.0, 1826.0, 1826.25, 1826.3, 1856.0, 1857.0, 273.9, -0.0, -1.0]
    ),
    st.just(np.nan),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
)
AGE_M = st.one_of(st.floats(-1, 70), st.sampled_from([8.99, 9.0, 59.99, 60.0, 24.0]), st.just(np.nan))


@st.composite
def rows(draw):
    n = draw(st.integers(1, 120))
    col = lambda s: draw(st.lists(s, min_size=n, max_size=n))  # noqa: E731
    kw = {
        "sex": col(st.sampled_from(SEX)),
        "age_days": np.array(col(AGE_D), dtype=np.float64),
        "weight": np.array(col(st.one_of(NUM, st.floats(1, 30))), dtype=np.float64),
        "lenhei": np.array(col(st.one_of(NUM, st.floats(40, 125))), dtype=np.float64),
        "measure": col(st.sampled_from(MEASURE)),
        "oedema": col(st.sampled_from(OEDEMA)),
    }
    if draw(st.booleans()):
        kw["age_months"] = np.array(col(AGE_M), dtype=np.float64)
    for name in ("headc", "armc", "triskin", "subskin"):
        if draw(st.booleans()):
            kw[name] = np.array(col(st.one_of(NUM, st.floats(3, 55))), dtype=np.float64)
    for name in ("weight", "lenhei"):
        if draw(st.integers(0, 5)) == 0:
            del kw[name]
    # numeric-only sex (the compiled numeric path) and Arrow one-character codes (byte path)
    if draw(st.booleans()):
        kw["sex"] = np.array(col(st.sampled_from([1.0, 2.0, 0.0, 3.0, np.nan])))
    if draw(st.booleans()):
        kw["measure"] = pa.array(col(st.sampled_from(["l", "h", "x", "L", " "])))
        kw["oedema"] = pa.array(col(st.sampled_from(["y", "n", "1", "2", "0", "?"])))
    kw["sex"] = np.array(kw["sex"], dtype=object) if isinstance(kw["sex"], list) else kw["sex"]
    return kw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows(), st.sampled_from([None, None, 2, 1]))
def test_fused_equals_numpy_on_random_inputs(kw, round_digits):
    assert_same(*both(**kw, round_digits=round_digits))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["l", "h", "y", "n", "L", "P", "1", "2", "0", "x", " ", "ab", ""]), min_size=1, max_size=50),
       st.integers(0, 3))  # fmt: skip
def test_fast_codes_equal_to_codes(values, offset):
    from tumbuh.growth import _fused

    arr = pa.array(["pad"] * offset + values).slice(offset)  # non-zero Arrow offset
    for text_map, numeric_map in ((zscores.SEX_TEXT, zscores.SEX_NUMERIC), (zscores.MEASURE_TEXT, None),
                                  (zscores.OEDEMA_TEXT, zscores.OEDEMA_NUMERIC)):  # fmt: skip
        got = _fused.fast_codes(arr, len(values), text_map, numeric_map)
        if got is None:  # not all one byte long: to_codes does it
            assert any(len(v) != 1 for v in values)
            continue
        want = to_codes(arr, len(values), text_map, numeric_map)
        for g, w in zip(got, want):
            assert np.array_equal(g, w)
    nums = np.array([1.0, 2.0, 0.0, np.nan, 3.0, -1.0] * 3)
    for arr2 in (nums, nums[np.isfinite(nums)].astype(np.int64), nums.astype(np.float32)):
        got = _fused.fast_codes(arr2, len(arr2), zscores.SEX_TEXT, zscores.SEX_NUMERIC)
        want = to_codes(arr2, len(arr2), zscores.SEX_TEXT, zscores.SEX_NUMERIC)
        for g, w in zip(got, want):
            assert np.array_equal(g, w)


def test_kernel_pow_is_c_pow():
    from tumbuh.growth import _fused

    assert _fused.libm_pow_ok()


def test_auto_engine_uses_numpy_for_small_calls_and_fused_for_large(monkeypatch):
    calls = []
    from tumbuh.growth import _fused

    real = _fused.run_anthro
    monkeypatch.setattr(_fused, "run_anthro", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    monkeypatch.setattr(zscores, "_rows_seen", 0)
    monkeypatch.setattr(zscores, "_rows_expected", 0)
    monkeypatch.setattr(zscores, "_FUSED", None)
    monkeypatch.setattr(zscores, "FUSED_LOAD_ROWS", 5000)
    small = dict(sex=np.ones(100), age_days=np.full(100, 400.0), weight=np.full(100, 9.0))
    big = dict(sex=np.ones(3000), age_days=np.full(3000, 400.0), weight=np.full(3000, 9.0))
    zscores.anthro_zscores(**small)
    zscores.anthro_zscores(**big)  # 3,100 rows so far: not loaded yet
    assert calls == []
    zscores.anthro_zscores(**big)  # 6,100 rows: load and use it
    zscores.anthro_zscores(**small)  # below FUSED_MIN_ROWS: numpy
    assert calls == [3000]


def test_fused_failure_falls_back_to_numpy(monkeypatch):
    from tumbuh.growth import _fused

    def broken(*a, **k):
        raise RuntimeError("cannot compile")

    monkeypatch.setattr(_fused, "run_anthro", broken)
    monkeypatch.setattr(zscores, "_FUSED", _fused)
    kw = dict(sex=np.ones(2000), age_days=np.full(2000, 400.0), weight=np.full(2000, 9.0))
    with pytest.warns(RuntimeWarning, match="using numpy"):
        a = _anthro_zscores(**kw, engine="auto")
    assert zscores._FUSED is False
    assert_same(a, _anthro_zscores(**kw, engine="numpy"))
    with pytest.raises(RuntimeError):
        _anthro_zscores(**kw, engine="fused")


def test_jit_without_a_writable_cache_compiles_without_cache():
    # A function whose source file numba cannot locate (exec'd code) has no cache location:
    # njit(cache=True) raises at decoration; _jit warns and compiles uncached instead.
    from tumbuh.growth import _fused

    ns = {}
    exec("def f(x):\n    return x + 1.0\n", ns)
    with pytest.warns(UserWarning, match="cache not writable"):
        g = _fused._jit(ns["f"])
    assert g(1.0) == 2.0


# --- the kernel's own pow: an inlined copy of glibc's, checked against C's pow ---


def test_inlined_pow_is_c_pow_on_the_probe_values():
    from tumbuh.growth import _fused

    assert _fused.fast_pow_ok()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(0.2, 5.0, allow_nan=False), st.floats(-3.0, 2.0, allow_nan=False),
    st.floats(1e-300, 1e300, allow_nan=False), st.floats(-50.0, 50.0, allow_nan=False),
)  # fmt: skip
def test_inlined_pow_equals_c_pow_bit_for_bit(b, e, wide_b, wide_e):
    from tumbuh.growth import _fused

    base = np.array([b, wide_b, b, 1.0 + 1.0 / (1.0 + wide_b)])
    expo = np.array([e, e, 1.0 / e if e else 1.0, wide_e])
    got, want = np.empty(4), np.empty(4)
    _fused.pow_fast_probe(base, expo, got)
    _fused.pow_probe(base, expo, want)
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan)  # NaN where C gives NaN (its payload may differ)
    assert np.array_equal(got.view(np.uint64)[~nan], want.view(np.uint64)[~nan])  # and else the same bits, ±0 too


def test_inlined_pow_on_the_who_tables_takes_the_fast_path_and_equals_c_pow():
    """Every (y/M)^L the kernel raises for y from −6 to +6 SD around every row of the
    weight, BMI and weight-for-length/height tables: same bits as C's pow, and (so that this
    test would notice the fast path being unused) nearly all of them on the fast path."""
    from tumbuh.growth import _fused, tables

    Ls, Ms, Ss = [], [], []
    for name in ("wei", "bmi", "ac", "ts", "ss"):
        t = tables.who2006(name)
        Ls.append(t.L), Ms.append(t.M), Ss.append(t.S)
    w = tables.weight_for_lenhei()
    L, M, S = (np.concatenate([*v, x]) for v, x in ((Ls, w.L), (Ms, w.M), (Ss, w.S)))
    keep = ~(np.isnan(L) | np.isnan(M) | np.isnan(S))
    L, M, S = L[keep], M[keep], S[keep]
    z = np.linspace(-6, 6, 25)[:, None]
    with np.errstate(invalid="ignore"):
        y = M * np.abs(1 + L * S * z) ** (1 / L)
    base = (np.round(y, 2) / M).ravel()
    expo = np.broadcast_to(L, y.shape).ravel().copy()
    got, want = np.empty_like(base), np.empty_like(base)
    _fused.pow_fast_probe(base, expo, got)
    _fused.pow_probe(base, expo, want)
    assert np.array_equal(got, want, equal_nan=True)
    oks = np.array([_fast_path_taken(_fused, b, e) for b, e in zip(base[::97].tolist(), expo[::97].tolist())])
    assert oks.mean() > 0.99


def _fast_path_taken(_fused, b, e):
    out = np.empty(1)
    return _fused.pow_fast_ok_probe(np.array([b]), np.array([e]), out)


def test_kernel_with_c_pow_only_gives_the_same_bits(reference_inputs, monkeypatch):
    from tumbuh.growth import _fused

    fast = _anthro_zscores(**reference_inputs, engine="fused")
    monkeypatch.setattr(_fused, "fast_pow_ok", lambda: False)
    assert_same(fast, _anthro_zscores(**reference_inputs, engine="fused"))


# --- the result: lazy text columns, reusable output buffers ---


def test_text_columns_are_built_on_first_read(reference_inputs):
    r = _anthro_zscores(**reference_inputs, engine="fused")
    assert isinstance(r, zscores.ZScoreResult)
    assert not r.is_built("reason") and not r.is_built("cmeasure")
    table = zscores.as_table(r)  # from the codes: builds no Python objects
    assert not r.is_built("reason")
    assert table.column("reason").to_pylist() == zscores.reason_strings(r["reason_mask"]).tolist()
    assert r["reason"].tolist() == table.column("reason").to_pylist()
    assert r.is_built("reason")
    assert r["cmeasure"].tolist() == [{0: None, 1: "l", 2: "h"}[c] for c in r["cmeasure_code"].tolist()]
    assert list(r) == list(zscores.ANTHRO_COLUMNS[:2]) + [
        "cmeasure_code",
        *zscores.ANTHRO_COLUMNS[2:],
        "reason",
        "reason_mask",
    ]
    r["reason"] = "x"  # a mapping like a dict
    assert r["reason"] == "x" and len(r.copy()) == len(r)


def test_buffers_are_reused_and_give_the_same_result(reference_inputs):
    buffers = zscores.ZScoreBuffers()
    plain = _anthro_zscores(**reference_inputs, engine="fused")
    first = _anthro_zscores(**reference_inputs, engine="fused", buffers=buffers)
    assert_same(plain, first)
    half = {k: v[: len(v) // 2] for k, v in reference_inputs.items()}
    second = _anthro_zscores(**half, engine="fused", buffers=buffers)
    assert np.shares_memory(first["zlen"], second["zlen"])  # the first result is overwritten
    assert_same(_anthro_zscores(**half, engine="fused"), second)
