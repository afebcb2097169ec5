"""The fused single-pass z-score kernel, bit-identical to the numpy kernel in ``zscores``.

The compiled code is in ``_fused_jit.py`` (numba; its docstring says how it keeps
``zscores``' bits). This module prepares its inputs (codes, the packed WHO tables, output
arrays) and calls it through one of two backends, chosen when this module is imported:

- ``"aot"``: the same functions compiled ahead of time into an extension module
  (:mod:`tumbuh.growth._aot`: numba's ``pycc``, built once per machine and source, kept in a
  cache directory). Loading it is an ``import`` of a few milliseconds, without numba.
- ``"jit"``: numba's just-in-time compiler with its on-disk cache: numba's import and
  loading the cached machine code cost ~0.5–1 s of CPU once per process.

:data:`BACKEND` says which; :func:`use` switches (the tests run both). Either way
``fast_pow_ok`` and ``libm_pow_ok`` check the compiled ``pow`` against C's at first use.

Only imported once a process scores a call big enough for it to pay off
(``zscores._fused_module``; calls below ``zscores.FUSED_MIN_ROWS`` always use numpy), so a
web request scoring one child never loads it. Without numba and without a compiled module,
or when compilation fails, ``zscores`` falls back to the numpy kernel.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from . import _aot, tables

# Indicator slots, in WHO's column order (``_fused_jit.LEN`` ... ``SS``).
INDICATORS = ("len", "wei", "wfl", "bmi", "hc", "ac", "ts", "ss")
AGE_TABLES = ("len", "wei", "bmi", "hc", "ac", "ts", "ss")  # rows of the packed age tables
_AGE_ROW = {name: i for i, name in enumerate(AGE_TABLES)}

# Reason codes the kernel sets, by position in ``bits`` (``_fused_jit.R_*``; the uint32 bit
# of each is passed in).
REASON_ORDER = (
    "sex_missing", "sex_unknown", "age_missing", "age_invalid", "age_negative", "age_out_of_range",
    "weight_missing", "weight_invalid", "weight_nonpositive",
    "lenhei_missing", "lenhei_invalid", "lenhei_nonpositive",
    "measure_invalid", "standing_under_9mo", "oedema_invalid", "oedema", "wfl_out_of_range",
    "headc_invalid", "headc_nonpositive", "armc_invalid", "armc_nonpositive",
    "triskin_invalid", "triskin_nonpositive", "subskin_invalid", "subskin_nonpositive",
    "age_under_91_days",
)  # fmt: skip

# ---------------------------------------------------------------------------------------
# The backend

#: "aot" or "jit": where the compiled functions below come from (see :func:`use`).
BACKEND = ""
anthro_kernel: Any = None
pow_probe: Any = None  # C's pow, from compiled code: pow_probe(a, b, out), float64 arrays
pow_fast_probe: Any = None  # the kernel's pow (the inlined copy of glibc's): same arguments
numeric_codes: Any = None
byte_codes: Any = None


def use(backend: str) -> None:
    """Call the kernel through ``backend``: ``"aot"`` (the module compiled ahead of time;
    ImportError if there is none for this source and machine) or ``"jit"`` (numba;
    ImportError without numba)."""
    global BACKEND, anthro_kernel, pow_probe, pow_fast_probe, numeric_codes, byte_codes
    compiled: Any
    if backend == "aot":
        compiled = _aot.load()
        if compiled is None:
            raise ImportError(f"no compiled z-score kernel for this machine: {_aot.BUILD_HINT}")
        probes = (_checked(compiled.pow_probe), _checked(compiled.pow_fast_probe))
    elif backend == "jit":
        from . import _fused_jit as compiled

        probes = (compiled.pow_probe, compiled.pow_fast_probe)
    else:
        raise ValueError(f"backend must be 'aot' or 'jit', not {backend!r}")
    anthro_kernel, numeric_codes, byte_codes = compiled.anthro_kernel, compiled.numeric_codes, compiled.byte_codes
    pow_probe, pow_fast_probe = probes
    BACKEND = backend
    fast_pow_ok.cache_clear()


def _checked(fn):
    """A compiled-ahead function of float64 arrays, refusing anything else: its wrapper
    checks neither dtype nor layout (an int64 or strided array would be read as garbage)."""

    def call(*arrays: np.ndarray) -> None:
        for a in arrays:
            if not (isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim == 1 and a.flags.c_contiguous):
                raise TypeError("expected contiguous one-dimensional float64 arrays")
        if any(len(a) != len(arrays[0]) for a in arrays):
            raise ValueError("arrays of different lengths")
        fn(*arrays)

    return call


def __getattr__(name: str) -> Any:
    """The JIT module's other names (``_jit``, ``pow_fast_ok_probe``: for the tests)."""
    from . import _fused_jit

    return getattr(_fused_jit, name)


