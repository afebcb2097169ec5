"""The kernel compiled ahead of time (_aot.py): the JIT's bits, loaded without numba, chosen for
every call big enough, and a clean fall back when there is none or its directory is unwritable.

Building the module takes 15–60 s: once per session, into a temporary directory (or the one
already built for this machine and source is used).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("numba")

from tumbuh.growth import _aot, _fused, zscores  # noqa: E402
from tumbuh.growth.zscores import _anthro_zscores  # noqa: E402

from .test_fused import assert_same, reference_inputs  # noqa: E402, F401
from .test_kernel_selection import children  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory):
    """A directory holding the compiled module for this source and machine."""
    built = _aot.find()
    if built is not None:
        return str(built.parent)
    directory = tmp_path_factory.mktemp("kernel")
    try:
        _aot.build(directory)
    except Exception as exc:  # no C compiler here
        pytest.skip(f"cannot build the compiled kernel here: {exc}")
    return str(directory)


@pytest.fixture
def aot(kernel_dir, monkeypatch):
    """``_fused`` bound to the compiled module; the JIT again afterwards."""
    monkeypatch.setenv("TUMBUH_KERNEL_DIR", kernel_dir)
    _fused.use("aot")
    yield
    _fused.use("jit")


def run_with(backend: str, **kw):
    _fused.use(backend)
    return _anthro_zscores(**kw, engine="fused")


def test_the_compiled_module_gives_the_jits_bits_and_numpys(aot, reference_inputs):  # noqa: F811
    for kw in (reference_inputs, children(30_000, seed=5)):
        for digits in (None, 2):
            got = run_with("aot", **kw, round_digits=digits)
            assert_same(got, run_with("jit", **kw, round_digits=digits))
            assert_same(got, _anthro_zscores(**kw, round_digits=digits, engine="numpy"))


def test_the_compiled_module_with_cs_pow_only_gives_the_same_bits(aot, reference_inputs):  # noqa: F811
    fast = run_with("aot", **reference_inputs)
    _fused.use("aot")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_fused, "fast_pow_ok", lambda: False)
        assert_same(fast, _anthro_zscores(**reference_inputs, engine="fused"))


def test_the_compiled_pow_is_cs_and_refuses_arrays_it_would_misread(aot):
    assert _fused.BACKEND == "aot"
    assert _fused.libm_pow_ok() and _fused.fast_pow_ok()
    out = np.empty(3)
    with pytest.raises(TypeError):
        _fused.pow_probe(np.array([1, 2, 3]), np.ones(3), out)  # int64
    with pytest.raises(TypeError):
        _fused.pow_probe(np.arange(6.0)[::2], np.ones(3), out)  # strided


def test_a_fresh_process_loads_the_compiled_module_without_numba(kernel_dir):
    code = "import sys; from tumbuh.growth import _fused; print(_fused.BACKEND, 'numba' in sys.modules)"
    env = {**os.environ, "TUMBUH_KERNEL_DIR": kernel_dir}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["aot", "False"]


def test_with_the_compiled_module_every_call_from_min_rows_uses_it(monkeypatch):
    calls = []
    real = _fused.run_anthro
    monkeypatch.setattr(_fused, "run_anthro", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    monkeypatch.setattr(_aot, "_AVAILABLE", True)
    monkeypatch.setattr(zscores, "_FUSED", None)
    monkeypatch.setattr(zscores, "_rows_seen", 0)
    monkeypatch.setattr(zscores, "_rows_expected", 0)
    n = zscores.FUSED_MIN_ROWS
    zscores.anthro_zscores(sex=np.ones(n - 1), age_days=np.full(n - 1, 400.0), weight=np.full(n - 1, 9.0))
    assert calls == []  # below FUSED_MIN_ROWS: numpy, and nothing loaded
    assert zscores._FUSED is None
    zscores.anthro_zscores(sex=np.ones(n), age_days=np.full(n, 400.0), weight=np.full(n, 9.0))
    assert calls == [n]  # the first call of FUSED_MIN_ROWS rows, far below FUSED_LOAD_ROWS


def test_without_it_the_jit_waits_for_load_rows(monkeypatch):
    calls = []
    real = _fused.run_anthro
    monkeypatch.setattr(_fused, "run_anthro", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    monkeypatch.setattr(_aot, "_AVAILABLE", False)
    monkeypatch.setattr(zscores, "_FUSED", None)
    monkeypatch.setattr(zscores, "_rows_seen", 0)
    monkeypatch.setattr(zscores, "_rows_expected", 0)
    zscores.anthro_zscores(sex=np.ones(5000), age_days=np.full(5000, 400.0), weight=np.full(5000, 9.0))
    assert calls == [] and zscores._FUSED is None


def test_the_module_is_looked_for_by_source_and_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("TUMBUH_KERNEL_DIR", str(tmp_path))
    assert _aot.find() is None and _aot.load() is None
    with pytest.raises(ImportError):
        _fused.use("aot")  # the caller (the module's import) then uses the JIT
    assert _aot.key() in _aot.filename() and _aot.filename().startswith("tumbuh_kernel_")
    # a truncated or foreign file under the right name: a warning, and no module
    (tmp_path / _aot.filename()).write_bytes(b"\x7fELF not a module")
    with pytest.warns(RuntimeWarning, match="does not load"):
        assert _aot.load() is None


def test_an_unwritable_kernel_directory_falls_back_cleanly(tmp_path, monkeypatch):
    # A directory that cannot be created, even by root: its parent is a file.
    (tmp_path / "read-only").write_text("")
    unwritable = tmp_path / "read-only" / "kernel"
    monkeypatch.setenv("TUMBUH_KERNEL_DIR", str(unwritable))
    monkeypatch.setenv("TUMBUH_KERNEL_BUILD", "1")
    monkeypatch.setattr(_aot, "_AVAILABLE", False)
    with pytest.raises(OSError):
        _aot._writable_directory()
    assert _aot.build_in_background() is False  # nothing started, nothing raised
    code = "from tumbuh.growth import _fused; print(_fused.BACKEND)"
    env = {**os.environ, "TUMBUH_KERNEL_DIR": str(unwritable)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == ["jit"]  # numba's own cache, or none (test_fused.py)


def test_background_builds_are_off_when_asked_and_run_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TUMBUH_KERNEL_DIR", str(tmp_path))
    monkeypatch.setattr(_aot, "_AVAILABLE", False)
    monkeypatch.setenv("TUMBUH_KERNEL_BUILD", "0")
    assert _aot.build_in_background() is False
    monkeypatch.setenv("TUMBUH_KERNEL_BUILD", "1")
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a[0]))
    assert _aot.build_in_background() is True
    assert started and started[0][1:3] == ["-m", "tumbuh.growth._aot"]
    assert _aot.build_in_background() is False  # its lock is there: one build at a time


def test_tumbuh_zscore_imports_neither_django_nor_pandas_nor_scipy(tmp_path, kernel_dir):
    # nor pyarrow.compute, for a file of numbers (~20 ms of each fresh process)
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table(children(3_000)), path)
    code = (
        "import sys; from tumbuh.cli import main; "
        f"main(['zscore', {str(path)!r}, {str(tmp_path / 'out.parquet')!r}, '--quiet']); "
        "from tumbuh.growth import zscores; "
        "print(zscores._FUSED.BACKEND if zscores._FUSED else 'numpy', "
        "*[m for m in ('django', 'pandas', 'scipy', 'numba', 'pyarrow.compute') if m in sys.modules])"
    )
    env = {**os.environ, "TUMBUH_KERNEL_DIR": kernel_dir, "TUMBUH_KERNEL_BUILD": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["aot"]  # the compiled kernel for 3,000 rows; no django, pandas, scipy, numba
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 3_000


def test_pyarrow_still_converts_pandas_when_asked_after_the_command(tmp_path):
    # pyarrow_without_pandas only skips pyarrow's implicit check; to_pandas still works.
    code = (
        "from tumbuh.growth.cli import pyarrow_without_pandas; import sys, pyarrow as pa; "
        "pyarrow_without_pandas(); print('pandas' in sys.modules); "
        "print(type(pa.table({'x': [1, 2]}).to_pandas()).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "DataFrame"]


def test_the_compiled_module_on_random_inputs(aot):
    # test_fused's hypothesis search (NaN, ±inf, zeros, negatives, text...), on this module
    from .test_fused import test_fused_equals_numpy_on_random_inputs

    _fused.use("aot")
    test_fused_equals_numpy_on_random_inputs()
