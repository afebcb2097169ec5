"""Which pow and which kernel a call gets: compiled whatever the CPU, never a Python loop per row.

On a CPU where numpy's ``power`` is not C's ``pow`` (AVX-512: numpy's SVML pow), the numpy
kernel must still compute C's pow (R's), and must do it in compiled code, not by calling
``math.pow`` from Python row by row. These tests force that condition on any machine.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tumbuh.growth import classify, zscores
from tumbuh.growth.cli import main
from tumbuh.growth.zscores import _anthro_zscores, anthroplus_zscores

from .test_fused import assert_same


def children(n: int, seed: int = 11) -> dict:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 1826, n).astype(float)
    return dict(
        sex=rng.integers(1, 3, n).astype(float),
        age_days=age,
        # wide spreads, so that many rows lie beyond ±3 SD (WHO's restricted form)
        weight=np.round(3 + age / 1826 * 14 + rng.normal(0, 3, n), 2),
        lenhei=np.round(50 + age / 1826 * 60 + rng.normal(0, 8, n), 1),
        measure=pa.array(np.where(age < 731, "l", "h").astype(object)),
        oedema=pa.array(np.where(rng.uniform(size=n) < 0.01, "y", "n").astype(object)),
        headc=np.round(35 + age / 1826 * 15 + rng.normal(0, 3, n), 1),
        armc=np.round(11 + age / 1826 * 5 + rng.normal(0, 2, n), 1),
    )


class Counter:
    """Counts the per-value Python pow (``zscores._c_pow1``) and Arrow's compiled one."""

    def __init__(self, monkeypatch):
        import pyarrow.compute as pc

        self.python = 0
        self.arrow = 0
        real_one, real_arrow = zscores._c_pow1, pc.power

        def one(x, y):
            self.python += 1
            return real_one(x, y)

        def arrow(a, b):
            self.arrow += len(a)
            return real_arrow(a, b)

        monkeypatch.setattr(zscores, "_c_pow1", one)
        monkeypatch.setattr(zscores, "_ARROW_POW", arrow)


@pytest.fixture
def avx512_numpy(monkeypatch):
    """numpy's power is not C's pow here (as with AVX-512), the fused kernel not loaded."""
    assert zscores._arrow_power() is not None  # checked (with the Python loop) before counting
    monkeypatch.setattr(zscores, "_POW_IS_LIBM", False)
    monkeypatch.setattr(zscores, "_FUSED", None)
    monkeypatch.setattr(zscores, "_rows_seen", 0)
    monkeypatch.setattr(zscores, "_rows_expected", 0)
    return Counter(monkeypatch)


def test_arrows_pow_is_c_pow_bit_for_bit():
    from tumbuh.growth import _fused

    a, b = _fused.pow_probe_values()
    want = np.empty_like(a)
    _fused.pow_probe(a, b, want)  # C's pow, from compiled code
    got = zscores._arrow_power()(pa.array(a), pa.array(b)).to_numpy(zero_copy_only=False)
    assert zscores._same_bits(np.asarray(got), want)


def test_numpy_kernel_without_cs_pow_in_numpy_loops_in_compiled_code(avx512_numpy):
    kw = children(20_000)
    got = _anthro_zscores(**kw, engine="numpy")
    # Per row there are 6 pows plus 2 per row beyond ±3 SD: all of them in Arrow's kernel.
    assert avx512_numpy.arrow > 6 * 20_000
    assert avx512_numpy.python == 0
    # Same bits as the fused kernel (C's pow in compiled code) ...
    assert_same(got, _anthro_zscores(**kw, engine="fused"))


def test_the_compiled_pow_gives_the_python_loops_bits(avx512_numpy, monkeypatch):
    kw = children(3_000, seed=5)
    fast = _anthro_zscores(**kw, engine="numpy")
    monkeypatch.setattr(zscores, "C_POW_COMPILED_MIN", 10**9)  # the Python loop, value by value
    slow = _anthro_zscores(**kw, engine="numpy")
    assert avx512_numpy.python > 3 * 3_000
    assert_same(fast, slow)