# ---------------------------------------------------------------------------------------
# Inputs, tables and outputs (Python)


def _ro(a: np.ndarray, dtype) -> np.ndarray:
    """C-contiguous, exact dtype, read-only view: one numba signature for every caller."""
    a = np.ascontiguousarray(a, dtype=dtype)
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


_EMPTY_F = _ro(np.empty(0), np.float64)
_EMPTY_B = _ro(np.empty(0, dtype=np.bool_), np.bool_)


@functools.cache
def packed_tables():
    """The seven age-indexed tables in one flat L/M/S each, plus WFL/WFH as in tables.py."""
    from .zscores import RESTRICTED

    Ls, Ms, Ss = [], [], []
    apar = np.zeros((len(AGE_TABLES), 4), dtype=np.int64)  # offset, start, stop, stride
    aplain = np.zeros(len(AGE_TABLES), dtype=np.bool_)
    arestr = np.array([RESTRICTED[name] for name in AGE_TABLES], dtype=np.bool_)
    if np.any(aplain & arestr):
        raise ValueError("a plain (L = 1) table is restricted: the kernel computes plain LMS unrestricted")
    off = 0
    for r, name in enumerate(AGE_TABLES):
        t = tables.who2006(name)
        Ls.append(t.L)
        Ms.append(t.M)
        Ss.append(t.S)
        apar[r] = (off, t.start, t.stop, t.stride)
        aplain[r] = t.plain_l1
        off += len(t.L)
    w = tables.weight_for_lenhei()
    i8 = np.int64
    return (
        _interleave(np.concatenate(Ls), np.concatenate(Ms), np.concatenate(Ss)),
        _ro(apar, i8), _ro(aplain, np.bool_), _ro(arestr, np.bool_),
        _interleave(w.L, w.M, w.S), _ro(w.base, i8), _ro(w.start, i8),
    )  # fmt: skip


def _interleave(L, M, S) -> np.ndarray:
    """[row, (L, M, S, pad)]: one 32-byte, 32-byte-aligned entry per row, so a look-up
    touches one cache line instead of three (the tables are bigger than L1, and the days
    of consecutive rows are random)."""
    raw = np.empty(len(L) * 4 + 4)
    start = (-raw.ctypes.data % 32) // 8
    out = raw[start : start + len(L) * 4].reshape(len(L), 4)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = L, M, S, np.nan
    return _ro(out, np.float64)


@functools.cache
def _reason_bits() -> np.ndarray:
    from .zscores import REASONS

    return _ro(np.array([1 << REASONS.index(name) for name in REASON_ORDER], dtype=np.uint32), np.uint32)


@functools.cache
def _flag_params(digits: int):
    from .zscores import FLAG_LIMITS, _r_round_big

    eps = 10.0**-digits  # as zscores._rounded_lt/_gt compute it
    flim = np.array([FLAG_LIMITS[k] for k in INDICATORS], dtype=np.float64)
    fthr = np.array([(lo - eps, lo + eps, hi - eps, hi + eps) for lo, hi in flim.tolist()], dtype=np.float64)
    return _ro(flim, np.float64), _ro(fthr, np.float64), float(10**digits), _r_round_big(digits)


def pow_probe_values() -> tuple[np.ndarray, np.ndarray]:
    """(base, exponent) pairs covering what the kernel raises: y/M and 1 + L·S·k for the
    table's L (−2.5 … 1.5) and 1/L; a wide random range; and the special cases."""
    rng = np.random.default_rng(20261130)
    base = [
        rng.uniform(0.3, 3.0, 30000),
        np.exp(rng.uniform(-30.0, 30.0, 5000)),
        rng.uniform(0.95, 1.05, 5000),
        np.array([1.0, 0.0, -0.0, -1.5, np.inf, np.nan, 5e-324, 2.0, 0.5, 1e300, 1e-300]),
    ]
    expo = [
        rng.uniform(-2.5, 1.5, 30000),
        rng.uniform(-12.0, 12.0, 5000),
        1.0 / rng.uniform(-2.5, 1.5, 5000),
        np.array([0.3, -0.3, 0.3, 2.0, -0.5, 0.7, 0.5, 1e-20, 1e20, 2.0, -2.0]),
    ]
    return np.concatenate(base), np.concatenate(expo)


@functools.cache
def fast_pow_ok() -> bool:
    """Is the kernel's pow (the inlined copy of glibc's) the C library's pow, bit for bit,
    on this machine? Checked once per process on ``pow_probe_values``; if not (another C
    library, or a CPU without FMA, where glibc uses its other variant), the kernel calls
    C's pow for every value."""
    a, b = pow_probe_values()
    out = np.empty_like(a)
    pow_fast_probe(a, b, out)
    ref = np.empty_like(a)
    pow_probe(a, b, ref)  # C's pow, called from compiled code (see libm_pow_ok)
    return bool(np.array_equal(out, ref, equal_nan=True))


def libm_pow_ok() -> bool:
    """Is the kernel's pow the C library's pow (math.pow) bit for bit? Checked once."""
    rng = np.random.default_rng(20240521)
    base = np.concatenate([rng.uniform(0.3, 3.0, 4096), rng.uniform(1e-3, 50.0, 1024)])
    expo = np.concatenate([rng.uniform(-1.5, 1.5, 4096), rng.uniform(-12.0, 12.0, 1024)])
    out = np.empty_like(base)
    pow_probe(base, expo, out)
    return all(math.pow(b, e) == o for b, e, o in zip(base.tolist(), expo.tolist(), out.tolist()))


# --- fast conversion of categorical columns (same results as _inputs.to_codes) ---


@functools.cache
def _numeric_lut(items: tuple) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array([k for k, _ in items], dtype=np.float64)
    vals = np.array([v for _, v in items], dtype=np.int8)
    return _ro(keys, np.float64), _ro(vals, np.int8)