def test_anthroplus_without_cs_pow_in_numpy_loops_in_compiled_code(avx512_numpy, monkeypatch):
    rng = np.random.default_rng(2)
    n = 10_000
    months = rng.uniform(60, 228, n)
    kw = dict(
        sex=rng.integers(1, 3, n),
        age_months=months,
        weight=np.round(18 + (months - 60) * 0.3 + rng.normal(0, 6, n), 1),
        height=np.round(108 + (months - 60) * 0.4 + rng.normal(0, 8, n), 1),
    )
    got = anthroplus_zscores(**kw)
    assert avx512_numpy.python == 0 and avx512_numpy.arrow > n
    monkeypatch.setattr(zscores, "C_POW_COMPILED_MIN", 10**9)  # the Python loop, value by value
    want = anthroplus_zscores(**kw)
    for k in ("zhfa", "zwfa", "zbfa", "fhfa", "fwfa", "fbfa"):
        assert zscores._same_bits(got[k], want[k]), k


def test_a_small_run_of_the_command_uses_no_python_pow_per_row(avx512_numpy, tmp_path):
    # The case: a run under FUSED_LOAD_ROWS rows never loads the fused kernel.
    kw = children(5_000, seed=9)
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table(kw), path)
    assert main(["zscore", str(path), str(tmp_path / "out.parquet"), "--quiet", "--batch-size", "2000"]) == 0
    assert zscores._FUSED is None  # not loaded: the numpy kernel ran ...
    # ... with its pow in compiled code: only a batch's few rows beyond ±3 SD of an
    # indicator, when fewer than C_POW_COMPILED_MIN, take the Python pow (cheaper than a call).
    assert avx512_numpy.python < 5_000 // 50
    assert avx512_numpy.arrow > 5 * 5_000
    out = pq.read_table(tmp_path / "out.parquet")
    want = _anthro_zscores(**kw, engine="fused")
    for k in ("zlen", "zwei", "zwfl", "zbmi", "zhc", "zac"):
        z = out.column(k).to_numpy(zero_copy_only=False)
        assert zscores._same_bits(np.asarray(z, dtype=float), want[k]), k


def test_without_arrows_pow_the_fused_module_gives_the_compiled_pow(avx512_numpy, monkeypatch):
    monkeypatch.setattr(zscores, "_ARROW_POW", False)  # e.g. an Arrow whose pow is not C's
    kw = children(4_000, seed=4)
    got = _anthro_zscores(**kw, engine="numpy")
    assert zscores._FUSED not in (None, False)  # loaded for its pow, whatever the row count
    assert avx512_numpy.python < 100  # the check of numba's pow at load, not one per row
    assert_same(got, _anthro_zscores(**kw, engine="fused"))


def test_expect_rows_loads_the_fused_kernel_at_the_first_big_call(monkeypatch):
    from tumbuh.growth import _fused

    calls = []
    real = _fused.run_anthro
    monkeypatch.setattr(_fused, "run_anthro", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    monkeypatch.setattr(zscores, "_FUSED", None)
    monkeypatch.setattr(zscores, "_rows_seen", 0)
    monkeypatch.setattr(zscores, "_rows_expected", 0)
    monkeypatch.setattr(zscores, "FUSED_LOAD_ROWS", 50_000)
    kw = children(2_000)
    _anthro_zscores(**kw, engine="auto")
    assert calls == []
    zscores.expect_rows(60_000)
    _anthro_zscores(**kw, engine="auto")
    assert calls == [2_000]


def test_classify_rounds_only_near_cut_offs_and_agrees_with_full_rounding():
    rng = np.random.default_rng(1)
    z = np.concatenate(
        [
            rng.normal(0, 2, 50_000),
            # ties and near-ties at every cut-off, both sides, as R rounds them
            np.array(
                [b + d for b in (-3, -2, 1, 2, 3) for d in (-0.005, 0.005, -0.0049999, 0.0050001, 0.01, -0.01, 0)]
            ),
            np.array([np.nan, np.inf, -np.inf, 1e300, -5.985, -2.0049999999999999]),
        ]
    )
    for ind in classify.INDICATORS:
        bins = classify._BINS[ind]
        zr = zscores.r_round(z, 2)
        want = np.zeros(z.shape, dtype=np.int8)
        with np.errstate(invalid="ignore"):
            for _, lower, inclusive in bins[1:]:
                want += (zr >= lower) if inclusive else (zr > lower)
        want[np.isnan(zr)] = -1
        assert np.array_equal(classify.classify_index(z, ind), want), ind