@functools.cache
def _byte_lut(items: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from ._inputs import _NA_WORDS

    text_map = dict(items)
    codes = np.zeros(256, dtype=np.int8)
    known = np.zeros(256, dtype=np.bool_)
    missing = np.zeros(256, dtype=np.bool_)
    for ch in range(128):
        c = chr(ch).strip().lower()
        if c in text_map:
            codes[ch] = text_map[c]
            known[ch] = True
        elif c in _NA_WORDS:
            missing[ch] = True
    return _ro(codes, np.int8), _ro(missing, np.bool_), _ro(known, np.bool_)


def fast_codes(x, n: int, text_map: dict, numeric_map: dict | None, buffers=None, key: str = ""):
    """``to_codes`` for the two common big-batch cases in one compiled pass: a numeric
    numpy array (or Arrow array without nulls), or an Arrow string array of one-character
    codes without nulls ('L'/'P', 'l'/'h', 'y'/'n'). Anything else: None (the caller uses
    to_codes)."""
    import pyarrow as pa

    if isinstance(x, pa.ChunkedArray) and x.num_chunks == 1:
        x = x.chunk(0)
    if isinstance(x, pa.Array) and (pa.types.is_integer(x.type) or pa.types.is_floating(x.type)) and not x.null_count:
        x = x.to_numpy(zero_copy_only=True)  # e.g. sex as Parquet's int64: its memory, read as numpy
    codes = np.empty(n, dtype=np.int8) if buffers is None else buffers.array(n, np.int8, f"{key}:codes")
    missing = np.empty(n, dtype=np.bool_) if buffers is None else buffers.array(n, np.bool_, f"{key}:missing")
    invalid = np.empty(n, dtype=np.bool_) if buffers is None else buffers.array(n, np.bool_, f"{key}:invalid")
    if isinstance(x, np.ndarray) and x.ndim == 1 and len(x) == n and x.dtype.kind in "fiub":
        v = x if x.dtype == np.float64 else x.astype(np.float64)  # what the kernel converts to
        keys, vals = _numeric_lut(tuple(sorted((numeric_map or {}).items())))
        if len(keys) > 4:  # no such map today (sex 2 keys, oedema 3): the general path
            return None
        k = [float(x) for x in keys] + [math.nan] * (4 - len(keys))
        c = [np.int8(x) for x in vals] + [np.int8(0)] * (4 - len(vals))
        numeric_codes(_ro(v, np.float64), *k, *c, codes, missing, invalid)
        return codes, missing, invalid
    if isinstance(x, pa.Array) and pa.types.is_string(x.type) and len(x) == n and n and not x.null_count:
        buf = x.buffers()
        if buf[2] is None:
            return None
        offsets = np.frombuffer(buf[1], dtype=np.int32, count=n + 1, offset=x.offset * 4)
        data = np.frombuffer(buf[2], dtype=np.uint8)
        lut = _byte_lut(tuple(sorted(text_map.items())))
        if byte_codes(offsets, data, *lut, codes, missing, invalid):
            return codes, missing, invalid
    return None


def run_anthro(n, sex, ages, meas, mcode_in, m_inv, oed, oed_inv, digits, buffers=None):
    """Run the kernel on converted inputs (as zscores.anthro_zscores prepares them).

    ``sex`` = (codes, missing, invalid); ``ages`` = (ad, ad_inv, am or None, am_inv);
    ``meas`` = {name: (values, invalid)} for the measurements given.
    Returns (clenhei, c9mo_flag, cbmi, csex, mcode, reasons, {indicator: z}, {indicator: flag}),
    in new arrays, or in those of ``buffers`` (a ``zscores.ZScoreBuffers``) when given.
    """
    f8, b1 = np.float64, np.bool_
    ad, ad_inv, am, am_inv = ages
    has_am = am is not None

    def m(name):
        if name in meas:
            v, inv = meas[name]
            return _ro(v, f8), _ro(inv, b1), True
        return _EMPTY_F, _EMPTY_B, False

    has = {"len": "lenhei" in meas, "wei": "weight" in meas, "hc": "headc" in meas, "ac": "armc" in meas,
           "ts": "triskin" in meas, "ss": "subskin" in meas}  # fmt: skip
    has["bmi"] = has["wfl"] = has["len"] and has["wei"]
    slot = np.full(8, -1, dtype=np.int64)
    k = 0
    for j, name in enumerate(INDICATORS):
        if has[name]:
            slot[j] = k
            k += 1
    new = (lambda shape, dtype, key: np.empty(shape, dtype=dtype)) if buffers is None else buffers.array
    Z = new((k, n), np.float64, "Z")
    F = new((k, n), np.float64, "F")
    clen, c9 = new(n, np.float64, "clen"), new(n, np.int8, "c9")
    cbmi, csex = new(n, np.float64, "cbmi"), new(n, np.float64, "csex")
    mcode, reasons = new(n, np.int8, "mcode"), new(n, np.uint32, "reasons")
    flim, fthr, p10, big = _flag_params(digits)
    anthro_kernel(
        _ro(sex[0], np.int8), _ro(sex[1], b1), _ro(sex[2], b1),
        _ro(ad, f8), _ro(ad_inv, b1),
        _ro(am, f8) if has_am else _EMPTY_F, _ro(am_inv, b1) if has_am else _EMPTY_B, has_am,
        *m("weight"), *m("lenhei"), *m("headc"), *m("armc"), *m("triskin"), *m("subskin"),
        _ro(mcode_in, np.int8), _ro(m_inv, b1), _ro(oed, np.int8), _ro(oed_inv, b1),
        *packed_tables(),
        flim, fthr, p10, big, _reason_bits(),
        clen, c9, cbmi, csex, mcode, reasons, Z, F, slot, fast_pow_ok(),
    )  # fmt: skip
    z = {name: Z[slot[j]] for j, name in enumerate(INDICATORS) if slot[j] >= 0}
    f = {name: F[slot[j]] for j, name in enumerate(INDICATORS) if slot[j] >= 0}
    return clen, c9, cbmi, csex, mcode, reasons, z, f


try:
    use("aot")
except ImportError:
    use("jit")
